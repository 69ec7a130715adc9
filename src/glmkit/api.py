"""The two entry points: ``glm`` (formula + DataFrame) and ``glm_fit`` (arrays).

Both validate at the boundary, fit through ``fit.fit_model`` and wrap the result in a
frozen :class:`~glmkit.results.GLMResult`. No input is modified.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ._threads import blas_threads
from ._validation import (as_vector, check_finite, check_length, check_weights, default_feature_names,
                          response_weights_offset)
from .design import CategoricalDesign, DenseDesign, MixedDesign, SparseDesign, as_design
from .errors import DomainError, InputError, UnseenLevelError
from .families import Binomial, Family, get_family
from .families.quasi import QuasiBinomial
from .fit import fit_model
from .formula import build_model_frame
from .links import Link
from .results import GLMResult

__all__ = ["glm", "glm_fit", "ArraySpec"]

Array = NDArray[np.floating]


def _prepare_response(
    family: Family, y: Array, weights: Array, trials: Array | None, y_is_proportion: bool
) -> tuple[Array, Array, Array | None]:
    """Binomial trials → proportions and weights × trials (R's cbind rule); domain checks."""
    if trials is not None:
        if not isinstance(family, (Binomial, QuasiBinomial)):
            raise InputError(f"trials= is only meaningful for binomial families; the family is {family.name}.")
        check_finite(trials, "trials")
        if np.any(trials < 0):
            i = int(np.flatnonzero(trials < 0)[0])
            raise DomainError(f"trials must be non-negative; trials[{i}] = {float(trials[i])!r}.")
        if not y_is_proportion:
            bad = (y < 0) | (y > trials)
            if np.any(bad):
                i = int(np.flatnonzero(bad)[0])
                raise DomainError(
                    f"With trials=, y counts successes and must lie in [0, trials]; row {i} has "
                    f"y = {float(y[i])!r}, trials = {float(trials[i])!r}."
                )
            with np.errstate(invalid="ignore", divide="ignore"):
                y = np.where(trials > 0, y / np.where(trials > 0, trials, 1.0), 0.0)
        weights = weights * trials
    family.check_y(y, weights)
    family.warn_y(y, weights)
    return y, weights, trials


def _resolve_family(family: str | Family, link: str | Link | None) -> Family:
    return get_family(family, link)


def _theta_is_estimated(family: str | Family) -> bool:
    """The negative binomial named without θ: θ is estimated, as ``MASS::glm.nb``."""
    return isinstance(family, str) and family.lower() in ("negative_binomial", "negbin", "negative.binomial")


def glm(
    formula: str,
    data: Any,
    family: str | Family = "gaussian",
    *,
    link: str | Link | None = None,
    weights: str | ArrayLike | None = None,
    offset: str | ArrayLike | None = None,
    trials: str | ArrayLike | None = None,
    na_action: Literal["drop", "raise"] = "drop",
    solver: Any = "auto",
    start: ArrayLike | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
    dispersion: float | None = None,
    alpha: float = 0.0,
    l1_ratio: float = 0.0,
    penalty_factor: Any = None,
    lower: Any = None,
    upper: Any = None,
    standardize: bool = False,
    n_threads: int | None = None,
    **solver_options: Any,
) -> GLMResult:
    """Fit a GLM from an R-like formula and a DataFrame.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + C(g) + x1:C(g) + I(x1**2) + np.log(x2) + offset(np.log(t))"``;
        ``- 1`` drops the intercept; ``cbind(s, f) ~ ...`` gives binomial successes and failures.
    data : DataFrame or mapping of columns
    family : str or Family, default "gaussian"
        ``gaussian binomial poisson gamma inverse_gaussian negative_binomial tweedie
        quasipoisson quasibinomial quasi`` or an object such as ``NegativeBinomial(theta=2)``.
        ``"negative_binomial"`` by name estimates θ by maximum likelihood (``MASS::glm.nb``,
        see :func:`glmkit.glm_nb`); pass ``NegativeBinomial(theta=...)`` for a known θ.
    link : str or Link, optional
        With a family name: overrides its default link.
    weights, offset, trials : str or array of shape (n_samples,), optional
        A column name or one value per row. ``trials`` makes y binomial success counts.
    na_action : {"drop", "raise"}, default "drop"
        Drop rows with a missing value in any variable used (R's ``na.omit``) or refuse them.
    solver : {"auto", "irls", "newton", "lbfgs", "gd", "closed_form"} or a solver object
    start : array of shape (n_features,), optional
        Starting coefficients.
    tol, max_iter : optional
        Solver tolerance and iteration limit.
    dispersion : float, optional
        Fix the dispersion (as R's ``summary(fit, dispersion = ...)``); z tests then.
    n_threads : int, optional
        Cap on BLAS threads. By default problems with n·p ≤ 2·10⁶ run on one thread and
        larger ones use the BLAS default.
    alpha, l1_ratio, penalty_factor, lower, upper, standardize : optional
        Elastic-net penalty and box bounds (see :mod:`glmkit.penalties`): with ``alpha > 0``
        or bounds the fit is penalised and a :class:`~glmkit.penalized.PenalizedGLMResult`
        is returned. ``penalty_factor``/``lower``/``upper`` take a scalar, one value per
        non-intercept column, or a mapping {column name: value}.
    **solver_options
        Passed to the solver (e.g. ``learning_rate`` and ``record_history`` for ``"gd"``).

    Returns
    -------
    GLMResult (PenalizedGLMResult for a penalised fit)

    Examples
    --------
    >>> import pandas as pd, glmkit as gk
    >>> df = pd.DataFrame({"y": [2, 3, 6, 7, 8, 9, 10, 12, 15], "x": range(9)})
    >>> fit = gk.glm("y ~ x", data=df, family="poisson")
    >>> round(float(fit.coef["x"]), 4)
    0.1948
    """
    if _theta_is_estimated(family) and (alpha != 0 or lower is not None or upper is not None):
        raise InputError(
            "Estimating the negative binomial θ is not combined with a penalty; give θ, e.g. "
            "family=gk.NegativeBinomial(theta=2.0), or fit without alpha/lower/upper."
        )
    if _theta_is_estimated(family):  # routing only: the estimation lives in ml_parameters
        from .ml_parameters.negbin import negative_binomial_ml

        start_fit = glm(formula, data, "poisson", link=link or "log", weights=weights, offset=offset,
                        trials=trials, na_action=na_action, solver=solver, start=start, tol=tol,
                        max_iter=max_iter, dispersion=dispersion, **solver_options)
        return negative_binomial_ml(start_fit)
    if alpha != 0 or lower is not None or upper is not None:
        from .penalized import fit_formula_penalized

        return fit_formula_penalized(formula, data, family, link=link, weights=weights, offset=offset,  # type: ignore[return-value]
                                     trials=trials, na_action=na_action, alpha=alpha, l1_ratio=l1_ratio,
                                     penalty_factor=penalty_factor, lower=lower, upper=upper,
                                     standardize=standardize, solver=solver, start=start, tol=tol,
                                     max_iter=max_iter)
    fam = _resolve_family(family, link)
    frame = build_model_frame(formula, data, weights=weights, offset=offset, trials=trials, na_action=na_action)
    check_weights(frame.weights)
    for name, arr in (("response", frame.y), ("offset", frame.offset)):
        check_finite(arr, name)
    if isinstance(frame.design, DenseDesign):
        check_finite(frame.design.X, "design matrix")
    y_is_prop = trials is None  # cbind() responses arrive as proportions
    y, w, tr = _prepare_response(fam, frame.y, frame.weights, frame.trials, y_is_prop)
    with blas_threads(n_threads, frame.design.shape[0] * frame.design.shape[1]):
        model = fit_model(
            frame.design, y, w, frame.offset, fam,
            intercept_index=frame.intercept_index, trials=tr, solver=solver,
            start=None if start is None else np.asarray(start, dtype=float),
            column_names=frame.column_names, tol=tol, max_iter=max_iter, **solver_options,
        )
    return GLMResult(
        model=model, names=frame.column_names, data_spec=frame.spec, formula=formula,
        dispersion_override=dispersion, n_dropped=frame.n_dropped, index=frame.index,
        data=data,
    )


@dataclass(frozen=True)
class ArraySpec:
    """Encodes new arrays like the training arrays: same columns, same implicit intercept."""

    n_columns: int
    intercept: bool
    sparse: bool
    offset_required: bool

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Any, Array, pd.Index]:
        index = newdata.index if isinstance(newdata, pd.DataFrame) else None
        X = newdata if sp.issparse(newdata) else np.asarray(newdata.to_numpy() if hasattr(newdata, "to_numpy") else newdata, dtype=float)
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_columns:
            raise InputError(f"New data has {X.shape[1]} columns; the model was fitted on {self.n_columns}.")
        n = X.shape[0]
        if offset is None:
            if self.offset_required:
                raise InputError("The model was fitted with an offset; pass offset= for the new rows.")
            off = np.zeros(n)
        else:
            off = as_vector(offset, "offset", n)
        return as_design(X, intercept=self.intercept), off, (index if index is not None else pd.RangeIndex(n))


