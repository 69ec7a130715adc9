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

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from .design import DenseDesign, SparseDesign
from .errors import ConvergenceWarning, InferenceError, InputError, UnknownNameError
from .families import Family
from .loss import GLMLoss
from .objective import Objective
from .penalties import ElasticNet, Penalty
from .solvers.coordinate_descent import CoordinateDescent, PenalizedSolverResult, WarmState, weighted_column_norms

__all__ = ["PenalizedProblem", "PenalizedGLMResult", "fit_penalized", "problem_from_arrays",
           "problem_from_formula", "PenaltySetup"]

Array = NDArray[np.floating]

DEFAULT_TOL = 1e-10


# --------------------------------------------------------------------------- the data


@dataclass(frozen=True, eq=False)
class PenalizedProblem:
    """Validated data of a penalised fit (shared by fits, paths and cross-validation folds).

    Attributes
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_columns)
        The columns of the design, without an implicit intercept.
    y, weights, offset : ndarray of shape (n_samples,)
        As the family uses them (binomial: proportions, weights × trials).
    family : Family
    intercept : bool
        Whether an implicit intercept column is prepended (array input).
    intercept_index : int or None
        The intercept's column in the design (0 for array input, the formula's otherwise).
    names : list of str
        One per design column, the intercept included.
    trials : ndarray or None
    data_spec : object or None
        Encodes new data for ``predict``.
    formula : str or None
    index : pandas.Index
    """

    X: Any
    y: Array
    weights: Array
    offset: Array
    family: Family
    intercept: bool
    intercept_index: int | None
    names: list[str]
    trials: Array | None = None
    data_spec: Any = None
    formula: str | None = None
    index: pd.Index = field(default_factory=lambda: pd.RangeIndex(0))

    @cached_property
    def design(self) -> Any:
        if sp.issparse(self.X):
            return SparseDesign(self.X, intercept=self.intercept)
        return DenseDesign(self.X, intercept=self.intercept)

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_coef(self) -> int:
        return len(self.names)

    @property
    def feature_index(self) -> NDArray[np.intp]:
        """Design columns other than the intercept."""
        return np.array([j for j in range(self.n_coef) if j != self.intercept_index], dtype=np.intp)

    @property
    def feature_names(self) -> list[str]:
        return [self.names[j] for j in self.feature_index]

    @cached_property
    def sum_weights(self) -> float:
        return float(np.sum(self.weights))

    def objective(self) -> Objective:
        return Objective(GLMLoss(self.family), self.design, self.y, self.weights, self.offset)

    def subset(self, rows: NDArray[np.intp]) -> "PenalizedProblem":
        """The problem on some rows (cross-validation folds)."""
        X = self.X[rows] if not sp.issparse(self.X) else self.X.tocsr()[rows]
        return replace(
            self, X=X, y=self.y[rows], weights=self.weights[rows], offset=self.offset[rows],
            trials=None if self.trials is None else self.trials[rows],
            index=self.index[rows] if len(self.index) == self.n_samples else pd.RangeIndex(len(rows)),
        )


def problem_from_arrays(
    X: Any, y: ArrayLike, family: str | Family = "gaussian", *, link: Any = None, intercept: bool = True,
    weights: ArrayLike | None = None, offset: ArrayLike | None = None, trials: ArrayLike | None = None,
    feature_names: list[str] | None = None,
) -> PenalizedProblem:
    """Validate arrays as :func:`glmkit.glm_fit` does and hold them as a problem."""
    from ._validation import as_vector, check_finite, check_length, check_weights
    from .api import ArraySpec, _prepare_response, _resolve_family

    fam = _resolve_family(family, link)
    if feature_names is None and isinstance(X, pd.DataFrame):
        feature_names = [str(c) for c in X.columns]
    if isinstance(X, pd.DataFrame):
        nonnum = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
        if nonnum:
            raise InputError(f"X has non-numeric columns {nonnum[:5]}; encode them first or use a formula.")
        X = X.to_numpy()
    if sp.issparse(X):
        X = X.tocsr() if X.format not in ("csr", "csc") else X
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        check_finite(X.data, "X")
    else:
        X = np.asarray(X)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        if X.ndim != 2:
            raise InputError(f"X must be two-dimensional (n_samples, n_columns); got shape {X.shape}.")
        if X.dtype.kind not in "fiub":
            raise InputError(f"X must be numeric; got dtype {X.dtype}.")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        check_finite(X, "X")
    n = X.shape[0]
    if n == 0:
        raise InputError("X has no rows: there is nothing to fit.")
    yv = as_vector(y, "y", n)
    check_finite(yv, "y")
    w = np.ones(n) if weights is None else as_vector(weights, "weights", n)
    check_weights(w)
    off = np.zeros(n) if offset is None else as_vector(offset, "offset", n)
    check_finite(off, "offset")
    tr = None if trials is None else as_vector(trials, "trials", n)
    yv, w, tr = _prepare_response(fam, yv, w, tr, y_is_proportion=False)
    p = X.shape[1]
    names = list(feature_names) if feature_names is not None else [f"x{j + 1}" for j in range(p)]
    check_length(names, "feature_names", p)
    if intercept:
        names = ["Intercept"] + names
    spec = ArraySpec(n_columns=p, intercept=intercept, sparse=sp.issparse(X),
                     offset_required=offset is not None and bool(np.any(off != 0)))
    return PenalizedProblem(X, yv, w, off, fam, bool(intercept), 0 if intercept else None, names, tr,
                            spec, None, pd.RangeIndex(n))


