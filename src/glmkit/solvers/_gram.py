"""Gram-matrix pieces over a subset of columns: XᵀWX on a working set, Σ w x² per column.

Dense designs gather the columns block by block (no N×k copy of X); every other design goes
through the protocol (``select_columns(idx).sandwich``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import blas

from ._base import Array

__all__ = ["sandwich_columns", "sums_and_column_norms", "weighted_column_norms"]

_BLOCK_BYTES = 1 << 20


def sandwich_columns(design: Any, weights: Array, idx: NDArray[np.intp]) -> Array:
    """XᵀWX restricted to the columns ``idx`` (sorted), shape (k, k).

    Dense designs gather the columns block by block (no N×k copy); other designs go
    through ``select_columns(idx).sandwich``.
    """
    p = design.shape[1]
    if idx.size == p:
        return design.sandwich(weights)
    from ..design import DenseDesign

    if not isinstance(design, DenseDesign):
        return design.select_columns(idx).sandwich(weights)
    X = design.X
    icpt = int(design.intercept)
    has0 = bool(icpt and idx.size and idx[0] == 0)
    cols = idx[idx >= icpt] - icpt
    k = cols.size
    n = X.shape[0]
    w = np.asarray(weights, dtype=X.dtype)
    sqrt_w = np.sqrt(w)
    gram = np.zeros((k, k), dtype=X.dtype, order="F")
    cross = np.zeros(k)
    if k:
        block = max(64, _BLOCK_BYTES // max(1, k * X.itemsize))
        buf = np.empty((min(block, n), k), dtype=X.dtype)
        syrk = blas.dsyrk if X.dtype == np.float64 else blas.ssyrk
        for start in range(0, n, block):
            stop = min(start + block, n)
            rows = buf[: stop - start]
            np.take(X[start:stop], cols, axis=1, out=rows)
            rows *= sqrt_w[start:stop, None]
            gram = syrk(1.0, rows.T, beta=1.0, c=gram, trans=0, lower=0, overwrite_c=1)
            if has0:
                cross += rows.T @ sqrt_w[start:stop]
        gram = np.triu(gram) + np.triu(gram, 1).T
    gram = gram.astype(np.float64, copy=False)
    if not has0:
        return gram
    full = np.empty((k + 1, k + 1))
    full[0, 0] = float(np.sum(weights))
    full[0, 1:] = cross
    full[1:, 0] = cross
    full[1:, 1:] = gram
    return full


def weighted_column_norms(design: Any, weights: Array, idx: NDArray[np.intp]) -> Array:
    """Σᵢ wᵢ xᵢⱼ² for the columns ``idx``, shape (k,)."""
    from ..design import DenseDesign, SparseDesign

    w = np.asarray(weights, dtype=np.float64)
    if hasattr(design, "weighted_column_norms"):  # sparse, categorical, mixed: one pass, no Gram
        return np.asarray(design.weighted_column_norms(w), dtype=np.float64)[idx]
    if isinstance(design, (DenseDesign, SparseDesign)):
        icpt = int(design.intercept)
        out = np.empty(idx.size)
        is0 = idx < icpt
        out[is0] = w.sum()
        cols = idx[~is0] - icpt
        if cols.size:
            if isinstance(design, DenseDesign):
                Xc = design.X[:, cols].astype(np.float64, copy=False)
                out[~is0] = np.einsum("ij,ij,i->j", Xc, Xc, w)
            else:
                Xc = design.X.tocsc()[:, cols]
                out[~is0] = np.asarray(Xc.multiply(Xc).T @ w).ravel()
        return out
    return np.diag(design.select_columns(idx).sandwich(w)).copy()


def sums_and_column_norms(design: Any, weights: Array) -> tuple[Array, Array]:
    """(Xᵀw, Σᵢ wᵢ xᵢⱼ²) over all columns; one pass for indicator (0/1) sparse designs."""
    sums = np.asarray(design.rmatvec(weights), dtype=np.float64)
    if getattr(design, "binary", False):
        norms = sums.copy()
    else:
        norms = weighted_column_norms(design, weights, np.arange(design.shape[1]))
    return sums, norms
