"""What prediction does with factor levels the fit never saw: refuse them, or predict NaN.

A model has no coefficient for a level absent from its training data, so a row holding one
has no prediction. ``unseen="error"`` (the default) refuses such rows with an
:class:`~glmkit.errors.UnseenLevelError` naming the levels; ``unseen="nan"`` predicts the
other rows and gives those rows NaN.

The rows are found with the encoder itself (every data specification refuses an unseen level
the same way), by bisection over row blocks: k bad rows among n cost O(k log n) encodings of
small blocks, nothing when there is none, and no knowledge of how a specification stores
its levels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError, UnseenLevelError
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")

__all__ = ["UNSEEN_POLICIES", "check_unseen", "encode_with_policy", "scatter_rows"]

UNSEEN_POLICIES = ("error", "nan")


def check_unseen(unseen: Any) -> str:
    """The policy, checked: ``"error"`` or ``"nan"``.

    Examples
    --------
    >>> check_unseen("nan")
    'nan'
    """
    if not isinstance(unseen, str) or unseen not in UNSEEN_POLICIES:
        raise UnknownNameError(f"Unknown unseen-level policy {unseen!r}; valid: 'error' (refuse rows with a level "
                               "not seen when fitting) or 'nan' (predict NaN for those rows).")
    return unseen


def encode_with_policy(spec: Any, newdata: Any, offset: Any, unseen: str) -> tuple[Any, NDArray[np.floating], Any,
                                                                                  NDArray[np.intp] | None]:
    """(design, offset, row index, kept rows) for new data under the unseen-level policy.

    ``kept`` is None when every row was encoded; otherwise the positions of the encoded rows
    among all rows of ``newdata`` (the design and offset hold only those rows, the index
    all of them): :func:`scatter_rows` puts results back with NaN elsewhere.

    Examples
    --------
    >>> fit = gk.glm("y ~ g", pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": list("abab")}))
    >>> design, off, index, kept = encode_with_policy(fit.data_spec, pd.DataFrame({"g": ["a", "c"]}), None, "nan")
    >>> design.shape, kept.tolist()
    ((1, 2), [0])
    """
    if check_unseen(unseen) == "error":
        return (*spec.encode(newdata, offset), None)
    try:
        return (*spec.encode(newdata, offset), None)
    except UnseenLevelError:
        pass
    table, n = _rows_of(newdata)
    offsets = None if offset is None or isinstance(offset, str) else np.asarray(offset, dtype=float)
    bad = _bad_rows(spec, table, offsets, offset, np.arange(n))
    kept = np.setdiff1d(np.arange(n), bad)
    index = table.index if isinstance(table, pd.DataFrame) else pd.RangeIndex(n)
    if kept.size == 0:
        return None, np.zeros(0), index, kept
    design, off, _ = spec.encode(_take(table, kept), offsets[kept] if offsets is not None else offset)
    return design, off, index, kept


def scatter_rows(values: NDArray[np.floating], kept: NDArray[np.intp] | None, n: int) -> NDArray[np.floating]:
    """``values`` of the kept rows placed among ``n`` rows, NaN elsewhere (as is when all were kept).

    Examples
    --------
    >>> scatter_rows(np.array([1.0, 2.0]), np.array([0, 2]), 3).tolist()
    [1.0, nan, 2.0]
    """
    if kept is None:
        return values
    out = np.full(n, np.nan)
    out[kept] = values
    return out


def _rows_of(newdata: Any) -> tuple[Any, int]:
    """A row-sliceable table (pandas, or the DataFrame's own kind) and its number of rows."""
    if isinstance(newdata, dict):
        newdata = pd.DataFrame(newdata)
    if isinstance(newdata, pd.DataFrame):
        return newdata, len(newdata)
    from .frames import as_frame

    frame = as_frame(newdata)
    if frame is None:
        raise InputError("unseen='nan' needs new data as a DataFrame (rows with unseen levels are dropped from it).")
    return frame.to_pandas(), len(frame)


def _take(table: Any, rows: NDArray[np.intp]) -> Any:
    return table.iloc[rows]


def _bad_rows(spec: Any, table: Any, offsets: Any, offset: Any, rows: NDArray[np.intp]) -> list[int]:
    """Rows (among ``rows``) whose encoding raises UnseenLevelError, found by bisection."""
    try:
        spec.encode(_take(table, rows), offsets[rows] if offsets is not None else offset)
        return []
    except UnseenLevelError:
        if rows.size == 1:
            return [int(rows[0])]
    half = rows.size // 2
    return (_bad_rows(spec, table, offsets, offset, rows[:half])
            + _bad_rows(spec, table, offsets, offset, rows[half:]))