def problem_from_formula(
    formula: str, data: Any, family: str | Family = "gaussian", *, link: Any = None,
    weights: Any = None, offset: Any = None, trials: Any = None, na_action: str = "drop",
) -> PenalizedProblem:
    """Evaluate a formula as :func:`glmkit.glm` does and hold the result as a problem."""
    from ._validation import check_finite, check_weights
    from .api import _prepare_response, _resolve_family
    from .formula import build_model_frame

    fam = _resolve_family(family, link)
    frame = build_model_frame(formula, data, weights=weights, offset=offset, trials=trials,
                              na_action=na_action)  # type: ignore[arg-type]
    check_weights(frame.weights)
    for name, arr in (("response", frame.y), ("offset", frame.offset)):
        check_finite(arr, name)
    check_finite(frame.X, "design matrix")
    y, w, tr = _prepare_response(fam, frame.y, frame.weights, frame.trials, trials is None)
    return PenalizedProblem(frame.X, y, w, frame.offset, fam, False, frame.intercept_index,
                            list(frame.column_names), tr, frame.spec, formula, frame.index)


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
            ev = obj.evaluate(coef, hessian=None, eta=eta)
            if np.isfinite(ev.value):
                state = WarmState(coef, eta, ev.gradient, np.zeros(problem.n_coef),
                                  np.zeros(0, dtype=np.intp), None)
                return PenalizedSolverResult(coef, True, 0, ev.value, "closed form (intercept only)",
                                             state=state)
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


def make_solver(solver: Any, tol: float | None, max_iter: int | None) -> Any:
    """The penalised solver: coordinate descent (default) or proximal gradient."""
    opts = {}
    if tol is not None:
        opts["tol"] = float(tol)
    if max_iter is not None:
        opts["max_iter"] = int(max_iter)
    if solver is None or (isinstance(solver, str) and solver in ("auto", "cd", "coordinate_descent")):
        return CoordinateDescent(**opts)
    if isinstance(solver, str) and solver in ("proximal", "fista"):
        from .solvers.proximal import ProximalGradient

        return ProximalGradient(**opts)
    if isinstance(solver, str):
        raise UnknownNameError(
            f"Unknown solver {solver!r} for a penalised fit; valid: 'auto', 'cd', 'proximal', or a "
            "solver object with solve(objective, start, penalty)."
        )
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

    slv = make_solver(solver, tol, max_iter)
    setup = setup or PenaltySetup.build(problem, penalty, standardize)
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
        free = free_fit(problem, setup, slv, obj)
        res = slv.solve(obj, free.coef, pen, free.state)
    if not res.converged:
        warnings.warn(
            f"penalised fit did not converge ({getattr(slv, 'name', 'solver')}: {res.message}; "
            f"relative KKT violation {getattr(res, 'kkt', float('nan')):.3g}). Raise max_iter or loosen tol.",
            ConvergenceWarning, stacklevel=3,
        )
    if null_dev is None:
        null_dev = null_deviance(problem, slv)
    return build_result(problem, setup, penalty, res, null_dev, obj)


