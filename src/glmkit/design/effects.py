"""Absorbed factors (fixed effects): their codes, and weighted demeaning without dummies.

Design note. A model with factors of thousands of levels is fitted without forming a
column per level: the weighted least-squares step of IRLS needs only the covariates and
the working response with the factors' span projected out (Frisch–Waugh–Lovell), and that
projection is computed by weighted alternating projections (Gaure 2013; Correia 2016;
Bergé 2018, fixest), never by a matrix over the levels:

- one factor: exact in one pass (the weighted group means);
- two, one of them with few levels (≤ ``SCHUR_LEVELS``, a year): exact, by eliminating the
  large factor from the normal equations and solving the small factor's G₂ × G₂ system
  (its Schur complement, formed from the G₁ × G₂ cross-tabulation of the weights);
- otherwise: a Gauss–Seidel sweep over the factors maps the effects of factors 2…K to new
  ones (those of factor 1 follow from them); the sweep is a linear fixed-point map,
  accelerated by Irons and Tuck's (1969) extrapolation, as fixest does, and started from
  the previous call's effects (warm starts across IRLS iterations).

Group sums are ``np.bincount`` over integer codes: O(n) per factor and column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

__all__ = ["FixedEffects", "Demeaned", "DEMEAN_TOL", "DEMEAN_MAX_ITER"]

Array = NDArray[np.floating]

DEMEAN_TOL = 1e-13  # stop when no effect moves by more than this × the column's scale
DEMEAN_MAX_ITER = 10_000  # sweeps at most (each accelerated step counts two)
SCHUR_LEVELS = 2_000  # two factors, one with at most this many levels: solved exactly (a small dense system)


@dataclass(frozen=True)
class Demeaned:
    """Columns with the absorbed factors projected out.

    Attributes
    ----------
    residual : ndarray of shape (n_samples, k)
        M − Σ_f α_f[codes_f]: the weighted residual of M on the factors' dummies.
    effects : tuple of ndarray, each (n_levels_f, k)
        The effects α_f of each factor (a warm start for the next call).
    n_iter : int
        Sweeps made (0 for one factor).
    converged : bool

    Examples
    --------
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> fe.demean(np.array([[1.0], [3.0], [5.0], [9.0]]), np.ones(4)).residual.ravel()
    array([-1.,  1., -2.,  2.])
    """

    residual: Array
    effects: tuple[Array, ...]
    n_iter: int
    converged: bool


@dataclass(frozen=True, eq=False)
class FixedEffects:
    """The absorbed factors of a design: integer codes per factor.

    Parameters
    ----------
    codes : tuple of int arrays, each of shape (n_samples,)
        Level of each row, 0 … n_levels − 1.
    n_levels : tuple of int
    names : tuple of str
        The factors' names (``firm``, ``firm^year``).
    levels : tuple of arrays, optional
        The level labels, code order (for ``fixef`` and prediction).
    reported : tuple of bool, optional
        Factors absorbed while fitting whose effects are then reported as treatment-coded
        coefficients (``C(year)[T.k]``: a small factor written with a large one).

    Examples
    --------
    >>> fe = FixedEffects((np.array([0, 1, 1]), np.array([0, 0, 1])), (2, 2), ("firm", "year"))
    >>> fe.n_parameters
    3
    """

    codes: tuple[NDArray[np.intp], ...]
    n_levels: tuple[int, ...]
    names: tuple[str, ...]
    levels: tuple[NDArray, ...] | None = None
    reported: tuple[bool, ...] = ()

    @property
    def n_samples(self) -> int:
        """Rows."""
        return int(self.codes[0].shape[0])

    @cached_property
    def n_parameters(self) -> int:
        """The rank of the factors' dummy columns (with the intercept): what R's ``glm``
        counts for ``factor(a) + factor(b) …``.

        One factor: its levels. Two: G₁ + G₂ − (connected components of the bipartite
        graph of levels met together), exact. Three or more: Σ G_f − (K − 1), as fixest
        counts them (exact when the factors are connected and not nested in each other).
        """
        total = int(sum(self.n_levels))
        if len(self.codes) == 1:
            return total
        if len(self.codes) == 2:
            return total - _components(self.codes[0], self.codes[1], self.n_levels)
        return total - (len(self.codes) - 1)

    def subset(self, rows: NDArray[np.intp]) -> "FixedEffects":
        """The factors on some rows, levels recoded to those present.

        Examples
        --------
        >>> fe = FixedEffects((np.array([0, 1, 2]),), (3,), ("g",))
        >>> fe.subset(np.array([0, 2])).n_levels
        (2,)
        """
        codes, n_levels, levels = [], [], []
        for f, c in enumerate(self.codes):
            present, new = np.unique(c[rows], return_inverse=True)
            codes.append(new.astype(np.intp).ravel())
            n_levels.append(int(present.size))
            if self.levels is not None:
                levels.append(np.asarray(self.levels[f])[present])
        return FixedEffects(tuple(codes), tuple(n_levels), self.names, tuple(levels) if self.levels is not None else None,
                            self.reported)

    def keep_factors(self, factors: list[int]) -> "FixedEffects":
        """Only the factors at positions ``factors``.

        Examples
        --------
        >>> fe = FixedEffects((np.array([0, 1]), np.array([1, 0])), (2, 2), ("a", "b"), reported=(False, True))
        >>> fe.keep_factors([0]).names
        ('a',)
        """
        pick = lambda items: tuple(items[f] for f in factors)  # noqa: E731
        return FixedEffects(pick(self.codes), pick(self.n_levels), pick(self.names),
                            None if self.levels is None else pick(self.levels),
                            pick(self.reported) if self.reported else ())

    def group_sums(self, f: int, values: Array) -> Array:
        """Σ over the rows of each level of factor ``f``; ``values`` (n,) or (n, k).

        Examples
        --------
        >>> FixedEffects((np.array([0, 1, 1]),), (2,), ("g",)).group_sums(0, np.array([1.0, 2.0, 3.0]))
        array([1., 5.])
        """
        codes, g = self.codes[f], self.n_levels[f]
        if values.ndim == 1:
            return np.bincount(codes, weights=values, minlength=g)
        columns = np.ascontiguousarray(values.T)  # bincount reads a contiguous column twice as fast
        return np.column_stack([np.bincount(codes, weights=c, minlength=g) for c in columns]) \
            if values.shape[1] else np.zeros((g, 0))

    def demean(self, M: Array, weights: Array, start: tuple[Array, ...] | None = None,
               tol: float = DEMEAN_TOL, max_iter: int = DEMEAN_MAX_ITER) -> Demeaned:
        """Project the factors out of the columns of ``M`` under ``weights`` (see the module notes).

        Parameters
        ----------
        M : ndarray of shape (n_samples,) or (n_samples, k)
        weights : ndarray of shape (n_samples,)
            Non-negative; a level whose rows all have weight 0 gets effect 0.
        start : tuple of ndarray, optional
            Effects from an earlier call (``Demeaned.effects``) to start from.

        Returns
        -------
        Demeaned
            The residual has the shape of ``M`` made 2-D.

        Examples
        --------
        >>> fe = FixedEffects((np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])), (2, 2), ("a", "b"))
        >>> fe.demean(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4)).residual.ravel().round(12) + 0.0
        array([0., 0., 0., 0.])
        """
        M = np.asarray(M, dtype=np.float64)
        M = M[:, None] if M.ndim == 1 else M
        weights = np.asarray(weights, dtype=np.float64)
        if len(self.codes) == 1:  # exact: the weighted group means
            sw = np.bincount(self.codes[0], weights=weights, minlength=self.n_levels[0])
            inv = np.divide(1.0, sw, out=np.zeros_like(sw), where=sw > 0)[:, None]
            alpha = self.group_sums(0, weights[:, None] * M) * inv
            return Demeaned(M - _rows(alpha, self.codes[0]), (alpha,), 0, True)
        if len(self.codes) == 2 and min(self.n_levels) <= SCHUR_LEVELS:
            return _two_way_exact(self, M, weights)
        return _Sweep(self, M, weights).solve(start, tol, max_iter)


class _Sweep:
    """One demeaning: the fixed inputs (codes, weights, M) and the Gauss–Seidel map."""

    def __init__(self, effects: FixedEffects, M: Array, weights: Array) -> None:
        self.fe, self.M, self.w = effects, M, weights
        self.wM = weights[:, None] * M
        sw = [np.bincount(c, weights=weights, minlength=g) for c, g in zip(effects.codes, effects.n_levels)]
        self.inv_sw = [np.divide(1.0, s, out=np.zeros_like(s), where=s > 0)[:, None] for s in sw]

    def _mean(self, f: int, other: Array) -> Array:
        """α_f = weighted group means of M − ``other`` (other: the rows' sum of the other effects)."""
        return self.fe.group_sums(f, self.wM - self.w[:, None] * other) * self.inv_sw[f]

    def _map(self, rest: list[Array]) -> tuple[list[Array], Array]:
        """One sweep: α₁ from α₂…α_K, then each α_f (f ≥ 2) from the newest others."""
        codes = self.fe.codes
        total = sum((_rows(a, c) for a, c in zip(rest, codes[1:])), np.zeros_like(self.M))
        alpha1 = self._mean(0, total)
        total = total + _rows(alpha1, codes[0])
        new = []
        for f, a in enumerate(rest, start=1):
            total = total - _rows(a, codes[f])
            a_new = self._mean(f, total)
            total = total + _rows(a_new, codes[f])
            new.append(a_new)
        return new, alpha1

    def solve(self, start: tuple[Array, ...] | None, tol: float, max_iter: int) -> Demeaned:
        """Irons–Tuck-accelerated fixed-point iterations over α₂…α_K."""
        k = self.M.shape[1]
        ok_start = start is not None and len(start) == len(self.fe.codes) and all(
            s.shape == (g, k) for s, g in zip(start, self.fe.n_levels))
        x = [s.copy() for s in start[1:]] if ok_start else [np.zeros((g, k)) for g in self.fe.n_levels[1:]]  # type: ignore[index]
        n_iter, converged = 0, False
        scale = max(float(np.max(np.abs(self.M))) if self.M.size else 0.0, 1e-300)
        while n_iter < max_iter:
            gx, _ = self._map(x)
            if _moved(gx, x) <= tol * scale:
                x, converged = gx, True
                n_iter += 1
                break
            ggx, _ = self._map(gx)
            n_iter += 2
            x = _irons_tuck(x, gx, ggx)
        rest, alpha1 = self._map(x)
        codes = self.fe.codes
        total = _rows(alpha1, codes[0]) + sum(_rows(a, c) for a, c in zip(rest, codes[1:]))
        return Demeaned(self.M - total, (alpha1, *rest), n_iter, converged)


def _two_way_exact(fe: FixedEffects, M: Array, w: Array) -> Demeaned:
    """Two factors, exactly: α₂ from the Schur complement S = diag(W₂) − Cᵀ diag(1/W₁) C
    of the normal equations (C the cross-tabulated weights; α₂ the smaller factor), then
    α₁ = the group means of M − α₂."""
    small = 0 if fe.n_levels[0] < fe.n_levels[1] else 1
    big = 1 - small
    cb, cs = fe.codes[big], fe.codes[small]
    gb, gs = fe.n_levels[big], fe.n_levels[small]
    cross = np.bincount(cb * gs + cs, weights=w, minlength=gb * gs).reshape(gb, gs)
    sw_b = cross.sum(axis=1)
    inv_b = np.divide(1.0, sw_b, out=np.zeros_like(sw_b), where=sw_b > 0)[:, None]
    schur = np.diag(cross.sum(axis=0)) - cross.T @ (inv_b * cross)
    wMt = np.multiply(M.T, w, order="C")  # (k, n): each column contiguous for bincount, made once
    rb, rs = _sums_of_columns(cb, gb, wMt), _sums_of_columns(cs, gs, wMt)
    alpha_s = np.linalg.lstsq(schur, rs - cross.T @ (inv_b * rb), rcond=1e-12)[0]
    alpha_b = (rb - cross @ alpha_s) * inv_b
    effects = (alpha_b, alpha_s) if big == 0 else (alpha_s, alpha_b)
    residual = M - _rows(alpha_b, cb)
    residual -= _rows(alpha_s, cs)
    return Demeaned(residual, effects, 0, True)


def _sums_of_columns(codes: NDArray[np.intp], g: int, columns: Array) -> Array:
    """Group sums of each row of ``columns`` (k, n), as a (g, k) array."""
    return np.column_stack([np.bincount(codes, weights=c, minlength=g) for c in columns]) if len(columns) \
        else np.zeros((g, 0))


def _rows(values: Array, codes: NDArray[np.intp]) -> Array:
    """values[codes] along the first axis (np.take: several times faster than fancy indexing)."""
    return np.take(values, codes, axis=0)


def _moved(new: list[Array], old: list[Array]) -> float:
    return float(max((np.max(np.abs(a - b)) if a.size else 0.0) for a, b in zip(new, old)))


def _irons_tuck(x: list[Array], gx: list[Array], ggx: list[Array]) -> list[Array]:
    """Irons–Tuck extrapolation per column: GGx − (⟨Δ, Δ²⟩ / ⟨Δ², Δ²⟩) Δ, Δ = GGx − Gx."""
    delta = [b - a for a, b in zip(gx, ggx)]
    delta2 = [d - (a - b) for d, a, b in zip(delta, gx, x)]
    vprod = sum(np.sum(d * d2, axis=0) for d, d2 in zip(delta, delta2))
    ssq = sum(np.sum(d2 * d2, axis=0) for d2 in delta2)
    coef = np.divide(vprod, ssq, out=np.zeros_like(ssq), where=ssq > 0)
    return [g - coef * d for g, d in zip(ggx, delta)]


def _components(a: NDArray[np.intp], b: NDArray[np.intp], n_levels: tuple[int, ...]) -> int:
    """Connected components of the bipartite graph of levels of two factors met in one row."""
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
    g1, g2 = n_levels
    graph = sp.coo_matrix((np.ones(a.size), (a, b + g1)), shape=(g1 + g2, g1 + g2)).tocsr()
    return int(connected_components(graph, directed=False)[0])
