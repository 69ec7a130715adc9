"""The array door's checks of X: shape, dtype, finiteness; DataFrames with factors kept as codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..design import DenseDesign, Design, SparseDesign
from ..design._base import is_sparse
from ..errors import InputError
from .checks import DefaultNames, check_finite, check_length
from .frames import as_frame, is_factor
from .specs import ArraySpec, FrameSpec, numeric_block
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["ArrayColumns", "array_columns"]


@dataclass(frozen=True, eq=False)
class ArrayColumns:
    """X checked and wrapped as a design, with its column names and encoding spec."""

    design: Design
    names: Any  # list of str, or DefaultNames for unnamed columns
    spec: ArraySpec | FrameSpec


def array_columns(X: Any, *, intercept: bool, feature_names: Any = None, all_levels: bool = False) -> ArrayColumns:
    """Check X of the array interface and wrap it as a design (no copy of float data).

    Parameters
    ----------
    X : ndarray, DataFrame or scipy.sparse matrix of shape (n_samples, n_columns)
        A DataFrame of any kind (pandas, polars eager or lazy, pyarrow, …): categorical,
        Enum, dictionary and string columns are factors kept as integer codes; numeric and
        boolean columns are read straight into a column-major float array.
    intercept : bool
        Prepend an implicit intercept column named ``"Intercept"``.
    feature_names : list of str, optional
        Defaults to the DataFrame's columns, else ``x1 … xp`` (made on first read).
    all_levels : bool, default False
        Factors get a column per level (penalised fits) instead of treatment coding.

    Examples
    --------
    >>> import numpy as np
    >>> cols = array_columns(np.ones((4, 2)), intercept=True)
    >>> cols.design.shape, list(cols.names)
    ((4, 3), ['Intercept', 'x1', 'x2'])
    """
    frame = None if isinstance(X, np.ndarray) or is_sparse(X) else as_frame(X)
    if frame is not None:
        if feature_names is None:
            feature_names = list(frame.columns)
        if any(is_factor(frame, c) for c in frame.columns):
            spec = FrameSpec.from_frame(frame, intercept, all_levels=all_levels)
            return ArrayColumns(spec.design(frame), spec.names(), spec)
        native = frame.to_native()
        plain = isinstance(native, pd.DataFrame) and len(set(native.dtypes)) == 1 and native.dtypes.iloc[0].kind in "fiu"
        X = native.to_numpy() if plain else numeric_block(frame)  # one numpy dtype: pandas gives a view
    X = _checked_sparse(X) if is_sparse(X) else _checked_dense(X)
    if X.shape[0] == 0:
        raise InputError("X has no rows: there is nothing to fit.")
    p = X.shape[1]
    if feature_names is None:  # x1, x2, … made when first read (a wide fit never needs them)
        names: Any = DefaultNames(p, intercept=intercept)
    else:
        names = list(feature_names)
        check_length(names, "feature_names", p)
        names = (["Intercept"] if intercept else []) + names
    design = SparseDesign(X, intercept=intercept) if is_sparse(X) else DenseDesign(X, intercept=intercept)
    return ArrayColumns(design, names, ArraySpec(p, intercept))


def _checked_sparse(X: Any) -> Any:
    X = X.tocsr() if X.format not in ("csr", "csc") else X
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    check_finite(X.data, "X")
    return X


def _checked_dense(X: Any) -> np.ndarray:
    try:
        X = np.asarray(X)
    except ValueError:  # numpy refuses rows of different lengths
        lengths = sorted({len(row) for row in X}) if isinstance(X, (list, tuple)) else []
        raise InputError(f"X has rows of different lengths {lengths[:5]}; every row needs one value per "
                         "column. Pad or fix the rows, or pass a 2-D array or a DataFrame.") from None
    if X.dtype == object and isinstance(X, np.ndarray) and X.ndim == 1 and X.size and np.ndim(X[0]) > 0:
        raise InputError("X has rows of different lengths; every row needs one value per column.")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise InputError(f"X must be two-dimensional (n_samples, n_columns); got shape {X.shape}.")
    if X.dtype.kind not in "fiub":
        raise InputError(f"X must be numeric; got dtype {X.dtype}.")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    check_finite(X, "X")
    return X
