"""Encoding specs: how the training data became a design, so that new data is encoded alike.

Every door into a fit leaves one: :class:`ArraySpec` for arrays, :class:`FrameSpec` for a
DataFrame with categorical columns given as X, and :class:`~glmkit.intake.formula.FormulaSpec`
for a formula. Each has ``encode(newdata, offset) -> (design, offset, index)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray

from ..design import CategoricalDesign, DenseDesign, Design, MixedDesign, as_design
from ..design._base import is_sparse
from ..errors import InputError
from .checks import as_vector, check_finite
from .frames import as_frame, factor_codes, factor_levels, is_factor, numeric_column
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["ArraySpec", "DataSpec", "FrameSpec", "is_categorical", "numeric_block"]

Array = NDArray[np.floating]


class DataSpec(Protocol):
    """Re-encodes new data exactly as the training data was encoded.

    Attributes
    ----------
    rhs_spec : formulaic ModelSpec or None
        The formula's right-hand side (its terms: anova, drop1, add1), or None where every
        design column is a term of its own (arrays).
    """

    rhs_spec: Any

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Design, Array, pd.Index]:
        """(design, offset, row index) for new rows."""
        ...


def is_categorical(col: pd.Series) -> bool:
    """A column glmkit encodes as a factor: categorical, object or string dtype."""
    return isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col)


def _new_offset(offset: Any, n: int, required: bool) -> Array:
    if offset is None:
        if required:
            raise InputError("The model was fitted with an offset; pass offset= for the new rows.")
        return np.zeros(n)
    return as_vector(offset, "offset", n)


@dataclass(frozen=True)
class ArraySpec:
    """Encodes new arrays like the training arrays: same columns, same implicit intercept.

    Examples
    --------
    >>> import numpy as np
    >>> design, offset, index = ArraySpec(2, intercept=True).encode(np.ones((3, 2)))
    >>> design.shape
    (3, 3)
    """

    n_columns: int  # columns of X (the implicit intercept not counted)
    intercept: bool
    offset_required: bool = False
    rhs_spec: ClassVar[Any] = None  # no formula: every column is a term

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Design, Array, pd.Index]:
        """(design, offset, row index) for new rows (an array or a numeric DataFrame of any kind)."""
        index = newdata.index if isinstance(newdata, pd.DataFrame) else None
        frame = None if isinstance(newdata, (np.ndarray, pd.DataFrame)) or is_sparse(newdata) else as_frame(newdata)
        X = newdata if is_sparse(newdata) else (numeric_block(frame) if frame is not None else np.asarray(
            newdata.to_numpy() if isinstance(newdata, (pd.DataFrame, pd.Series)) else newdata, dtype=float))
        if X.ndim == 1:
            X = X.reshape(1, -1)
        if X.shape[1] != self.n_columns:
            raise InputError(f"New data has {X.shape[1]} columns; the model was fitted on {self.n_columns}.")
        n = X.shape[0]
        off = _new_offset(offset, n, self.offset_required)
        return as_design(X, intercept=self.intercept), off, (index if index is not None else pd.RangeIndex(n))


@dataclass(frozen=True)
class FrameSpec:
    """Encodes a DataFrame with categorical columns as a mixed design (factors as codes).

    Numeric columns form one dense block; each categorical column a
    :class:`~glmkit.design.CategoricalDesign` with treatment coding (first level dropped
    next to an intercept; without one, the first factor keeps all its levels, as in R), or
    with every level when ``all_levels`` (penalised fits, as glum and glmnet on a full
    one-hot encoding: the penalty identifies the model and treats the levels alike).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"x": [1.0, 2.0, 3.0], "g": ["a", "b", "a"]})
    >>> FrameSpec.from_frame(frame, intercept=True).names()
    ['Intercept', 'x', 'g[T.b]']
    """

    columns: tuple[str, ...]
    categories: tuple[tuple[str, tuple], ...]  # (column, levels) for categorical columns
    intercept: bool
    offset_required: bool = False
    all_levels: bool = False
    rhs_spec: ClassVar[Any] = None  # no formula: every design column is a term

    @classmethod
    def from_frame(cls, frame: Any, intercept: bool, all_levels: bool = False) -> "FrameSpec":
        """The spec of a DataFrame of any kind (see :mod:`glmkit.intake.frames` for the factor rules)."""
        frame = as_frame(frame)
        cats = tuple((c, factor_levels(frame[c])) for c in frame.columns if is_factor(frame, c))
        return cls(tuple(frame.columns), cats, intercept, all_levels=all_levels)

    def _dropped_first(self, k: int) -> bool:
        return not self.all_levels and (self.intercept or k > 0)

    def names(self) -> list[str]:
        """Column names of the design, intercept first."""
        cat_levels = dict(self.categories)
        names = ["Intercept"] if self.intercept else []
        names += [c for c in self.columns if c not in cat_levels]
        for k, (c, levels) in enumerate(self.categories):
            start = 1 if self._dropped_first(k) else 0
            names += [f"{c}[T.{lv}]" if start else f"{c}[{lv}]" for lv in levels[start:]]
        return names

    def design(self, frame: Any) -> MixedDesign:
        """The mixed design of ``frame`` (numeric block + one factor block per categorical column)."""
        frame = as_frame(frame)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise InputError(
                f"The data lacks the columns {missing} the model was fitted on; columns: "
                f"{', '.join(frame.columns[:30])}. Pass a frame with every column used in fitting."
            )
        cat_levels = dict(self.categories)
        numeric = [c for c in self.columns if c not in cat_levels]
        blocks: list = []
        if numeric:
            blocks.append(DenseDesign(numeric_block(frame, numeric)))
        for k, (c, levels) in enumerate(self.categories):
            codes = factor_codes(frame[c], c, levels)
            columns = np.arange(1 if self._dropped_first(k) else 0, len(levels))
            blocks.append(CategoricalDesign(codes, len(levels), columns=columns))
        return MixedDesign(blocks, intercept=self.intercept)

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Design, Array, pd.Index]:
        """(design, offset, row index) for new rows (a DataFrame of any kind)."""
        frame = None if isinstance(newdata, np.ndarray) else as_frame(newdata)
        if frame is None:
            raise InputError("The model was fitted on a DataFrame; pass new data as a DataFrame with the same columns.")
        off = _new_offset(offset, len(frame), self.offset_required)
        native = frame.to_native()
        index = native.index if isinstance(native, pd.DataFrame) else pd.RangeIndex(len(frame))
        return self.design(frame), off, index


def numeric_block(frame: Any, columns: Any = None) -> Array:
    """Numeric columns of a DataFrame of any kind, read one by one into a column-major float64 array.

    (pandas' ``to_numpy`` on a mixed-dtype frame goes through a row-major consolidation ~5×
    slower; polars and pyarrow columns are read without a pandas detour.) A column with a
    missing or infinite value, or of a non-numeric dtype, is refused by name.
    """
    columns = list(frame.columns) if columns is None else columns
    values = np.empty((len(frame), len(columns)), order="F")
    for j, c in enumerate(columns):
        values[:, j] = numeric_column(frame, c)
    try:
        check_finite(values, "X")
    except InputError:
        j = next(j for j in range(len(columns)) if not np.all(np.isfinite(values[:, j])))
        bad = int(np.count_nonzero(~np.isfinite(values[:, j])))
        raise InputError(
            f"Column {columns[j]!r} has {bad} missing or infinite value(s); drop or impute those rows "
            "(glm_fit takes complete data; the formula interface glm() drops incomplete rows)."
        ) from None
    return values
