"""Mixed design: dense, sparse and categorical blocks side by side, one implicit intercept.

XᵀWX is assembled block by block: each block's own sandwich on the diagonal, and the
cross products from the cheapest form of each pair — grouped sums over a factor's levels
for categorical × anything, a dense product otherwise. No block is converted to another
representation, so a 2,000-level factor never becomes an N × 2,000 matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ._base import DesignBase, is_sparse
from .categorical import CategoricalDesign
from .dense import DenseDesign

__all__ = ["ArrowGram", "MixedDesign"]

Array = NDArray[np.floating]


class MixedDesign(DesignBase):
    """Columns of several blocks concatenated (an optional intercept first).

    Parameters
    ----------
    blocks : list of DenseDesign, SparseDesign or CategoricalDesign
        Each without an intercept of its own.
    intercept : bool, default False

    Examples
    --------
    >>> d = MixedDesign([DenseDesign(np.array([[1.0], [2.0], [3.0]])),
    ...                  CategoricalDesign(np.array([0, 1, 1]), 2, columns=np.array([1]))], intercept=True)
    >>> d.shape
    (3, 3)
    >>> d.matvec(np.array([1.0, 2.0, 10.0]))
    array([ 3., 15., 17.])
    """

    def __init__(self, blocks: list, intercept: bool = False) -> None:  # type: ignore[type-arg]
        if not blocks:
            raise InputError("a MixedDesign needs at least one block")
        n = {b.shape[0] for b in blocks}
        if len(n) != 1:
            raise InputError(f"blocks have different numbers of rows: {sorted(n)}")
        for b in blocks:
            if b.intercept:
                raise InputError("blocks of a MixedDesign must not carry their own intercept")
        self.blocks = list(blocks)
        self.intercept = bool(intercept)
        widths = [b.shape[1] for b in self.blocks]
        self._offsets = np.concatenate(([0], np.cumsum(widths))) + int(self.intercept)

    @property
    def shape(self) -> tuple[int, int]:
        return self.blocks[0].shape[0], int(self._offsets[-1])

    @property
    def dtype(self) -> np.dtype:
        return np.dtype(np.float64)

    @property
    def structured_gram(self) -> bool:
        """A factor block: ``arrow_sandwich`` solves XᵀWX + Λ through its diagonal block."""
        return any(isinstance(b, CategoricalDesign) for b in self.blocks)

    def _slices(self):  # type: ignore[no-untyped-def]
        return [slice(int(a), int(b)) for a, b in zip(self._offsets[:-1], self._offsets[1:])]

    def matvec(self, coef: Array) -> Array:
        coef = np.asarray(coef, dtype=np.float64)
        eta = np.full(self.shape[0], coef[0] if self.intercept else 0.0)
        for block, sl in zip(self.blocks, self._slices()):
            if sl.stop > sl.start:
                eta += block.matvec(coef[sl])
        return eta

    def rmatvec(self, v: Array) -> Array:
        parts = [np.array([np.sum(v)])] if self.intercept else []
        parts += [block.rmatvec(v) for block in self.blocks]
        return np.concatenate(parts)

    def sandwich(self, weights: Array) -> Array:
        w = np.asarray(weights, dtype=np.float64)
        p = self.shape[1]
        out = np.empty((p, p))
        slices = self._slices()
        if self.intercept:
            out[0, 0] = w.sum()
            for block, sl in zip(self.blocks, slices):
                col = block.rmatvec(w)
                out[0, sl] = col
                out[sl, 0] = col
        for i, (bi, si) in enumerate(zip(self.blocks, slices)):
            if isinstance(bi, CategoricalDesign):  # diagonal: no k × k temporary
                out[si, si] = 0.0
                k = si.stop - si.start
                out[si, si].flat[:: k + 1] = bi.rmatvec(w)
            else:
                out[si, si] = bi.sandwich(w)
            for bj, sj in zip(self.blocks[i + 1:], slices[i + 1:]):
                cross = _cross(bi, bj, w)
                out[si, sj] = cross
                out[sj, si] = cross.T
        return out

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array:
        """Σᵢ wᵢ xᵢⱼ² for ``columns`` (default all; the diagonal of XᵀWX), block by block."""
        w = np.asarray(weights, dtype=np.float64)
        parts = [np.array([w.sum()])] if self.intercept else []
        parts += [block.weighted_column_norms(w) for block in self.blocks]
        out = np.concatenate(parts)
        return out if columns is None else out[np.asarray(columns, dtype=np.intp)]

    def arrow_sandwich(self, weights: Array) -> "ArrowGram | None":
        """XᵀWX in arrow form: the widest factor's columns (whose block is diagonal) apart.

        Returns None when the design has no categorical block. The Gram of the other
        columns and their cross products with the factor come from grouped sums; nothing of
        size p × p is formed, so a linear system in XᵀWX + Λ costs O(p·k + k³) with k the
        number of other columns (:meth:`ArrowGram.solve`).
        """
        cats = [i for i, b in enumerate(self.blocks) if isinstance(b, CategoricalDesign)]
        if not cats:
            return None
        c = max(cats, key=lambda i: self.blocks[i].shape[1])
        cat = self.blocks[c]
        slices = self._slices()
        w = np.asarray(weights, dtype=np.float64)
        diagonal = np.arange(slices[c].start, slices[c].stop, dtype=np.intp)
        others = [b for i, b in enumerate(self.blocks) if i != c]
        rest_parts = [np.zeros(1, dtype=np.intp)] if self.intercept else []
        rest_parts += [np.arange(sl.start, sl.stop, dtype=np.intp) for i, sl in enumerate(slices) if i != c]
        rest = np.concatenate(rest_parts) if rest_parts else np.zeros(0, dtype=np.intp)
        d = cat.rmatvec(w)
        if len(others) == 1 and isinstance(others[0], DenseDesign) and not np.any(w < 0):
            # factor + one dense block (the common case): Xᵀw from the grouped sums, the dense
            # Gram from row blocks of √w·X; no pass over X beyond these two
            X = others[0].X
            sums, G = _level_sums_and_gram(cat, X, w)
            cross = sums[cat.columns].T
            if self.intercept:
                k = G.shape[0]
                A = np.empty((k + 1, k + 1))
                A[0, 0] = w.sum()
                A[0, 1:] = A[1:, 0] = sums.sum(axis=0)
                A[1:, 1:] = G
                B = np.vstack([d[None, :], cross])
            else:
                A, B = G, cross
            return ArrowGram(rest, diagonal, A, B, d, self.intercept and cat.columns.size == cat.n_levels)
        if others:
            A = MixedDesign(others, intercept=self.intercept).sandwich(w)
        else:
            A = np.full((1, 1), w.sum()) if self.intercept else np.zeros((0, 0))
        rows = [d[None, :]] if self.intercept else []
        rows += [_cross(b, cat, w) for b in others]
        B = np.vstack(rows) if rows else np.zeros((0, d.size))
        sums = self.intercept and cat.columns.size == cat.n_levels
        return ArrowGram(rest, diagonal, A, B, d, sums)

    def take_rows(self, rows: NDArray[np.intp]) -> "MixedDesign":
        """The design on some rows (each block's rows)."""
        return MixedDesign([block.take_rows(rows) for block in self.blocks], intercept=self.intercept)

    def select_columns(self, columns: NDArray[np.intp]) -> "MixedDesign":
        columns = np.asarray(columns, dtype=np.intp)
        keep_intercept = self.intercept and bool(np.any(columns == 0))
        blocks = []
        for block, sl in zip(self.blocks, self._slices()):
            local = columns[(columns >= sl.start) & (columns < sl.stop)] - sl.start
            if local.size:
                blocks.append(block.select_columns(local))
        if not blocks:
            return DenseDesign(np.empty((self.shape[0], 0)), intercept=keep_intercept)  # type: ignore[return-value]
        return MixedDesign(blocks, intercept=keep_intercept)

    def toarray(self) -> Array:
        parts = [np.ones((self.shape[0], 1))] if self.intercept else []
        parts += [np.asarray(b.toarray(), dtype=np.float64) for b in self.blocks]
        return np.hstack(parts)

    def row_quadratic_form(self, matrix: Array) -> Array:
        # diag(X M Xᵀ) over chunks of rows, each chunk made dense (chunk × p, ~32 MiB at most).
        matrix = np.asarray(matrix, dtype=np.float64)
        n, p = self.shape
        out = np.empty(n)
        chunk = max(1, (1 << 22) // max(p, 1))
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            parts = [np.ones((stop - start, 1))] if self.intercept else []
            parts += [_dense_rows(b, start, stop) for b in self.blocks]
            rows = np.hstack(parts)
            out[start:stop] = np.einsum("ij,ij->i", rows @ matrix, rows)
        return out

    def __repr__(self) -> str:
        return f"MixedDesign(shape={self.shape}, blocks={[type(b).__name__ for b in self.blocks]}, intercept={self.intercept})"


@dataclass(frozen=True, eq=False)
class ArrowGram:
    """XᵀWX with the columns split in two: ``rest`` (k) and ``diagonal`` (m, a factor's levels).

    XᵀWX restricted to (rest, diagonal) is [[A, B], [Bᵀ, diag(d)]].

    Attributes
    ----------
    rest, diagonal : ndarray of int
        Column indices of the two parts.
    A : ndarray of shape (k, k)
    B : ndarray of shape (k, m)
    d : ndarray of shape (m,)
    intercept_is_sum : bool
        ``rest[0]`` is an intercept equal to the sum of the diagonal columns (a factor with
        all its levels); then the Schur complement's first row is formed without cancellation.
    """

    rest: NDArray[np.intp]
    diagonal: NDArray[np.intp]
    A: Array
    B: Array
    d: Array
    intercept_is_sum: bool = False

    @property
    def n_features(self) -> int:
        return int(self.rest.size + self.diagonal.size)

    def diag(self) -> Array:
        """The diagonal of XᵀWX, shape (n_features,)."""
        out = np.empty(self.n_features)
        out[self.rest] = np.diag(self.A)
        out[self.diagonal] = self.d
        return out

    def solve(self, l2: Array, rhs: Array) -> Array | None:
        """x with (XᵀWX + diag(l2)) x = rhs, by the Schur complement of the diagonal block.

        Returns None when the system is not positive definite (a level without weight and
        without a ridge, or a singular complement): the caller then takes another route.

        Notes
        -----
        With D = d + l2_diag: S = A + diag(l2_rest) − B D⁻¹ Bᵀ, x_rest = S⁻¹(r_rest − B D⁻¹ r_diag),
        x_diag = D⁻¹(r_diag − Bᵀ x_rest). When the intercept is the sum of the level columns,
        A₀ᵣ = Σⱼ Bᵣⱼ, so S₀ᵣ = Σⱼ Bᵣⱼ l2ⱼ/Dⱼ (+ l2₀ on the diagonal) exactly — no difference
        of two large sums.
        """
        import scipy.linalg as sla

        D = self.d + l2[self.diagonal]
        if not np.all(D > 0):
            return None
        BD = self.B / D
        S = self.A + np.diag(l2[self.rest]) - BD @ self.B.T
        if self.intercept_is_sum and self.rest.size:
            row = self.B @ (l2[self.diagonal] / D)
            row[0] += l2[self.rest[0]]
            S[0, :] = row
            S[:, 0] = row
        r_rest, r_diag = rhs[self.rest], rhs[self.diagonal]
        x = np.empty(self.n_features)
        if self.rest.size:
            scale = np.sqrt(np.abs(np.diag(S)))
            if not np.all(scale > 0):
                return None
            try:
                fac = sla.cho_factor(S / scale[:, None] / scale[None, :], check_finite=False)
            except (np.linalg.LinAlgError, ValueError):
                return None
            x_rest = sla.cho_solve(fac, (r_rest - BD @ r_diag) / scale, check_finite=False) / scale
            x[self.rest] = x_rest
            x[self.diagonal] = (r_diag - self.B.T @ x_rest) / D
        else:
            x[self.diagonal] = r_diag / D
        return x if np.all(np.isfinite(x)) else None


def _cross(a, b, w: Array) -> Array:  # type: ignore[no-untyped-def]
    """Aᵀ W B for two blocks without an intercept, never densifying a factor."""
    if isinstance(a, CategoricalDesign) and isinstance(b, CategoricalDesign):
        joint = np.bincount(a.codes * b.n_levels + b.codes, weights=w, minlength=a.n_levels * b.n_levels)
        return joint.reshape(a.n_levels, b.n_levels)[np.ix_(a.columns, b.columns)]
    if isinstance(a, CategoricalDesign):
        return _level_cross(a, b, w)
    if isinstance(b, CategoricalDesign):
        return _level_cross(b, a, w).T
    A, B = a.X, b.X
    WB = B.multiply(w[:, None]).tocsc() if is_sparse(B) else B * w[:, None]
    out = A.T @ WB
    return np.asarray(out.toarray() if is_sparse(out) else out, dtype=np.float64)


def _level_cross(cat: CategoricalDesign, other, w: Array) -> Array:  # type: ignore[no-untyped-def]
    """Cᵀ W B: for each level, the w-weighted column sums of B over that level's rows."""
    X = other.X
    k = X.shape[1]
    if is_sparse(X):
        coo = X.tocoo()
        flat = cat.codes[coo.row] * k + coo.col
        sums = np.bincount(flat, weights=w[coo.row] * coo.data, minlength=cat.n_levels * k)
        return sums.reshape(cat.n_levels, k)[cat.columns]
    return _level_sums(cat, X, w)[cat.columns]


def _level_sums(cat: CategoricalDesign, X: Array, w: Array) -> Array:
    """Σ over each level's rows of w·x, for every level (columns or not); shape (n_levels, k)."""
    sums = np.empty((cat.n_levels, X.shape[1]))
    for j in range(X.shape[1]):  # one bincount per column: no N × k temporary
        sums[:, j] = np.bincount(cat.codes, weights=w * X[:, j], minlength=cat.n_levels)
    return sums


def _level_sums_and_gram(cat: CategoricalDesign, X: Array, w: Array) -> tuple[Array, Array]:
    """(:func:`_level_sums`, XᵀWX) of a dense array (w ≥ 0) in one pass over row blocks.

    Each block (about 1 MiB) is scaled to √w·X for the Gram and, while in cache, to w·X for
    the grouped sums: one read of X instead of two, no N × k temporary.
    """
    n, k = X.shape
    root = np.sqrt(w)
    gram = np.zeros((k, k))
    sums = np.zeros((k, cat.n_levels))
    rows = max(1024, (1 << 17) // max(k, 1))
    for start in range(0, n, rows):
        r = root[start:start + rows, None]
        Z = np.asarray(X[start:start + rows], dtype=np.float64) * r
        gram += Z.T @ Z
        Z *= r
        codes = cat.codes[start:start + rows]
        for j in range(k):
            sums[j] += np.bincount(codes, weights=Z[:, j], minlength=cat.n_levels)
    return sums.T, gram


def _dense_rows(block, start: int, stop: int) -> Array:  # type: ignore[no-untyped-def]
    if isinstance(block, CategoricalDesign):
        out = np.zeros((stop - start, block.shape[1]))
        cols = block.row_column[start:stop]
        rows = np.flatnonzero(cols >= 0)
        out[rows, cols[rows]] = 1.0
        return out
    X = block.X[start:stop]
    return np.asarray(X.toarray() if is_sparse(X) else X, dtype=np.float64)
