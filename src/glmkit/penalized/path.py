"""Regularisation paths: penalised fits over a decreasing grid of α, warm-started.

The grid runs from α_max — the smallest α at which every penalised coefficient is 0,
computed from the data as glmnet computes λ_max — down to α_max·alpha_min_ratio,
geometrically. Each fit starts from the previous solution, with its gradient and its
Fisher information (the solver's :class:`~glmkit.solvers.coordinate_descent.WarmState`),
so the sequential strong rule screens columns and most fits need no new Gram matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._progress import Progress
from .._threads import blas_threads
from .._warnings import warn
from ..errors import ConvergenceWarning, InputError
from ..families import Family
from ..fit import FitOptions, null_deviance
from ..penalties import ElasticNet
from ..problem import Problem, problem_from_arrays, problem_from_formula
from ..solvers import CoordinateDescent, PenalizedSolverResult
from .fit import alpha_max, free_fit, make_solver
from .result import PenalizedGLMResult, build_result
from .setup import PenaltySetup

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

__all__ = ["glm_path", "PathResult", "compute_path", "alpha_grid", "problem_from_inputs", "tol_for_thresh"]

Array = NDArray[np.floating]

# glmnet's early stop on a computed grid (its ``glmnet.control`` defaults): after at least
# _MIN_ALPHAS fits, stop when the deviance ratio grew by less than _FDEV (of itself, for a
# least-squares loss), or passed _DEVMAX.
_FDEV = 1e-5
_DEVMAX = 0.999
_MIN_ALPHAS = 5


def tol_for_thresh(thresh: float) -> float:
    """The KKT tolerance that reaches glmnet's accuracy at its ``thresh``.

    glmnet stops coordinate descent when no coefficient update in a sweep changed the
    objective by more than ``thresh`` × the null deviance; glmkit stops when no single
    coordinate *could* lower the objective by more than tol² of its value (see
    :class:`~glmkit.solvers.CoordinateDescent`). The two are not the same measurement, so
    the mapping ``tol = 1e-6 · (thresh / 1e-12) ** 0.3`` is calibrated: on the benchmark
    paths (benchmarks/RESULTS.md, "paths") glmkit at ``tol_for_thresh(t)`` ends no further
    from the exact path, in objective, than glmnet at ``thresh = t``, for t = 1e-7
    (glmnet's default; tol 3.2e-5) and t = 1e-12 (tol 1e-6).

    Parameters
    ----------
    thresh : float
        glmnet's ``thresh``, in (0, 1).

    Examples
    --------
    >>> from glmkit.penalized.path import tol_for_thresh
    >>> round(tol_for_thresh(1e-7), 7), tol_for_thresh(1e-12)
    (3.16e-05, 1e-06)
    """
    if not (isinstance(thresh, (int, float)) and 0 < thresh < 1):
        raise InputError(f"thresh must be a number in (0, 1), as glmnet's; got {thresh!r}. "
                         "glmnet's default is 1e-7; 1e-12 is close to exact.")
    return 1e-6 * (thresh / 1e-12) ** 0.3


@dataclass(frozen=True, eq=False)
class PathResult:
    """Penalised fits along a grid of α.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Decreasing.
    coef_path : ndarray of shape (n_alphas, n_features)
        Coefficients (original scale, intercept included) at each α.
    names : list of str
        Column names, one per coefficient.
    l1_ratio : float
    deviance : ndarray of shape (n_alphas,)
    null_deviance : float
    dev_ratio : ndarray of shape (n_alphas,)
        1 − deviance / null deviance (glmnet's ``dev.ratio``).
    df : ndarray of int, shape (n_alphas,)
        Non-zero coefficients other than the intercept.
    objective : ndarray of shape (n_alphas,)
        ½ mean deviance + penalty at each solution.
    n_iter : ndarray of int, shape (n_alphas,)
    converged : ndarray of bool, shape (n_alphas,)
    kkt : ndarray of shape (n_alphas,)
        Relative KKT violation reached at each α.
    relaxed_coef_path : ndarray of shape (n_alphas, n_features) or None
        With ``relax=True``: unpenalised refits on each active set.
    problem : Problem
    setup : PenaltySetup
    stop_reason : str
        Why the path ended: ``"end of the grid"``, or glmnet's early stop on a computed grid
        (the deviance ratio saturated; see :func:`glm_path`), with the α it stopped at.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 5))
    >>> y = rng.poisson(np.exp(0.3 + X[:, 0] - 0.5 * X[:, 1]))
    >>> path = gk.glm_path(X, y, family="poisson", n_alphas=10, progress=False)
    >>> path.coef_path.shape, int(path.df[0]), int(path.df[-1])  # stopped early, as glmnet
    ((9, 6), 0, 5)
    >>> gk.glm_path(X, y, family="poisson", n_alphas=10, progress=False, early_stop=False).n_alphas
    10
    """

    alphas: Array
    coef_path: Array
    names: list[str]
    l1_ratio: float
    deviance: Array
    null_deviance: float
    dev_ratio: Array
    df: NDArray[np.intp]
    objective: Array
    n_iter: NDArray[np.intp]
    converged: NDArray[np.bool_]
    kkt: Array
    problem: Problem
    setup: PenaltySetup
    relaxed_coef_path: Array | None = None
    stop_reason: str = "end of the grid"

    @property
    def n_alphas(self) -> int:
        """Number of penalty strengths on the path."""
        return int(self.alphas.shape[0])

    @property
    def coefs(self) -> pd.DataFrame:
        """Coefficients as a DataFrame: one row per α (the index), one column per name."""
        import pandas as pd
        return pd.DataFrame(self.coef_path, index=pd.Index(self.alphas, name="alpha"), columns=self.names)

    def _index(self, alpha: float | None, index: int | None) -> int:
        if index is not None:
            if not -self.n_alphas <= index < self.n_alphas:
                raise InputError(f"index {index} is outside the path's {self.n_alphas} alphas.")
            return int(index) % self.n_alphas
        if alpha is None:
            raise InputError("Give alpha= (a value on the path) or index=.")
        i = int(np.argmin(np.abs(np.log(self.alphas) - np.log(alpha)))) if alpha > 0 else self.n_alphas - 1
        if not np.isclose(self.alphas[i], alpha, rtol=1e-8, atol=0):
            raise InputError(
                f"alpha={alpha!r} is not on the path (nearest {self.alphas[i]!r}); use index= or refit "
                "with gk.glm_fit(..., alpha=...)."
            )
        return i

    def fit_at(self, alpha: float | None = None, *, index: int | None = None,
               relaxed: bool = False) -> PenalizedGLMResult:
        """The fit at one α of the path (no refitting), as a result object.

        Parameters
        ----------
        alpha : float, optional
            A value of ``alphas``.
        index : int, optional
            Its position instead.
        relaxed : bool, default False
            The relaxed (unpenalised, active-set) refit; needs ``relax=True`` on the path.

        Examples
        --------
        >>> path = gk.glm_path("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson", n_alphas=5)
        >>> path.fit_at(index=4).coef.round(3).tolist()  # the smallest α: nearly the ML fit
        [3.692, -0.206, -0.321, -0.518]
        """
        i = self._index(alpha, index)
        spec = self.setup.spec.with_alpha(float(self.alphas[i]))
        if relaxed:
            if self.relaxed_coef_path is None:
                raise InputError("This path was computed without relax=True.")
            coef = self.relaxed_coef_path[i]
            setup = self.setup.relaxed(coef, self.problem.intercept_index)
            return build_result(self.problem, setup, spec.with_alpha(0.0), _recorded(coef), self.null_deviance,
                                relaxed=True)
        res = _recorded(self.coef_path[i], int(self.n_iter[i]), bool(self.converged[i]), float(self.kkt[i]))
        return build_result(self.problem, self.setup, spec, res, self.null_deviance)

    def predict(self, newdata: Any = None, kind: Literal["link", "response"] = "response",
                offset: Any = None) -> Any:
        """Predictions at every α: one column per α (named by α as text outside pandas).

        Returned in the kind of ``newdata`` (polars, pyarrow Table, pandas for arrays), or of
        the training data when it is None.

        >>> path = gk.glm_path("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson", n_alphas=5)
        >>> path.predict(gk.datasets.load_warpbreaks().head(2)).shape  # 2 rows × 5 α
        (2, 5)
        """
        from ..intake.frames import eager, native_frame, prediction_kind

        newdata = eager(newdata)
        if newdata is None:
            design, off, index = self.problem.design, self.problem.offset, self.problem.index
        else:
            if self.problem.data_spec is None:
                raise InputError("This path keeps no data specification; predict needs newdata encoded as in fit.")
            design, off, index = self.problem.data_spec.encode(newdata, offset)
        eta = np.column_stack([design.matvec(c) + off for c in self.coef_path])
        out = eta if kind == "link" else self.problem.family.link.inverse(eta)
        out_kind = prediction_kind(newdata, self.problem.frame_kind)
        if out_kind is None or out_kind.name == "PANDAS":
            import pandas as pd

            return pd.DataFrame(out, index=index, columns=pd.Index(self.alphas, name="alpha"))
        return native_frame({repr(float(a)): out[:, j] for j, a in enumerate(self.alphas)}, index, out_kind)

    def plot(self, ax: Any = None, xvar: Literal["alpha", "l1_norm", "dev_ratio"] = "alpha",
             label: bool = True) -> Any:
        """Coefficient paths (glmnet's ``plot.glmnet``); see :func:`glmkit.plots.plot_path`.

        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> path = gk.glm_path("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson", n_alphas=5)
        >>> type(path.plot()).__name__
        'Axes'
        """
        from ..plots.path import plot_path

        return plot_path(self, ax=ax, xvar=xvar, label=label)

    def __repr__(self) -> str:
        fam = self.problem.family
        return (f"<PathResult {fam.name}({fam.link.name}) n_alphas={self.n_alphas} "
                f"alpha=[{self.alphas[0]:.4g} … {self.alphas[-1]:.4g}] l1_ratio={self.l1_ratio:g} "
                f"df=[{int(self.df[0])} … {int(self.df[-1])}]>")


def _recorded(coef: Array, n_iter: int = 0, converged: bool = True, kkt: float = float("nan")) -> PenalizedSolverResult:
    """A solution recorded on the path, in the shape :func:`build_result` reads."""
    return PenalizedSolverResult(coef, converged, n_iter, float("nan"), "", kkt=kkt)


def alpha_grid(a_max: float, n_alphas: int, alpha_min_ratio: float) -> Array:
    """n_alphas values from a_max down to a_max·alpha_min_ratio, evenly spaced in log.

    Examples
    --------
    >>> alpha_grid(1.0, 3, 0.01).tolist()
    [1.0, 0.1, 0.01]
    """
    if n_alphas < 1:
        raise InputError(f"n_alphas must be ≥ 1; got {n_alphas}.")
    if not 0 < alpha_min_ratio < 1:
        raise InputError(f"alpha_min_ratio must lie in (0, 1); got {alpha_min_ratio!r}.")
    if not a_max > 0:
        raise InputError(
            f"alpha_max = {a_max!r}: every coefficient is already 0 without penalty (e.g. a constant "
            "response or no penalised column); give alphas= explicitly."
        )
    if n_alphas == 1:
        return np.array([a_max])
    return np.geomspace(a_max, a_max * alpha_min_ratio, n_alphas)


def path_tol(tol: float | None, thresh: float | None) -> float | None:
    """The solver tolerance from ``tol`` or glmnet's ``thresh`` (not both)."""
    if thresh is None:
        return tol
    if tol is not None:
        raise InputError(f"Give tol= or thresh=, not both (got tol={tol!r}, thresh={thresh!r}); "
                         "thresh is glmnet's accuracy, mapped to tol by tol_for_thresh.")
    return tol_for_thresh(thresh)


def _given_grid(alphas: ArrayLike) -> Array:
    grid = np.asarray(alphas, dtype=float).ravel()
    if grid.size == 0 or np.any(~np.isfinite(grid)) or np.any(grid < 0):
        raise InputError("alphas must be finite, non-negative numbers.")
    return np.sort(grid)[::-1]


@dataclass
class _PathRecord:
    """What the loop over α writes, one row per α."""

    grid: Array
    n_features: int
    relax: bool

    def __post_init__(self) -> None:
        n, p = self.grid.size, self.n_features
        self.coefs = np.empty((n, p))
        self.relaxed = np.empty((n, p)) if self.relax else None
        self.deviance = np.empty(n)
        self.objective = np.empty(n)
        self.n_iter = np.zeros(n, dtype=np.intp)
        self.converged = np.zeros(n, dtype=bool)
        self.kkt = np.full(n, np.nan)
        self.stop_reason = "end of the grid"

    def truncate(self, m: int, reason: str) -> None:
        """Keep the first ``m`` fits: the path stopped early, for ``reason``."""
        self.grid = self.grid[:m]
        for name in ("coefs", "relaxed", "deviance", "objective", "n_iter", "converged", "kkt"):
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, value[:m])
        self.stop_reason = reason


