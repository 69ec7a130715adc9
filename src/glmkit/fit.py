"""Fitting: start values, aliasing detection, solver choice and the null model.

``fit_model`` takes validated arrays and a design and returns a :class:`FittedModel`, the
numerical core of a fit. It never computes inference (dispersion, tests, AIC): that is
``inference/``'s job, done lazily by the result object.

Aliasing follows R's ``glm.fit``: columns are examined in order and a column whose
weighted residual, after projection on the columns kept before it, is tiny relative to
its norm is aliased (R's ``dqrdc2`` limited pivoting). Aliased coefficients are NaN,
never a pseudo-inverse.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .design import Design, DenseDesign
from .errors import AliasingWarning, ConvergenceWarning, InputError, SeparationWarning
from .families import Binomial, Family, Poisson
from .families.quasi import QuasiBinomial, QuasiPoisson
from .links import Log
from .loss import GLMLoss
from .objective import Objective
from .solvers import ClosedForm, IRLS, SolverResult, get_solver, solve_spd
from .solvers._base import IterationRecord, solve_factored, spd_factor
from .families.gaussian import Gaussian
from .links import Identity

__all__ = ["FittedModel", "fit_model", "detect_aliased"]

Array = NDArray[np.floating]

ALIAS_TOL = 1e-9  # residual-norm ratio below which a column counts as aliased (R: 1e-11 on norms)
ALIAS_TOL_GRAM = 1e-11  # the same on squared norms, for the Gram-based check on large data
SAMPLED_START_MIN_COLUMNS = 10  # a sampled start Gram pays only when the Gram (∝ p²) dominates the pass
_EXACT_ALIAS_LIMIT = 2_000_000  # n·p above which aliasing is checked on the Gram matrix (no copy of X)


@dataclass(frozen=True)
class FittedModel:
    """The numerical core of a fitted GLM (no inference).

    Attributes
    ----------
    family : Family
    design : Design
        The full design (aliased columns included).
    y, weights, offset : ndarray of shape (n_samples,)
        Response, prior weights (for binomial with trials: trials × prior weights), offset.
    trials : ndarray or None
    coef : ndarray of shape (n_features,)
        NaN for aliased columns.
    aliased : ndarray of bool, shape (n_features,)
    eta, mu : ndarray of shape (n_samples,)
    information_at_solution : ndarray of shape (rank, rank) or None
        XᵀWX at the solution when the solver had it; otherwise ``fisher_information``
        computes it on first use (inference only).
    deviance : float
    null_deviance : float
        Computed on first use.
    rank, n_obs, df_resid, df_null : int
        n_obs counts rows with positive weight, as R's ``nobs``.
    intercept : bool
    n_iter : int
    converged : bool
    solver : str
    message : str
    history : tuple of IterationRecord
    """

    family: Family
    design: Design
    y: Array
    weights: Array
    offset: Array
    trials: Array | None
    coef: Array
    aliased: NDArray[np.bool_]
    eta: Array
    mu: Array
    deviance: float
    rank: int
    n_obs: int
    df_resid: int
    df_null: int
    intercept: bool
    n_iter: int
    converged: bool
    solver: str
    message: str
    history: tuple[IterationRecord, ...] = field(default_factory=tuple)
    information_at_solution: Array | None = None
    objective: Objective | None = field(default=None, repr=False, compare=False)

    @cached_property
    def null_deviance(self) -> float:
        """R's null deviance: the intercept-only model (with the offset), or η = offset."""
        return _null_deviance(self.family, self.y, self.weights, self.offset, self.intercept, self.objective)

    @property
    def kept(self) -> NDArray[np.intp]:
        """Indices of the non-aliased columns."""
        return np.flatnonzero(~self.aliased)

    @cached_property
    def fisher_information(self) -> Array:
        """XᵀWX over the non-aliased columns at the solution, W the Fisher weights (rank × rank)."""
        if self.information_at_solution is not None:
            return self.information_at_solution
        kept = self.kept
        if kept.size == 0:
            return np.zeros((0, 0))
        design = self.design if kept.size == self.design.shape[1] else self.design.select_columns(kept)
        weights = GLMLoss(self.family).terms(self.y, self.eta, self.weights, "expected").hessian
        return design.sandwich(weights)


