"""The validated data of a penalised fit, shared by single fits, paths and CV folds.

Inputs are checked exactly as :func:`glmkit.glm_fit` and :func:`glmkit.glm` check them
(same helpers); the data are held once, by reference, and a fold is a row subset.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from ._validation import DefaultNames
from .design import DenseDesign, SparseDesign
from .families import Family
from .loss import GLMLoss
from .objective import Objective

__all__ = ["PenalizedProblem", "problem_from_arrays", "problem_from_formula"]

Array = NDArray[np.floating]


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
    frame_spec: Any = None

    @cached_property
    def design(self) -> Any:
        if self.frame_spec is not None:  # a DataFrame with categorical columns: factors as codes
            return self.frame_spec.design(self.X)
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
        index = np.arange(self.n_coef, dtype=np.intp)
        return index if self.intercept_index is None else np.delete(index, self.intercept_index)

    @property
    def feature_names(self) -> list[str]:
        if isinstance(self.names, DefaultNames):  # array input: the intercept (if any) comes first
            return self.names.without_intercept()  # type: ignore[return-value]
        if self.intercept_index is None:
            return list(self.names)
        return self.names[:self.intercept_index] + self.names[self.intercept_index + 1:]

    @cached_property
    def sum_weights(self) -> float:
        return float(np.sum(self.weights))

    def objective(self) -> Objective:
        return Objective(GLMLoss(self.family), self.design, self.y, self.weights, self.offset)

    def subset(self, rows: NDArray[np.intp]) -> "PenalizedProblem":
        """The problem on some rows (cross-validation folds)."""
        if isinstance(self.X, pd.DataFrame):
            X = self.X.iloc[rows]
        else:
            X = self.X[rows] if not sp.issparse(self.X) else self.X.tocsr()[rows]
        return replace(
            self, X=X, y=self.y[rows], weights=self.weights[rows], offset=self.offset[rows],
            trials=None if self.trials is None else self.trials[rows],
            index=self.index[rows] if len(self.index) == self.n_samples else pd.RangeIndex(len(rows)),
        )


def problem_from_arrays(
    X: Any, y: ArrayLike, family: str | Family = "gaussian", *, link: Any = None, intercept: bool = True,
    weights: ArrayLike | None = None, offset: ArrayLike | None = None, trials: ArrayLike | None = None,
    feature_names: list[str] | None = None, all_levels: bool = True,
) -> PenalizedProblem:
    """Validate arrays as :func:`glmkit.glm_fit` does and hold them as a problem.

    ``all_levels``: categorical columns of a DataFrame get one column per level (the default,
    for penalised fits), or treatment coding as in unpenalised fits (``False``; used when
    nothing is penalised, e.g. bounds only, where all levels next to an intercept would be
    aliased).
    """
    from ._validation import DefaultNames, check_length
    from .api import ArraySpec, _resolve_family, validate_arrays

    fam = _resolve_family(family, link)
    X, frame_spec, feature_names, yv, w, off, tr = validate_arrays(
        X, y, fam, intercept=intercept, weights=weights, offset=offset, trials=trials, feature_names=feature_names)
    n = X.shape[0]
    offset_required = offset is not None and bool(np.any(off != 0))
    if frame_spec is not None:
        frame_spec = replace(frame_spec, offset_required=offset_required)
        if all_levels:
            frame_spec = replace(frame_spec, all_levels=True)
        names = frame_spec.names()
        return PenalizedProblem(X, yv, w, off, fam, bool(intercept), 0 if intercept else None, names, tr,
                                frame_spec, None, pd.RangeIndex(n), frame_spec)
    p = X.shape[1]
    if feature_names is None:  # x1, x2, … made when first read (a wide fit never needs them)
        names: Any = DefaultNames(p, intercept=bool(intercept))
    else:
        names = list(feature_names)
        check_length(names, "feature_names", p)
        if intercept:
            names = ["Intercept"] + names
    spec = ArraySpec(n_columns=p, intercept=intercept, sparse=sp.issparse(X), offset_required=offset_required)
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


