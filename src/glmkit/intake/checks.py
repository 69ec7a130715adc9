"""Checks at the boundary: shapes, finiteness, weights, and binomial trials.

Each error says what was wrong, the value seen, what is allowed and what to do.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import DomainError, InputError

__all__ = ["DefaultNames", "as_vector", "check_finite", "check_weights", "check_length",
           "default_feature_names", "response_weights_offset"]

Array = NDArray[np.floating]


def as_vector(values: ArrayLike, name: str, n: int | None = None) -> Array:
    """A float64 1-D copy-free view of ``values`` (a copy only when the dtype changes).

    ``values`` may be a Series of any kind (pandas, polars, pyarrow, …); nulls become NaN.
    """
    from .frames import series_values

    try:
        arr = np.asarray(series_values(values))
    except ValueError:
        raise InputError(f"{name} must be a flat sequence of numbers, one per row; got a ragged sequence.") from None
    if arr.dtype == bool:
        arr = arr.astype(np.float64)
    if arr.dtype.kind not in "fiu":
        raise InputError(
            f"{name} must be numeric; got dtype {arr.dtype}. Convert it (e.g. a 0/1 column) first."
        )
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got shape {arr.shape}.")
    arr = arr.astype(np.float64, copy=False)
    if n is not None:
        check_length(arr, name, n)
    return arr


def check_length(arr: ArrayLike, name: str, n: int) -> None:
    """Raise if ``len(arr) != n``."""
    if len(arr) != n:  # type: ignore[arg-type]
        raise InputError(
            f"{name} has {len(arr)} rows but the data has {n}; they must have the same length."  # type: ignore[arg-type]
        )


def default_feature_names(n_columns: int) -> list[str]:
    """x1, x2, …: the names of unnamed array columns (built without per-name formatting)."""
    return ["x" + s for s in map(str, range(1, n_columns + 1))]


class DefaultNames(Sequence):
    """The names of unnamed array columns, ["Intercept"] + [x1, …, xp], made on first read.

    A wide fit (tens of thousands of columns) needs only their number; the strings are
    built when a result is printed or indexed. Behaves as a read-only list of str
    (``==``, ``+`` and slices give or compare lists).
    """

    def __init__(self, n_columns: int, intercept: bool = False) -> None:
        self.n_columns = int(n_columns)
        self.intercept = bool(intercept)
        self._list: list[str] | None = None

    def _names(self) -> list[str]:
        if self._list is None:
            self._list = (["Intercept"] if self.intercept else []) + default_feature_names(self.n_columns)
        return self._list

    def without_intercept(self) -> "DefaultNames":
        return DefaultNames(self.n_columns, intercept=False)

    def __len__(self) -> int:
        return self.n_columns + int(self.intercept)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        return self._names()[index]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._names())

    def __contains__(self, name: object) -> bool:
        return name in self._names()

    def index(self, name: object, *args) -> int:  # type: ignore[no-untyped-def]
        return self._names().index(name, *args)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and not isinstance(other, str) and self._names() == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Sequence) -> list[str]:
        return self._names() + list(other)

    def __radd__(self, other: Sequence) -> list[str]:
        return list(other) + self._names()

    def __repr__(self) -> str:
        return repr(self._names())


def check_finite(arr: Array, name: str) -> None:
    """Raise if ``arr`` holds NaN or ±inf, quoting the first offending position."""
    # Fast path without an n×p temporary: a finite sum proves every element finite.
    if arr.size and arr.dtype.kind == "f" and np.isfinite(arr.sum(dtype=np.float64)):
        return
    bad = ~np.isfinite(arr)
    if np.any(bad):
        idx = np.argwhere(bad)[0]
        where = int(idx[0]) if idx.size == 1 else tuple(int(i) for i in idx)
        raise InputError(
            f"{name} contains {int(bad.sum())} NaN or infinite value(s), the first at index "
            f"{where} (value {float(arr[tuple(np.atleast_1d(idx))])!r}). Remove or impute them "
            "(the formula interface drops incomplete rows with na_action='drop')."
        )


def check_weights(weights: Array) -> None:
    """Prior weights must be finite and non-negative, with at least one positive."""
    check_finite(weights, "weights")
    if np.any(weights < 0):
        i = int(np.flatnonzero(weights < 0)[0])
        raise DomainError(
            f"weights must be non-negative; weights[{i}] = {float(weights[i])!r}. Prior weights are "
            "case weights or numbers of trials; drop the row or fix the value."
        )
    if not np.any(weights > 0):
        raise InputError("All weights are zero: there is nothing to fit.")


def response_weights_offset(y: ArrayLike, weights: ArrayLike | None, offset: ArrayLike | None,
                            n: int) -> tuple[Array, Array, Array]:
    """y, prior weights (ones when None) and offset (zeros when None) as checked float vectors of length n."""
    yv = as_vector(y, "y", n)
    check_finite(yv, "y")
    if weights is None:  # made here: nothing to check (n > 0 is the caller's check)
        w = np.ones(n)
    else:
        w = as_vector(weights, "weights", n)
        check_weights(w)
    if offset is None:
        off = np.zeros(n)
    else:
        off = as_vector(offset, "offset", n)
        check_finite(off, "offset")
    return yv, w, off
