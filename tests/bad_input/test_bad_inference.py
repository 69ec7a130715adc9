"""Inference functions: penalised fits refused with the reason, names accepted, robust
covariances that are undefined say so, profiles that cannot be completed are marked."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InferenceError, InputError, NumericalWarning
from glmkit.inference.robust import hc_covariance


@pytest.fixture(scope="module")
def warp():
    return gk.datasets.load_warpbreaks()


@pytest.fixture(scope="module")
def lasso(warp):
    return gk.glm("breaks ~ wool + tension", warp, family="poisson", alpha=0.05, l1_ratio=1.0)


@pytest.mark.parametrize("call,what", [
    (lambda f, d: gk.anova(f), "anova"),
    (lambda f, d: gk.anova(f, f), "anova"),
    (lambda f, d: gk.drop1(f), "drop1"),
    (lambda f, d: gk.add1(f, "wool:tension"), "add1"),
    (lambda f, d: gk.wald_test(f, terms="tension"), "wald_test"),
    (lambda f, d: gk.score_test(f, f), "score_test"),
], ids=["anova", "anova-models", "drop1", "add1", "wald_test", "score_test"])
def test_tests_refuse_penalised_fits_with_the_reason(lasso, warp, call, what):
    with pytest.raises(InferenceError) as err:
        call(lasso, warp)
    text = str(err.value)
    assert f"{what} is not offered for a penalised fit (alpha=0.05, l1_ratio=1)" in text
    assert "without alpha" in text


def test_tests_refuse_what_is_not_a_fit():
    with pytest.raises(InputError, match="anova needs a fitted GLMResult.*got DataFrame"):
        gk.anova(pd.DataFrame())


def test_wald_test_takes_coefficient_names(warp):
    fit = gk.glm("breaks ~ wool + tension", warp, family="poisson")
    by_name = gk.wald_test(fit, "wool[T.B]")
    by_matrix = gk.wald_test(fit, np.array([0.0, 1.0, 0.0, 0.0]))
    assert by_name.df == 1
    np.testing.assert_allclose(by_name.statistic, by_matrix.statistic, rtol=1e-12)
    both = gk.wald_test(fit, ["tension[T.M]", "tension[T.H]"])
    np.testing.assert_allclose(both.statistic, gk.wald_test(fit, terms="tension").statistic, rtol=1e-12)


@pytest.fixture(scope="module")
def leverage_one():
    rng = np.random.default_rng(2)
    n = 30
    X = rng.normal(size=(n, 2))
    y = rng.poisson(np.exp(0.3 + 0.3 * X[:, 0])).astype(float)
    y[0] = 3.0  # a positive count: the row's own coefficient is finite
    dummy = np.r_[1.0, np.zeros(n - 1)]  # row 0 alone determines its coefficient: hat value 1
    return X, y, dummy


@pytest.mark.parametrize("kind", ["HC2", "HC3"])
def test_hc_with_a_leverage_one_row(leverage_one, kind):
    X, y, dummy = leverage_one
    with warnings.catch_warnings():
        warnings.simplefilter("error", gk.GLMWarning)
        fit = gk.glm_fit(np.column_stack([X, dummy]), y, family="poisson")
    with pytest.warns(NumericalWarning, match=rf"{kind} covariances are not defined where hat values are 1, "
                                              r"as for rows 0.*determine 1 coefficient"):
        cov = hc_covariance(fit.model, kind)
    assert np.isnan(cov[3]).all() and np.isnan(cov[:, 3]).all()
    # The other coefficients do not depend on row 0: their HC covariance is the fit without it.
    without = gk.glm_fit(X[1:], y[1:], family="poisson")
    np.testing.assert_allclose(cov[:3, :3], hc_covariance(without.model, kind), rtol=1e-8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        interval = fit.conf_int(cov=kind)
    assert interval.iloc[:3].notna().all().all() and interval.iloc[3].isna().all()


def test_single_cluster_is_refused(leverage_one):
    X, y, _ = leverage_one
    fit = gk.glm_fit(X, y, family="poisson")
    with pytest.raises(InputError, match=r"single cluster.*at least 2 clusters.*vcovCL"):
        fit.conf_int(cov="CR1", cluster=np.zeros(30))
    with pytest.raises(InputError, match="single cluster"):
        fit.summary(cluster=["g"] * 30)


def test_profile_that_cannot_be_completed_is_nan_with_a_warning(monkeypatch):
    """A refit that finds no valid fit marks that end point NaN and keeps the table."""
    from glmkit.inference import profile

    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    fit = gk.glm_fit(x[:, None], rng.poisson(np.exp(0.5 + 0.3 * x)), family="poisson")
    original = profile._Profile.deviance

    def failing_above(self, b):  # every refit with the slope held above its estimate fails
        return float("nan") if self.j == 1 and b > self.bhat else original(self, b)

    monkeypatch.setattr(profile._Profile, "deviance", failing_above)
    with pytest.warns(NumericalWarning, match=r"profile of x1 could not be completed.*NaN.*method='wald'"):
        table = fit.conf_int(method="profile")
    assert np.isnan(table.loc["x1", "upper"])
    assert np.isfinite(table.loc["x1", "lower"]) and table.loc["Intercept"].notna().all()


def test_profile_under_separation_is_infinite_with_a_warning():
    x = np.arange(8.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gk.GLMWarning)  # the separation warning of the fit itself
        fit = gk.glm_fit(x[:, None], [0, 0, 0, 0, 1, 1, 1, 1], family="binomial")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        table = fit.conf_int(method="profile")
    assert table.loc["x1", "upper"] == np.inf and np.isfinite(table.loc["x1", "lower"])
    assert any("x1 never falls to the interval's cut-off" in str(w.message) for w in caught)


def test_wald_rhs_of_the_wrong_length(warp):
    fit = gk.glm("breaks ~ wool + tension", warp, family="poisson")
    with pytest.raises(InputError, match=r"rhs must have one value per restriction \(2\); got shape \(3,\)"):
        gk.wald_test(fit, np.eye(4)[2:], rhs=[1.0, 2.0, 3.0])