def _is_categorical(col: pd.Series) -> bool:
    return isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col)


@dataclass(frozen=True)
class FrameSpec:
    """Encodes a DataFrame with categorical columns as a mixed design (factors as codes).

    Numeric columns form one dense block; each categorical column a
    :class:`~glmkit.design.CategoricalDesign` with treatment coding (first level dropped
    next to an intercept; without one, the first factor keeps all its levels, as in R), or
    with every level when ``all_levels`` (penalised fits).
    """

    columns: tuple[str, ...]
    categories: tuple[tuple[str, tuple], ...]  # (column, levels) for categorical columns
    intercept: bool
    offset_required: bool = False
    # Every level of every factor as a column (penalised fits, as glum and glmnet on a full
    # one-hot encoding: the penalty identifies the model and treats the levels alike);
    # otherwise treatment coding, R's default.
    all_levels: bool = False

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, intercept: bool) -> "FrameSpec":
        cats = []
        for c in frame.columns:
            if _is_categorical(frame[c]):
                levels = frame[c].cat.categories if isinstance(frame[c].dtype, pd.CategoricalDtype) else pd.Index(sorted(frame[c].dropna().unique()))
                cats.append((str(c), tuple(levels)))
        return cls(tuple(str(c) for c in frame.columns), tuple(cats), intercept)

    def _dropped_first(self, k: int) -> bool:
        return not self.all_levels and (self.intercept or k > 0)

    def names(self) -> list[str]:
        cat_levels = dict(self.categories)
        names = ["Intercept"] if self.intercept else []
        numeric = [c for c in self.columns if c not in cat_levels]
        names += numeric
        for k, (c, levels) in enumerate(self.categories):
            start = 1 if self._dropped_first(k) else 0
            names += [f"{c}[T.{lv}]" if start else f"{c}[{lv}]" for lv in levels[start:]]
        return names

    def design(self, frame: pd.DataFrame) -> MixedDesign:
        frame = frame.rename(columns=str)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise InputError(f"New data lacks the columns {missing} the model was fitted on.")
        cat_levels = dict(self.categories)
        numeric = [c for c in self.columns if c not in cat_levels]
        blocks: list = []
        if numeric:
            # Column by column into one column-major array: pandas' to_numpy on a mixed-dtype
            # frame goes through an object-free but row-major consolidation ~5× slower.
            values = np.empty((len(frame), len(numeric)), order="F")
            for j, c in enumerate(numeric):
                values[:, j] = frame[c].to_numpy(dtype=float)
            check_finite(values, "X")
            blocks.append(DenseDesign(values))
        for k, (c, levels) in enumerate(self.categories):
            codes = pd.Categorical(frame[c], categories=list(levels)).codes
            if np.any(codes < 0):
                bad = frame[c][codes < 0]
                if bad.isna().any():
                    raise InputError(f"Column {c!r} has missing values; drop or impute them.")
                raise UnseenLevelError(
                    f"Column {c!r} has levels not seen when fitting: {sorted(map(str, set(bad)))[:10]}. "
                    "The model has no coefficient for them; drop those rows or refit with them included."
                )
            columns = np.arange(1 if self._dropped_first(k) else 0, len(levels))
            blocks.append(CategoricalDesign(codes.astype(np.intp), len(levels), columns=columns))
        return MixedDesign(blocks, intercept=self.intercept)

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Any, Array, pd.Index]:
        if not isinstance(newdata, pd.DataFrame):
            raise InputError("The model was fitted on a DataFrame; pass new data as a DataFrame with the same columns.")
        n = len(newdata)
        if offset is None:
            if self.offset_required:
                raise InputError("The model was fitted with an offset; pass offset= for the new rows.")
            off = np.zeros(n)
        else:
            off = as_vector(offset, "offset", n)
        return self.design(newdata), off, newdata.index