def build_result(problem: PenalizedProblem, setup: PenaltySetup, penalty: ElasticNet, res: Any,
                 null_dev: float, obj: Objective | None = None, relaxed: bool = False) -> "PenalizedGLMResult":
    obj = obj or problem.objective()
    coef = np.asarray(res.coef, dtype=float)
    state = getattr(res, "state", None)
    eta = state.eta if state is not None and np.array_equal(state.coef, coef) else obj.eta(coef)
    fam = problem.family
    mu = fam.link.inverse(eta)
    dev = fam.deviance(problem.y, mu, problem.weights)
    pen_n = setup.normalised(penalty.alpha)
    objective_value = 0.5 * dev / problem.sum_weights + pen_n.value(coef)
    return PenalizedGLMResult(
        problem=problem, coef_array=coef, eta=eta, mu=mu, penalty=penalty, setup=setup,
        deviance=dev, null_deviance=float(null_dev), objective=float(objective_value),
        kkt=float(getattr(res, "kkt", np.nan)), n_iter=int(res.n_iter), converged=bool(res.converged),
        message=str(res.message), relaxed=relaxed,
    )


# --------------------------------------------------------------------------- the result


_L1_REFUSAL = (
    "{what} is not available for an L1-penalised fit (alpha={alpha:g}, l1_ratio={l1_ratio:g}). "
    "The lasso/elastic-net estimate is biased towards 0 and its set of non-zero coefficients was "
    "chosen by the data, so it is not approximately normal around the true value and the usual "
    "(XᵀWX)⁻¹ standard errors, Wald intervals and p-values would be wrong — typically far too "
    "optimistic. Options: fit the selected model on independent data (sample splitting) with "
    "gk.glm/gk.glm_fit; use a selective-inference method; or use the bootstrap for the "
    "variability of the penalised estimate itself (not a confidence interval for the truth)."
)
_RIDGE_REFUSAL = (
    "{what} is not available for a ridge fit (alpha={alpha:g}): the ridge estimate is biased, "
    "so a Wald interval or test centred on it does not have its nominal coverage or size. "
    "fit.std_err and fit.cov give the sampling variability of the ridge estimate itself "
    "(sandwich form); for inference on the coefficients refit without penalty."
)
_BOUND_REFUSAL = (
    "{what} is not available: coefficients {names} lie on their bounds, where the estimate is "
    "not approximately normal (the Wald approximation needs an interior solution)."
)
_RELAX_REFUSAL = (
    "{what} is not available for a relaxed fit: its columns were selected by the lasso on the "
    "same data, so classical standard errors and p-values ignore the selection and are too "
    "optimistic. Refit the selected columns on independent data with gk.glm/gk.glm_fit."
)


