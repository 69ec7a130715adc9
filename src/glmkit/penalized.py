"""Penalised GLM fits: inputs, standardisation, the solver call and the result object.

A penalised fit minimises ½·mean deviance + elastic-net penalty (the objective and its
mapping to glmnet and glum are in :mod:`glmkit.penalties`). The solver sees an
:class:`~glmkit.objective.Objective` (Σ ℓᵢ, not normalised) and a resolved
:class:`~glmkit.penalties.Penalty` whose weights are multiplied by Σw, so it minimises
Σw · F — the same minimiser, and no solver needs to know about normalisation.

``standardize=True`` never touches the data: penalising the standardised coefficients
s·β is penalising β with weights s (L1) and s² (L2), and centring only moves the
(unpenalised) intercept, which the solver eliminates exactly. Coefficients therefore
come out on the original scale directly.

:class:`PenalizedProblem` holds the validated data once, so that a path and every fold
of a cross-validation reuse it; :func:`fit_penalized` is the one place where a
penalised fit is made.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._penalized_problem import PenalizedProblem, problem_from_arrays, problem_from_formula
from .errors import ConvergenceWarning, InputError, UnknownNameError
from .families import Family
from .objective import Objective
from .penalized_result import PenalizedGLMResult
from .penalties import ElasticNet, Penalty
from .solvers._gram import weighted_column_norms
from .solvers.coordinate_descent import CoordinateDescent, PenalizedSolverResult, WarmState
from .solvers.proximal import NewtonCG, ProximalGradient

__all__ = ["PenalizedProblem", "PenalizedGLMResult", "fit_penalized", "problem_from_arrays",
           "problem_from_formula", "PenaltySetup"]

Array = NDArray[np.floating]

DEFAULT_TOL = 1e-10


# --------------------------------------------------------------------------- the penalty


@dataclass(frozen=True, eq=False)
class PenaltySetup:
    """A penalty resolved for one problem, at α = 1 (the path multiplies by α).

    Attributes
    ----------
    spec : ElasticNet
    unit : Penalty
        L1/L2 weights at α = 1 on the normalised scale (F = ½ mean deviance + P), bounds.
    scale : ndarray of shape (n_coef,)
        Column standard deviations when standardising, else ones.
    standardize : bool
    """

    spec: ElasticNet
    unit: Penalty
    scale: Array
    standardize: bool

    @classmethod
    def build(cls, problem: PenalizedProblem, spec: ElasticNet, standardize: bool) -> "PenaltySetup":
        p = problem.n_coef
        scale = np.ones(p)
        fixed_zero = np.zeros(p, dtype=bool)
        if standardize:
            scale = column_scale(problem)
            feats = problem.feature_index
            const = feats[scale[feats] == 0]
            fixed_zero[const] = True  # a constant column has no standardised coefficient (glmnet: 0)
            scale[const] = 1.0
        unit = replace(spec, alpha=1.0).resolve(p, problem.intercept_index, scale, problem.feature_names)
        if fixed_zero.any():
            lo, hi = unit.lower.copy(), unit.upper.copy()
            lo[fixed_zero] = 0.0
            hi[fixed_zero] = 0.0
            unit = Penalty(unit.l1, unit.l2, lo, hi)
        return cls(spec, unit, scale, bool(standardize))

    def at(self, alpha: float, sum_weights: float) -> Penalty:
        """The solver's penalty at α: weights × α × Σw (the solver minimises Σw·F)."""
        return self.unit.scaled(alpha * sum_weights)

    def normalised(self, alpha: float) -> Penalty:
        """The penalty at α on the scale of F = ½ mean deviance + P."""
        return self.unit.scaled(alpha)

    @property
    def free_only(self) -> Penalty:
        """Every penalised column fixed at 0: the fit of the unpenalised columns alone."""
        free = ((self.unit.l1 == 0) & (self.unit.l2 == 0)) & ~(self.unit.lower == self.unit.upper)
        lo = np.where(free, self.unit.lower, 0.0)
        hi = np.where(free, self.unit.upper, 0.0)
        n = self.unit.n_coef
        return Penalty(np.zeros(n), np.zeros(n), lo, hi)


def column_scale(problem: PenalizedProblem) -> Array:
    """Weighted column standard deviations (divisor Σw), also without intercept (as glmnet)."""
    design, w = problem.design, problem.weights
    W = problem.sum_weights
    idx = np.arange(problem.n_coef)
    second = weighted_column_norms(design, w, idx) / W
    mean = design.rmatvec(w) / W
    var = np.maximum(second - mean * mean, 0.0)
    # relative cancellation: treat variances at rounding level of the mean as zero
    var[var <= 1e-14 * second] = 0.0
    s = np.sqrt(var)
    if problem.intercept_index is not None:
        s[problem.intercept_index] = 1.0
    return s