def validate_arrays(
    X: Any, y: ArrayLike, family: Family, *, intercept: bool, weights: ArrayLike | None,
    offset: ArrayLike | None, trials: ArrayLike | None, feature_names: list[str] | None,
) -> tuple[Any, FrameSpec | None, list[str] | None, Array, Array, Array, Array | None]:
    """Boundary checks of the array interface, shared by plain and penalised fits.

    Returns (X, frame_spec, feature_names, y, weights, offset, trials): X as a float ndarray,
    a CSR/CSC matrix, or the DataFrame itself when it has categorical columns (then
    ``frame_spec`` encodes it); y, weights and trials after the binomial-trials rule.
    """
    if feature_names is None and isinstance(X, pd.DataFrame):
        feature_names = [str(c) for c in X.columns]
    frame_spec = None
    if isinstance(X, pd.DataFrame):
        if any(_is_categorical(X[c]) for c in X.columns):
            frame_spec = FrameSpec.from_frame(X, intercept)
        else:
            X = X.to_numpy()
    if frame_spec is not None:
        pass  # validated column by column when encoded
    elif sp.issparse(X):
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
    yv, w, off = response_weights_offset(y, weights, offset, n)
    tr = None if trials is None else as_vector(trials, "trials", n)
    yv, w, tr = _prepare_response(family, yv, w, tr, y_is_proportion=False)
    return X, frame_spec, feature_names, yv, w, off, tr