def _saturated(dev_ratio: Array, i: int, relative: bool) -> str | None:
    """glmnet's early stop after the fit at position i: why, or None to go on.

    As glmnet's Fortran: the growth of the deviance ratio is compared with fdev relative to
    the ratio for a least-squares loss (``elnet``), and absolutely for the other families.
    """
    if i + 1 < _MIN_ALPHAS or not np.isfinite(dev_ratio[i]):
        return None
    if dev_ratio[i] > _DEVMAX:
        return f"deviance ratio {dev_ratio[i]:.6g} > {_DEVMAX} (glmnet's devmax)"
    growth = dev_ratio[i] - dev_ratio[i - 1]
    if growth < _FDEV * (dev_ratio[i] if relative else 1.0):
        return f"deviance ratio saturated: it grew by {growth:.3g} (< glmnet's fdev = {_FDEV:g})"
    return None


def compute_path(problem: Problem, spec: ElasticNet, *, alphas: ArrayLike | None = None, n_alphas: int = 100,
                 alpha_min_ratio: float | None = None, standardize: bool = False, relax: bool = False,
                 options: FitOptions | None = None, progress: Progress | None = None,
                 early_stop: bool = True) -> PathResult:
    """The path on a validated problem (used by :func:`glm_path` and by every CV fold).

    ``early_stop`` applies glmnet's stop on a computed grid only (never when ``alphas`` are given).
    """
    options = options or FitOptions()
    setup = PenaltySetup.build(problem, spec, standardize)
    solver = make_solver(problem, setup, options)
    objective = problem.objective()
    free = free_fit(problem, setup, solver.tol, objective)
    if alphas is None:
        ratio = alpha_min_ratio if alpha_min_ratio is not None else (
            1e-4 if problem.n_samples > problem.n_features else 1e-2)
        grid = alpha_grid(alpha_max(problem, setup, free, objective), n_alphas, ratio)
    else:
        grid = _given_grid(alphas)
    null_dev = null_deviance(problem)
    record = _PathRecord(grid, problem.n_features, relax)
    _walk(problem, setup, solver, objective, free, record, progress, null_dev if early_stop and alphas is None else None)
    grid = record.grid
    if not np.all(record.converged):
        bad = np.flatnonzero(~record.converged)
        warn(f"{bad.size} of {grid.size} fits on the path did not converge (first at "
                      f"alpha={grid[bad[0]]:.4g}); raise max_iter or loosen tol.", ConvergenceWarning)
    df = np.count_nonzero(record.coefs[:, problem.feature_index], axis=1).astype(np.intp)
    dev_ratio = 1.0 - record.deviance / null_dev if null_dev > 0 else np.full(grid.size, np.nan)
    return PathResult(grid, record.coefs, list(problem.names), spec.l1_ratio, record.deviance, float(null_dev),
                      dev_ratio, df, record.objective, record.n_iter, record.converged, record.kkt, problem, setup,
                      record.relaxed, record.stop_reason)