def detect_aliased(design: Design, weights: Array, gram: Array | None = None) -> NDArray[np.bool_]:
    """Mark columns that are linear combinations of the columns before them.

    Parameters
    ----------
    design : Design
    weights : ndarray of shape (n_samples,)
        Prior weights; rows with weight 0 are ignored.
    gram : ndarray of shape (n_features, n_features), optional
        XᵀWX for any positive weights on the used rows (the same columns are dependent
        for every such W); on large data it saves a pass over X.

    Returns
    -------
    ndarray of bool, shape (n_features,)

    Notes
    -----
    Small problems (n·p ≤ 2·10⁶) use modified Gram–Schmidt with reorthogonalisation on
    √w·X, the column-norm test of R's ``dqrdc2``; large ones a sequential Cholesky of the
    equilibrated Gram matrix, which resolves dependencies only to ~1e-5.5 in norm.
    """
    n, p = design.shape
    if p == 0:
        return np.zeros(0, dtype=bool)
    if gram is not None and _clearly_full_rank(gram):
        return np.zeros(p, dtype=bool)
    used = weights > 0
    if n * p <= _EXACT_ALIAS_LIMIT:
        A = design.toarray()[used].astype(np.float64, copy=False) * np.sqrt(weights[used])[:, None]
        return _aliased_by_gram_schmidt(A)
    if gram is None:
        gram = design.sandwich(np.where(used, weights, 0.0))
    return _aliased_by_gram(gram)


def _clearly_full_rank(gram: Array, diagonal: Array | None = None) -> bool:
    """Whether every column keeps > 1e-3 of its norm after projection on the ones before it.

    The pivots of the Cholesky factor of the equilibrated Gram matrix are those relative
    norms; with all of them above 1e-3 no column is anywhere near R's aliasing threshold,
    even allowing for the Gram matrix's rounding, and no QR is needed.

    ``gram`` may be the Gram matrix of a subset of the rows, scaled by the exact
    ``diagonal`` of the full one: a Schur complement only grows when rows are added, so
    the pivots then bound the full matrix's from below.
    """
    return _full_rank_factor(gram, diagonal) is not None


def _full_rank_factor(gram: Array, diagonal: Array | None = None) -> tuple[Array, Array] | None:
    """:func:`_clearly_full_rank`, returning its equilibrated Cholesky factor and scale (as
    :func:`~glmkit.solvers._base.spd_factor`'s) where it holds, else None."""
    d = np.sqrt(np.diag(gram) if diagonal is None else np.asarray(diagonal, dtype=float))
    if not np.isfinite(d).all() or (d == 0).any():
        return None
    factor, d, info = spd_factor(gram, scale=d)
    if info == 0 and np.abs(np.diag(factor)).min() > 1e-3:
        return factor, d
    return None


def _aliased_by_gram_schmidt(A: Array) -> NDArray[np.bool_]:
    n, p = A.shape
    if n >= p:
        # Fast path: without dependencies, |R_jj| of an unpivoted QR is the norm of column j
        # after projection on the columns before it, exactly the quantity tested below.
        r = np.linalg.qr(A, mode="r")
        norms = np.linalg.norm(A, axis=0)
        if np.all(np.abs(np.diag(r)) > 1e3 * ALIAS_TOL * norms):
            return np.zeros(p, dtype=bool)
    basis = np.empty((n, min(n, p)))
    rank = 0
    aliased = np.zeros(p, dtype=bool)
    for j in range(p):
        v = A[:, j].copy()
        norm0 = np.linalg.norm(v)
        if norm0 == 0.0:
            aliased[j] = True
            continue
        for _ in range(2):  # twice is enough (Kahan–Parlett)
            if rank:
                Q = basis[:, :rank]
                v -= Q @ (Q.T @ v)
        norm = np.linalg.norm(v)
        if norm <= ALIAS_TOL * norm0 or rank >= n:
            aliased[j] = True
        else:
            basis[:, rank] = v / norm
            rank += 1
    return aliased