@dataclass(frozen=True, eq=False)
class PenalizedGLMResult:
    """A fitted penalised GLM.

    Attributes
    ----------
    problem : PenalizedProblem
        The data the model was fitted on (held by reference, not copied).
    coef_array : ndarray of shape (n_coef,)
        Coefficients on the original scale, intercept included.
    eta, mu : ndarray of shape (n_samples,)
    penalty : ElasticNet
        α, l1_ratio, factors and bounds as given.
    setup : PenaltySetup
    deviance, null_deviance : float
        Σ wᵢ dᵢ at the fit and for the intercept-only model (with offset).
    objective : float
        ½ mean deviance + penalty at the fit.
    kkt : float
        Relative KKT violation reached by the solver.
    n_iter : int
    converged : bool
    message : str
    relaxed : bool
        True for the unpenalised refit on a lasso's active set.

    Notes
    -----
    Inference: for any fit with an L1 part (α > 0, l1_ratio > 0), ``std_err``, ``cov``,
    ``conf_int`` and ``p_values`` raise :class:`~glmkit.errors.InferenceError` with an
    explanation. For ridge, ``cov`` is the sandwich covariance of the ridge estimator at
    fixed α, φ·(H + Λ)⁻¹ H (H + Λ)⁻¹ with H = XᵀWX (Fisher information) and Λ the penalty's
    Hessian (Σw·α·pf·s²): it describes how much β̂_ridge varies from sample to sample, *not*
    the distance to the true β (the estimator is biased), so ``conf_int`` and ``p_values``
    are refused. φ is 1 for binomial/Poisson, else the Pearson χ² over n − tr(H(H + Λ)⁻¹).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(300, 4))
    >>> y = rng.poisson(np.exp(0.5 + X @ [0.4, 0.0, 0.0, -0.3]))
    >>> fit = gk.glm_fit(X, y, family="poisson", alpha=0.05, l1_ratio=1.0)
    >>> fit.active, fit.converged
    (['x1', 'x3', 'x4'], True)
    """

    problem: PenalizedProblem
    coef_array: Array
    eta: Array
    mu: Array
    penalty: ElasticNet
    setup: PenaltySetup
    deviance: float
    null_deviance: float
    objective: float
    kkt: float
    n_iter: int
    converged: bool
    message: str = ""
    relaxed: bool = False

    # -- coefficients and fit statistics --------------------------------------------------
    @property
    def names(self) -> list[str]:
        return self.problem.names

    @cached_property
    def coef(self) -> pd.Series:
        """Coefficients on the original scale, named by column."""
        return pd.Series(self.coef_array, index=self.names, name="coef")

    @property
    def intercept(self) -> float | None:
        i = self.problem.intercept_index
        return None if i is None else float(self.coef_array[i])

    @property
    def family(self) -> Family:
        return self.problem.family

    @property
    def alpha(self) -> float:
        return self.penalty.alpha

    @property
    def l1_ratio(self) -> float:
        return self.penalty.l1_ratio

    @property
    def standardize(self) -> bool:
        return self.setup.standardize

    @property
    def dev_ratio(self) -> float:
        """1 − deviance / null deviance (glmnet's ``dev.ratio``)."""
        return 1.0 - self.deviance / self.null_deviance if self.null_deviance > 0 else float("nan")

    @property
    def df(self) -> int:
        """Non-zero coefficients other than the intercept (glmnet's ``df``)."""
        return int(np.count_nonzero(self.coef_array[self.problem.feature_index]))

    @property
    def active(self) -> list[str]:
        """Names of the non-zero coefficients other than the intercept."""
        return [self.names[j] for j in self.problem.feature_index if self.coef_array[j] != 0]

    @property
    def nobs(self) -> int:
        return int(np.count_nonzero(self.problem.weights > 0))

    @property
    def fitted(self) -> pd.Series:
        return pd.Series(self.mu, index=self.problem.index, name="fitted")

    @property
    def linear_predictor(self) -> pd.Series:
        return pd.Series(self.eta, index=self.problem.index, name="linear_predictor")

    def predict(self, newdata: Any = None, kind: Literal["link", "response"] = "response",
                offset: Any = None) -> pd.Series:
        """Predictions on the link or response scale.

        Parameters
        ----------
        newdata : DataFrame or array, optional
            Encoded as the training data (formula terms, factor levels); None predicts the
            training rows.
        kind : {"response", "link"}
        offset : array, optional
            Offset for the new rows where one was given as an array when fitting.

        Returns
        -------
        Series of shape (n_rows,)
        """
        if kind not in ("link", "response"):
            raise UnknownNameError(f"Unknown prediction kind {kind!r}; valid: 'link', 'response'.")
        if newdata is None:
            eta, index = self.eta, self.problem.index
        else:
            if self.problem.data_spec is None:
                raise InputError("This result keeps no data specification; predict needs newdata encoded as in fit.")
            design, off, index = self.problem.data_spec.encode(newdata, offset)
            eta = design.matvec(self.coef_array) + off
        out = eta if kind == "link" else self.family.link.inverse(eta)
        return pd.Series(out, index=index, name=kind)

    # -- relaxed lasso ----------------------------------------------------------------------
    def relax(self) -> "PenalizedGLMResult":
        """The unpenalised refit on this fit's active set (the relaxed lasso, glmnet's gamma = 0).

        Coefficients that are 0 here stay 0; the others (and the intercept) are refitted
        without penalty (bounds kept). Its inference is refused: the columns were selected
        on the same data.
        """
        zero = (self.coef_array == 0)
        zero[[] if self.problem.intercept_index is None else [self.problem.intercept_index]] = False
        lo = self.setup.unit.lower.copy()
        hi = self.setup.unit.upper.copy()
        lo[zero] = 0.0
        hi[zero] = 0.0
        n = self.problem.n_coef
        pen = Penalty(np.zeros(n), np.zeros(n), lo, hi)
        obj = self.problem.objective()
        res = CoordinateDescent().solve(obj, pen.project(self.coef_array), pen)
        setup = PenaltySetup(replace(self.penalty, alpha=0.0), pen, self.setup.scale, self.setup.standardize)
        return build_result(self.problem, setup, replace(self.penalty, alpha=0.0), res, self.null_deviance,
                            obj, relaxed=True)

    # -- inference ----------------------------------------------------------------------------
    def _check_inference(self, what: str, wald: bool) -> None:
        if self.relaxed:
            raise InferenceError(_RELAX_REFUSAL.format(what=what))
        if self.alpha > 0 and self.l1_ratio > 0:
            raise InferenceError(_L1_REFUSAL.format(what=what, alpha=self.alpha, l1_ratio=self.l1_ratio))
        unit = self.setup.unit
        on_bound = np.flatnonzero((self.coef_array <= unit.lower) | (self.coef_array >= unit.upper))
        if on_bound.size:
            names = ", ".join(self.names[j] for j in on_bound[:10])
            raise InferenceError(_BOUND_REFUSAL.format(what=what, names=names))
        if wald and self.alpha > 0:
            raise InferenceError(_RIDGE_REFUSAL.format(what=what, alpha=self.alpha))

    @cached_property
    def _ridge_cov(self) -> tuple[Array, float]:
        design = self.problem.design
        h = self.problem.objective().fisher_weights(self.eta)
        H = design.sandwich(h)
        lam = self.setup.unit.l2 * self.alpha * self.problem.sum_weights
        A = H + np.diag(lam)
        Ainv = np.linalg.inv(A)
        edf = float(np.trace(Ainv @ H))
        fam = self.family
        if fam.dispersion_is_fixed:
            phi = 1.0
        else:
            used = self.problem.weights > 0
            r = (self.problem.y - self.mu)[used]
            chi2 = float(np.sum(self.problem.weights[used] * r * r / fam.variance(self.mu[used])))
            dof = self.nobs - edf
            phi = chi2 / dof if dof > 0 else float("nan")
        cov = phi * Ainv @ H @ Ainv
        return 0.5 * (cov + cov.T), phi

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the estimator (ridge: sandwich form, see Notes); refused with an L1 part."""
        self._check_inference("cov", wald=False)
        return pd.DataFrame(self._ridge_cov[0], index=self.names, columns=self.names)

    @property
    def std_err(self) -> pd.Series:
        """Standard errors of the estimator (ridge: of the biased ridge estimate); refused with an L1 part."""
        self._check_inference("std_err", wald=False)
        return pd.Series(np.sqrt(np.maximum(np.diag(self._ridge_cov[0]), 0.0)), index=self.names, name="std_err")

    @property
    def p_values(self) -> pd.Series:
        """Wald p-values; only for fits without penalty (bounds not active)."""
        self._check_inference("p_values", wald=True)
        from . import inference

        se = self.std_err.to_numpy()
        stat = inference.wald_statistic(self.coef_array, se)
        est = not self.family.dispersion_is_fixed
        return pd.Series(inference.wald_p_values(stat, est, self.nobs - self.problem.n_coef),
                         index=self.names, name="p_value")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald intervals; only for fits without penalty (bounds not active)."""
        self._check_inference("conf_int", wald=True)
        from . import inference

        lo, hi = inference.wald_intervals(self.coef_array, self.std_err.to_numpy(), level)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.names)

    # -- display ------------------------------------------------------------------------------
    def summary(self) -> str:
        """A short text summary: the penalty, the coefficients, deviances and convergence."""
        fam = self.family
        lines = [
            f"Penalised GLM: {fam.name}({fam.link.name}), n = {self.nobs}",
            f"alpha = {self.alpha:.6g}, l1_ratio = {self.l1_ratio:g}, standardize = {self.standardize}"
            + (" (relaxed refit)" if self.relaxed else ""),
            "",
            self.coef.to_frame().to_string(float_format=lambda v: f"{v: .6g}"),
            "",
            f"Deviance: {self.deviance:.6g} (null {self.null_deviance:.6g}); dev_ratio = {self.dev_ratio:.4f}; "
            f"df = {self.df}",
            f"Objective (½ mean deviance + penalty): {self.objective:.10g}",
            f"Iterations: {self.n_iter}; converged: {self.converged} (KKT {self.kkt:.2g})",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        fam = self.family
        return (f"<PenalizedGLMResult {fam.name}({fam.link.name}) n={self.nobs} alpha={self.alpha:.4g} "
                f"l1_ratio={self.l1_ratio:g} df={self.df} deviance={self.deviance:.6g} "
                f"converged={self.converged}>")


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
                                  offset=offset, trials=trials, feature_names=feature_names)
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
