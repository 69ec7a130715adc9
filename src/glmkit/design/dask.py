"""A design held as a Dask array: every product runs per partition and is tree-reduced.

Design note
-----------
X is a ``dask.array.Array`` chunked by rows only (one chunk across the columns); the
per-row vectors of the problem (y, weights, offset, trials) are Dask arrays with the same
row chunks. Each product maps glmkit's numpy kernels over the row blocks — Xβ as a lazy
Dask array, Xᵀv and XᵀWX as per-block partial sums — and adds the partial sums in a
binary tree whose shape depends only on the number of blocks, so the same partitions give
bit-identical results run to run. Everything of size p or p × p is computed (on whatever
scheduler is active: a ``distributed.Client`` if one exists); per-row results stay lazy.

One pass per Newton/IRLS iteration: :meth:`DaskDesign.evaluate_loss` gives the loss,
Xᵀ(dℓ/dη) and XᵀHX of every block in a single task per block (the fused capability the
objective asks for when ``evaluates_loss`` is True). The p × p solve stays on the client;
no solver knows about Dask.

Cost: each pass reads every block once. Persisted data (in worker memory) make a pass
cheap; data read from files are re-read on every pass (out of core), so the number of
passes — about one per iteration, plus a few for the null model and inference — is the
cost of a fit.

Dask is imported on first use, never with glmkit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ._base import DesignBase
from ._gram import GramAccumulator, gram_block_rows

__all__ = ["DaskDesign", "is_dask_collection", "tree_sum"]

Array = NDArray[np.floating]

_BLOCK_BYTES = 1 << 19  # rows scaled per BLAS call inside a block (as the dense design)


def is_dask_collection(obj: Any) -> bool:
    """Whether ``obj`` is a Dask collection, without importing Dask (it cannot be one if
    Dask was never loaded: a pandas or numpy input never imports Dask).

    >>> is_dask_collection(np.ones(2))
    False
    """
    if "dask" not in sys.modules:
        return False
    from dask.base import is_dask_collection as is_collection

    return bool(is_collection(obj))


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, tuple):
        return tuple(None if x is None or y is None else x + y for x, y in zip(a, b))
    return a + b


def tree_sum(parts: Sequence[Any]) -> Any:
    """Compute and add per-block partial results (arrays, floats or tuples of them) in a
    binary tree of fixed shape: deterministic for a given number of blocks.

    Examples
    --------
    >>> import dask
    >>> tree_sum([dask.delayed(np.ones)(2) for _ in range(3)])
    array([3., 3.])
    """
    import dask

    level = list(parts)
    while len(level) > 1:
        pairs = [dask.delayed(_add, pure=True)(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        level = pairs + ([level[-1]] if len(level) % 2 else [])
    (out,) = dask.compute(level[0])
    return out


def _block_eta(xb: Array, coef: Array, intercept: bool) -> Array:
    if intercept:
        return xb @ coef[1:] + coef[0]
    return xb @ coef


def _block_gram(xb: Array, h: Array, intercept: bool) -> Array:
    acc = GramAccumulator(xb.shape[1], xb.dtype, intercept, gram_block_rows(xb.shape[1], xb.itemsize, _BLOCK_BYTES))
    acc.add(xb, np.asarray(h, dtype=np.float64))
    return acc.result()


def _block_rmatvec(xb: Array, v: Array, intercept: bool) -> Array:
    out = v @ xb
    return np.concatenate([[v.sum()], out]) if intercept else out


def _block_sandwich(xb: Array, h: Array | None, v: Array | None, intercept: bool) -> tuple:
    gram = None if h is None else _block_gram(xb, h, intercept)
    xv = None if v is None else _block_rmatvec(xb, v, intercept)
    return gram, xv


def _block_evaluate(xb: Array, yb: Array, wb: Array, ob: Array, sb: Array | None, coef: Array, loss: Any,
                    kind: str, with_gram: bool, intercept: bool) -> tuple:
    """(loss sum, Xᵀg, XᵀHX or None) of one block; an invalid η gives (inf, NaN, None)."""
    eta = _block_eta(xb, coef, intercept) + ob
    p = coef.shape[0]
    if not loss.link.valid_eta(eta):
        return np.inf, np.full(p, np.nan), None
    t = loss.terms(yb, eta, wb, kind, sb)
    value = float(np.sum(t.loss))
    if not np.isfinite(value):
        return np.inf, np.full(p, np.nan), None
    grad = _block_rmatvec(xb, t.gradient, intercept)
    return value, grad, _block_gram(xb, t.hessian, intercept) if with_gram else None


def _block_quadratic(xb: Array, matrix: Array, intercept: bool) -> Array:
    if intercept:
        a, b, c = matrix[0, 0], matrix[0, 1:], matrix[1:, 1:]
        return np.einsum("ij,ij->i", xb @ c, xb) + a + 2.0 * (xb @ b)
    return np.einsum("ij,ij->i", xb @ matrix, xb)


def _block_grouped(xb: Array, labels: Array, v: Array, n_groups: int, intercept: bool) -> Array:
    sums = np.zeros((n_groups, xb.shape[1] + int(intercept)))
    rows = v[:, None] * xb
    codes = labels.astype(np.intp)
    if intercept:
        np.add.at(sums[:, 0], codes, v)
        np.add.at(sums[:, 1:], codes, rows)
    else:
        np.add.at(sums, codes, rows)
    return sums


def _block_apply(func: Callable, n_outputs: int, *blocks: Any) -> Array:
    out = func(*blocks)
    if n_outputs == 1 and isinstance(out, tuple):
        (out,) = out
    if n_outputs == 1:
        return np.asarray(out, dtype=np.float64)[:, None]
    return np.column_stack([np.asarray(o, dtype=np.float64) for o in out])


class DaskDesign(DesignBase):
    """A design held as a Dask array, chunked by rows (see the module notes).

    Parameters
    ----------
    X : dask.array.Array of shape (n_samples, n_columns)
        Row chunks of known sizes; several column chunks are merged into one.
    intercept : bool, default False
        Prepend an implicit column of ones (never stored).

    Examples
    --------
    >>> import dask.array as da
    >>> design = DaskDesign(da.from_array(np.arange(6.0).reshape(3, 2), chunks=2), intercept=True)
    >>> design.shape, design.matvec(np.array([1.0, 1.0, 1.0])).compute()
    ((3, 3), array([ 2.,  6., 10.]))
    >>> design.sandwich(np.ones(3))
    array([[ 3.,  6.,  9.],
           [ 6., 20., 26.],
           [ 9., 26., 35.]])
    """

    def __init__(self, X: Any, intercept: bool = False) -> None:
        if X.ndim != 2:
            raise InputError(f"X must be two-dimensional (n_samples, n_columns); got shape {X.shape}.")
        if any(np.isnan(c) for c in X.chunks[0]):
            raise InputError("X has row chunks of unknown size; call X.compute_chunk_sizes() (or build it with "
                             "to_dask_array(lengths=True)) so that y, weights and offset can be aligned with it.")
        if X.dtype not in (np.float32, np.float64):
            X = X.astype(np.float64)
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        self.X = X
        self.intercept = bool(intercept)

    # -- core -------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """(n_samples, n_features), the intercept counted."""
        return int(self.X.shape[0]), int(self.X.shape[1]) + int(self.intercept)

    @property
    def dtype(self) -> np.dtype:
        """The stored dtype."""
        return self.X.dtype  # type: ignore[no-any-return]

    @property
    def row_chunks(self) -> tuple[int, ...]:
        """Rows per block, the layout every per-row vector of the problem shares.

        >>> import dask.array as da
        >>> DaskDesign(da.ones((5, 2), chunks=(2, 2))).row_chunks
        (2, 2, 1)
        """
        return tuple(int(c) for c in self.X.chunks[0])

    @property
    def evaluates_loss(self) -> bool:
        """:meth:`evaluate_loss` is offered: one task per block gives loss, gradient and Gram."""
        return True

    def align(self, v: Any) -> Any:
        """``v`` (numpy or Dask, shape (n_samples,)) as a Dask array with this design's row chunks.

        >>> import dask.array as da
        >>> DaskDesign(da.ones((3, 1), chunks=2)).align(np.arange(3.0)).chunks
        ((2, 1),)
        """
        import dask.array as da

        if not is_dask_collection(v):
            v = np.asarray(v, dtype=np.float64)
            if v.ndim == 0:
                v = np.full(self.X.shape[0], float(v))
            return da.from_array(v, chunks=(self.row_chunks,))
        if tuple(v.chunks[0]) != self.row_chunks:
            v = v.rechunk((self.row_chunks,))
        return v

    def _blocks(self) -> list:
        return list(self.X.to_delayed().ravel())

    def _vector_blocks(self, v: Any) -> list:
        if v is None:
            return [None] * len(self.row_chunks)
        return list(self.align(v).to_delayed().ravel())

    def matvec(self, coef: Array) -> Any:
        """Xβ as a lazy Dask array aligned with the row chunks."""
        coef = np.asarray(coef, dtype=np.float64)
        return self.X.map_blocks(_block_eta, coef, self.intercept, drop_axis=1, dtype=np.float64)

    def rmatvec(self, v: Any) -> Array:
        """Xᵀv, shape (n_features,), computed (v numpy or Dask, aligned with the rows)."""
        import dask

        parts = [dask.delayed(_block_rmatvec, pure=True)(xb, vb, self.intercept)
                 for xb, vb in zip(self._blocks(), self._vector_blocks(v))]
        return np.asarray(tree_sum(parts), dtype=np.float64)

    def sandwich(self, weights: Any) -> Array:
        """XᵀWX, shape (n_features, n_features), computed."""
        return self.sandwich_and_rmatvec(weights, None)[0]

    def sandwich_and_rmatvec(self, weights: Any, v: Any) -> tuple[Array, Array]:
        """(XᵀWX, Xᵀv) in one pass over the blocks (``v`` None: Xᵀv is None)."""
        import dask

        parts = [dask.delayed(_block_sandwich, pure=True)(xb, hb, vb, self.intercept)
                 for xb, hb, vb in zip(self._blocks(), self._vector_blocks(weights), self._vector_blocks(v))]
        gram, xv = tree_sum(parts)
        return gram, xv

    def select_columns(self, columns: NDArray[np.intp]) -> "DaskDesign":
        """The design on the sorted ``columns`` (the intercept is column 0)."""
        columns = np.asarray(columns, dtype=np.intp)
        if self.intercept:
            return DaskDesign(self.X[:, columns[columns > 0] - 1], intercept=bool(np.any(columns == 0)))
        return DaskDesign(self.X[:, columns], intercept=False)

    def take_rows(self, rows: NDArray[np.intp]) -> "DaskDesign":
        """The design on the given rows (cross-validation folds), lazily; empty blocks are kept."""
        X = self.X[np.asarray(rows, dtype=np.intp)]
        if any(np.isnan(c) for c in X.chunks[0]):
            X = X.compute_chunk_sizes()
        return DaskDesign(X, intercept=self.intercept)

    def toarray(self) -> Any:
        """X with its intercept column, as a lazy Dask array (never computed here)."""
        import dask.array as da

        if not self.intercept:
            return self.X
        ones = da.ones((self.X.shape[0], 1), chunks=(self.row_chunks, 1), dtype=self.X.dtype)
        return da.concatenate([ones, self.X], axis=1)

    def row_quadratic_form(self, matrix: Array) -> Any:
        """xᵢᵀ M xᵢ per row, a lazy Dask array (leverages, prediction standard errors)."""
        matrix = np.asarray(matrix, dtype=np.float64)
        return self.X.map_blocks(_block_quadratic, matrix, self.intercept, drop_axis=1, dtype=np.float64)

    # -- capabilities -----------------------------------------------------------------------
    def map_row_blocks(self, func: Callable, vectors: Sequence[Any], n_outputs: int) -> tuple:
        """``func`` applied block by block to row-aligned ``vectors`` (None passed through);
        its ``n_outputs`` per-row outputs come back as lazy Dask arrays."""
        import dask.array as da

        args = [None if v is None else self.align(v) for v in vectors]
        present = [a for a in args if a is not None]
        positions = [i for i, a in enumerate(args) if a is not None]

        def apply(*blocks: Any) -> Array:
            full: list[Any] = [None] * len(args)
            for i, b in zip(positions, blocks):
                full[i] = b
            return _block_apply(func, n_outputs, *full)

        stacked = da.map_blocks(apply, *present, new_axis=1, chunks=(self.row_chunks, (n_outputs,)),
                                dtype=np.float64, meta=np.empty((0, n_outputs)))
        return tuple(stacked[:, k] for k in range(n_outputs))

    def grouped_rmatvec(self, labels: NDArray[np.intp], n_groups: int, v: Any) -> Array:
        """Σ_{i ∈ g} vᵢ xᵢ per group, shape (n_groups, n_features): each block adds its rows into
        a (n_groups, n_features) array, and the blocks' arrays are added in a fixed-order tree,
        so a group spanning several blocks is summed whole."""
        import dask

        parts = [dask.delayed(_block_grouped, pure=True)(xb, lb, vb, n_groups, self.intercept)
                 for xb, lb, vb in zip(self._blocks(), self._vector_blocks(np.asarray(labels, dtype=np.float64)),
                                       self._vector_blocks(v))]
        return np.asarray(tree_sum(parts), dtype=np.float64)

    def sum_row_blocks(self, func: Callable, vectors: Sequence[Any]) -> float:
        """Σ over blocks of ``func(*blocks)`` for row-aligned ``vectors``, in a fixed-order tree."""
        import dask

        columns = [self._vector_blocks(v) for v in vectors]
        parts = [dask.delayed(lambda *b: float(func(*b)), pure=True)(*blocks) for blocks in zip(*columns)]
        return float(tree_sum(parts))

    def evaluate_loss(self, coef: Array, loss: Any, y: Any, weights: Any, offset: Any, saturated: Any,
                      kind: str, with_gram: bool) -> tuple[float, Array, Array | None, Any, Any]:
        """(Σℓ, Xᵀg, XᵀHX or None, η lazy, μ lazy) at β in one pass: one task per block."""
        import dask

        coef = np.asarray(coef, dtype=np.float64)
        parts = [dask.delayed(_block_evaluate, pure=True)(xb, yb, wb, ob, sb, coef, loss, kind, with_gram,
                                                          self.intercept)
                 for xb, yb, wb, ob, sb in zip(self._blocks(), self._vector_blocks(y), self._vector_blocks(weights),
                                               self._vector_blocks(offset), self._vector_blocks(saturated))]
        value, grad, gram = tree_sum(parts)
        eta = self.matvec(coef) + self.align(offset)
        (mu,) = self.map_row_blocks(loss.link.inverse, [eta], 1)
        return float(value), np.asarray(grad, dtype=np.float64), gram, eta, mu
