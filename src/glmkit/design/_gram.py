"""The blocked weighted Gram XᵀHX: the one implementation every dense pass uses.

Design note
-----------
XᵀHX over n rows is memory-bound: X is read once, block by block. Each block of rows is
scaled by √h into one reused, cache-sized buffer (gathering a subset of the columns on the
way when asked) and added with a symmetric rank-k update (numpy calls BLAS syrk for
``B.T @ B`` on one buffer), so no N×p temporary is ever made. The intercept is never a column: its row (Xᵀh) and
corner (Σh) are summed apart. A block with a negative weight (an observed Hessian far from
the optimum) is added as Xᵀ(hX) and symmetrised at the end.

Used by :class:`~glmkit.design.DenseDesign` for ``sandwich``, its one-pass evaluations and
its column subsets, and by the mixed design's dense blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["GramAccumulator", "gram_block_rows"]

Array = NDArray[np.floating]


def gram_block_rows(k: int, itemsize: int, block_bytes: int) -> int:
    """Rows per block so that a block of k columns takes about ``block_bytes`` (at least 64)."""
    return max(64, block_bytes // max(1, k * itemsize))


class GramAccumulator:
    """XᵀHX summed over blocks of rows, with the intercept's row and corner kept apart.

    Parameters
    ----------
    n_features : int
        Columns of the rows passed to :meth:`add` (no intercept column).
    dtype : numpy dtype
        The rows' dtype (float32 sums stay float32, as the data).
    intercept : bool
        Also sum Σh and Xᵀh: :meth:`result` is then (k + 1) × (k + 1), the intercept first.
    block_rows : int
        Rows scaled and added per BLAS call.
    columns : ndarray of int, optional
        Gather these columns of the rows (sorted); default all.
    """

    def __init__(self, n_features: int, dtype: np.dtype, intercept: bool, block_rows: int,
                 columns: NDArray[np.intp] | None = None) -> None:
        self.columns = columns
        k = n_features if columns is None else int(columns.size)
        self.block = int(block_rows)
        self.buf = np.empty((self.block, k), dtype=dtype)
        self.gram = np.zeros((k, k), dtype=dtype)
        self.signed = False  # a block with negative weights was added as Xᵀ(hX)
        self.xh = np.zeros(k) if intercept else None  # Xᵀh, the intercept's row
        self.h_sum = 0.0

    def add(self, x_rows: Array, h: Array) -> None:
        """Add the rows ``x_rows`` (m × n_features) with weights ``h`` (m,)."""
        self.h_sum += float(np.sum(h, dtype=np.float64))
        k = self.buf.shape[1]
        if k == 0:
            return
        h = np.asarray(h, dtype=self.buf.dtype)
        nonnegative = bool(np.all(h >= 0))
        scale = np.sqrt(h) if nonnegative else h
        m, block, cols = x_rows.shape[0], self.block, self.columns
        for start in range(0, m, block):
            stop = min(start + block, m)
            rows = self.buf[: stop - start]
            s = scale[start:stop]
            if cols is None:
                np.multiply(x_rows[start:stop], s[:, None], out=rows)
            else:
                np.take(x_rows[start:stop], cols, axis=1, out=rows)
                rows *= s[:, None]
            if nonnegative:
                self.gram += rows.T @ rows
                if self.xh is not None:
                    self.xh += s @ rows
            else:
                x = x_rows[start:stop] if cols is None else x_rows[start:stop][:, cols]
                self.gram += x.T @ rows
                self.signed = True
                if self.xh is not None:
                    self.xh += rows.sum(axis=0)

    def result(self) -> Array:
        """XᵀHX in float64 (the intercept first when asked for), exactly symmetric."""
        gram = self.gram.astype(np.float64)
        if self.signed:
            gram = 0.5 * (gram + gram.T)
        if self.xh is None:
            return gram
        k = gram.shape[0]
        full = np.empty((k + 1, k + 1))
        full[0, 0] = self.h_sum
        full[0, 1:] = self.xh
        full[1:, 0] = self.xh
        full[1:, 1:] = gram
        return full
