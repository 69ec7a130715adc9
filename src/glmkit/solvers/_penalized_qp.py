"""The quadratic sub-problem of penalised IRLS, solved on the Gram matrix alone.

    minimise  gᵀ(x − x₀) + ½ (x − x₀)ᵀ H (x − x₀) + P(x)  on the bounds,

with P a separable :class:`~glmkit.penalties.Penalty` (L1 + L2 parts and box bounds).
Coefficients that are neither penalised nor bounded are eliminated exactly by a Schur
complement (for the intercept: centring the Gram with the current weights, glmnet's
trick); cyclic coordinate descent over the active set finds the signs, and a "polish"
step solves the sign-fixed problem by Cholesky. Used by
:class:`~glmkit.solvers.coordinate_descent.CoordinateDescent` for every outer step.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..penalties import Penalty
from ._base import Array

__all__ = ["solve_penalized_qp"]


def solve_penalized_qp(H: Array, g: Array, x0: Array, pen: Penalty, tol2: float,
                       max_sweeps: int = 10_000) -> Array:
    """Minimise gᵀ(x − x₀) + ½(x − x₀)ᵀH(x − x₀) + P(x) on the bounds.

    Parameters
    ----------
    H : ndarray of shape (k, k)
        Symmetric positive semi-definite.
    g : ndarray of shape (k,)
        Gradient of the smooth part at x₀.
    x0 : ndarray of shape (k,)
    pen : Penalty
        Of k coefficients.
    tol2 : float
        Stop when every coordinate's KKT violation satisfies vⱼ²/Hⱼⱼ ≤ tol2.
    max_sweeps : int

    Returns
    -------
    ndarray of shape (k,)

    Notes
    -----
    Free coordinates (no penalty, no bounds) U are eliminated: for the rest P,
    H̃ = H_PP − H_PU H_UU⁻¹ H_UP and g̃ = g_P − H_PU H_UU⁻¹ g_U; afterwards
    x_U = x0_U − H_UU⁻¹ (g_U + H_UP (x_P − x0_P)).
    """
    k = x0.shape[0]
    if k == 0:
        return x0.copy()
    if pen.is_smooth:  # ridge without bounds: the sub-problem is one linear system
        A = H + np.diag(pen.l2)
        return x0 - _spd_solve(A, g + pen.l2 * x0)
    free = pen.free
    if not np.any(free):
        return _cd_qp(H, g, x0, pen, tol2, max_sweeps)
    U = np.flatnonzero(free)
    P = np.flatnonzero(~free)
    Huu = H[np.ix_(U, U)]
    Hup = H[np.ix_(U, P)]
    sol = _spd_solve(Huu, np.column_stack([g[U], Hup]))
    c, A = sol[:, 0], sol[:, 1:]
    x = x0.copy()
    if P.size:
        Hr = H[np.ix_(P, P)] - Hup.T @ A
        Hr = 0.5 * (Hr + Hr.T)
        gr = g[P] - Hup.T @ c
        xP = _cd_qp(Hr, gr, x0[P], pen.subset(P), tol2, max_sweeps)
        dP = xP - x0[P]
        x[P] = xP
        x[U] = x0[U] - c - A @ dP
    else:
        x[U] = x0[U] - c
    return x


def _spd_solve(M: Array, rhs: Array) -> Array:
    import scipy.linalg as sla
    d = np.sqrt(np.abs(np.diag(M)))
    d[d == 0] = 1.0
    S = M / d[:, None] / d[None, :]
    rhs_s = rhs / d[:, None] if rhs.ndim == 2 else rhs / d
    try:
        fac = sla.cho_factor(S, lower=False, check_finite=False)
        out = sla.cho_solve(fac, rhs_s, check_finite=False)
    except (np.linalg.LinAlgError, ValueError):
        out = np.linalg.lstsq(S, rhs_s, rcond=None)[0]
    return out / d[:, None] if rhs.ndim == 2 else out / d


def _cd_qp(H: Array, g: Array, x0: Array, pen: Penalty, tol2: float, max_sweeps: int) -> Array:
    """Coordinate descent with active sets and sign-fixed Newton polishing (see module notes)."""
    x = x0.astype(float, copy=True)
    diag = np.diag(H).copy()
    curv = diag + pen.l2
    movable = curv > 0
    r = -g.astype(float, copy=True)  # −(g + H(x − x0)), the negative smooth gradient
    sweeps_left = max_sweeps
    per_round = 4
    for _round in range(10_000):
        v = pen.kkt_violation(x, -r)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(movable, v * v / np.where(movable, curv, 1.0), 0.0)
        if float(m.max(initial=0.0)) <= tol2 or sweeps_left <= 0:
            break
        active = np.flatnonzero(movable & ((x != 0) | (m > tol2)))
        x, used = _sweeps(H, active, x, r, diag, pen, tol2, min(per_round, sweeps_left))
        sweeps_left -= used
        r = -g - H @ (x - x0)
        x, r = _polish(H, g, x0, x, r, pen)
        per_round = min(2 * per_round, 64)
    return x


def _sweeps(H: Array, active: NDArray[np.intp], x: Array, r: Array, diag: Array, pen: Penalty,
            tol2: float, n_sweeps: int) -> tuple[Array, int]:
    """Cyclic coordinate descent over ``active`` on a compact copy of H (covariance updates)."""
    if active.size == 0:
        return x, 0
    HA = np.ascontiguousarray(H[np.ix_(active, active)])
    rA = r[active].copy()
    xs = x[active].tolist()
    hs = diag[active].tolist()
    l1s = pen.l1[active].tolist()
    l2s = pen.l2[active].tolist()
    los = pen.lower[active].tolist()
    his = pen.upper[active].tolist()
    n = active.size
    used = 0
    stop = 1e-3 * tol2
    for _ in range(n_sweeps):
        used += 1
        big = 0.0
        for k in range(n):
            hk = hs[k]
            den = hk + l2s[k]
            xk = xs[k]
            u = hk * xk + float(rA[k])
            a = abs(u) - l1s[k]
            if a > 0.0:
                new = (a if u > 0.0 else -a) / den
                if new < los[k]:
                    new = los[k]
                elif new > his[k]:
                    new = his[k]
            else:
                new = 0.0 if los[k] <= 0.0 <= his[k] else (los[k] if los[k] > 0.0 else his[k])
            delta = new - xk
            if delta != 0.0:
                rA -= delta * HA[k]
                xs[k] = new
                c = delta * delta * den
                if c > big:
                    big = c
        if big <= stop:
            break
    x = x.copy()
    x[active] = xs
    return x, used


def _polish(H: Array, g: Array, x0: Array, x: Array, r: Array, pen: Penalty) -> tuple[Array, Array]:
    """Newton step on the sign-fixed problem over the non-zero interior coordinates, cut short
    where a coordinate would change sign or leave its bounds."""
    import scipy.linalg as sla
    F = np.flatnonzero((x != 0) & (x > pen.lower) & (x < pen.upper) & (np.diag(H) + pen.l2 > 0))
    if F.size == 0:
        return x, r
    s = np.sign(x[F])
    grad_F = -r[F] + pen.l2[F] * x[F] + pen.l1[F] * s
    M = H[np.ix_(F, F)] + np.diag(pen.l2[F])
    try:
        d = np.sqrt(np.diag(M))
        fac = sla.cho_factor(M / d[:, None] / d[None, :], lower=False, check_finite=False)
        step = -sla.cho_solve(fac, grad_F / d, check_finite=False) / d
    except (np.linalg.LinAlgError, ValueError):
        return x, r
    if not np.all(np.isfinite(step)):
        return x, r
    xF = x[F]
    t = 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        # sign changes: x + t·step crosses 0
        cross = (s * step < 0)
        lim = np.where(cross, -xF / step, np.inf)
        lo_lim = np.where(step < 0, (pen.lower[F] - xF) / step, np.inf)
        hi_lim = np.where(step > 0, (pen.upper[F] - xF) / step, np.inf)
    limit = np.minimum(np.minimum(lim, lo_lim), hi_lim)
    t = min(1.0, float(limit.min(initial=np.inf)))
    if t <= 0:
        return x, r
    new = xF + t * step
    if t < 1.0:
        hit = limit <= t * (1 + 1e-12)
        new[hit & cross] = 0.0
        new = np.clip(new, pen.lower[F], pen.upper[F])
    x = x.copy()
    x[F] = new
    r = -g - H @ (x - x0)
    return x, r
