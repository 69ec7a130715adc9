"""A plain (unpenalised) fit of a problem: aliasing, start values, the solver, the null model.

:func:`fit_model` takes a validated :class:`~glmkit.problem.Problem` and
:class:`~glmkit.fit.options.FitOptions` and returns a :class:`FittedModel`, the numerical
core of a fit. It never computes inference (dispersion, tests, AIC): that is
``inference/``'s job, done lazily by the result object.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from ..design import Design
from .._warnings import warn
from ..errors import AliasingWarning, ConvergenceWarning, InputError
from ..families import Family
from ..loss import GLMLoss
from ..objective import Objective
from ..problem import Problem
from ..solvers import SolverResult, solve_spd
from ..solvers._base import IterationRecord, solve_factored
from ..solvers.certificate import certify
from .absorbed import absorbed_aliased, solution_problem
from .aliasing import detect_aliased
from .boundary import warn_boundary
from .null import null_deviance
from .options import FitOptions
from .solver_choice import WIDE_PROBLEM, plain_solver
from .scaling import extreme_column_scales, fit_in_scaled_units
from .start import NO_VALID_START, StartSystem, intercept_only_coef, start_system, valid_start_eta

__all__ = ["FittedModel", "ModelCounts", "fit_model"]

Array = NDArray[np.floating]


class ModelCounts:
    """Counts every model derives from its problem, rank and aliasing (fitted or stored).

    >>> import numpy as np
    >>> from glmkit.problem import problem_from_arrays
    >>> model = fit_model(problem_from_arrays(np.arange(4.0)[:, None], [1.0, 3.0, 5.0, 7.0]))
    >>> model.n_obs, model.df_resid, model.df_null, model.kept.tolist()
    (4, 2, 3, [0, 1])
    """

    problem: Problem
    rank: int
    aliased: NDArray[np.bool_]

    @property
    def intercept(self) -> bool:
        """Whether the model has an intercept."""
        return self.problem.intercept_index is not None

    @property
    def n_obs(self) -> int:
        """Rows with positive weight (R's ``nobs``)."""
        return self.problem.n_obs

    @property
    def df_resid(self) -> int:
        return self.n_obs - self.rank

    @property
    def df_null(self) -> int:
        return self.n_obs - int(self.intercept)

    @property
    def kept(self) -> NDArray[np.intp]:
        """Indices of the non-aliased columns."""
        return np.flatnonzero(~self.aliased)


@dataclass(frozen=True, eq=False)
class FittedModel(ModelCounts):
    """The numerical core of a fitted GLM (no inference).

    Attributes
    ----------
    problem : Problem
        The data and family fitted (``family``, ``design``, ``y``, ``weights``, ``offset``
        and ``trials`` are read from it).
    coef : ndarray of shape (n_features,)
        NaN for aliased columns.
    aliased : ndarray of bool, shape (n_features,)
    eta, mu : ndarray of shape (n_samples,)
    deviance : float
    rank, n_obs, df_resid, df_null : int
        n_obs counts rows with positive weight, as R's ``nobs``.
    n_iter : int
    converged : bool
    solver, message : str
    history : tuple of IterationRecord
    information_at_solution : ndarray of shape (rank, rank) or None
        XᵀWX at the solution when the solver had it; otherwise ``fisher_information``
        computes it on first use (inference only).
    objective : Objective or None
        The objective of the non-aliased columns.
    column_scale : ndarray of shape (rank,) or None
        Where columns of extreme scale were fitted in scaled units (``fit/scaling.py``): the
        scales s of the kept columns, ``information_at_solution`` then being in those units
        (SᵀIS would under- or overflow); None otherwise.
    """

    problem: Problem
    coef: Array
    aliased: NDArray[np.bool_]
    eta: Array
    mu: Array
    deviance: float
    rank: int
    n_iter: int
    converged: bool
    solver: str
    message: str
    history: tuple[IterationRecord, ...] = field(default_factory=tuple)
    information_at_solution: Array | None = None
    objective: Objective | None = field(default=None, repr=False, compare=False)
    column_scale: Array | None = None

    @property
    def intercept(self) -> bool:
        """Whether the model has an intercept (absorbed factors include one)."""
        return self.problem.intercept_index is not None or self.problem.design.absorbed is not None

    family = property(lambda self: self.problem.family, doc="The family, with its link.")
    design = property(lambda self: self.problem.design, doc="The full design (aliased columns included).")
    y = property(lambda self: self.problem.y, doc="The response as the family uses it.")
    weights = property(lambda self: self.problem.weights, doc="Prior weights (binomial: × trials).")
    offset = property(lambda self: self.problem.offset, doc="The offset.")
    trials = property(lambda self: self.problem.trials, doc="Binomial trials, or None.")

    @cached_property
    def null_deviance(self) -> float:
        """R's null deviance: the intercept-only model (with the offset), or η = offset."""
        return null_deviance(self.problem, self.objective)

    @cached_property
    def fisher_information(self) -> Array:
        """XᵀWX over the non-aliased columns at the solution, W the Fisher weights (rank × rank)."""
        if self.information_at_solution is not None:
            if self.column_scale is None:
                return self.information_at_solution
            s = self.column_scale
            with np.errstate(over="ignore", under="ignore"):
                return self.information_at_solution * s[:, None] * s[None, :]
        kept = self.kept
        if kept.size == 0:
            return np.zeros((0, 0))
        design = self.design if kept.size == self.design.shape[1] else self.design.select_columns(kept)
        weights = GLMLoss(self.family).terms(self.y, self.eta, self.weights, "expected").hessian
        return design.sandwich(weights)


@dataclass(frozen=True)
class _Columns:
    """The columns a fit solves for: the non-aliased ones, and the intercept among them."""

    aliased: NDArray[np.bool_]
    kept: NDArray[np.intp]
    intercept: int | None  # position of the intercept among the kept columns
    design: Design
    objective: Objective


def fit_model(problem: Problem, options: FitOptions | None = None) -> FittedModel:
    """Fit the unpenalised GLM of ``problem``.

    Parameters
    ----------
    problem : Problem
    options : FitOptions, optional
        Solver, tolerance, iteration limit, start.

    Returns
    -------
    FittedModel

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.problem import problem_from_arrays
    >>> model = fit_model(problem_from_arrays(np.arange(4.0)[:, None], [1.0, 3.0, 5.0, 7.0]))
    >>> model.coef.round(10).tolist(), model.solver
    ([1.0, 2.0], 'closed_form')
    """
    options = options or FitOptions()
    scales = extreme_column_scales(problem)
    if scales is not None:  # columns × 1e±300: fitted in scaled units (fit/scaling.py)
        return fit_in_scaled_units(problem, options, scales, fit_model)
    objective = problem.objective()
    eta0 = valid_start_eta(problem.family, problem.y, problem.weights) if options.start is None else None
    system = _start_system_if_narrow(problem, objective, eta0)
    columns = _columns(problem, objective, system)
    solver = plain_solver(options, columns.objective.loss, int(columns.kept.size),
                          absorbed=problem.design.absorbed is not None)
    result = _solve(problem, columns, solver, options, system)
    return _assemble(problem, columns, solver, result)


def _start_system_if_narrow(problem: Problem, objective: Objective, eta0: Array | None) -> StartSystem | None:
    """One XᵀW₀X that serves both the aliasing check and the first IRLS step."""
    p = problem.n_features
    if eta0 is None or p == 0 or p > WIDE_PROBLEM or problem.design.absorbed is not None:
        return None
    return start_system(objective, eta0)


def _columns(problem: Problem, objective: Objective, system: StartSystem | None) -> _Columns:
    n, p = problem.design.shape
    if problem.design.absorbed is not None:  # judged with the factors projected out
        aliased = absorbed_aliased(problem)
    elif p > WIDE_PROBLEM:
        # A p × p factorisation is what a wide fit must avoid; dependent columns are not
        # detected, and the (then non-unique) minimiser is reported with a warning.
        aliased = np.zeros(p, dtype=bool)
        if n <= p:
            warn(f"{p} columns for {n} rows: the coefficients are not identifiable without a penalty.", AliasingWarning)
    elif system is not None and system.clearly_full_rank:
        aliased = np.zeros(p, dtype=bool)
    else:
        aliased = detect_aliased(problem.design, problem.weights, gram=None if system is None else system.gram)
    if np.any(aliased):
        names = ", ".join(problem.names[j] for j in np.flatnonzero(aliased))
        warn(f"{int(aliased.sum())} coefficient(s) not defined because of singularities (aliased "
                      f"columns: {names}); they are reported as NaN, as R's NA.", AliasingWarning)
    kept = np.flatnonzero(~aliased)
    icpt = problem.intercept_index
    position = None if icpt is None or aliased[icpt] else int(np.searchsorted(kept, icpt))
    if kept.size == p:
        return _Columns(aliased, kept, position, problem.design, objective)
    design = problem.design.select_columns(kept)
    return _Columns(aliased, kept, position, design, objective.with_design(design))


def _start(problem: Problem, columns: _Columns, options: FitOptions, system: StartSystem | None,
           checks_start: bool) -> Array | None:
    """The starting coefficients of the kept columns (None: no valid start found)."""
    kept, objective = columns.kept, columns.objective
    if options.start is not None:
        if options.start.shape != (problem.n_features,):
            raise InputError(f"start must have {problem.n_features} values, one per column; "
                             f"got shape {options.start.shape}.")
        return options.start[kept]
    if kept.size == 0 or problem.design.absorbed is not None:  # absorbed: IRLS starts from R's mustart
        return np.zeros(kept.size)
    if system is not None:
        # the rank check's factor, where it covers every column, solves the start system
        coef0 = solve_factored(*system.factor, system.rhs) if system.factor is not None else None
        if coef0 is None:
            coef0 = solve_spd(system.gram[np.ix_(kept, kept)], system.rhs[kept])
        if checks_start or np.isfinite(objective.value(coef0)):
            return coef0
        return _intercept_only(problem, columns)
    if problem.n_features > WIDE_PROBLEM:
        coef0 = _intercept_only(problem, columns)
        if coef0 is None and np.isfinite(objective.value(np.zeros(kept.size))):
            coef0 = np.zeros(kept.size)
        return coef0
    return None


def _intercept_only(problem: Problem, columns: _Columns) -> Array | None:
    """The intercept-only start, where the model has an intercept and it is valid."""
    if columns.intercept is None:
        return None
    coef = intercept_only_coef(problem.family, problem.y, problem.weights, columns.kept.size, columns.intercept)
    return coef if np.isfinite(columns.objective.value(coef)) else None


def _solve(problem: Problem, columns: _Columns, solver, options: FitOptions,  # type: ignore[no-untyped-def]
           system: StartSystem | None) -> SolverResult:
    # IRLS and Newton evaluate the start themselves and stop at once if it is invalid
    # (then the intercept-only start is tried): no separate pass over X to check it.
    checks_start = solver.newton_type
    coef0 = _start(problem, columns, options, system, checks_start)
    if coef0 is None:
        raise InputError(NO_VALID_START)
    objective = columns.objective
    if columns.kept.size == 0:
        return SolverResult(np.zeros(0), True, 0, objective.value(np.zeros(0)), "no coefficients")
    result = solver.solve(objective, coef0)
    if checks_start and result.n_iter == 0 and not np.isfinite(result.objective) and options.start is None:
        fallback = _intercept_only(problem, columns)
        if fallback is None:
            raise InputError(NO_VALID_START)
        result = solver.solve(objective, fallback)
    return _certified(result, objective, options, solver)


def _certified(result: SolverResult, objective: Objective, options: FitOptions, solver) -> SolverResult:  # type: ignore[no-untyped-def]
    """The result with ``converged`` as the certificate on its final coefficients says, warned."""
    cert = certify(objective, result.coef, options.tol, evaluation=result.evaluation)
    if result.converged and not cert.holds and math.isfinite(cert.value) and _at_boundary(objective, result.coef):
        # Separation: no finite MLE, the scaled gradient falls only as the means approach the
        # boundary; R reports convergence there, and the fit warns of separation instead.
        return result
    if cert.holds != result.converged:
        message = result.message if cert.holds else f"{result.message}; {cert.describe()}"
        result = dataclasses.replace(result, converged=cert.holds, message=message)
    if not result.converged:
        hint = ("Try solver='irls' or 'newton', raise max_iter, or supply start values" if not solver.newton_type
                else "Raise max_iter, supply start values, or rescale the columns")
        warn(f"glm fit did not converge ({solver.name}: {result.message}); results are not the "
             f"maximum-likelihood estimate. {hint}.", ConvergenceWarning)
    return result


def _at_boundary(objective: Objective, coef: Array) -> bool:
    """Whether fitted means of rows with positive weight reached the family's boundary."""
    family = objective.loss.family
    mu = family.link.inverse(objective.eta(coef))
    return family.boundary_message(mu[objective.weights > 0]) is not None


def _assemble(problem: Problem, columns: _Columns, solver, result: SolverResult) -> FittedModel:  # type: ignore[no-untyped-def]
    objective, kept = columns.objective, columns.kept
    coef = np.full(problem.n_features, np.nan)
    coef[kept] = result.coef
    final = result.evaluation if result.evaluation is not None else objective.evaluate(result.coef, hessian="expected")
    aliased = columns.aliased
    if problem.design.absorbed is not None:  # the fitted model holds the covariates projected at the solution
        problem, coef, aliased = solution_problem(problem, final.eta, coef, aliased)
        kept = np.flatnonzero(~aliased)
        result = replace(result, coef=coef[kept])
        objective = problem.objective()
        objective = objective if kept.size == problem.n_features else objective.with_design(
            problem.design.select_columns(kept))
    # The loss is half the deviance by construction (ℓᵢ = wᵢ dᵢ/2), so the solver's last
    # value is the deviance: no further pass over the data.
    family: Family = problem.family
    deviance = 2.0 * final.value if np.isfinite(final.value) else family.deviance(problem.y, final.mu, problem.weights)
    if result.converged or solver.newton_type:
        # A first-order solver stopped early sits anywhere; the boundary test would mislead.
        warn_boundary(family, final.mu, problem.weights, objective, result.coef, [problem.names[j] for j in kept])
    objective._last_sandwich = None  # the memo's weights (n values) are not needed after the fit
    return FittedModel(
        problem=problem, coef=coef, aliased=aliased, eta=final.eta, mu=final.mu, deviance=deviance,
        rank=int(kept.size) + problem.design.absorbed_parameters, n_iter=result.n_iter, converged=result.converged, solver=solver.name,
        message=result.message, history=result.history, information_at_solution=final.hessian,
        objective=objective,
    )
