"""Bad input gets a clear error naming the problem, the value and what to do; numerical
trouble (aliasing, separation, non-convergence) is reported, never silent."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import glmkit as gk
from glmkit.errors import (AliasingWarning, ConvergenceWarning, DataWarning, DomainError, FormulaError,
                           InputError, SeparationWarning, UnknownNameError, UnseenLevelError)


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 2))
    y = rng.poisson(np.exp(0.5 + X @ [0.3, -0.2])).astype(float)
    return X, y


@pytest.mark.parametrize("where", ["X", "y", "weights", "offset"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_refused_with_position(data, where, bad):
    X, y = data
    X, y = X.copy(), y.copy()
    w, off = np.ones(50), np.zeros(50)
    target = {"X": X, "y": y, "weights": w, "offset": off}[where]
    target.flat[7] = bad
    with pytest.raises(InputError, match=rf"{where} contains 1 NaN or infinite value\(s\), the first at index"):
        gk.glm_fit(X, y, family="poisson", weights=w, offset=off)


def test_nan_in_sparse_X_is_refused(data):
    X, y = data
    S = sp.csr_matrix(X)
    S.data[0] = np.nan
    with pytest.raises(InputError, match="X contains"):
        gk.glm_fit(S, y, family="poisson")


@pytest.mark.parametrize("family,y_bad,msg", [
    ("poisson", -1.0, r"poisson family needs y in \[0, inf\)"),
    ("binomial", 1.5, r"binomial family needs y in \[0, 1\]"),
    ("gamma", 0.0, r"gamma family needs y in \(0, inf\)"),
    ("inverse_gaussian", -2.0, r"inverse_gaussian family needs y in \(0, inf\)"),
])
def test_y_outside_family_range(data, family, y_bad, msg):
    X, y = data
    y = np.abs(y) + 0.5 if family != "binomial" else (y > 1).astype(float)
    y[4] = y_bad
    with pytest.raises(DomainError, match=msg) as err:
        gk.glm_fit(X, y, family=family)
    assert "y[4]" in str(err.value)


def test_negative_weights(data):
    X, y = data
    w = np.ones(50)
    w[3] = -1
    with pytest.raises(DomainError, match=r"weights\[3\] = -1.0"):
        gk.glm_fit(X, y, family="poisson", weights=w)


def test_mismatched_lengths(data):
    X, y = data
    with pytest.raises(InputError, match="y has 49 rows but the data has 50"):
        gk.glm_fit(X, y[:-1], family="poisson")
    with pytest.raises(InputError, match="weights has 10 rows"):
        gk.glm_fit(X, y, family="poisson", weights=np.ones(10))


def test_empty_data():
    with pytest.raises(InputError, match="no rows"):
        gk.glm_fit(np.empty((0, 2)), np.empty(0))
    with pytest.raises(InputError, match="no rows"):
        gk.glm("y ~ x", data=pd.DataFrame({"y": [], "x": []}))


def test_unknown_names(data):
    X, y = data
    with pytest.raises(UnknownNameError, match="Valid names: gaussian, binomial"):
        gk.glm_fit(X, y, family="poison")
    with pytest.raises(UnknownNameError, match="Unknown link 'logt'"):
        gk.glm_fit(X, y, family="binomial", link="logt")
    with pytest.raises(UnknownNameError, match="Unknown solver"):
        gk.glm_fit(X, y, family="poisson", solver="magic")


def test_formula_naming_missing_column():
    df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, 3.0]})
    with pytest.raises(FormulaError, match=r"zz.*Columns available: y, x"):
        gk.glm("y ~ x + zz", data=df)
    with pytest.raises(FormulaError, match="names no column"):
        gk.glm("y ~ x", data=df, weights="ww")


def test_unseen_level_at_predict():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7], "g": list("abcabc")})
    fit = gk.glm("y ~ C(g)", data=df, family="poisson")
    with pytest.raises(UnseenLevelError, match="not seen when fitting"):
        fit.predict(pd.DataFrame({"g": ["a", "d"]}))


def test_non_integer_binomial_successes_warn(data):
    X, _ = data
    y = np.full(50, 0.3)
    with pytest.warns(DataWarning, match="non-integer #successes"):
        gk.glm_fit(X, y, family="binomial", weights=np.full(50, 2.0))


def test_aliased_column_is_nan_and_warned(data):
    X, y = data
    X3 = np.column_stack([X, X[:, 0] - 2 * X[:, 1]])
    with pytest.warns(AliasingWarning, match="x3"):
        fit = gk.glm_fit(X3, y, family="poisson")
    assert np.isnan(fit.coef["x3"]) and np.isnan(fit.std_err["x3"])
    ref = gk.glm_fit(X, y, family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy()[:3], ref.coef.to_numpy(), rtol=1e-10)
    assert fit.rank == 3 and fit.df_resid == 47
    assert "not defined because of singularities" in str(fit.summary())


def test_separation_is_warned_naming_the_terms():
    # Quasi-separation: level g1 has only failures; its coefficient (and the intercept of the
    # baseline) diverge, the numeric covariate z does not.
    rng = np.random.default_rng(2)
    g = np.repeat(["g0", "g1", "g2"], 20)
    y = np.r_[rng.integers(0, 2, 20), np.zeros(20), rng.integers(0, 2, 20)].astype(float)
    df = pd.DataFrame({"y": y, "g": g, "z": np.random.default_rng(3).normal(size=60)})
    with pytest.warns(SeparationWarning, match=r"numerically 0 or 1 occurred") as caught:
        gk.glm("y ~ C(g) + z", data=df, family="binomial")
    named = str(caught[0].message).split("coefficients:")[1].split(". ")[0]
    terms = [t.strip() for t in named.split(",")]
    assert "C(g)[T.g1]" in terms and "z" not in terms


def test_non_convergence_warns_and_is_flagged(data):
    X, y = data
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit = gk.glm_fit(X, y, family="poisson", solver="irls", max_iter=1)
    assert fit.converged is False


def test_predict_refuses_wrong_width(data):
    X, y = data
    fit = gk.glm_fit(X, y, family="poisson")
    with pytest.raises(InputError, match="3 columns; the model was fitted on 2"):
        fit.predict(np.ones((2, 3)))


def test_result_is_frozen(data):
    X, y = data
    fit = gk.glm_fit(X, y, family="poisson")
    with pytest.raises(AttributeError):
        fit.names = ["a"]  # type: ignore[misc]


def test_unknown_solver_option_is_refused(data):
    X, y = data
    with pytest.raises(UnknownNameError, match="has no option\\(s\\) learning_rte"):
        gk.glm_fit(X, y, family="poisson", solver="gd", solver_options={"learning_rte": 1e-4})
    with pytest.raises(UnknownNameError, match="irls solver has no option\\(s\\) learning_rate"):
        gk.glm_fit(X, y, family="poisson", solver="irls", solver_options={"learning_rate": 1e-4})
    # a keyword no solver has is Python's own TypeError, naming it
    with pytest.raises(TypeError, match="unexpected keyword argument 'learning_rte'"):
        gk.glm_fit(X, y, family="poisson", solver="gd", learning_rte=1e-4)


def test_estimated_theta_with_penalty_is_refused(data):
    X, y = data
    with pytest.raises(InputError, match="not combined with a penalty"):
        gk.glm_fit(X, y, family="negative_binomial", alpha=0.1)
