"""Penalised fits against R's glmnet (tests/reference/r/glmnet.R → expected/glmnet.json).

For every case and every λ of the case, glmkit fits the same model with glmnet's
(λ, alpha) mapped to glmkit's (α, l1_ratio) (:func:`glmkit.penalties.glmnet_to_glmkit`:
α = λ except for the Gaussian family's L2 part, which glmnet divides by sd(y)) and
glmnet's penalty factors rescaled to sum to the number of columns, as glmnet does.

Checked per λ:

* objective: glmkit's penalised objective (½ mean deviance + penalty) at glmkit's and
  at glmnet's coefficients agree to relative 1e-8 — and glmkit's is not the larger one
  beyond rounding (it is the tighter solution);
* coefficients (glmnet run with thresh = 1e-16): max |Δβ| ≤ 1e-6 · max(1, max |β|);
* deviance ratio and degrees of freedom as glmnet reports them.

Binomial cases with ``failures`` are glmnet's two-column response (failures, successes);
glmkit gets the success counts with ``trials = successes + failures``.
"""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk
from glmkit.penalties import glmnet_to_glmkit

REFERENCE = "glmnet"

# weights 0.5 on binomial counts give non-integer successes, as in R: legal, and warned about
pytestmark = pytest.mark.filterwarnings("ignore::glmkit.errors.DataWarning")

OBJ_RTOL = 1e-8
COEF_TOL = 1e-6


def _vec(values) -> np.ndarray:
    return np.array([np.inf if v == "inf" else -np.inf if v == "-inf" else v for v in values], dtype=float)


@pytest.fixture(scope="module")
def case_fits(r_case, reference_data):
    df = reference_data(r_case["dataset"])
    X = df[r_case["x"]].to_numpy(dtype=float)
    y = df[r_case["y"]].to_numpy(dtype=float)
    trials = None
    if r_case.get("failures") is not None:  # binomial successes and failures (glmnet's 2-column y)
        trials = y + df[r_case["failures"]].to_numpy(dtype=float)
    w = None if r_case["weights"] is None else df[r_case["weights"]].to_numpy(dtype=float)
    off = None if r_case["offset"] is None else df[r_case["offset"]].to_numpy(dtype=float)
    p = X.shape[1]
    pf = _vec(r_case["penalty_factor"])
    pf = pf * p / pf.sum()  # glmnet's rescaling
    lower, upper = _vec(r_case["lower"]), _vec(r_case["upper"])
    has_bounds = bool(np.any(np.isfinite(lower)) or np.any(np.isfinite(upper)))
    fits = []
    for lam in r_case["lambda"]:
        alpha, l1_ratio = glmnet_to_glmkit(lam, r_case["glmnet_alpha"], r_case["family"],
                                           y_scale=r_case["y_scale"])
        fit = gk.glm_fit(
            X, y, family=r_case["family"], weights=w, offset=off, trials=trials, intercept=r_case["intercept"],
            alpha=alpha, l1_ratio=l1_ratio, penalty_factor=pf, standardize=r_case["standardize"],
            lower=lower if has_bounds else None, upper=upper if has_bounds else None,
            feature_names=r_case["x"],
        )
        fits.append(fit)
    return fits


def _glmnet_coef(r_case, i: int) -> np.ndarray:
    coef = np.asarray(r_case["coef"][i], dtype=float)
    return coef if r_case["intercept"] else coef[1:]


def _objective(fit, coef: np.ndarray) -> float:
    """glmkit's penalised objective of ``fit``'s problem at other coefficients.

    glmnet's coefficients at a bound can be outside it by rounding (~1e-15); they are
    projected onto the bounds first (a larger excursion fails the test).
    """
    problem = fit.problem
    unit = fit.setup.unit
    outside = np.maximum(unit.lower - coef, 0.0) + np.maximum(coef - unit.upper, 0.0)
    assert np.all(outside <= 1e-10 * np.maximum(1.0, np.abs(coef))), outside
    coef = np.clip(coef, unit.lower, unit.upper)
    eta = problem.design.matvec(coef) + problem.offset
    mu = problem.family.link.inverse(eta)
    dev = problem.family.deviance(problem.y, mu, problem.weights)
    return 0.5 * dev / problem.sum_weights + fit.setup.normalised(fit.alpha).value(coef)


def test_converged(r_case, case_fits):
    assert all(f.converged for f in case_fits)


def test_objective_matches_glmnet(r_case, case_fits):
    for i, fit in enumerate(case_fits):
        ours = fit.objective
        theirs = _objective(fit, _glmnet_coef(r_case, i))
        assert np.isfinite(theirs)
        assert abs(theirs - ours) <= OBJ_RTOL * abs(ours), (i, ours, theirs)
        # glmkit's solution is at least as good as glmnet's (up to rounding)
        assert ours <= theirs + 1e-13 * abs(ours), (i, ours, theirs)


def test_coefficients_match_glmnet(r_case, case_fits):
    for i, fit in enumerate(case_fits):
        ref = _glmnet_coef(r_case, i)
        scale = max(1.0, float(np.max(np.abs(ref))))
        np.testing.assert_allclose(fit.coef_array, ref, rtol=0, atol=COEF_TOL * scale,
                                   err_msg=f"lambda index {i}")


def test_dev_ratio_and_df(r_case, case_fits):
    for i, fit in enumerate(case_fits):
        assert fit.dev_ratio == pytest.approx(r_case["dev_ratio"][i], rel=1e-6, abs=1e-9)
        assert fit.null_deviance == pytest.approx(r_case["null_deviance"], rel=1e-9)
        assert fit.df == r_case["df"][i]