# --------------------------------------------------------------------------- fitting


def _cold_start(problem: PenalizedProblem, objective: Objective) -> Array:
    coef = np.zeros(problem.n_coef)
    if problem.intercept_index is not None:
        fam = problem.family
        w = problem.weights
        mean = float(np.sum(w * problem.y) / problem.sum_weights)
        mu0 = fam.starting_mu(np.array([mean]), np.array([1.0]))[0]
        with np.errstate(all="ignore"):
            b0 = float(fam.link.link(np.array(mu0)))
        if np.isfinite(b0):
            coef[problem.intercept_index] = b0
    if not np.isfinite(objective.value(coef)):
        raise InputError(
            "Cannot find valid starting values for this family and link (the mean implied by the "
            "data is outside the link's range at the starting coefficients); pass start=."
        )
    return coef


_CLOSED_FORM = "closed form (intercept only)"


def _half_deviance_of(state: Any, coef: Array) -> float | None:
    """f (the loss, ½ deviance) a solver recorded at ``coef``, else None."""
    value = getattr(state, "value", None)
    if value is None or not np.isfinite(value) or not np.array_equal(state.coef, coef):
        return None
    return float(value)


def free_fit(problem: PenalizedProblem, setup: PenaltySetup, solver: Any,
             objective: Objective | None = None) -> Any:
    """The fit with every penalised coefficient at 0 (α → ∞): the start of every path.

    With only an intercept free and no offset the fit is known in closed form (μ = the
    weighted mean of y, for every link), and only the gradient is computed.
    """
    obj = objective or problem.objective()
    pen = setup.free_only
    free = np.flatnonzero(pen.lower < pen.upper)
    icpt = problem.intercept_index
    if icpt is not None and free.size == 1 and free[0] == icpt and not np.any(problem.offset != 0):
        mean = np.array([np.sum(problem.weights * problem.y) / problem.sum_weights])
        with np.errstate(all="ignore"):
            b0 = float(problem.family.link.link(mean)[0])
        if np.isfinite(b0) and problem.family.valid_mu(mean):
            coef = np.zeros(problem.n_coef)
            coef[icpt] = b0
            eta = np.full(problem.n_samples, b0)
            terms = obj.terms_at(eta)  # value, gradient and Fisher weights in one evaluation
            value = float(np.sum(terms.loss)) if terms is not None else float("inf")
            if np.isfinite(value):
                state = WarmState(coef, eta, obj.design.rmatvec(terms.gradient), np.zeros(problem.n_coef),
                                  np.zeros(0, dtype=np.intp), None, value=value, fisher=terms.hessian)
                return PenalizedSolverResult(coef, True, 0, value, _CLOSED_FORM, state=state)
    start = _cold_start(problem, obj)
    return solver.solve(obj, pen.project(start), pen)


def alpha_max(problem: PenalizedProblem, setup: PenaltySetup, free: Any,
              objective: Objective | None = None) -> float:
    """The smallest α at which every penalised coefficient is 0 (glmnet's λ_max).

    α_max = maxⱼ |∂F/∂βⱼ| / (l1_ratio · pfⱼ · sⱼ) at the fit of the unpenalised columns
    (``free``); for ridge (l1_ratio = 0) glmnet's convention l1_ratio = 0.001 is used.
    """
    state = getattr(free, "state", None)
    if state is not None and np.array_equal(state.coef, free.coef):
        grad = state.gradient
    else:
        grad = (objective or problem.objective()).gradient(free.coef)
    grad = grad / problem.sum_weights
    spec = setup.spec
    lasso_weights = replace(spec, alpha=1.0, l1_ratio=1.0).resolve(
        problem.n_coef, problem.intercept_index, setup.scale, problem.feature_names).l1
    mask = (lasso_weights > 0) & (setup.unit.lower < setup.unit.upper)
    if not np.any(mask):
        return 0.0
    ratio = max(spec.l1_ratio, 1e-3)
    return float(np.max(np.abs(grad[mask]) / (ratio * lasso_weights[mask])))


