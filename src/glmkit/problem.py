"""The one validated, immutable problem every fit takes, and its two doors.

A :class:`Problem` holds a design, the response, prior weights, offset, binomial trials,
the family (with its link), the column names and the spec that encodes new data alike.
Plain fits, penalised fits, paths, cross-validation folds, the negative-binomial θ fit and
the refits behind anova, drop1/add1 and profile intervals all take a Problem; the data are
held once, by reference, and a fold or a sub-model is a derived Problem.

It is built by two doors, which check everything once:

- :func:`problem_from_formula`: an R-like formula evaluated on a DataFrame;
- :func:`problem_from_arrays`: a design matrix (ndarray, scipy.sparse, DataFrame) and y.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .design import AbsorbedDesign, Design
from .design import Design
from .design.dask import is_dask_collection
from .errors import InputError
from .families import Family, get_family
from .intake.arrays import array_columns
from .intake.checks import DefaultNames, as_vector, check_finite, check_weights, response_weights_offset
from .intake.absorb import absorb_large_factors as absorb_large
from .intake.absorb import (AbsorbedSpec, AbsorbedTerms, absorb_columns, absorbed_effects, check_absorbed_columns,
                            check_not_explained, separated_rows, split_absorbed)
from .intake.formula import build_model_frame
from .intake.frames import eager, frame_kind, pandas_columns
from .intake.response import prepare_response
from .links import Link
from .loss import GLMLoss
from .objective import Objective
from ._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["Problem", "problem_from_arrays", "problem_from_formula"]

Array = NDArray[np.floating]


@dataclass(frozen=True, eq=False)
class Problem:
    """The validated data of one GLM: what every fit, refit and fold works on.

    Attributes
    ----------
    design : Design
        The columns, the intercept included (implicit for arrays, a column for formulas).
    y, weights, offset : ndarray of shape (n_samples,)
        As the family uses them (binomial with trials: proportions and weights × trials).
    family : Family
        The family, with its link.
    names : sequence of str
        One per design column.
    intercept_index : int or None
        The intercept's column in the design.
    trials : ndarray or None
        Binomial trials (already folded into ``weights``), kept for the likelihood.
    data_spec : object or None
        Encodes new data for ``predict`` (``encode(newdata, offset)``).
    formula : str or None
    index : pandas.Index
        Row labels of the rows used.
    n_dropped : int
        Rows dropped for missing values (formula door).
    data : DataFrame or None
        The formula's data, by reference (``add1``, cluster columns, prediction weights); a
        lazy frame is held collected.
    frame_kind : narwhals Implementation or None
        The kind of DataFrame the model was fitted on (polars, pyarrow, …): predictions of
        the training rows come back as a Series of that kind. None: pandas.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> problem = problem_from_arrays(np.arange(6.0).reshape(3, 2), [1.0, 0.0, 2.0], "poisson")
    >>> problem.n_samples, problem.n_features, list(problem.names)
    (3, 3, ['Intercept', 'x1', 'x2'])
    """

    design: Design
    y: Array
    weights: Array
    offset: Array
    family: Family
    names: Sequence[str]
    intercept_index: int | None
    trials: Array | None = None
    data_spec: Any = None
    formula: str | None = None
    index: pd.Index = field(default_factory=lambda: pd.RangeIndex(0))
    n_dropped: int = 0
    data: Any = field(default=None, repr=False)
    frame_kind: Any = None

    @property
    def n_samples(self) -> int:
        return int(self.y.shape[0])

    @property
    def n_features(self) -> int:
        """Columns of the design, the intercept included."""
        return int(self.design.shape[1])

    @cached_property
    def n_obs(self) -> int:
        """Rows with positive weight (R's ``nobs``)."""
        return int(np.count_nonzero(self.weights > 0))

    @cached_property
    def sum_weights(self) -> float:
        return float(np.sum(self.weights))

    @property
    def feature_index(self) -> NDArray[np.intp]:
        """Design columns other than the intercept."""
        index = np.arange(self.n_features, dtype=np.intp)
        return index if self.intercept_index is None else np.delete(index, self.intercept_index)

    @property
    def feature_names(self) -> list[str]:
        """Names of the columns other than the intercept."""
        if isinstance(self.names, DefaultNames) and self.intercept_index == 0:
            return self.names.without_intercept()  # type: ignore[return-value]
        if self.intercept_index is None:
            return list(self.names)
        i = self.intercept_index
        return list(self.names[:i]) + list(self.names[i + 1:])

    @property
    def has_offset(self) -> bool:
        return bool(np.any(self.offset != 0))

    def objective(self) -> Objective:
        """Σᵢ ℓᵢ(η) with η = Xβ + offset, as a function of β."""
        return Objective(GLMLoss(self.family), self.design, self.y, self.weights, self.offset)

    def with_family(self, family: Family) -> "Problem":
        """The same data under another family (e.g. the negative binomial at a new θ)."""
        return replace(self, family=family)

    def with_columns(self, columns: ArrayLike, *, design: Design | None = None,
                     intercept_index: int | None = None, names: Sequence[str] | None = None) -> "Problem":
        """A sub-model on ``columns`` of ``design`` (default: this design); same rows.

        ``intercept_index`` is the intercept's position among ``columns`` (None: none);
        ``names`` those of ``design``'s columns (default: this problem's names).
        """
        cols = np.asarray(columns, dtype=np.intp)
        base = self.design if design is None else design
        all_names = self.names if names is None else names
        picked = [all_names[j] for j in cols] if len(all_names) == base.shape[1] else [f"x{j + 1}" for j in cols]
        return replace(self, design=base.select_columns(cols), names=picked, intercept_index=intercept_index)

    def with_offset(self, extra: Array) -> "Problem":
        """The same model with ``extra`` added to the offset (a coefficient held fixed)."""
        return replace(self, offset=self.offset + extra)

    def subset(self, rows: NDArray[np.intp]) -> "Problem":
        """The problem on some rows (cross-validation folds)."""
        rows = np.asarray(rows, dtype=np.intp)
        return replace(
            self, design=self.design.take_rows(rows), y=self.y[rows], weights=self.weights[rows],
            offset=self.offset[rows], trials=None if self.trials is None else self.trials[rows],
            index=self.index[rows] if len(self.index) == self.n_samples else pd.RangeIndex(rows.size),
        )


def problem_from_arrays(
    X: Any, y: ArrayLike, family: str | Family = "gaussian", *, link: str | Link | None = None,
    intercept: bool = True, weights: ArrayLike | None = None, offset: ArrayLike | None = None,
    trials: ArrayLike | None = None, feature_names: Sequence[str] | None = None, all_levels: bool = False,
    absorb: Any = None,
) -> Problem:
    """The array door: check X, y, weights, offset and trials and hold them as a problem.

    Parameters
    ----------
    X : ndarray, DataFrame or scipy.sparse matrix of shape (n_samples, n_columns)
        Not copied; float32 stays float32. A DataFrame of any kind (pandas, polars, pyarrow,
        …: see :mod:`glmkit.intake.frames`); its categorical and string columns become factors.
    y : array or Series of any kind, of shape (n_samples,)
    family, link : as in :func:`glmkit.glm_fit`
    intercept : bool, default True
    weights, offset, trials : array of shape (n_samples,), optional
    feature_names : list of str, optional
    all_levels : bool, default False
        A DataFrame's factors get a column per level (penalised fits).
    absorb : array of shape (n_samples,) or (n_samples, k), DataFrame or mapping, optional
        Factors to absorb (fixed effects, as after ``|`` in a formula): their levels get no
        columns, and the intercept is theirs.

    Examples
    --------
    >>> import numpy as np
    >>> problem_from_arrays(np.ones((2, 1)), [0.0, 1.0], "binomial", intercept=False).family.name
    'binomial'
    """
    fam = get_family(family, link)
    if absorb is not None:
        return _absorbed_arrays(X, y, fam, absorb, weights, offset, trials, feature_names)
    if is_dask_collection(X):
        return _dask_problem(X, y, fam, intercept, weights, offset, trials, feature_names)
    columns = array_columns(X, intercept=intercept, feature_names=feature_names, all_levels=all_levels)
    n = columns.design.shape[0]
    if n == 0:
        raise InputError("X has no rows: there is nothing to fit.")
    yv, w, off = response_weights_offset(y, weights, offset, n)
    tr = None if trials is None else as_vector(trials, "trials", n)
    yv, w, tr = prepare_response(fam, yv, w, tr, y_is_proportion=False)
    spec = replace(columns.spec, offset_required=offset is not None and bool(np.any(off != 0)))
    return Problem(columns.design, yv, w, off, fam, columns.names, 0 if intercept else None, tr, spec,
                   index=pd.RangeIndex(n), frame_kind=frame_kind(X))


def _dask_problem(X: Any, y: Any, fam: Family, intercept: bool, weights: Any, offset: Any, trials: Any,
                  feature_names: Any) -> Problem:
    """The array door for Dask arrays (:mod:`glmkit.intake.dask`): vectors aligned with X's row chunks."""
    from .intake.dask import dask_columns, dask_vectors

    design, names, spec = dask_columns(X, intercept=intercept, feature_names=feature_names)
    yv, w, off, tr = dask_vectors(design, fam, y, weights, offset, trials)
    spec = replace(spec, offset_required=offset is not None)
    return Problem(design, yv, w, off, fam, names, 0 if intercept else None, tr, spec,
                   index=pd.RangeIndex(design.shape[0]))


def problem_from_formula(
    formula: str, data: Any, family: str | Family = "gaussian", *, link: str | Link | None = None,
    weights: Any = None, offset: Any = None, trials: Any = None,
    na_action: Literal["drop", "raise"] = "drop", absorb_large_factors: bool = False,
) -> Problem:
    """The formula door: evaluate a formula on data (R's ``na.omit``) and hold it as a problem.

    Parameters
    ----------
    formula : str
    data : DataFrame of any kind (pandas, polars eager or lazy, pyarrow Table, …) or mapping of columns
    family, link, weights, offset, trials, na_action : as in :func:`glmkit.glm`
    absorb_large_factors : bool, default False
        Absorb standalone ``C(g)`` terms of more than ``ABSORB_LEVELS`` levels (see
        :func:`glmkit.intake.absorb.absorb_large_factors`): the same coefficients for the
        other terms, without a column per level (unpenalised fits).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0], "x": [0.0, 1.0, 2.0]})
    >>> list(problem_from_formula("y ~ x", df, "poisson").names)
    ['Intercept', 'x']
    """
    fam = get_family(family, link)
    if is_dask_collection(data):
        return _dask_formula_problem(formula, data, fam, weights, offset, trials, na_action)
    data = eager(data)
    if not isinstance(formula, str):
        raise InputError(f"formula must be a string such as 'y ~ x1 + x2'; got {type(formula).__name__} {formula!r}. "
                         "For arrays use glm_fit(X, y).")
    left, absorbed = split_absorbed(formula)
    rewritten = absorb_large(formula, data) if absorbed is None and absorb_large_factors else None
    if rewritten is not None:
        left, absorbed = rewritten
    if absorbed is not None:
        return _absorbed_problem(formula, left, absorbed, data, fam, weights, offset, trials, na_action)
    frame = build_model_frame(formula, data, weights=weights, offset=offset, trials=trials, na_action=na_action)
    check_weights(frame.weights)
    check_finite(frame.y, "response")
    check_finite(frame.offset, "offset")
    y, w, tr = prepare_response(fam, frame.y, frame.weights, frame.trials, y_is_proportion=trials is None)
    return Problem(frame.design, y, w, frame.offset, fam, frame.column_names, frame.intercept_index, tr,
                   frame.spec, formula, frame.index, frame.n_dropped, data, frame_kind(data))


def _absorbed_problem(formula: str, left: str, absorbed: AbsorbedTerms, data: Any, fam: Family, weights: Any,
                      offset: Any, trials: Any, na_action: Literal["drop", "raise"]) -> Problem:
    """The formula door for ``y ~ x | firm + year``: the covariates before ``|``, the factors
    after it absorbed (rows with a missing factor dropped as R's ``na.omit``, or refused)."""
    frame_data = pandas_columns(data, [formula, *absorbed.columns,
                                       *(a for a in (weights, offset, trials) if isinstance(a, str))])
    check_absorbed_columns(absorbed, list(frame_data.attrs.get("columns", frame_data.columns)))
    labels = frame_data.index
    frame_data = frame_data.reset_index(drop=True)
    missing = frame_data[absorbed.columns].isna().any(axis=1).to_numpy()
    if missing.any() and na_action == "raise":
        bad = [c for c in absorbed.columns if frame_data[c].isna().any()]
        raise InputError(f"The absorbed factor column(s) {', '.join(bad)} have {int(missing.sum())} missing "
                         "value(s); drop those rows or use na_action='drop'.")
    frame = build_model_frame(left, frame_data[~missing], weights=weights, offset=offset, trials=trials,
                              na_action=na_action)
    rows = np.asarray(frame.index, dtype=np.intp)
    y, w, tr = prepare_response(fam, frame.y, frame.weights, frame.trials, y_is_proportion=trials is None)
    effects = absorbed_effects({c: frame_data[c].to_numpy()[rows] for c in absorbed.columns}, absorbed)
    keep = np.flatnonzero(~separated_rows(effects, y, w, fam))
    if keep.size == 0:
        raise InputError(f"Every row was dropped: in every group of {' + '.join(absorbed.names)} the outcome "
                         "sits at the edge of the family's range (e.g. all 0 for Poisson), so no effect has a "
                         "finite estimate. Check the outcome, or absorb fewer factors.")
    X = frame.design.toarray()
    if frame.intercept_index is not None:  # the factors absorb the intercept
        X = np.delete(X, frame.intercept_index, axis=1)
    names = [n for j, n in enumerate(frame.column_names) if j != frame.intercept_index]
    effects = effects.subset(keep) if keep.size < rows.size else effects
    check_not_explained(effects, y[keep], w[keep], left.split("~")[0].strip())
    design = AbsorbedDesign(X[keep], effects)
    n_dropped = int(missing.sum()) + frame.n_dropped + int(rows.size - keep.size)
    spec = AbsorbedSpec(frame.spec, frame.intercept_index, absorbed, effects.levels or ())
    return Problem(design, y[keep], w[keep], frame.offset[keep], fam, names, None,
                   None if tr is None else tr[keep], spec, formula, labels[rows[keep]], n_dropped, data,
                   frame_kind(data))


def _absorbed_arrays(X: Any, y: ArrayLike, fam: Family, absorb: Any, weights: Any, offset: Any, trials: Any,
                     feature_names: Sequence[str] | None) -> Problem:
    """The array door with ``absorb=``: X's columns as covariates, the factors absorbed."""
    columns = array_columns(X, intercept=False, feature_names=feature_names)
    n = columns.design.shape[0]
    factors = absorb_columns(absorb, n)
    yv, w, off = response_weights_offset(y, weights, offset, n)
    tr = None if trials is None else as_vector(trials, "trials", n)
    yv, w, tr = prepare_response(fam, yv, w, tr, y_is_proportion=False)
    effects = absorbed_effects(factors, AbsorbedTerms(tuple((name,) for name in factors)))
    keep = np.flatnonzero(~separated_rows(effects, yv, w, fam))
    if keep.size == 0:
        raise InputError("Every row was dropped: in every group of the absorbed factors the outcome sits at the "
                         "edge of the family's range (e.g. all 0 for Poisson); check y or absorb fewer factors.")
    effects = effects.subset(keep) if keep.size < n else effects
    check_not_explained(effects, yv[keep], w[keep])
    design = AbsorbedDesign(np.asarray(columns.design.toarray(), dtype=np.float64)[keep], effects)
    return Problem(design, yv[keep], w[keep], off[keep], fam, list(columns.names), None,
                   None if tr is None else tr[keep], None, index=pd.RangeIndex(n)[keep],
                   n_dropped=int(n - keep.size), frame_kind=frame_kind(X))
def _dask_formula_problem(formula: str, data: Any, fam: Family, weights: Any, offset: Any, trials: Any,
                          na_action: str) -> Problem:
    """The formula door for Dask DataFrames (:mod:`glmkit.intake.dask_formula`)."""
    from .design.dask import DaskDesign
    from .intake.dask_formula import dask_formula

    enc = dask_formula(formula, data, fam, weights=weights, offset=offset, trials=trials, na_action=na_action)
    design = DaskDesign(enc.X, intercept=False)
    align = design.align
    tr = None if enc.trials is None else align(enc.trials)
    return Problem(design, align(enc.y), align(enc.weights), align(enc.offset), fam, enc.column_names,
                   enc.intercept_index, tr, enc.spec, formula, pd.RangeIndex(design.shape[0]), enc.n_dropped, data)
