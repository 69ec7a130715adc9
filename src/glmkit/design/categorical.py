"""Categorical design: one factor stored as integer codes, never one-hot.

Column j is the indicator of level ``levels[j]``. Xβ is a gather (β[code]), Xᵀv a
bincount, and XᵀWX is diagonal: the per-level sums of w. Cross products with other
blocks are grouped sums over the rows of each level (see ``mixed``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ._base import DesignBase

__all__ = ["CategoricalDesign"]

Array = NDArray[np.floating]


class CategoricalDesign(DesignBase):
    """Indicator columns of a factor, from its integer codes.

    Parameters
    ----------
    codes : ndarray of int, shape (n_samples,)
        Level of each row, 0 … n_levels − 1.
    n_levels : int
    columns : ndarray of int, optional
        Which levels get a column (default all; drop level 0 for treatment coding next to
        an intercept).

    Examples
    --------
    >>> d = CategoricalDesign(np.array([0, 1, 2, 1]), 3, columns=np.array([1, 2]))
    >>> d.matvec(np.array([10.0, 20.0]))
    array([ 0., 10., 20., 10.])
    >>> d.rmatvec(np.ones(4))
    array([2., 1.])
    """

    def __init__(self, codes: NDArray[np.integer], n_levels: int, columns: NDArray[np.intp] | None = None) -> None:
        codes = np.asarray(codes)
        if codes.ndim != 1 or codes.dtype.kind not in "iu":
            raise InputError("codes must be a one-dimensional integer array.")
        if codes.size and (codes.min() < 0 or codes.max() >= n_levels):
            raise InputError(f"codes must lie in [0, {n_levels}); got [{codes.min()}, {codes.max()}].")
        self.codes = codes.astype(np.intp, copy=False)
        self.n_levels = int(n_levels)
        self.columns = np.arange(n_levels, dtype=np.intp) if columns is None else np.asarray(columns, dtype=np.intp)
        # column index of each level, or -1 when the level has no column (the baseline)
        self.column_of_level = np.full(self.n_levels, -1, dtype=np.intp)
        self.column_of_level[self.columns] = np.arange(self.columns.size)
        self.row_column = self.column_of_level[self.codes]

    @property
    def shape(self) -> tuple[int, int]:
        return self.codes.shape[0], int(self.columns.size)

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64)

    @property
    def binary(self) -> bool:
        """Indicator columns: Σ w x² = Xᵀw."""
        return True

    def matvec(self, coef: Array) -> Array:
        extended = np.append(np.asarray(coef, dtype=np.float64), 0.0)  # index −1 reads the 0
        return extended[self.row_column]

    def rmatvec(self, v: Array) -> Array:
        sums = np.bincount(self.codes, weights=np.asarray(v, dtype=np.float64), minlength=self.n_levels)
        return sums[self.columns]

    def sandwich(self, weights: Array) -> Array:
        return np.diag(self.rmatvec(weights))

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array:
        """Σᵢ wᵢ xᵢⱼ² for ``columns`` (default all): the diagonal of XᵀWX, the per-level sums of w."""
        out = self.rmatvec(weights)
        return out if columns is None else out[np.asarray(columns, dtype=np.intp)]

    def take_rows(self, rows: NDArray[np.intp]) -> "CategoricalDesign":
        """The design on some rows (a copy of their codes)."""
        return CategoricalDesign(self.codes[rows], self.n_levels, self.columns)

    def select_columns(self, columns: NDArray[np.intp]) -> "CategoricalDesign":
        return CategoricalDesign(self.codes, self.n_levels, self.columns[np.asarray(columns, dtype=np.intp)])

    def toarray(self) -> Array:
        out = np.zeros(self.shape)
        rows = np.flatnonzero(self.row_column >= 0)
        out[rows, self.row_column[rows]] = 1.0
        return out

    def row_quadratic_form(self, matrix: Array) -> Array:
        diag = np.append(np.diag(np.asarray(matrix, dtype=np.float64)), 0.0)
        return diag[self.row_column]

    def __repr__(self) -> str:
        return f"CategoricalDesign(n_samples={self.codes.size}, n_levels={self.n_levels}, columns={self.columns.size})"