def null_deviance(problem: PenalizedProblem, solver: CoordinateDescent) -> float:
    """Deviance of the intercept-only model (with the offset), or at η = offset without intercept."""
    fam = problem.family
    if problem.intercept_index is None:
        return fam.deviance(problem.y, fam.link.inverse(problem.offset), problem.weights)
    if not np.any(problem.offset != 0):
        mean = np.sum(problem.weights * problem.y) / problem.sum_weights
        return fam.deviance(problem.y, np.full_like(problem.y, mean), problem.weights)
    n = problem.n_coef
    lo = np.zeros(n)
    hi = np.zeros(n)
    lo[problem.intercept_index] = -np.inf
    hi[problem.intercept_index] = np.inf
    pen = Penalty(np.zeros(n), np.zeros(n), lo, hi)
    obj = problem.objective()
    res = solver.solve(obj, pen.project(_cold_start(problem, obj)), pen)
    return fam.deviance(problem.y, fam.link.inverse(obj.eta(res.coef)), problem.weights)


_WIDE = 3000  # columns above which a p×p Gram matrix is not formed for a smooth penalty


def has_arrow_gram(design: Any) -> bool:
    """The design holds a factor, so XᵀWX + Λ is solved through its diagonal block."""
    from .design import CategoricalDesign

    return any(isinstance(b, CategoricalDesign) for b in getattr(design, "blocks", ()))


def make_solver(solver: Any, tol: float | None, max_iter: int | None, n_coef: int | None = None,
                smooth: bool = False, structured: bool = False) -> Any:
    """The penalised solver.

    ``"auto"``: coordinate descent, except for a smooth penalty (ridge, no bounds) on more
    than 3,000 columns or on a design with a factor (``structured``), where Newton's method
    avoids the p×p Gram matrix (by conjugate gradients, or exactly through the factor's
    diagonal block of XᵀWX). ``"cd"``,
    ``"newton_cg"`` and ``"proximal"`` (FISTA) choose explicitly; a solver object with
    ``solve(objective, start, penalty, warm=None)`` is used as given.
    """
    opts = {}
    if tol is not None:
        opts["tol"] = float(tol)
    if max_iter is not None:
        opts["max_iter"] = int(max_iter)
    names = {"cd": CoordinateDescent, "coordinate_descent": CoordinateDescent, "newton_cg": NewtonCG,
             "proximal": ProximalGradient, "fista": ProximalGradient}
    if solver is None or (isinstance(solver, str) and solver == "auto"):
        if smooth and (structured or (n_coef is not None and n_coef > _WIDE)):
            return NewtonCG(**opts)
        return CoordinateDescent(**opts)
    if isinstance(solver, str):
        if solver not in names:
            raise UnknownNameError(
                f"Unknown solver {solver!r} for a penalised fit; valid: 'auto', 'cd', 'newton_cg', 'proximal', "
                "or a solver object with solve(objective, start, penalty)."
            )
        return names[solver](**opts)
    if not callable(getattr(solver, "solve", None)):
        raise UnknownNameError(f"{solver!r} is not a solver: it has no solve(objective, start, penalty) method.")
    return solver


def fit_penalized(
    problem: PenalizedProblem,
    penalty: ElasticNet,
    *,
    standardize: bool = False,
    solver: Any = None,
    tol: float | None = None,
    max_iter: int | None = None,
    start: ArrayLike | None = None,
    setup: PenaltySetup | None = None,
    null_dev: float | None = None,
    warm: WarmState | None = None,
    objective: Objective | None = None,
) -> "PenalizedGLMResult":
    """Fit one penalised GLM.

    Parameters
    ----------
    problem : PenalizedProblem
    penalty : ElasticNet
    standardize : bool, default False
        Penalise the coefficients of the standardised columns (reported on the original scale).
    solver : {"auto", "cd", "proximal"} or solver object, optional
    tol, max_iter : optional
        Solver tolerance (relative KKT violation, default 1e-10) and iteration limit.
    start : array of shape (n_coef,), optional
    setup, null_dev, warm, objective : optional
        Reused by paths and cross-validation.

    Returns
    -------
    PenalizedGLMResult
    """
    import warnings

    setup = setup or PenaltySetup.build(problem, penalty, standardize)
    slv = make_solver(solver, tol, max_iter, problem.n_coef, setup.unit.is_smooth,
                      has_arrow_gram(problem.design))
    obj = objective or problem.objective()
    pen = setup.at(penalty.alpha, problem.sum_weights)
    if start is not None:
        coef0 = np.asarray(start, dtype=float)
        if coef0.shape != (problem.n_coef,):
            raise InputError(f"start must have {problem.n_coef} values, one per column; got shape {coef0.shape}.")
        res = slv.solve(obj, coef0, pen)
    elif warm is not None:
        res = slv.solve(obj, warm.coef, pen, warm)
    else:
        free = free_fit(problem, setup, CoordinateDescent(tol=getattr(slv, "tol", DEFAULT_TOL)), obj)
        if null_dev is None and free.message == _CLOSED_FORM:
            # the intercept-only fit without offset is the null model: its loss is ½ the null deviance
            half = _half_deviance_of(free.state, free.coef)
            null_dev = None if half is None else 2.0 * half
        res = slv.solve(obj, free.coef, pen, free.state)
    if not res.converged:
        warnings.warn(
            f"penalised fit did not converge ({getattr(slv, 'name', 'solver')}: {res.message}; "
            f"relative KKT violation {getattr(res, 'kkt', float('nan')):.3g}). Raise max_iter or loosen tol.",
            ConvergenceWarning, stacklevel=3,
        )
    if null_dev is None:
        null_dev = null_deviance(problem, CoordinateDescent())
    return build_result(problem, setup, penalty, res, null_dev, obj)