def glm_fit(
    X: Any,
    y: ArrayLike,
    family: str | Family = "gaussian",
    *,
    link: str | Link | None = None,
    intercept: bool = True,
    weights: ArrayLike | None = None,
    offset: ArrayLike | None = None,
    trials: ArrayLike | None = None,
    solver: Any = "auto",
    start: ArrayLike | None = None,
    tol: float | None = None,
    max_iter: int | None = None,
    dispersion: float | None = None,
    feature_names: list[str] | None = None,
    alpha: float = 0.0,
    l1_ratio: float = 0.0,
    penalty_factor: Any = None,
    lower: Any = None,
    upper: Any = None,
    standardize: bool = False,
    n_threads: int | None = None,
    **solver_options: Any,
) -> GLMResult:
    """Fit a GLM from a design matrix and a response.

    Parameters
    ----------
    X : ndarray, DataFrame or scipy.sparse matrix of shape (n_samples, n_columns)
        Not copied; float32 stays float32 in the design.
    y : array of shape (n_samples,)
    family, link : as in :func:`glm`
    intercept : bool, default True
        Add an intercept (an implicit column of ones, named ``"Intercept"``).
    weights, offset, trials : array of shape (n_samples,), optional
    solver, start, tol, max_iter, dispersion, n_threads, **solver_options : as in :func:`glm`
    feature_names : list of str, optional
        Defaults to DataFrame columns, else ``x1 … xp``.
    alpha, l1_ratio, penalty_factor, lower, upper, standardize : optional
        Elastic-net penalty and bounds, as in :func:`glm`; penalised fits return a
        :class:`~glmkit.penalized.PenalizedGLMResult`.

    Returns
    -------
    GLMResult (PenalizedGLMResult for a penalised fit)

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> fit = gk.glm_fit(X, [1.0, 3.0, 5.0, 7.0])
    >>> np.round(fit.coef.to_numpy(), 10)
    array([1., 2.])
    """
    if _theta_is_estimated(family) and (alpha != 0 or lower is not None or upper is not None):
        raise InputError(
            "Estimating the negative binomial θ is not combined with a penalty; give θ, e.g. "
            "family=gk.NegativeBinomial(theta=2.0), or fit without alpha/lower/upper."
        )
    if _theta_is_estimated(family):  # routing only: the estimation lives in ml_parameters
        from .ml_parameters.negbin import negative_binomial_ml

        start_fit = glm_fit(X, y, "poisson", link=link or "log", intercept=intercept, weights=weights,
                            offset=offset, trials=trials, solver=solver, start=start, tol=tol,
                            max_iter=max_iter, dispersion=dispersion, feature_names=feature_names,
                            **solver_options)
        return negative_binomial_ml(start_fit)
    if alpha != 0 or lower is not None or upper is not None:
        from .penalized import fit_arrays_penalized

        return fit_arrays_penalized(X, y, family, link=link, intercept=intercept, weights=weights,  # type: ignore[return-value]
                                    offset=offset, trials=trials, feature_names=feature_names, alpha=alpha,
                                    l1_ratio=l1_ratio, penalty_factor=penalty_factor, lower=lower,
                                    upper=upper, standardize=standardize, solver=solver, start=start,
                                    tol=tol, max_iter=max_iter)
    fam = _resolve_family(family, link)
    X, frame_spec, feature_names, yv, w, off, tr = validate_arrays(
        X, y, fam, intercept=intercept, weights=weights, offset=offset, trials=trials, feature_names=feature_names)
    n = X.shape[0]
    if frame_spec is not None:
        design, names = frame_spec.design(X), frame_spec.names()
        p = X.shape[1]
    else:
        design = SparseDesign(X, intercept=intercept) if sp.issparse(X) else DenseDesign(X, intercept=intercept)
        p = X.shape[1]
        names = list(feature_names) if feature_names is not None else default_feature_names(p)
        check_length(names, "feature_names", p)
        if intercept:
            names = ["Intercept"] + names
    with blas_threads(n_threads, n * len(names)):
        model = fit_model(
            design, yv, w, off, fam, intercept_index=0 if intercept else None, trials=tr,
            solver=solver, start=None if start is None else np.asarray(start, dtype=float),
            column_names=names, tol=tol, max_iter=max_iter, **solver_options,
        )
    offset_required = offset is not None and bool(np.any(off != 0))
    spec = (dataclasses.replace(frame_spec, offset_required=offset_required) if frame_spec is not None
            else ArraySpec(n_columns=p, intercept=intercept, sparse=sp.issparse(X), offset_required=offset_required))
    return GLMResult(model=model, names=names, data_spec=spec, dispersion_override=dispersion,
                     index=pd.RangeIndex(n))