def _walk(problem: Problem, setup: PenaltySetup, solver: Any, objective: Any, free: PenalizedSolverResult,
          record: _PathRecord, progress: Progress | None, stop_null_deviance: float | None) -> None:
    """Solve at every α of the grid, each warm-started from the previous solution; with
    ``stop_null_deviance`` (> 0), stop early where glmnet would."""
    coef, warm = free.coef, free.state
    W = problem.sum_weights
    for i, a in enumerate(record.grid):
        pen = setup.at(float(a), W)
        res = solver.solve(objective, coef, pen, warm)
        coef, warm = res.coef, res.state
        if np.isfinite(res.objective):  # Σℓ = ½ deviance: no extra pass
            record.deviance[i] = 2.0 * (res.objective - pen.value(coef))
        else:
            record.deviance[i] = problem.family.deviance(problem.y, problem.family.link.inverse(objective.eta(coef)),
                                                         problem.weights)
        record.objective[i] = 0.5 * record.deviance[i] / W + setup.normalised(float(a)).value(coef)
        record.coefs[i], record.n_iter[i], record.converged[i], record.kkt[i] = coef, res.n_iter, res.converged, res.kkt
        if record.relaxed is not None:
            relaxed = setup.relaxed(coef, problem.intercept_index)
            record.relaxed[i] = CoordinateDescent(tol=solver.tol).solve(objective, coef, relaxed.at(0.0, W)).coef
        if progress is not None:
            progress.update(note=f"alpha={a:.3g} df={int(np.count_nonzero(coef[problem.feature_index]))}")
        if stop_null_deviance is not None and stop_null_deviance > 0:
            reason = _saturated(1.0 - record.deviance[: i + 1] / stop_null_deviance, i, objective.is_quadratic)
            if reason is not None and i + 1 < record.grid.size:
                record.truncate(i + 1, f"{reason}, at alpha={a:.4g} ({i + 1} of {record.grid.size} alphas)")
                return