def build_result(problem: PenalizedProblem, setup: PenaltySetup, penalty: ElasticNet, res: Any,
                 null_dev: float, obj: Objective | None = None, relaxed: bool = False) -> "PenalizedGLMResult":
    obj = obj or problem.objective()
    coef = np.asarray(res.coef, dtype=float)
    state = getattr(res, "state", None)
    eta = state.eta if state is not None and np.array_equal(state.coef, coef) else obj.eta(coef)
    fam = problem.family
    mu = fam.link.inverse(eta)
    half = _half_deviance_of(state, coef) if state is not None else None  # the loss the solver holds
    dev = 2.0 * half if half is not None else fam.deviance(problem.y, mu, problem.weights)
    pen_n = setup.normalised(penalty.alpha)
    objective_value = 0.5 * dev / problem.sum_weights + pen_n.value(coef)
    return PenalizedGLMResult(
        problem=problem, coef_array=coef, eta=eta, mu=mu, penalty=penalty, setup=setup,
        deviance=dev, null_deviance=float(null_dev), objective=float(objective_value),
        kkt=float(getattr(res, "kkt", np.nan)), n_iter=int(res.n_iter), converged=bool(res.converged),
        message=str(res.message), relaxed=relaxed,
    )


# --------------------------------------------------------------------------- API entry points


def fit_arrays_penalized(
    X: Any, y: ArrayLike, family: str | Family = "gaussian", *, link: Any = None, intercept: bool = True,
    weights: ArrayLike | None = None, offset: ArrayLike | None = None, trials: ArrayLike | None = None,
    feature_names: list[str] | None = None, alpha: float = 0.0, l1_ratio: float = 0.0,
    penalty_factor: Any = None, lower: Any = None, upper: Any = None, standardize: bool = False,
    solver: Any = None, start: ArrayLike | None = None, tol: float | None = None, max_iter: int | None = None,
) -> PenalizedGLMResult:
    """:func:`glmkit.glm_fit` with a penalty (its routing target; same arguments)."""
    spec = ElasticNet(alpha, l1_ratio, penalty_factor, lower, upper)
    problem = problem_from_arrays(X, y, family, link=link, intercept=intercept, weights=weights,
                                  offset=offset, trials=trials, feature_names=feature_names,
                                  all_levels=alpha > 0)
    return fit_penalized(problem, spec, standardize=standardize, solver=solver, tol=tol,
                         max_iter=max_iter, start=start)


def fit_formula_penalized(
    formula: str, data: Any, family: str | Family = "gaussian", *, link: Any = None, weights: Any = None,
    offset: Any = None, trials: Any = None, na_action: str = "drop", alpha: float = 0.0,
    l1_ratio: float = 0.0, penalty_factor: Any = None, lower: Any = None, upper: Any = None,
    standardize: bool = False, solver: Any = None, start: ArrayLike | None = None,
    tol: float | None = None, max_iter: int | None = None,
) -> PenalizedGLMResult:
    """:func:`glmkit.glm` with a penalty (its routing target; same arguments)."""
    spec = ElasticNet(alpha, l1_ratio, penalty_factor, lower, upper)
    problem = problem_from_formula(formula, data, family, link=link, weights=weights, offset=offset,
                                   trials=trials, na_action=na_action)
    return fit_penalized(problem, spec, standardize=standardize, solver=solver, tol=tol,
                         max_iter=max_iter, start=start)
