"""Convergence that means it (issue 15): the reproducers, one test each."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import ConvergenceWarning, InputError
from glmkit.solvers.certificate import certify


def _poisson_data(n: int = 50, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return X, rng.poisson(np.exp(0.5 + 0.3 * X[:, 0])).astype(float)


@pytest.mark.parametrize("route", ["glm_fit", "penalised", "glm_path", "cv_glm", "glm_nb", "glm"])
@pytest.mark.parametrize("options", [dict(tol=-1), dict(tol=0.0), dict(max_iter=-5), dict(max_iter=0),
                                     dict(solver_options={"tol": -1}), dict(solver_options={"max_iter": 0}),
                                     dict(solver=gk.solvers.IRLS(tol=-1.0)), dict(solver=gk.solvers.LBFGS(max_iter=0))])
def test_nonpositive_tol_and_max_iter_are_refused_on_every_route(route: str, options: dict) -> None:
    X, y = _poisson_data()
    frame = pd.DataFrame({"y": y, "x": X[:, 0]})
    calls = {
        "glm_fit": lambda: gk.glm_fit(X, y, family="poisson", **options),
        "penalised": lambda: gk.glm_fit(X, y, family="poisson", alpha=0.1, **options),
        "glm_path": lambda: gk.glm_path(X, y, family="poisson", **options),
        "cv_glm": lambda: gk.cv_glm(X, y, family="poisson", **options),
        "glm_nb": lambda: gk.glm_nb("y ~ x", frame, **options),
        "glm": lambda: gk.glm("y ~ x", frame, family="poisson", **options),
    }
    with pytest.raises(gk.errors.GLMError):
        calls[route]()


def test_sklearn_estimators_refuse_nonpositive_tol() -> None:
    from glmkit.sklearn import GLMRegressor
    X, y = _poisson_data()
    with pytest.raises(gk.errors.GLMError):
        GLMRegressor(family="poisson", tol=-1).fit(X, y)
    with pytest.raises(gk.errors.GLMError):
        GLMRegressor(family="poisson", max_iter=0).fit(X, y)


@pytest.mark.parametrize("solver", ["irls", "newton", "lbfgs", "gd"])
def test_converged_means_a_small_gradient_on_badly_scaled_columns(solver: str) -> None:
    X, y = _poisson_data(40, seed=1)
    X = X * 1e-6
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = gk.glm_fit(X, y, family="poisson", solver=solver, max_iter=2000 if solver == "gd" else None)
    cert = certify(fit.model.objective, np.asarray(fit.coef), None)
    assert fit.converged == cert.holds
    if not fit.converged:
        assert any(issubclass(w.category, ConvergenceWarning) and "solver=" in str(w.message) for w in caught)


def test_lbfgs_does_not_stop_at_its_start_on_tiny_columns() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2)) * 1e-6
    y = np.exp(30 + X @ [1e5, -1e5]) * rng.gamma(20, 1 / 20, size=40)
    family = gk.InverseGaussian(link="log")
    irls = gk.glm_fit(X, y, family=family, offset=np.full(40, 30.0))
    lbfgs = gk.glm_fit(X, y, family=family, offset=np.full(40, 30.0), solver="lbfgs")
    assert lbfgs.converged and lbfgs.n_iter > 0
    assert lbfgs.deviance == pytest.approx(irls.deviance, rel=1e-6)


@pytest.mark.parametrize("seed", range(20))
def test_poisson_counts_near_1e8_converge(seed: int) -> None:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 3))
    y = rng.poisson(1e8 * np.exp(0.05 * X @ [1.0, -1.0, 0.5])).astype(float)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fit = gk.glm_fit(X, y, family="poisson")
    newton = gk.glm_fit(X, y, family="poisson", solver="newton")
    assert fit.converged and fit.n_iter <= 6
    np.testing.assert_allclose(np.asarray(fit.coef), np.asarray(newton.coef), rtol=1e-9, atol=1e-12)


def test_lbfgs_quasipoisson_counts_near_1e8_is_quick() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(24, 4))
    y = rng.poisson(1e8 * np.exp(0.1 * X[:, 0])).astype(float)
    irls = gk.glm_fit(X, y, family="quasipoisson")
    start = time.perf_counter()
    fit = gk.glm_fit(X, y, family="quasipoisson", solver="lbfgs")
    assert time.perf_counter() - start < 1.0
    assert fit.converged and fit.n_iter < 100
    np.testing.assert_allclose(np.asarray(fit.coef), np.asarray(irls.coef), rtol=1e-9, atol=1e-12)


def test_penalised_gamma_ending_at_an_invalid_mean_is_refused() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = rng.gamma(3, np.exp(0.2 * X[:, 0]) / 3)
    X[0, 0] = 1e6
    weights = np.ones(40)
    weights[0] = 0.0
    with pytest.raises(InputError, match="no valid set of coefficients"):
        gk.glm_fit(X, y, family="gamma", link="inverse", weights=weights, alpha=0.1)


def test_glm_nb_on_poisson_data_with_small_max_iter_is_bounded() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"y": rng.poisson(np.exp(1 + 0.3 * x)), "x": x})
    gk.glm_nb("y ~ x", frame)  # warm-up
    start = time.perf_counter()
    with pytest.warns(ConvergenceWarning, match="theta diverges"):
        fit = gk.glm_nb("y ~ x", frame, max_iter=1)
    assert time.perf_counter() - start < 1.0
    assert fit.theta_iterations <= 3


def test_glm_nb_not_converged_is_warned() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    frame = pd.DataFrame({"y": rng.poisson(1e9 * np.exp(0.1 * x)), "x": x})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = gk.glm_nb("y ~ x", frame)
    if not fit.converged:
        assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