def _aliased_by_gram(gram: Array) -> NDArray[np.bool_]:
    p = gram.shape[0]
    d = np.sqrt(np.diag(gram))
    aliased = d == 0
    scale = np.where(aliased, 1.0, d)
    G = gram / scale[:, None] / scale[None, :]
    L = np.zeros((p, p))
    kept: list[int] = []
    for j in range(p):
        if aliased[j]:
            continue
        lj = L[j, kept]
        pivot = G[j, j] - lj @ lj
        if pivot <= ALIAS_TOL_GRAM:
            aliased[j] = True
            continue
        L[j, j] = np.sqrt(pivot)
        kept.append(j)
        rest = np.arange(j + 1, p)
        if rest.size:
            L[rest, j] = (G[rest, j] - L[np.ix_(rest, kept[:-1])] @ lj) / L[j, j]
    return aliased


@dataclass(frozen=True)
class _StartSystem:
    """The normal equations of R's first IRLS step, and what they prove about the rank.

    ``gram`` is XᵀW₀X, or on large data an estimate of it from a sample of the rows
    (``exact`` False), which still proves full rank when its Cholesky pivots, scaled by
    the exact diagonal, are all large (``clearly_full_rank``).
    """

    gram: Array
    rhs: Array
    exact: bool
    clearly_full_rank: bool
    factor: tuple[Array, Array] | None = None  # equilibrated Cholesky of an exact, full-rank gram


def _start_system(objective: Objective, eta0: Array) -> _StartSystem:
    """The normal equations of R's first IRLS iteration from η₀ = g(``mustart``).

    (XᵀW₀X) β = XᵀW₀(z₀ − offset) with W₀ the Fisher weights and z₀ the working response
    at η₀; their solution is the starting β.
    """
    terms = objective.terms_at(eta0, "expected")
    if terms is None:
        raise InputError("the starting linear predictor is outside the link's domain; pass start= coefficients.")
    h, g = terms.hessian, terms.gradient
    v = h * (eta0 - objective.offset) - g
    design = objective.design
    sample = objective.gram_sample()
    if (sample > 1 and objective.loss.fisher_weights_vary and design.shape[1] > SAMPLED_START_MIN_COLUMNS
            and hasattr(design, "sampled_sandwich_and_rmatvec")):
        # On large data a start needs no exact XᵀW₀X: a sample of the rows gives it, and
        # (with the exact diagonal) usually proves that no column is aliased.
        estimate, rhs, diagonal, fraction = design.sampled_sandwich_and_rmatvec(h, v, sample)
        if _clearly_full_rank(estimate * fraction, diagonal):
            return _StartSystem(estimate, rhs, exact=False, clearly_full_rank=True)
    # One pass over X; the objective keeps XᵀW₀X, which the first iteration reuses where
    # the Fisher weights do not depend on β (Gamma–log, Gaussian–identity).
    gram, rhs = objective.weighted_gram(h, v)
    factor = _full_rank_factor(gram)
    return _StartSystem(gram, rhs, exact=True, clearly_full_rank=factor is not None, factor=factor)


def _start_coef(objective: Objective, eta0: Array) -> Array:
    """One weighted least-squares step from η₀ (R's first IRLS iteration from ``mustart``)."""
    system = _start_system(objective, eta0)
    return solve_spd(system.gram, system.rhs)


