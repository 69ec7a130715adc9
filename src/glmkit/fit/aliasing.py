"""Aliasing: which columns are linear combinations of the columns before them (R's rule).

Columns are examined in order and a column whose weighted residual, after projection on
the columns kept before it, is tiny relative to its norm is aliased (R's ``dqrdc2``
limited pivoting). Aliased coefficients are NaN, never a pseudo-inverse.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..design import Design
from ..solvers._base import spd_factor

__all__ = ["detect_aliased", "clearly_full_rank", "full_rank_factor", "ALIAS_TOL", "ALIAS_TOL_GRAM"]

Array = NDArray[np.floating]

ALIAS_TOL = 1e-9  # residual-norm ratio below which a column counts as aliased (R: 1e-11 on norms)
ALIAS_TOL_GRAM = 1e-11  # the same on squared norms, for the Gram-based check on large data
_EXACT_ALIAS_LIMIT = 2_000_000  # n·p above which aliasing is checked on the Gram matrix (no copy of X)


def detect_aliased(design: Design, weights: Array, gram: Array | None = None) -> NDArray[np.bool_]:
    """Mark columns that are linear combinations of the columns before them.

    Parameters
    ----------
    design : Design
    weights : ndarray of shape (n_samples,)
        Prior weights; rows with weight 0 are ignored.
    gram : ndarray of shape (n_features, n_features), optional
        XᵀWX for any positive weights on the used rows (the same columns are dependent
        for every such W); on large data it saves a pass over X.

    Returns
    -------
    ndarray of bool, shape (n_features,)

    Notes
    -----
    Small problems (n·p ≤ 2·10⁶) use modified Gram–Schmidt with reorthogonalisation on
    √w·X, the column-norm test of R's ``dqrdc2``; large ones a sequential Cholesky of the
    equilibrated Gram matrix, which resolves dependencies only to ~1e-5.5 in norm.

    Examples
    --------
    >>> from glmkit.design import DenseDesign
    >>> X = np.array([[1.0, 2.0, 3.0], [1.0, 0.0, 1.0], [1.0, 1.0, 2.0]])
    >>> detect_aliased(DenseDesign(X), np.ones(3)).tolist()   # column 3 = column 1 + column 2
    [False, False, True]
    """
    n, p = design.shape
    if p == 0:
        return np.zeros(0, dtype=bool)
    if gram is not None and clearly_full_rank(gram):
        return np.zeros(p, dtype=bool)
    used = weights > 0
    if n * p <= _EXACT_ALIAS_LIMIT and not design.evaluates_loss:  # rows held apart (Dask): the Gram's rule
        A = design.toarray()[used].astype(np.float64, copy=False) * np.sqrt(weights[used])[:, None]
        return _aliased_by_gram_schmidt(A)
    if gram is None:
        gram = design.sandwich(np.where(used, weights, 0.0))
    return _aliased_by_gram(gram)


def clearly_full_rank(gram: Array, diagonal: Array | None = None) -> bool:
    """Whether every column keeps > 1e-3 of its norm after projection on the ones before it.

    The pivots of the Cholesky factor of the equilibrated Gram matrix are those relative
    norms; with all of them above 1e-3 no column is anywhere near R's aliasing threshold,
    even allowing for the Gram matrix's rounding, and no QR is needed.

    ``gram`` may be the Gram matrix of a subset of the rows, scaled by the exact
    ``diagonal`` of the full one: a Schur complement only grows when rows are added, so
    the pivots then bound the full matrix's from below.

    Examples
    --------
    >>> clearly_full_rank(np.array([[1.0, 0.5], [0.5, 1.0]]))
    True
    """
    return full_rank_factor(gram, diagonal) is not None


def full_rank_factor(gram: Array, diagonal: Array | None = None) -> tuple[Array, Array] | None:
    """:func:`clearly_full_rank`, returning its equilibrated Cholesky factor and scale (as
    :func:`~glmkit.solvers._base.spd_factor`'s) where it holds, else None.

    Examples
    --------
    >>> full_rank_factor(np.eye(2)) is not None, full_rank_factor(np.ones((2, 2)))
    (True, None)
    """
    d = np.sqrt(np.diag(gram) if diagonal is None else np.asarray(diagonal, dtype=float))
    if not np.isfinite(d).all() or (d == 0).any():
        return None
    factor, d, info = spd_factor(gram, scale=d)
    if info == 0 and np.abs(np.diag(factor)).min() > 1e-3:
        return factor, d
    return None


def _aliased_by_gram_schmidt(A: Array) -> NDArray[np.bool_]:
    n, p = A.shape
    if n >= p:
        # Fast path: without dependencies, |R_jj| of an unpivoted QR is the norm of column j
        # after projection on the columns before it, exactly the quantity tested below.
        r = np.linalg.qr(A, mode="r")
        norms = np.linalg.norm(A, axis=0)
        if np.all(np.abs(np.diag(r)) > 1e3 * ALIAS_TOL * norms):
            return np.zeros(p, dtype=bool)
    basis = np.empty((n, min(n, p)))
    rank = 0
    aliased = np.zeros(p, dtype=bool)
    for j in range(p):
        v = A[:, j].copy()
        norm0 = np.linalg.norm(v)
        if norm0 == 0.0:
            aliased[j] = True
            continue
        for _ in range(2):  # twice is enough (Kahan–Parlett)
            if rank:
                Q = basis[:, :rank]
                v -= Q @ (Q.T @ v)
        norm = np.linalg.norm(v)
        if norm <= ALIAS_TOL * norm0 or rank >= n:
            aliased[j] = True
        else:
            basis[:, rank] = v / norm
            rank += 1
    return aliased


def _aliased_by_gram(gram: Array) -> NDArray[np.bool_]:
    p = gram.shape[0]
    d = np.sqrt(np.diag(gram))
    aliased = d == 0
    scale = np.where(aliased, 1.0, d)
    G = gram / scale[:, None] / scale[None, :]
    L = np.zeros((p, p))
    kept: list[int] = []
    for j in range(p):
        if aliased[j]:
            continue
        lj = L[j, kept]
        pivot = G[j, j] - lj @ lj
        if pivot <= ALIAS_TOL_GRAM:
            aliased[j] = True
            continue
        L[j, j] = np.sqrt(pivot)
        kept.append(j)
        rest = np.arange(j + 1, p)
        if rest.size:
            L[rest, j] = (G[rest, j] - L[np.ix_(rest, kept[:-1])] @ lj) / L[j, j]
    return aliased


