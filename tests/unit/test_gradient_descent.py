"""Gradient descent: the textbook fixed step and the Armijo line search reach the IRLS MLE."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glmkit as gk
from glmkit.demo import LEARNING_RATES, simulate
from glmkit.solvers import IRLS, GradientDescent, IterationRecord


@pytest.fixture(scope="module")
def sim():
    return simulate()


def _problem(sim, model):
    if model == "linear":
        return gk.build_objective(sim.X, sim.y_linear, "gaussian"), 1e-4
    if model == "logistic":
        return gk.build_objective(sim.X, sim.y_logistic, "binomial"), LEARNING_RATES["logistic"]
    return gk.build_objective(sim.X, sim.y_poisson, "poisson"), LEARNING_RATES["poisson"]


@pytest.fixture(scope="module", params=["linear", "logistic", "poisson"])
def problem(request, sim):
    objective, lr = _problem(sim, request.param)
    mle = IRLS().solve(objective, sim.start).coef
    return request.param, objective, lr, mle, sim.start


def test_fixed_learning_rate_reaches_the_irls_mle(problem):
    _, objective, lr, mle, start = problem
    result = GradientDescent(learning_rate=lr).solve(objective, start)  # default tol
    assert result.converged, result.message
    np.testing.assert_allclose(result.coef, mle, rtol=0, atol=1e-6)


def test_line_search_reaches_the_irls_mle(problem):
    _, objective, _, mle, start = problem
    result = GradientDescent().solve(objective, start)
    assert result.converged, result.message
    np.testing.assert_allclose(result.coef, mle, rtol=0, atol=1e-6)
    assert result.n_iter < 1000  # backtracking adapts the step: far fewer than the textbook's


def test_line_search_goes_below_the_noise_floor_of_the_loss(problem):
    """A gradient 1e-13 per observation: its loss changes are far below float64 rounding."""
    _, objective, _, mle, start = problem
    result = GradientDescent(tol=1e-13).solve(objective, start)
    assert result.converged, result.message
    np.testing.assert_allclose(result.coef, mle, rtol=0, atol=1e-10)
    assert result.n_iter < 1000


def test_fixed_step_is_the_textbook_update(sim):
    """β ← β − lr Xᵀ(sigmoid(Xβ) − y), exactly, for the first iterations."""
    X, y, lr = sim.X, sim.y_logistic, LEARNING_RATES["logistic"]
    path = []
    solver = GradientDescent(learning_rate=lr, max_iter=5, callback=lambda k, coef: path.append(coef))
    result = solver.solve(gk.build_objective(X, y, "binomial"), sim.start)
    beta = sim.start.copy()
    for k in range(6):
        np.testing.assert_allclose(path[k], beta, rtol=1e-13, atol=1e-15)
        beta = beta - lr * X.T @ (1.0 / (1.0 + np.exp(-X @ beta)) - y)
    assert result.n_iter == 5 and not result.converged


def test_history_and_callback(sim):
    objective, lr = _problem(sim, "poisson")
    seen = []
    result = GradientDescent(record_history=True, callback=lambda k, c: seen.append(k)).solve(objective, sim.start)
    history = result.history
    assert all(isinstance(r, IterationRecord) for r in history)
    assert [r.iteration for r in history] == list(range(result.n_iter + 1))
    assert seen == list(range(result.n_iter + 1))
    losses = np.array([r.loss for r in history])
    assert np.all(np.diff(losses) <= 1e-9 * abs(losses[-1]))  # the line search never lets f rise
    assert history[-1].loss == pytest.approx(result.objective)
    assert history[-1].gradient_norm / objective.weights.sum() <= 1e-8
    steps = np.array([r.step_size for r in history])
    assert np.all(steps[:-1] > 0) and np.isnan(steps[-1])
    fixed = GradientDescent(learning_rate=lr, record_history=True, max_iter=10).solve(objective, sim.start)
    assert [r.step_size for r in fixed.history[:-1]] == [lr] * 10
    assert GradientDescent().solve(objective, sim.start).history == ()


def test_glm_fit_passes_options_and_exposes_history(sim):
    fit = gk.glm_fit(sim.X, sim.y_logistic, "binomial", intercept=False, solver="gd",
                     solver_options={"learning_rate": 1e-4, "record_history": True}, start=sim.start)
    reference = gk.glm_fit(sim.X, sim.y_logistic, "binomial", intercept=False)
    assert fit.converged
    np.testing.assert_allclose(fit.coef.to_numpy(), reference.coef.to_numpy(), rtol=0, atol=1e-6)
    assert len(fit.history) == fit.n_iter + 1
    assert {r.step_size for r in fit.history[:-1]} == {1e-4}


def test_max_iter_reached_warns_and_is_not_converged(sim):
    with pytest.warns(gk.ConvergenceWarning, match=r"did not converge \(gd: stopped after max_iter=10 iterations"):
        fit = gk.glm_fit(sim.X, sim.y_logistic, "binomial", intercept=False, solver="gd",
                         solver_options={"learning_rate": 1e-4}, max_iter=10, start=sim.start)
    assert not fit.converged
    assert fit.n_iter == 10


def test_divergence_is_reported_without_numpy_warnings(sim):
    """A step far beyond 2/L overflows exp(η): a clear message, no RuntimeWarning."""
    objective, _ = _problem(sim, "poisson")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = GradientDescent(learning_rate=1e-2).solve(objective, sim.start)
    assert not result.converged
    assert "diverged" in result.message and "learning_rate=0.01" in result.message
    assert np.all(np.isfinite(result.coef))  # the last finite iterate
    with pytest.warns(gk.ConvergenceWarning, match="diverged"), warnings.catch_warnings():
        warnings.simplefilter("ignore", gk.SeparationWarning)  # the last finite iterate is extreme
        gk.glm_fit(sim.X, sim.y_poisson, "poisson", intercept=False, solver="gd",
                   solver_options={"learning_rate": 1e-2})


def test_invalid_start_is_reported():
    objective = gk.build_objective(np.ones((3, 1)), np.array([0.5, 1.0, 2.0]), "gamma", link="inverse")
    result = GradientDescent().solve(objective, np.array([-1.0]))  # μ = 1/η < 0
    assert not result.converged and result.n_iter == 0
    assert "invalid mean" in result.message


def test_weights_and_offset(sim):
    rng = np.random.default_rng(5)
    weights = rng.integers(0, 4, sim.X.shape[0]).astype(float)
    offset = 0.1 * rng.standard_normal(sim.X.shape[0])
    objective = gk.build_objective(sim.X, sim.y_poisson, "poisson", weights=weights, offset=offset)
    mle = IRLS().solve(objective, np.zeros(sim.X.shape[1])).coef
    result = GradientDescent().solve(objective, np.zeros(sim.X.shape[1]))
    np.testing.assert_allclose(result.coef, mle, rtol=0, atol=1e-6)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": -1e-3}, "learning_rate"),
        ({"learning_rate": float("inf")}, "learning_rate"),
        ({"tol": 0.0}, "tol"),
        ({"max_iter": -1}, "max_iter"),
        ({"armijo": 0.7}, "armijo"),
    ],
)
def test_bad_options_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        GradientDescent(**kwargs)


def test_zero_iterations_reports_the_start(sim):
    objective, _ = _problem(sim, "logistic")
    result = GradientDescent(max_iter=0).solve(objective, sim.start)
    assert result.n_iter == 0 and not result.converged
    np.testing.assert_array_equal(result.coef, sim.start)


def test_solver_options_as_loose_keywords_still_work_with_a_deprecation_warning(sim):
    with pytest.warns(DeprecationWarning, match="solver_options") as caught:
        old = gk.glm_fit(sim.X, sim.y_logistic, "binomial", intercept=False, solver="gd",
                         learning_rate=1e-4, start=sim.start)
    assert caught[0].filename == __file__  # attributed to the caller's line
    new = gk.glm_fit(sim.X, sim.y_logistic, "binomial", intercept=False, solver="gd",
                     solver_options={"learning_rate": 1e-4}, start=sim.start)
    np.testing.assert_array_equal(old.coef.to_numpy(), new.coef.to_numpy())