def _valid_start_eta(family: Family, y: Array, weights: Array) -> Array | None:
    link = family.link
    mu0 = family.starting_mu(y, weights)
    with np.errstate(all="ignore"):
        eta0 = link.link(mu0)
    if link.valid_eta(eta0) and family.valid_mu(link.inverse(eta0)):
        return eta0
    mean = np.sum(weights * y) / np.sum(weights)
    mu0 = np.full_like(y, family.starting_mu(np.array([mean]), np.array([1.0]))[0])
    with np.errstate(all="ignore"):
        eta0 = link.link(mu0)
    if link.valid_eta(eta0) and family.valid_mu(link.inverse(eta0)):
        return eta0
    return None


def _intercept_only_start(objective: Objective, family: Family, intercept_index: int | None) -> Array | None:
    if intercept_index is None:
        return None
    y, w = objective.y, objective.weights
    mean = float(np.sum(w * y) / np.sum(w))
    mu0 = family.starting_mu(np.array([mean]), np.array([1.0]))[0]
    coef = np.zeros(objective.n_features)
    with np.errstate(all="ignore"):
        coef[intercept_index] = float(family.link.link(np.array(mu0)))
    return coef if np.isfinite(objective.value(coef)) else None


WIDE_PROBLEM = 2_000  # columns above which "auto" avoids forming the dense p × p XᵀWX


def choose_solver(family: Family, solver, n_features: int = 0, **options):  # type: ignore[no-untyped-def]
    """Resolve ``solver="auto"``.

    Closed form for Gaussian–identity; L-BFGS (matvecs only, no p × p matrix) for wide
    designs with more than ``WIDE_PROBLEM`` columns; IRLS otherwise.
    """
    if isinstance(solver, str) and solver == "auto":
        if n_features > WIDE_PROBLEM:
            return get_solver("lbfgs", **options)
        if type(family) is Gaussian and type(family.link) is Identity:
            return ClosedForm()
        return get_solver("irls", **options)
    return get_solver(solver, **options)


