"""Dense design: an ndarray, with an optional implicit intercept column.

The weighted Gram XᵀWX is accumulated over row blocks: each block is scaled by √w into
one reused, cache-sized buffer and added with a symmetric rank-k update (BLAS syrk, which
numpy uses for ``B.T @ B``), so
no N×p temporary is ever made. The intercept is never materialised as a column.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ._base import BlockTerms, DesignBase, StepPass
from ._gram import GramAccumulator, gram_block_rows

__all__ = ["DenseDesign"]

Array = NDArray[np.floating]

_BLOCK_BYTES = 1 << 19  # ~512 KiB of scaled rows per block: stays in L2 cache (fastest measured)
_SMALL_ELEMENTS = 1 << 17  # n·p at or below which a pass works on whole arrays (~1 MiB)
_CHUNK_BYTES = 1 << 21  # rows read per step of a pass (a few Gram blocks): stays in the last-level cache
_COLUMNS_BLOCK_BYTES = 1 << 20  # gathered rows per block of a Gram over a subset of the columns
_STEP_BLOCK_BYTES = 2 << 20  # rows per block of a line-search step pass (a few MiB)
_STEP_MIN_ROWS = 4 * 256  # rows from which a step pass pays


class DenseDesign(DesignBase):
    """A dense design matrix.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Not copied (float32 and float64 are kept; other dtypes are converted).
    intercept : bool, default False
        Prepend an implicit column of ones (never stored).

    Examples
    --------
    >>> import numpy as np
    >>> d = DenseDesign(np.arange(6.0).reshape(3, 2), intercept=True)
    >>> d.shape
    (3, 3)
    >>> d.matvec(np.array([1.0, 0.0, 1.0]))
    array([2., 4., 6.])
    """

    def __init__(self, X: Array, intercept: bool = False) -> None:
        X = np.asarray(X)
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        if X.ndim != 2:
            raise InputError(f"X must be 2-dimensional; got shape {X.shape}.")
        self.X = X
        self.intercept = bool(intercept)
        self._full: Array | None = None  # X with its intercept column, for small data only

    @property
    def shape(self) -> tuple[int, int]:
        n, p = self.X.shape
        return n, p + int(self.intercept)

    @property
    def dtype(self) -> np.dtype:
        return self.X.dtype

    def _split(self, coef: Array) -> tuple[float, Array]:
        if self.intercept:
            return float(coef[0]), coef[1:]
        return 0.0, coef

    def matvec(self, coef: Array) -> Array:
        b0, b = self._split(np.asarray(coef, dtype=self.X.dtype))
        eta = self.X @ b
        if self.intercept:
            eta = eta + b0
        return eta.astype(np.float64, copy=False)

    def rmatvec(self, v: Array) -> Array:
        v = np.asarray(v, dtype=self.X.dtype)
        out = self.X.T @ v
        if self.intercept:
            out = np.concatenate(([v.sum()], out))
        return out.astype(np.float64, copy=False)

    def sandwich(self, weights: Array) -> Array:
        return self._gram_pass(weights, None)[0]

    def sandwich_and_rmatvec(self, weights: Array, v: Array) -> tuple[Array, Array]:
        """(XᵀWX, Xᵀv) in one pass over X: the gradient is read from the cached blocks."""
        return self._gram_pass(weights, v)  # type: ignore[return-value]

    def sampled_sandwich_and_rmatvec(self, weights: Array, v: Array, sample: int) -> tuple[Array, Array, Array, float]:
        """An estimate of XᵀWX from every ``sample``-th chunk of rows, with exact Xᵀv and diag(XᵀWX).

        Returns (estimate, Xᵀv, diagonal, fraction): the estimate is the sampled rows' Gram
        divided by ``fraction``, the share of rows sampled; the diagonal uses every row.
        """
        X = self.X
        n, p = X.shape
        w = np.asarray(weights, dtype=np.float64)
        w_x = w.astype(X.dtype, copy=False)
        v_x = np.asarray(v, dtype=X.dtype)
        xv = np.zeros(p, dtype=X.dtype)
        diagonal = np.zeros(p)
        acc = self._accumulator()
        sampled = 0
        for index, rows in enumerate(_chunks(n, p, X.itemsize)):
            x_rows = X[rows]
            xv += v_x[rows] @ x_rows
            if index % sample == 0:
                acc.add(x_rows, w[rows])
                sampled += x_rows.shape[0]
            else:
                diagonal += w_x[rows] @ (x_rows * x_rows)
        fraction = sampled / n
        estimate = acc.result()
        diagonal += np.diag(estimate)[int(self.intercept):]
        if self.intercept:
            diagonal = np.concatenate(([float(w.sum())], diagonal))
            xv = np.concatenate(([float(np.sum(v, dtype=np.float64))], xv.astype(np.float64)))
        return estimate / fraction, xv.astype(np.float64, copy=False), diagonal, fraction

    def _gram_pass(self, weights: Array, v: Array | None) -> tuple[Array, Array | None]:
        X = self.X
        n, p = X.shape
        w = np.asarray(weights, dtype=np.float64)
        if p == 0:
            gram = np.full((1, 1), w.sum()) if self.intercept else np.zeros((0, 0))
            return gram, (None if v is None else self.rmatvec(v))
        full = self.whole_array()
        if full is not None:
            return whole_gram(full, w), (None if v is None else np.asarray(v, dtype=np.float64) @ full)
        v_x = None if v is None else np.asarray(v, dtype=X.dtype)
        xv = None if v is None else np.zeros(p, dtype=X.dtype)
        acc = self._accumulator()
        for rows in _chunks(n, p, X.itemsize):
            acc.add(X[rows], w[rows])
            if v_x is not None:
                xv += v_x[rows] @ X[rows]
        if xv is not None:
            xv = xv.astype(np.float64)
            if self.intercept:
                xv = np.concatenate(([float(np.sum(v, dtype=np.float64))], xv))
        return acc.result(), xv

    def evaluate_in_blocks(
        self,
        coef: Array,
        offset: Array,
        block_terms: BlockTerms,
        with_gram: bool = True,
        gram_sample: int = 1,
    ) -> tuple[Array, Array, Array | None] | None:
        """One pass over X for a whole Newton/IRLS evaluation at β.

        Row chunks are read once: η = Xβ + offset for the chunk, then ``block_terms``
        gives the per-row loss gradient g and Hessian weights h in η, and the chunk,
        still in cache, contributes Xᵀg and (if ``with_gram``) XᵀHX.

        Parameters
        ----------
        coef : ndarray of shape (n_features,)
        offset : ndarray of shape (n_samples,)
        block_terms : callable
            ``block_terms(rows, eta_rows) -> (g, h)`` with ``rows`` a slice of the
            samples; returning None stops the pass (η invalid there).
        with_gram : bool, default True
        gram_sample : int, default 1
            Form XᵀHX from every ``gram_sample``-th chunk only, scaled by the share of
            rows used: an unbiased, cheaper estimate for steps far from the optimum
            (η, the loss terms and Xᵀg always use every row).

        Returns
        -------
        (eta, Xᵀg, XᵀHX or None), or None when ``block_terms`` stopped the pass.
        """
        X = self.X
        n, p = X.shape
        b0, b = self._split(np.asarray(coef, dtype=X.dtype))
        eta = np.empty(n)
        xg = np.zeros(p)
        g_sum = 0.0
        gram = self._accumulator() if with_gram and p else None
        h_sum = 0.0
        sampled_rows = 0
        for index, rows in enumerate(_chunks(n, p, X.itemsize)):
            x_rows = X[rows]
            eta_rows = x_rows @ b if p else np.zeros(x_rows.shape[0], dtype=X.dtype)
            eta_rows = eta_rows.astype(np.float64, copy=False)
            eta_rows += offset[rows]
            if self.intercept:
                eta_rows += b0
            eta[rows] = eta_rows
            out = block_terms(rows, eta_rows)
            if out is None:
                return None
            g, h = out
            if p:
                xg += g.astype(X.dtype, copy=False) @ x_rows
            if self.intercept:
                g_sum += float(np.sum(g))
            if gram is not None and index % gram_sample == 0:
                gram.add(x_rows, h)
                sampled_rows += x_rows.shape[0]
            elif with_gram and gram is None:
                h_sum += float(np.sum(h))
        if self.intercept:
            xg = np.concatenate(([g_sum], xg))
        if not with_gram:
            return eta, xg, None
        if gram is None:  # intercept-only or empty design
            return eta, xg, (np.full((1, 1), h_sum) if self.intercept else np.zeros((0, 0)))
        result = gram.result()
        if sampled_rows < n:
            result *= n / sampled_rows
        return eta, xg, result

    def whole_array(self) -> Array | None:
        """X with its intercept column as one float64 array (made once), on small data only.

        Where n·(p + 1) ≤ ``_SMALL_ELEMENTS`` (about 1 MiB) whole-array products cost a
        handful of calls and a chunk loop only adds overhead; None on larger or float32 data.
        """
        n, p = self.X.shape
        if n * (p + 1) > _SMALL_ELEMENTS or self.X.dtype != np.float64:
            return None
        if self._full is None:
            self._full = np.ascontiguousarray(self.toarray(), dtype=np.float64)
        return self._full

    def take_rows(self, rows: NDArray[np.intp]) -> "DenseDesign":
        """The design on some rows (a copy of them)."""
        return DenseDesign(self.X[rows], intercept=self.intercept)

    @property
    def one_pass_evaluation(self) -> bool:
        """Always: ``evaluate_in_blocks`` reads each chunk of X once."""
        return True

    @property
    def one_pass_steps(self) -> bool:
        """``step_in_blocks`` pays from a few blocks of rows on."""
        return self.X.shape[0] >= _STEP_MIN_ROWS

    def _accumulator(self, columns: NDArray[np.intp] | None = None,
                     block_bytes: int | None = None) -> GramAccumulator:
        """A Gram accumulator over the stored columns (or a sorted subset), intercept apart."""
        X = self.X
        k = X.shape[1] if columns is None else columns.size
        block = gram_block_rows(k, X.itemsize, _BLOCK_BYTES if block_bytes is None else block_bytes)
        return GramAccumulator(X.shape[1], X.dtype, self.intercept, block, columns)

    def _stored(self, columns: NDArray[np.intp]) -> tuple[bool, NDArray[np.intp] | None]:
        """(whether ``columns`` includes the intercept, the stored columns among them or None for all)."""
        columns = np.asarray(columns, dtype=np.intp)
        icpt = int(self.intercept)
        has0 = bool(icpt and columns.size and columns[0] == 0)
        stored = columns[columns >= icpt] - icpt
        return has0, (None if stored.size == self.X.shape[1] else stored)

    def sandwich_columns(self, weights: Array, columns: NDArray[np.intp]) -> Array:
        """XᵀWX over the sorted ``columns``, gathered block by block (no N×k copy of X)."""
        columns = np.asarray(columns, dtype=np.intp)
        if columns.size == self.shape[1]:
            return self.sandwich(weights)
        has0, stored = self._stored(columns)
        X = self.X
        k = X.shape[1] if stored is None else stored.size
        acc = GramAccumulator(X.shape[1], X.dtype, has0,
                              gram_block_rows(k, X.itemsize, _COLUMNS_BLOCK_BYTES), stored)
        acc.add(X, np.asarray(weights, dtype=np.float64))
        return acc.result()

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array:
        """Σᵢ wᵢ xᵢⱼ² for ``columns`` (default all), shape (k,); no Gram is formed."""
        w = np.asarray(weights, dtype=np.float64)
        idx = np.arange(self.shape[1]) if columns is None else np.asarray(columns, dtype=np.intp)
        icpt = int(self.intercept)
        out = np.empty(idx.size)
        is0 = idx < icpt
        out[is0] = w.sum()
        cols = idx[~is0] - icpt
        if cols.size:
            Xc = self.X if cols.size == self.X.shape[1] and columns is None else self.X[:, cols]
            Xc = Xc.astype(np.float64, copy=False)
            out[~is0] = np.einsum("ij,ij,i->j", Xc, Xc, w)
        return out

    def step_in_blocks(self, direction: Array, eta: Array, block_terms: BlockTerms,
                       gram_columns: NDArray[np.intp] | None = None) -> StepPass:
        """X·d, and Xᵀg (and XᵀHX over ``gram_columns``) at η + X·d in one read of X.

        Each block of rows (a few MiB) is multiplied by the direction, ``block_terms`` gives
        the loss terms of its rows at the trial η, and while the block is still in cache it
        adds to the gradient and to the Gram. Once ``block_terms`` stops (η or the loss
        invalid), the pass only completes X·d (for a backtracking line search).
        """
        X = self.X
        n, p = X.shape
        icpt = int(self.intercept)
        dx = np.asarray(direction[icpt:], dtype=X.dtype)
        d0 = float(direction[0]) if icpt else 0.0
        block = max(256, _STEP_BLOCK_BYTES // max(1, p * X.itemsize))
        acc = None
        if gram_columns is not None:
            has0, stored = self._stored(gram_columns)
            acc = GramAccumulator(p, X.dtype, has0, block, stored)
        Xd = np.empty(n)
        new_eta = np.empty(n)
        grad_x = np.zeros(p)
        g0 = 0.0
        valid = True
        for start in range(0, n, block):
            rows = slice(start, min(start + block, n))
            Xb = X[rows]
            xd = Xb @ dx
            if icpt:
                xd = xd + d0
            Xd[rows] = xd
            if not valid:
                continue
            eb = eta[rows] + xd
            new_eta[rows] = eb
            out = block_terms(rows, eb)
            if out is None:
                valid = False
                continue
            g, h = out
            grad_x += (Xb.T @ g.astype(X.dtype, copy=False)).astype(np.float64, copy=False)
            g0 += float(g.sum())
            if acc is not None:
                acc.add(Xb, h)
        if not valid:
            return StepPass(Xd, eta + Xd, None, None)
        grad = np.concatenate(([g0], grad_x)) if icpt else grad_x
        return StepPass(Xd, new_eta, grad, None if acc is None else acc.result())

    def select_columns(self, columns: NDArray[np.intp]) -> "DenseDesign":
        columns = np.asarray(columns, dtype=np.intp)
        if self.intercept:
            keep_intercept = bool(np.any(columns == 0))
            rest = columns[columns > 0] - 1
            return DenseDesign(self.X[:, rest], intercept=keep_intercept)
        return DenseDesign(self.X[:, columns], intercept=False)

    def toarray(self) -> Array:
        if self.intercept:
            return np.column_stack([np.ones(self.X.shape[0], dtype=self.X.dtype), self.X])
        return self.X

    def row_quadratic_form(self, matrix: Array) -> Array:
        # diag(X M Xᵀ) by row blocks; the intercept enters as a + 2·Xb + diag(X C Xᵀ).
        matrix = np.asarray(matrix, dtype=np.float64)
        if self.intercept:
            a, b, c = matrix[0, 0], matrix[0, 1:], matrix[1:, 1:]
        else:
            a, b, c = 0.0, None, matrix
        X = self.X
        n, p = X.shape
        out = np.empty(n)
        block = max(64, _BLOCK_BYTES // max(1, p * 8))
        for start in range(0, n, block):
            rows = np.asarray(X[start:start + block], dtype=np.float64)
            q = np.einsum("ij,ij->i", rows @ c, rows)
            if b is not None:
                q += a + 2.0 * (rows @ b)
            out[start:start + block] = q
        return out

    def __repr__(self) -> str:
        return f"DenseDesign(shape={self.shape}, dtype={self.dtype}, intercept={self.intercept})"


def whole_gram(full: Array, weights: Array) -> Array:
    """XᵀWX of a small whole array (weights of any sign), exactly symmetric."""
    if (weights >= 0).all():
        scaled = full * np.sqrt(weights)[:, None]
        return scaled.T @ scaled  # a symmetric rank-k update
    gram = (full.T * weights) @ full
    gram += gram.T
    gram *= 0.5
    return gram


def _chunks(n: int, p: int, itemsize: int):  # type: ignore[no-untyped-def]
    """Row slices of about ``_CHUNK_BYTES``, each a whole number of Gram blocks."""
    block = gram_block_rows(p, itemsize, _BLOCK_BYTES)
    chunk = block * max(1, _CHUNK_BYTES // (block * max(1, p * itemsize)))
    for start in range(0, n, chunk):
        yield slice(start, min(start + chunk, n))
