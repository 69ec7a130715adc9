"""Every route of a fit (plain, penalised, negative binomial with θ estimated, paths, CV)
refuses unknown keywords as Python does and honours the same options."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import glmkit as gk
from glmkit._threads import SMALL_PROBLEM
from glmkit.problem import Problem


@pytest.fixture(scope="module")
def counts():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 3))
    y = rng.negative_binomial(3, 3 / (3 + np.exp(0.5 + X @ [0.3, -0.2, 0.1]))).astype(float)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y, w=rng.uniform(0.5, 2, 300))
    return X, y, df


ROUTES = {
    "plain": {},
    "penalised": {"alpha": 0.01, "l1_ratio": 0.5},
    "bounds only": {"lower": -1.0},
    "negative binomial": {"family": "negative_binomial"},
}


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("typo", ["banana", "weigths", "subset", "learning_rte"])
def test_unknown_keywords_are_type_errors_on_every_route(counts, route, typo):
    X, y, df = counts
    kwargs = {"family": "poisson", **ROUTES[route], typo: 3}
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{typo}'"):
        gk.glm_fit(X, y, **kwargs)
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{typo}'"):
        gk.glm("y ~ a + b + c", df, **kwargs)


@pytest.mark.parametrize("entry", [gk.glm_path, gk.cv_glm])
def test_paths_and_cv_refuse_unknown_keywords(counts, entry):
    X, y, _ = counts
    with pytest.raises(TypeError, match="weigths"):
        entry(X, y, family="poisson", weigths=np.ones(len(y)))


def test_glm_nb_refuses_unknown_keywords(counts):
    _, _, df = counts
    with pytest.raises(TypeError, match="weigths"):
        gk.glm_nb("y ~ a + b", df, weigths="w")


def test_a_misspelled_solver_option_names_the_solver_and_its_options(counts):
    X, y, _ = counts
    with pytest.raises(gk.UnknownNameError, match="has no option\\(s\\) learning_rte"):
        gk.glm_fit(X, y, "poisson", solver="gd", solver_options={"learning_rte": 1e-3})


@pytest.mark.parametrize("bad", [{"tol": -1.0}, {"tol": 0.0}, {"tol": float("nan")}, {"max_iter": -5},
                                 {"max_iter": 0}, {"max_iter": 2.5}, {"dispersion": 0.0}, {"n_threads": 0}])
@pytest.mark.parametrize("route", ROUTES)
def test_invalid_options_are_refused_on_every_route(counts, route, bad):
    X, y, _ = counts
    with pytest.raises(gk.InputError, match=next(iter(bad))):
        gk.glm_fit(X, y, **{"family": "poisson", **ROUTES[route], **bad})


def test_dispersion_is_honoured_by_the_plain_route(counts):
    X, y, _ = counts
    free = gk.glm_fit(X, y, "gamma", link="log") if np.all(y > 0) else gk.glm_fit(X, y + 1, "gamma", link="log")
    fixed = gk.glm_fit(X, y + (0 if np.all(y > 0) else 1), "gamma", link="log", dispersion=2.0)
    assert fixed.dispersion == 2.0 and not fixed.dispersion_is_estimated
    np.testing.assert_allclose(fixed.cov.to_numpy() / free.cov.to_numpy(), 2.0 / free.dispersion, rtol=1e-12)


def test_dispersion_is_honoured_by_the_negative_binomial_route(counts):
    X, y, df = counts
    default = gk.glm_fit(X, y, "negative_binomial")
    fixed = gk.glm_fit(X, y, "negative_binomial", dispersion=2.0)
    assert default.dispersion == 1.0 and fixed.dispersion == 2.0
    assert fixed.theta == default.theta
    np.testing.assert_allclose(fixed.cov.to_numpy(), 2.0 * default.cov.to_numpy(), rtol=1e-12)
    by_formula = gk.glm("y ~ a + b + c", df, "negative_binomial", dispersion=2.0)
    assert by_formula.dispersion == 2.0
    assert gk.glm_nb("y ~ a + b + c", df, dispersion=2.0).dispersion == 2.0


def test_dispersion_is_honoured_by_the_penalised_route(counts):
    X, y, _ = counts
    default = gk.glm_fit(X, y, "poisson", alpha=0.05)  # ridge: a sandwich covariance with φ = 1
    fixed = gk.glm_fit(X, y, "poisson", alpha=0.05, dispersion=2.0)
    assert default.dispersion == 1.0 and fixed.dispersion == 2.0
    np.testing.assert_allclose(fixed.cov.to_numpy(), 2.0 * default.cov.to_numpy(), rtol=1e-12)


def test_solver_options_reach_the_penalised_solver(counts):
    X, y, _ = counts
    with pytest.warns(gk.ConvergenceWarning, match="no convergence in 1 iterations"):
        fit = gk.glm_fit(X, y, "poisson", alpha=0.05, l1_ratio=1.0, solver="cd", max_iter=1)
    assert fit.n_iter <= 1
    with pytest.raises(gk.UnknownNameError, match="penalised fit"):
        gk.glm_fit(X, y, "poisson", alpha=0.05, solver="lbfgs")


def _blas_counts():
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


@pytest.fixture(scope="module")
def wide_enough():
    """Data above the size that runs single-threaded by default (n·p > SMALL_PROBLEM)."""
    rng = np.random.default_rng(0)
    n, p = SMALL_PROBLEM // 10 + 1000, 10
    X = rng.normal(size=(n, p)) * 0.1
    mu = np.exp(0.5 + X[:, 0])
    return X, rng.negative_binomial(3, 3 / (3 + mu)).astype(float)


@pytest.mark.parametrize("route", ROUTES)
def test_n_threads_is_honoured_on_every_route(route, wide_enough, monkeypatch):
    X, y = wide_enough
    with threadpool_limits(limits=2, user_api="blas"):
        if not _blas_counts() or max(_blas_counts()) < 2:
            pytest.skip("this BLAS runs one thread only: there is nothing to limit")
        seen = []
        original = Problem.objective
        monkeypatch.setattr(Problem, "objective", lambda self: seen.append(max(_blas_counts())) or original(self))
        kwargs = {"family": "poisson", **ROUTES[route]}
        gk.glm_fit(X, y, n_threads=1, **kwargs)
        assert seen and set(seen) == {1}
        if route == "plain":  # the check can fail: without the cap the fit runs on both threads
            monkeypatch.setattr("glmkit._threads.idle_cpus", lambda cpus: cpus)  # a quiet machine
            seen.clear()
            gk.glm_fit(X, y, **kwargs)
            assert seen and max(seen) == 2


def test_solver_options_with_the_automatic_solver_are_never_dropped(counts):
    X, y, _ = counts
    fit = gk.glm_fit(X, y, "gaussian", solver_options={"record_history": True})
    assert fit.model.solver == "irls" and len(fit.history) == fit.n_iter
    np.testing.assert_allclose(fit.coef, gk.glm_fit(X, y, "gaussian").coef, rtol=1e-10)
    with pytest.raises(gk.UnknownNameError, match="irls solver has no option"):
        gk.glm_fit(X, y, "gaussian", solver_options={"memory": 5})


def test_the_closed_form_on_a_non_quadratic_loss_is_not_reported_converged(counts):
    X, y, _ = counts
    with pytest.warns(gk.ConvergenceWarning, match="quadratic loss"):
        fit = gk.glm_fit(X, y, "poisson", solver="closed_form")
    assert not fit.converged
    assert gk.glm_fit(X, y, "gaussian", solver="closed_form").converged