def fit_model(
    design: Design,
    y: Array,
    weights: Array,
    offset: Array,
    family: Family,
    *,
    intercept_index: int | None,
    trials: Array | None = None,
    solver="auto",  # type: ignore[no-untyped-def]
    start: Array | None = None,
    column_names: list[str] | None = None,
    **solver_options,
) -> FittedModel:
    """Fit a GLM on validated inputs.

    Parameters
    ----------
    design : Design
        The design, with its intercept column if the model has one.
    y, weights, offset : ndarray of shape (n_samples,)
        Validated (finite, y inside the family's range, weights ≥ 0).
    family : Family
    intercept_index : int or None
        Position of the intercept column in the design, if any.
    trials : ndarray or None
        Binomial trials (already folded into ``weights``), kept for the likelihood.
    solver : str or solver object
    start : ndarray of shape (n_features,), optional
        Starting coefficients (aliased positions ignored).
    column_names : list of str, optional
        Used in warnings.
    **solver_options
        ``tol``, ``max_iter``, ``learning_rate``, ``record_history``.
    """
    n, p = design.shape
    names = column_names or [f"x{j}" for j in range(p)]
    loss = GLMLoss(family)
    eta0 = _valid_start_eta(family, y, weights) if start is None else None
    start_system = None
    wide = p > WIDE_PROBLEM
    full_objective = Objective(loss, design, y, weights, offset)
    if eta0 is not None and p and not wide:
        # One XᵀW₀X serves both the aliasing check and the first IRLS step.
        start_system = _start_system(full_objective, eta0)
    if wide:
        # A p × p factorisation is what a wide fit must avoid; dependent columns are not
        # detected, and the (then non-unique) minimiser is reported with a warning.
        aliased = np.zeros(p, dtype=bool)
        if n <= p:
            warnings.warn(
                f"{p} columns for {n} rows: the coefficients are not identifiable without a penalty.",
                AliasingWarning, stacklevel=3,
            )
    else:
        if start_system is not None and start_system.clearly_full_rank:
            aliased = np.zeros(p, dtype=bool)
        else:
            aliased = detect_aliased(design, weights, gram=None if start_system is None else start_system.gram)
    if np.any(aliased):
        warnings.warn(
            f"{int(aliased.sum())} coefficient(s) not defined because of singularities "
            f"(aliased columns: {', '.join(names[j] for j in np.flatnonzero(aliased))}); "
            "they are reported as NaN, as R's NA.",
            AliasingWarning,
            stacklevel=3,
        )
    kept = np.flatnonzero(~aliased)
    work_design = design if kept.size == p else design.select_columns(kept)
    kept_intercept = None
    if intercept_index is not None and not aliased[intercept_index]:
        kept_intercept = int(np.searchsorted(kept, intercept_index))

    objective = full_objective if kept.size == p else full_objective.with_design(work_design)
    solver_obj = choose_solver(family, solver, int(kept.size), **solver_options)
    # IRLS and Newton evaluate the start themselves and stop at once if it is invalid
    # (then the intercept-only start is tried): no separate pass over X to check it.
    checks_start = solver_obj.name in ("irls", "newton")

    coef0 = None
    if start is not None:
        coef0 = np.asarray(start, dtype=float)
        if coef0.shape != (p,):
            raise InputError(f"start must have {p} values, one per column; got shape {coef0.shape}.")
        coef0 = coef0[kept]
    elif kept.size == 0:
        coef0 = np.zeros(0)
    elif start_system is not None:
        gram0, rhs0 = start_system.gram, start_system.rhs
        # the rank check's factor, where it covers every column, solves the start system
        coef0 = solve_factored(*start_system.factor, rhs0) if start_system.factor is not None else None
        if coef0 is None:
            coef0 = solve_spd(gram0[np.ix_(kept, kept)], rhs0[kept])
        if not checks_start and not np.isfinite(objective.value(coef0)):
            coef0 = _intercept_only_start(objective, family, kept_intercept)
    elif wide:
        coef0 = _intercept_only_start(objective, family, kept_intercept)
        if coef0 is None and np.isfinite(objective.value(np.zeros(kept.size))):
            coef0 = np.zeros(kept.size)
    if coef0 is None:
        raise InputError(
            "cannot find valid starting values for this family and link (the means implied by "
            "the data are outside the link's range); pass start= coefficients."
        )

    result: SolverResult = solver_obj.solve(objective, coef0) if kept.size else SolverResult(
        np.zeros(0), True, 0, objective.value(np.zeros(0)), "no coefficients"
    )
    if checks_start and result.n_iter == 0 and not np.isfinite(result.objective) and start is None:
        fallback = _intercept_only_start(objective, family, kept_intercept)
        if fallback is None:
            raise InputError(
                "cannot find valid starting values for this family and link (the means implied by "
                "the data are outside the link's range); pass start= coefficients."
            )
        result = solver_obj.solve(objective, fallback)
    if not result.converged:
        warnings.warn(
            f"glm fit did not converge ({solver_obj.name}: {result.message}); results are not "
            "the maximum-likelihood estimate. Raise max_iter or try another solver.",
            ConvergenceWarning,
            stacklevel=3,
        )
    coef = np.full(p, np.nan)
    coef[kept] = result.coef
    final = result.evaluation if result.evaluation is not None else objective.evaluate(result.coef, hessian="expected")
    eta, mu = final.eta, final.mu
    # The loss is half the deviance by construction (ℓᵢ = wᵢ dᵢ/2), so the solver's last
    # value is the deviance: no further pass over the data.
    deviance = 2.0 * final.value if np.isfinite(final.value) else family.deviance(y, mu, weights)
    if result.converged or solver_obj.name in ("irls", "newton"):
        # A first-order solver stopped early sits anywhere; the boundary test would mislead.
        _warn_boundary(family, mu, weights, objective, result.coef, [names[j] for j in kept])

    n_obs = int(np.count_nonzero(weights > 0))
    has_intercept = intercept_index is not None
    objective._last_sandwich = None  # the memo's weights (n values) are not needed after the fit
    return FittedModel(
        family=family,
        design=design,
        y=y,
        weights=weights,
        offset=offset,
        trials=trials,
        coef=coef,
        aliased=aliased,
        eta=eta,
        mu=mu,
        deviance=deviance,
        objective=objective,
        rank=int(kept.size),
        n_obs=n_obs,
        df_resid=n_obs - int(kept.size),
        df_null=n_obs - int(has_intercept),
        intercept=has_intercept,
        n_iter=result.n_iter,
        converged=result.converged,
        solver=solver_obj.name,
        message=result.message,
        history=result.history,
        information_at_solution=final.hessian,
    )


