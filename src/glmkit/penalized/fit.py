"""One penalised fit of a problem: the free fit, α_max, the solver call and the result.

A penalised fit minimises ½·mean deviance + elastic-net penalty (the objective and its
mapping to glmnet and glum are in :mod:`glmkit.penalties`). The solver sees an
:class:`~glmkit.objective.Objective` (Σ ℓᵢ, not normalised) and a resolved
:class:`~glmkit.penalties.Penalty` whose weights are multiplied by Σw, so it minimises
Σw · F — the same minimiser, and no solver needs to know about normalisation.

:func:`fit_penalized` is the one place where a penalised fit is made; paths and CV folds
call it or its pieces (:func:`free_fit`, :func:`alpha_max`, :func:`build_result`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..errors import ConvergenceWarning, InputError
from ..solvers.certificate import certify
from ..fit import FitOptions, null_deviance, penalized_solver
from ..fit.start import intercept_only_coef
from ..objective import Objective
from ..penalties import ElasticNet
from ..problem import Problem
from ..solvers import CoordinateDescent, PenalizedSolverResult, WarmState
from .result import PenalizedGLMResult, build_result, half_deviance_of
from .setup import PenaltySetup

__all__ = ["fit_penalized", "free_fit", "alpha_max", "make_solver", "cold_start"]

Array = NDArray[np.floating]

_CLOSED_FORM = "closed form (intercept only)"


def make_solver(problem: Problem, setup: PenaltySetup, options: FitOptions) -> Any:
    """The penalised solver for ``problem`` (see :func:`glmkit.fit.penalized_solver`)."""
    return penalized_solver(options, problem.n_features, setup.unit.is_smooth, problem.design.structured_gram)


def cold_start(problem: Problem, objective: Objective) -> Array:
    """Zeros with the intercept at g(mean of y): the start of penalised fits without a warm start."""
    coef = intercept_only_coef(problem.family, problem.y, problem.weights, problem.n_features,
                               problem.intercept_index)
    if not np.isfinite(objective.value(coef)):
        raise InputError(
            "Cannot find valid starting values for this family and link (the mean implied by the "
            "data is outside the link's range at the starting coefficients); pass start=."
        )
    return coef


def free_fit(problem: Problem, setup: PenaltySetup, tol: float, objective: Objective) -> PenalizedSolverResult:
    """The fit with every penalised coefficient at 0 (α → ∞): the start of every path.

    With only an intercept free and no offset the fit is known in closed form (μ = the
    weighted mean of y, for every link), and only the gradient is computed.
    """
    pen = setup.free_only
    free = np.flatnonzero(pen.lower < pen.upper)
    icpt = problem.intercept_index
    if icpt is not None and free.size == 1 and free[0] == icpt and not problem.has_offset:
        closed = _intercept_only_closed_form(problem, objective, icpt)
        if closed is not None:
            return closed
    return CoordinateDescent(tol=tol).solve(objective, pen.project(cold_start(problem, objective)), pen)


def _intercept_only_closed_form(problem: Problem, objective: Objective, icpt: int) -> PenalizedSolverResult | None:
    mean = np.array([np.sum(problem.weights * problem.y) / problem.sum_weights])
    with np.errstate(all="ignore"):
        b0 = float(problem.family.link.link(mean)[0])
    if not (np.isfinite(b0) and problem.family.valid_mu(mean)):
        return None
    coef = np.zeros(problem.n_features)
    coef[icpt] = b0
    eta = np.full(problem.n_samples, b0)
    terms = objective.terms_at(eta)  # value, gradient and Fisher weights in one evaluation
    value = float(np.sum(terms.loss)) if terms is not None else float("inf")
    if not np.isfinite(value):
        return None
    state = WarmState(coef, eta, objective.design.rmatvec(terms.gradient), np.zeros(problem.n_features),
                      np.zeros(0, dtype=np.intp), None, value=value, fisher=terms.hessian)
    return PenalizedSolverResult(coef, True, 0, value, _CLOSED_FORM, state=state)


def alpha_max(problem: Problem, setup: PenaltySetup, free: PenalizedSolverResult, objective: Objective) -> float:
    """The smallest α at which every penalised coefficient is 0 (glmnet's λ_max).

    α_max = maxⱼ |∂F/∂βⱼ| / (l1_ratio · pfⱼ · sⱼ) at the fit of the unpenalised columns
    (``free``); for ridge (l1_ratio = 0) glmnet's convention l1_ratio = 0.001 is used.
    """
    state = free.state
    grad = state.gradient if state is not None and np.array_equal(state.coef, free.coef) else \
        objective.gradient(free.coef)
    grad = grad / problem.sum_weights
    spec = setup.spec
    lasso_weights = replace(spec, alpha=1.0, l1_ratio=1.0).resolve(
        problem.n_features, problem.intercept_index, setup.scale, problem.feature_names).l1
    mask = (lasso_weights > 0) & (setup.unit.lower < setup.unit.upper)
    if not np.any(mask):
        return 0.0
    ratio = max(spec.l1_ratio, 1e-3)
    return float(np.max(np.abs(grad[mask]) / (ratio * lasso_weights[mask])))


def fit_penalized(problem: Problem, penalty: ElasticNet, *, standardize: bool = False,
                  options: FitOptions | None = None) -> PenalizedGLMResult:
    """Fit one penalised GLM.

    Parameters
    ----------
    problem : Problem
    penalty : ElasticNet
    standardize : bool, default False
        Penalise the coefficients of the standardised columns (reported on the original scale).
    options : FitOptions, optional
        Solver (``"auto"``, ``"cd"``, ``"newton_cg"``, ``"proximal"`` or an object), tolerance
        (relative KKT violation, default 1e-10), iteration limit, start, dispersion.

    Returns
    -------
    PenalizedGLMResult

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.problem import problem_from_arrays
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> problem = problem_from_arrays(X, X[:, 0] + rng.normal(size=100))
    >>> fit_penalized(problem, ElasticNet(0.2, 1.0)).active
    ['x1']
    """
    options = options or FitOptions()
    setup = PenaltySetup.build(problem, penalty, standardize)
    solver = make_solver(problem, setup, options)
    objective = problem.objective()
    pen = setup.at(penalty.alpha, problem.sum_weights)
    null_dev = None
    if options.start is not None:
        if options.start.shape != (problem.n_features,):
            raise InputError(f"start must have {problem.n_features} values, one per column; "
                             f"got shape {options.start.shape}.")
        res = solver.solve(objective, options.start, pen)
    else:
        free = free_fit(problem, setup, solver.tol, objective)
        if free.message == _CLOSED_FORM:
            # the intercept-only fit without offset is the null model: its loss is ½ the null deviance
            half = half_deviance_of(free.state, free.coef)
            null_dev = None if half is None else 2.0 * half
        res = solver.solve(objective, free.coef, pen, free.state)
    res = _certified(res, objective, options, pen, solver.name)
    if null_dev is None:
        null_dev = null_deviance(problem, objective)
    return build_result(problem, setup, penalty, res, null_dev, objective, dispersion=options.dispersion)


def _certified(res: PenalizedSolverResult, objective: Objective, options: FitOptions, pen: Any,
               solver_name: str) -> PenalizedSolverResult:
    """The result with ``converged`` as the certificate (KKT at the final coefficients) says, warned.

    A final loss that is not finite (a mean outside the family's domain, e.g. a zero-weight
    row far out in x) is refused, as R's "no valid set of coefficients has been found".
    """
    cert = certify(objective, res.coef, options.tol, penalty=pen)
    valid = True
    zero = objective.weights == 0
    if np.any(zero):  # rows of zero weight add nothing to the loss, but R's validmu checks them too
        with np.errstate(all="ignore"):
            eta = objective.eta(res.coef)[zero]
            link, family = objective.loss.link, objective.loss.family
            valid = link.valid_eta(eta) and family.valid_mu(link.inverse(eta))
    if not valid or not np.isfinite(cert.value):
        raise InputError(f"no valid set of coefficients has been found: the penalised fit ({solver_name}) ended "
                         "where a fitted mean is outside the family's domain (the loss is not finite). "
                         "Supply start values, drop rows with zero weight far outside the others, or use "
                         "another link.")
    if cert.holds != res.converged:
        message = res.message if cert.holds else f"{res.message}; {cert.describe()}"
        res = replace(res, converged=cert.holds, message=message)
    if not res.converged:
        warn(
            f"penalised fit did not converge ({solver_name}: {res.message}; relative KKT violation "
            f"{cert.kkt:.3g}). Raise max_iter, loosen tol or try another solver.", ConvergenceWarning)
    return res
