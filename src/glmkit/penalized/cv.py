"""K-fold cross-validation of a regularisation path (glmnet's ``cv.glmnet``).

The α grid is fixed by a path on all the data; every fold refits that grid on its
training rows (standardisation, when asked for, is done within the fold, as glmnet does)
and scores the held-out rows. The CV error of each α is the mean of the fold errors
weighted by the folds' total weights; its standard error is the weighted standard
deviation of the fold errors over √(K − 1). ``alpha_min`` minimises the CV error;
``alpha_1se`` is the largest α whose CV error is within one standard error of that
minimum (the more regularised, "one-standard-error rule" choice). The fits at both are
the full-data path's fits at those α — that *is* the refit on all data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._progress import Progress
from .._threads import blas_threads
from ..errors import InputError, UnknownNameError
from ..families import Family
from ..fit import FitOptions
from ..penalties import ElasticNet
from ..problem import Problem
from .path import PathResult, compute_path, path_tol, problem_from_inputs
from .result import PenalizedGLMResult

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

__all__ = ["cv_glm", "CVResult", "MEASURES", "score"]

Array = NDArray[np.floating]
Measure = Literal["deviance", "mse", "mae", "class", "auc"]
MEASURES = ("deviance", "mse", "mae", "class", "auc")


def _auc(y: Array, score: Array, w: Array) -> float:
    """Weighted area under the ROC curve; y in [0, 1] (proportions count fractionally)."""
    pos = w * y
    neg = w * (1.0 - y)
    P, N = pos.sum(), neg.sum()
    if P <= 0 or N <= 0:
        return float("nan")
    order = np.argsort(score, kind="mergesort")
    s, pos, neg = score[order], pos[order], neg[order]
    starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
    pos_g = np.add.reduceat(pos, starts)
    neg_g = np.add.reduceat(neg, starts)
    below = np.cumsum(neg_g) - neg_g
    return float(np.sum(pos_g * (below + 0.5 * neg_g)) / (P * N))


def score(measure: Measure, family: Family, y: Array, mu: Array, w: Array) -> float:
    """One measure of prediction error on held-out rows (lower is better, except ``auc``).

    Parameters
    ----------
    measure : {"deviance", "mse", "mae", "class", "auc"}
        Mean deviance Σwd/Σw; mean squared or absolute error of μ; binomial
        misclassification rate at 0.5; binomial area under the ROC curve.
    family : Family
    y, mu, w : ndarray of shape (n_rows,)
    """
    W = w.sum()
    if W <= 0:
        return float("nan")
    if measure == "deviance":
        return float(np.sum(w * family.unit_deviance(y, mu)) / W)
    if measure == "mse":
        return float(np.sum(w * (y - mu) ** 2) / W)
    if measure == "mae":
        return float(np.sum(w * np.abs(y - mu)) / W)
    if measure in ("class", "auc") and not family.proportion_response:
        raise InputError(f"measure={measure!r} is only defined for binomial models; the family is {family.name}.")
    if measure == "class":
        wrong = np.where(mu > 0.5, 1.0 - y, y)
        return float(np.sum(w * wrong) / W)
    if measure == "auc":
        return _auc(y, mu, w)
    raise UnknownNameError(f"Unknown measure {measure!r}; valid: {', '.join(MEASURES)}.")


@dataclass(frozen=True, eq=False)
class CVResult:
    """Cross-validated path.

    Attributes
    ----------
    path : PathResult
        The path on all the data (its fits are the refits at any α).
    measure : str
    cv_mean, cv_se : ndarray of shape (n_alphas,)
        CV error and its standard error per α.
    cv_folds : ndarray of shape (n_folds, n_alphas)
        Error of every fold at every α.
    fold_ids : ndarray of shape (n_samples,)
        The fold of every row.
    index_min, index_1se : int
        Positions of ``alpha_min`` and ``alpha_1se`` on the path.
    cv_mean_relaxed, cv_se_relaxed : ndarray or None
        The same for the relaxed fits (``relax=True``).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 6))
    >>> y = rng.poisson(np.exp(0.2 + 0.6 * X[:, 0]))
    >>> cv = gk.cv_glm(X, y, family="poisson", n_alphas=20, n_folds=5, seed=1, progress=False)
    >>> cv.alpha_1se >= cv.alpha_min, cv.best.coef.index[1]
    (True, 'x1')
    """

    path: PathResult
    measure: str
    cv_mean: Array
    cv_se: Array
    cv_folds: Array
    fold_ids: NDArray[np.intp]
    index_min: int
    index_1se: int
    cv_mean_relaxed: Array | None = None
    cv_se_relaxed: Array | None = None

    @property
    def alphas(self) -> Array:
        """The penalty strengths of the path, largest first."""
        return self.path.alphas

    @property
    def alpha_min(self) -> float:
        """α with the smallest CV error."""
        return float(self.path.alphas[self.index_min])

    @property
    def alpha_1se(self) -> float:
        """Largest α with CV error within one standard error of the minimum."""
        return float(self.path.alphas[self.index_1se])

    @property
    def n_folds(self) -> int:
        """Number of cross-validation folds."""
        return int(self.cv_folds.shape[0])

    @property
    def best(self) -> PenalizedGLMResult:
        """The full-data fit at ``alpha_min``."""
        return self.refit("min")

    def refit(self, which: Literal["min", "1se"] | float = "min", relaxed: bool = False) -> PenalizedGLMResult:
        """The full-data fit at ``alpha_min`` ("min"), ``alpha_1se`` ("1se") or an α of the path.

        With ``relaxed=True`` (path computed with ``relax=True``): the relaxed fit there.

        Examples
        --------
        >>> cv = gk.cv_glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson", n_folds=3, seed=0)
        >>> round(cv.refit("1se").alpha, 4)
        0.3689
        """
        if which == "min":
            return self.path.fit_at(index=self.index_min, relaxed=relaxed)
        if which == "1se":
            return self.path.fit_at(index=self.index_1se, relaxed=relaxed)
        return self.path.fit_at(float(which), relaxed=relaxed)

    def table(self) -> pd.DataFrame:
        """α, CV error, standard error, df and deviance ratio per α.

        >>> cv = gk.cv_glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson", n_folds=3, seed=0)
        >>> cv.table().columns.tolist()
        ['alpha', 'cv_mean', 'cv_se', 'df', 'dev_ratio']
        """
        import pandas as pd
        out = pd.DataFrame({"alpha": self.alphas, "cv_mean": self.cv_mean, "cv_se": self.cv_se,
                            "df": self.path.df, "dev_ratio": self.path.dev_ratio})
        if self.cv_mean_relaxed is not None:
            out["cv_mean_relaxed"] = self.cv_mean_relaxed
            out["cv_se_relaxed"] = self.cv_se_relaxed
        return out

    def plot(self, ax: Any = None) -> Any:
        """The CV curve (glmnet's ``plot.cv.glmnet``); see :func:`glmkit.plots.plot_cv`.

        >>> import matplotlib
        >>> matplotlib.use("Agg")
        >>> cv = gk.cv_glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson", n_folds=3, seed=0)
        >>> type(cv.plot()).__name__
        'Axes'
        """
        from ..plots.cv import plot_cv

        return plot_cv(self, ax=ax)

    def __repr__(self) -> str:
        return (f"<CVResult {self.measure} {self.n_folds}-fold, alpha_min={self.alpha_min:.4g} "
                f"(df {int(self.path.df[self.index_min])}), alpha_1se={self.alpha_1se:.4g} "
                f"(df {int(self.path.df[self.index_1se])})>")


def _fold_ids(problem: Problem, n_folds: int, fold_ids: Any, data: Any, seed: Any) -> NDArray[np.intp]:
    import pandas as pd
    n = problem.n_samples
    if fold_ids is None:
        if not 2 <= n_folds <= n:
            raise InputError(f"n_folds must be between 2 and the number of rows ({n}); got {n_folds}.")
        rng = np.random.default_rng(seed)
        return (rng.permutation(n) % n_folds).astype(np.intp)
    if isinstance(fold_ids, str):
        data = problem.data if problem.data is not None else data  # a lazy frame: already collected
        if not isinstance(data, pd.DataFrame):  # polars, pyarrow, …: the rows used are positions
            from ..intake.frames import column_values

            raw = column_values(data, fold_ids, "fold_ids")[np.asarray(problem.index)]
        elif fold_ids not in data.columns:
            raise InputError(f"fold_ids={fold_ids!r} names no column of the data.")
        else:
            raw = data[fold_ids].loc[problem.index].to_numpy()
    else:
        raw = np.asarray(fold_ids.to_numpy() if hasattr(fold_ids, "to_numpy") else fold_ids)
        if raw.shape != (n,):
            raise InputError(f"fold_ids must have one label per row used ({n}); got shape {raw.shape}.")
    labels, codes = np.unique(raw, return_inverse=True)
    if labels.size < 2:
        raise InputError("fold_ids must contain at least 2 distinct folds.")
    return codes.astype(np.intp)


def cv_glm(
    X: Any, y: Any = None, family: str | Family = "gaussian", *, link: Any = None, l1_ratio: float = 1.0,
    alphas: ArrayLike | None = None, n_alphas: int = 100, alpha_min_ratio: float | None = None,
    penalty_factor: Any = None, lower: Any = None, upper: Any = None, standardize: bool = False,
    intercept: bool = True, weights: Any = None, offset: Any = None, trials: Any = None,
    feature_names: list[str] | None = None, na_action: Literal["drop", "raise"] = "drop", n_folds: int = 10,
    fold_ids: Any = None, measure: Measure = "deviance", seed: Any = None, relax: bool = False,
    solver: Any = "auto", solver_options: dict[str, Any] | None = None, tol: float | None = None,
    max_iter: int | None = None, n_threads: int | None = None, progress: bool | None = None,
    thresh: float | None = None, early_stop: bool = True, n_jobs: int = 1,
) -> CVResult:
    """Choose α of a penalised GLM by K-fold cross-validation.

    Parameters
    ----------
    X, y, family, link, l1_ratio, alphas, n_alphas, alpha_min_ratio, penalty_factor, lower, upper,
    standardize, intercept, weights, offset, trials, feature_names, na_action :
        As in :func:`glmkit.glm_path` (a formula and data, or arrays).
    n_folds : int, default 10
    fold_ids : array of shape (n_samples,) or column name, optional
        The fold of every row (any labels); overrides ``n_folds`` and ``seed``.
    measure : {"deviance", "mse", "mae", "class", "auc"}, default "deviance"
        "class" and "auc" for binomial models; "auc" is maximised, the others minimised.
    seed : int or numpy Generator, optional
        For the random fold assignment.
    relax : bool, default False
        Also cross-validate the relaxed fits (unpenalised refits on the active sets).
    solver, solver_options, tol, max_iter, n_threads, progress, thresh, early_stop : optional
        As in :func:`glmkit.glm_path`; the folds refit the grid the all-data path kept.
    n_jobs : int, default 1
        Folds fitted at once, in threads with one BLAS thread each; -1: one per usable core.

    Returns
    -------
    CVResult

    Examples
    --------
    >>> df = gk.datasets.load_warpbreaks()
    >>> cv = gk.cv_glm("breaks ~ wool * tension", df, family="poisson", n_folds=3, seed=0)
    >>> cv
    <CVResult deviance 3-fold, alpha_min=0.1101 (df 4), alpha_1se=0.3689 (df 4)>
    """
    if measure not in MEASURES:
        raise UnknownNameError(f"Unknown measure {measure!r}; valid: {', '.join(MEASURES)}.")
    problem = problem_from_inputs(X, y, family, link=link, intercept=intercept, weights=weights, offset=offset,
                                  trials=trials, feature_names=feature_names, na_action=na_action,
                                  function="cv_glm")
    folds = _fold_ids(problem, n_folds, fold_ids, y if isinstance(X, str) else None, seed)
    options = FitOptions(solver=solver, solver_options=solver_options or {}, tol=path_tol(tol, thresh),
                         max_iter=max_iter, n_threads=n_threads)
    spec = ElasticNet(1.0, l1_ratio, penalty_factor, lower, upper)
    n_grid = n_alphas if alphas is None else int(np.size(alphas))
    jobs = _n_jobs(n_jobs, int(folds.max()) + 1)
    with Progress(n_grid * (int(folds.max()) + 2), "cv_glm", enabled=progress) as bar:
        with blas_threads(n_threads, problem.n_samples * problem.n_features):
            path = compute_path(problem, spec, alphas=alphas, n_alphas=n_alphas, alpha_min_ratio=alpha_min_ratio,
                                standardize=standardize, relax=relax, options=options, progress=bar,
                                early_stop=early_stop)
        return _cross_validate(problem, path, folds, measure, standardize, options, bar, jobs)


def _cross_validate(problem: Problem, path: PathResult, folds: NDArray[np.intp], measure: Measure,
                    standardize: bool, options: FitOptions, bar: Progress, jobs: int) -> CVResult:
    """The folds' errors along ``path``'s grid, summarised; folds in threads use one BLAS thread."""
    with blas_threads(1 if jobs > 1 else options.n_threads, problem.n_samples * problem.n_features):
        errs, errs_relaxed, fold_w = _fold_errors(problem, path, folds, measure, standardize, options, bar, jobs)
    return _cv_result(path, measure, errs, errs_relaxed, folds, fold_w)


def _n_jobs(n_jobs: Any, n_folds: int) -> int:
    """Threads for the folds: ``n_jobs`` (-1: every usable core), at most one per fold."""
    from .._threads import usable_cpus

    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or not (n_jobs >= 1 or n_jobs == -1):
        raise InputError(f"n_jobs must be a positive integer or -1 (every usable core); got {n_jobs!r}.")
    return max(1, min(n_folds, usable_cpus() if n_jobs == -1 else int(n_jobs)))


def _fold_errors(problem: Problem, path: PathResult, folds: NDArray[np.intp], measure: Measure,
                 standardize: bool, options: FitOptions, bar: Progress,
                 n_jobs: int = 1) -> tuple[Array, Array | None, Array]:
    """The measure at every α on every held-out fold, each fold's path fitted on the other rows
    (``n_jobs`` folds at a time, in threads)."""
    K = int(folds.max()) + 1
    grid, relax = path.alphas, path.relaxed_coef_path is not None
    errs = np.full((K, grid.size), np.nan)
    errs_relaxed = np.full((K, grid.size), np.nan) if relax else None
    fold_w = np.zeros(K)

    def one(k: int) -> None:
        held = problem.subset(np.flatnonzero(folds == k))
        fold_w[k] = held.sum_weights
        fit_k = compute_path(problem.subset(np.flatnonzero(folds != k)), path.setup.spec, alphas=grid,
                             standardize=standardize, relax=relax, options=options, progress=bar)
        _score_fold(held, fit_k, measure, errs[k], None if errs_relaxed is None else errs_relaxed[k])

    if n_jobs == 1:
        for k in range(K):
            one(k)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            list(pool.map(one, range(K)))  # list(): a fold's exception is raised here
    return errs, errs_relaxed, fold_w


def _score_fold(held: Problem, fit_k: PathResult, measure: Measure, errs: Array, errs_relaxed: Array | None) -> None:
    """Write the held-out measure at every α of ``fit_k`` into ``errs`` (and ``errs_relaxed``)."""
    fam = held.family
    for i in range(fit_k.n_alphas):
        mu = fam.link.inverse(held.design.matvec(fit_k.coef_path[i]) + held.offset)
        errs[i] = score(measure, fam, held.y, mu, held.weights)
        if errs_relaxed is not None and fit_k.relaxed_coef_path is not None:
            mu_r = fam.link.inverse(held.design.matvec(fit_k.relaxed_coef_path[i]) + held.offset)
            errs_relaxed[i] = score(measure, fam, held.y, mu_r, held.weights)


def _cv_result(path: PathResult, measure: Measure, errs: Array, errs_relaxed: Array | None,
               folds: NDArray[np.intp], fold_w: Array) -> CVResult:
    mean, se = _summarise(errs, fold_w)
    sign = -1.0 if measure == "auc" else 1.0  # auc is maximised
    i_min = int(np.nanargmin(sign * mean))
    within = sign * mean <= sign * mean[i_min] + se[i_min]
    i_1se = int(np.flatnonzero(within)[0])  # alphas decrease: the first is the largest
    mean_r = se_r = None
    if errs_relaxed is not None:
        mean_r, se_r = _summarise(errs_relaxed, fold_w)
    return CVResult(path, measure, mean, se, errs, folds, i_min, i_1se, mean_r, se_r)


def _summarise(errs: Array, fold_w: Array) -> tuple[Array, Array]:
    """Weighted mean over folds and its standard error (glmnet's cvm, cvsd)."""
    K = errs.shape[0]
    w = fold_w / fold_w.sum()
    with np.errstate(invalid="ignore"):  # an infinite fold error (a held-out μ at 0 or 1): inf mean and spread
        mean = np.nansum(errs * w[:, None], axis=0)
        var = np.nansum(w[:, None] * (errs - mean) ** 2, axis=0) / max(K - 1, 1)
    return mean, np.sqrt(var)