def _null_deviance(family: Family, y: Array, weights: Array, offset: Array, intercept: bool,
                   objective: Objective | None = None) -> float:
    """R's null deviance: the intercept-only model (with the offset), or η = offset without intercept."""
    link = family.link
    if not intercept:
        return family.deviance(y, link.inverse(offset), weights)
    if not np.any(offset != 0):
        mean = np.sum(weights * y) / np.sum(weights)
        if objective is not None and objective.loss.family is family:
            # Half the deviance is the loss; the objective has its y-only terms cached.
            with np.errstate(all="ignore"):
                eta = np.full_like(y, float(link.link(np.array(mean))))
            value = objective.value_at_eta(eta)
            if np.isfinite(value):
                return 2.0 * value
        return family.deviance(y, np.full_like(y, mean), weights)
    design = DenseDesign(np.empty((y.shape[0], 0)), intercept=True)
    objective = Objective(GLMLoss(family), design, y, weights, offset)
    eta0 = _valid_start_eta(family, y, weights)
    start = _start_coef(objective, eta0) if eta0 is not None else np.zeros(1)
    res = IRLS().solve(objective, start)  # always tight: the user's tol is for the main solver
    return family.deviance(y, link.inverse(objective.eta(res.coef)), weights)


def _warn_boundary(family: Family, mu: Array, weights: Array, objective: Objective, coef: Array,
                   names: list[str]) -> None:
    used = weights > 0
    eps = 10 * np.finfo(float).eps
    if isinstance(family, (Binomial, QuasiBinomial)):
        at_boundary = np.any((mu[used] < eps) | (mu[used] > 1 - eps))
        what = "fitted probabilities numerically 0 or 1 occurred (perfect or quasi-separation)"
    elif isinstance(family, (Poisson, QuasiPoisson)) or isinstance(family.link, Log):
        at_boundary = np.any(mu[used] < eps)
        what = "fitted rates numerically 0 occurred"
    else:
        return
    if not at_boundary:
        return
    suspects = _diverging_terms(objective, coef, names)
    detail = f"; terms with diverging coefficients: {', '.join(suspects)}" if suspects else ""
    warnings.warn(
        f"{what}{detail}. Their estimates and standard errors are not meaningful; consider "
        "removing the terms, merging levels or a penalised fit.",
        SeparationWarning,
        stacklevel=4,
    )


def _diverging_terms(objective: Objective, coef: Array, names: list[str]) -> list[str]:
    """Terms along which the likelihood keeps rising: the components of one more Newton step.

    Where the MLE does not exist, Newton steps point along the recession direction (the
    combination of columns that separates the data), so its large components, scaled by
    each column's spread, name the diverging terms.
    """
    if coef.size == 0 or coef.size > WIDE_PROBLEM:  # naming needs a p × p solve
        return []
    ev = objective.evaluate(coef, hessian="expected")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        step = solve_spd(ev.hessian, -ev.gradient)
    design = objective.design
    spread = np.sqrt(np.diag(design.sandwich(np.ones(design.shape[0]))) / design.shape[0])
    effect = np.abs(step) * spread
    if not np.all(np.isfinite(effect)) or effect.max() <= 0:
        return []
    return [names[j] for j in np.flatnonzero(effect >= 0.1 * effect.max())]
