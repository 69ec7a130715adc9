"""Sparse design: a scipy.sparse matrix (CSR or CSC), with an optional implicit intercept."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._base import ColumnProducts, DesignBase

__all__ = ["ColumnProducts", "SparseDesign"]

Array = NDArray[np.floating]


class SparseDesign(DesignBase):
    """A sparse design matrix; XᵀWX is formed sparsely and returned dense (p × p).

    Parameters
    ----------
    X : scipy.sparse matrix or array of shape (n_samples, n_features)
    intercept : bool, default False

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> design = SparseDesign(sp.csr_matrix(np.eye(3)), intercept=True)
    >>> design.shape, design.rmatvec(np.ones(3))
    ((3, 4), array([3., 1., 1., 1.]))
    """

    def __init__(self, X, intercept: bool = False) -> None:  # type: ignore[no-untyped-def]
        import scipy.sparse as sp  # loaded with the first sparse design, not with glmkit

        X = sp.csr_matrix(X) if not sp.issparse(X) or X.format not in ("csr", "csc") else X
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        self.X = X
        self.intercept = bool(intercept)
        self._squared = None  # X with squared entries (column norms), made on first use
        self._binary: bool | None = None  # all stored entries 1, found on first use
        self._single_products: ColumnProducts | None = None  # float32 products, made on first use

    @property
    def binary(self) -> bool:
        """Every stored entry is 1 (indicator columns): then Σ w x² = Xᵀw."""
        if self._binary is None:
            data = self.X.data  # min and max: two reductions, no temporary of nnz values
            self._binary = bool(data.size == 0 or (data.min() == 1 and data.max() == 1))
        return self._binary

    @property
    def shape(self) -> tuple[int, int]:
        n, p = self.X.shape
        return n, p + int(self.intercept)

    @property
    def dtype(self) -> np.dtype:
        return self.X.dtype

    def matvec(self, coef: Array) -> Array:
        coef = np.asarray(coef, dtype=np.float64)
        if self.intercept:
            return np.asarray(self.X @ coef[1:], dtype=np.float64) + coef[0]
        return np.asarray(self.X @ coef, dtype=np.float64)

    def rmatvec(self, v: Array) -> Array:
        v = np.asarray(v, dtype=np.float64)
        out = np.asarray(self.X.T @ v, dtype=np.float64)
        if self.intercept:
            out = np.concatenate(([v.sum()], out))
        return out

    def column_products(self, single: bool = False) -> ColumnProducts:
        """(v ↦ X̃v, (h, u) ↦ X̃ᵀ(h·u), exact) over the explicit columns X̃ (no implicit
        intercept), for Hessian-vector products X̃ᵀ(h·X̃v) applied many times (conjugate
        gradients).

        With ``single`` on an indicator (0/1) design both products run in float32 on a
        float32 copy of the entries (exact: they are 1) that shares X's index arrays: about a
        third faster, at float32 rounding (relative 1e-7; no cancellation from X, as X ≥ 0).
        X̃v then comes back as float32 and ``exact`` is False: X·step accumulated from these
        products is only float32-accurate, so a solver must recompute η in float64 before it
        trusts it. Meant for the inner products of an inexact Newton method, never for
        gradients; ignored (float64, ``exact`` True) on other designs. The float32 products
        are made once per design and keep h's float32 copy between calls with the same h
        object: h must not be changed in place between them.
        """
        X = self.X
        XT = X.T
        if not (single and self.binary and X.dtype == np.float64):
            def mv(v: Array) -> Array:
                return np.asarray(X @ v, dtype=np.float64)

            def wrmv(h: Array, u: Array) -> Array:
                return np.asarray(XT @ (h * u), dtype=np.float64)

            return ColumnProducts(mv, wrmv, True)

        made = self._single_products
        if made is not None:  # one set per design: its buffers are written once, then reused
            return made
        import scipy.sparse as sp

        kind = sp.csr_matrix if X.format == "csr" else sp.csc_matrix
        low = kind((np.ones(X.nnz, dtype=np.float32), X.indices, X.indptr), shape=X.shape, copy=False)
        lowT = low.T
        buf = np.empty(X.shape[0], dtype=np.float32)
        h_single: list = [None, None]  # the last h and its float32 copy

        def mv_single(v: Array) -> Array:
            with np.errstate(over="ignore", invalid="ignore"):
                out = low @ np.asarray(v, dtype=np.float32)
                # a finite sum proves every entry finite (an overflowing sum only costs float64)
                finite = np.isfinite(out.sum())
            if not finite:  # beyond float32's range: float64 instead
                out = np.asarray(X @ v, dtype=np.float64)
            return out

        def wrmv_single(h: Array, u: Array | float) -> Array:
            with np.errstate(over="ignore", under="ignore"):
                if h_single[0] is not h:
                    h_single[0], h_single[1] = h, np.asarray(h, dtype=np.float32)
                np.multiply(h_single[1], u, out=buf, casting="same_kind")
            out = np.asarray(lowT @ buf, dtype=np.float64)
            if not np.all(np.isfinite(out)):  # beyond float32's range: float64 instead
                out = np.asarray(XT @ (h * u), dtype=np.float64)
            return out

        made = self._single_products = ColumnProducts(mv_single, wrmv_single, False)
        return made

    def sandwich(self, weights: Array) -> Array:
        w = np.asarray(weights, dtype=np.float64)
        xw = self.X.multiply(w[:, None]).tocsc() if self.X.format == "csr" else self.X.multiply(w[:, None])
        gram = (self.X.T @ xw).toarray().astype(np.float64)
        if not self.intercept:
            return gram
        p = gram.shape[0]
        col = np.asarray(self.X.T @ w, dtype=np.float64)
        full = np.empty((p + 1, p + 1))
        full[0, 0] = w.sum()
        full[0, 1:] = col
        full[1:, 0] = col
        full[1:, 1:] = gram
        return full

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array:
        """Σᵢ wᵢ xᵢⱼ² for ``columns`` (default all; the diagonal of XᵀWX), one sparse pass,
        no format change."""
        out = self._column_norms(np.asarray(weights, dtype=np.float64))
        return out if columns is None else out[np.asarray(columns, dtype=np.intp)]

    def _column_norms(self, w: Array) -> Array:
        if self.binary:
            return self.rmatvec(w)
        if self._squared is None:
            sq = self.X.copy()
            sq.data = sq.data.astype(np.float64) ** 2
            self._squared = sq
        out = np.asarray(self._squared.T @ w, dtype=np.float64)
        return np.concatenate(([w.sum()], out)) if self.intercept else out

    def take_rows(self, rows: NDArray[np.intp]) -> "SparseDesign":
        """The design on some rows (a CSR copy of them)."""
        return SparseDesign(self.X.tocsr()[rows], intercept=self.intercept)

    def select_columns(self, columns: NDArray[np.intp]) -> "SparseDesign":
        columns = np.asarray(columns, dtype=np.intp)
        X = self.X.tocsc() if self.X.format == "csr" else self.X
        if self.intercept:
            return SparseDesign(X[:, columns[columns > 0] - 1].tocsr(), intercept=bool(np.any(columns == 0)))
        return SparseDesign(X[:, columns].tocsr(), intercept=False)

    def toarray(self) -> Array:
        dense = self.X.toarray()
        if self.intercept:
            dense = np.column_stack([np.ones(dense.shape[0]), dense])
        return dense

    def row_quadratic_form(self, matrix: Array) -> Array:
        matrix = np.asarray(matrix, dtype=np.float64)
        if self.intercept:
            a, b, c = matrix[0, 0], matrix[0, 1:], matrix[1:, 1:]
            xc = np.asarray(self.X @ c)
            xb = np.asarray(self.X @ b)
            return a + 2.0 * xb + np.asarray(self.X.multiply(xc).sum(axis=1)).ravel()
        xm = np.asarray(self.X @ matrix)
        return np.asarray(self.X.multiply(xm).sum(axis=1)).ravel()

    def __repr__(self) -> str:
        return f"SparseDesign(shape={self.shape}, nnz={self.X.nnz}, intercept={self.intercept})"