def problem_from_inputs(X: Any, y: Any, family: str | Family, *, link: Any, intercept: bool, weights: Any,
                        offset: Any, trials: Any, feature_names: list[str] | None, na_action: str,
                        function: str = "glm_path") -> Problem:
    """A problem from a formula and data (``X`` a string) or from arrays (every level of a factor kept)."""
    if isinstance(X, str):
        if y is None:
            raise InputError(f"With a formula, pass the data as the second argument: {function}('y ~ x', data).")
        return problem_from_formula(X, y, family, link=link, weights=weights, offset=offset, trials=trials,
                                    na_action=na_action)  # type: ignore[arg-type]
    if y is None:
        raise InputError(f"Pass the response y as the second argument: {function}(X, y).")
    return problem_from_arrays(X, y, family, link=link, intercept=intercept, weights=weights, offset=offset,
                               trials=trials, feature_names=feature_names, all_levels=True)


def glm_path(
    X: Any, y: Any = None, family: str | Family = "gaussian", *, link: Any = None, l1_ratio: float = 1.0,
    alphas: ArrayLike | None = None, n_alphas: int = 100, alpha_min_ratio: float | None = None,
    penalty_factor: Any = None, lower: Any = None, upper: Any = None, standardize: bool = False,
    intercept: bool = True, weights: Any = None, offset: Any = None, trials: Any = None,
    feature_names: list[str] | None = None, na_action: Literal["drop", "raise"] = "drop", relax: bool = False,
    solver: Any = "auto", solver_options: dict[str, Any] | None = None, tol: float | None = None,
    max_iter: int | None = None, n_threads: int | None = None, progress: bool | None = None,
    thresh: float | None = None, early_stop: bool = True,
) -> PathResult:
    """Fit a penalised GLM along a decreasing grid of α (a regularisation path).

    Parameters
    ----------
    X : str, ndarray, DataFrame or scipy.sparse matrix
        A formula (then ``y`` is the data) or the design matrix of shape (n_samples, n_columns).
    y : DataFrame or array
        The data for a formula, or the response of shape (n_samples,).
    family, link : as in :func:`glmkit.glm`
    l1_ratio : float, default 1.0
        1 = lasso (glmnet's default), 0 = ridge.
    alphas : array, optional
        The grid; sorted decreasing. Default: ``n_alphas`` values from α_max (computed from
        the data) down to α_max·``alpha_min_ratio``, log-spaced.
    n_alphas : int, default 100
    alpha_min_ratio : float, optional
        Default 1e-4 when n_samples > n_features, else 1e-2 (glmnet's ``lambda.min.ratio``).
    penalty_factor, lower, upper, standardize : as in :func:`glmkit.glm_fit`
    intercept, weights, offset, trials, feature_names, na_action : as in :func:`glmkit.glm_fit`
        and :func:`glmkit.glm`.
    relax : bool, default False
        Also compute the relaxed lasso: at each α, the unpenalised refit on the active set.
    solver, solver_options, tol, max_iter, n_threads : optional
        As in the penalised :func:`glmkit.glm_fit`.
    progress : bool, optional
        A progress bar on stderr; default: on when stderr is a terminal.
    thresh : float, optional
        The accuracy in glmnet's terms (its ``thresh``: 1e-7 is glmnet's default, 1e-12
        close to exact), instead of ``tol``; see :func:`tol_for_thresh` for the mapping.
        Default: ``tol``'s default (1e-10), tighter than glmnet at 1e-12.
    early_stop : bool, default True
        On a computed grid (no ``alphas``), stop as glmnet does once the fits explain no
        more deviance: after at least 5 α, when the deviance ratio grew by less than 1e-5
        (of itself, for Gaussian least squares), or exceeds 0.999. ``stop_reason`` on the
        result says where and why.

    Returns
    -------
    PathResult

    Notes
    -----
    α_max is the smallest α at which all penalised coefficients are 0:
    ``maxⱼ |∂F/∂βⱼ| / (l1_ratio · pfⱼ · sⱼ)`` at the fit of the unpenalised columns alone (for
    ridge, l1_ratio = 0.001 is used there, as glmnet does).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(3)
    >>> X = rng.normal(size=(300, 4))
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-X[:, 0]))).astype(float)
    >>> path = gk.glm_path(X, y, family="binomial", l1_ratio=0.5, n_alphas=5, progress=False)
    >>> bool(np.all(np.diff(path.alphas) < 0)), bool(path.converged.all())
    (True, True)
    """
    problem = problem_from_inputs(X, y, family, link=link, intercept=intercept, weights=weights, offset=offset,
                                  trials=trials, feature_names=feature_names, na_action=na_action)
    options = FitOptions(solver=solver, solver_options=solver_options or {}, tol=path_tol(tol, thresh),
                         max_iter=max_iter, n_threads=n_threads)
    spec = ElasticNet(1.0, l1_ratio, penalty_factor, lower, upper)
    total = n_alphas if alphas is None else int(np.size(alphas))
    with Progress(total, "glm_path", enabled=progress) as bar, blas_threads(n_threads, problem.n_samples * problem.n_features):
        return compute_path(problem, spec, alphas=alphas, n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                            standardize=standardize, relax=relax, options=options, progress=bar,
                            early_stop=early_stop)
