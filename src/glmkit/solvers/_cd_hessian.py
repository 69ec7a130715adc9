"""The Fisher information a coordinate-descent run keeps: over the working set, reused, corrected.

Split from :mod:`glmkit.solvers.coordinate_descent` (whose module notes explain when a
Hessian is formed, reused or refreshed); this is its bookkeeping: which columns it covers,
its BFGS correction between refreshes, and the full Gram of a least-squares fit.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._base import Array, WarmState

__all__ = ["HessianState"]

_NEAR_FRACTION = 0.3  # columns this close to their L1 threshold join the Gram early
_SMALL_GRAM = 1e6  # n·p² up to which the Gram always covers every column


class HessianState:
    """The stored Hessian of a run and its operations (a base of the solver's run state)."""

    obj: Any
    pen: Any
    opts: Any
    p: int
    n_hessians: int
    H: Array | None
    H_idx: NDArray[np.intp]
    H_pos: NDArray[np.intp]
    H_diag: Array
    fisher_sum: float
    drift: float
    force: bool

    def _set_hessian(self, H: Array, idx: NDArray[np.intp], fisher_sum: float) -> None:
        self.H, self.H_idx, self.fisher_sum = H, idx, float(fisher_sum)
        self.H_pos = np.full(self.p, -1, dtype=np.intp)
        self.H_pos[idx] = np.arange(idx.size)
        self.H_diag = np.diag(H).copy()

    def _secant_update(self, step: Array, grad_change: Array) -> None:
        """BFGS correction of a reused Fisher matrix over its columns (Hs = y afterwards).

        The Fisher information of an earlier point already captures most of the curvature;
        the rank-two correction makes the reused matrix agree with the change of the gradient
        just observed, which turns the linear convergence of a stale Hessian superlinear at
        no cost in passes over X. Skipped when the curvature condition yᵀs > 0 fails.
        """
        if self.H is None:
            return
        idx = self.H_idx
        s_ = step[idx]
        if np.any(step[self.H_pos < 0] != 0):  # a move outside the stored columns: keep H as is
            return
        y_ = grad_change[idx]
        ys = float(y_ @ s_)
        Hs = self.H @ s_
        sHs = float(s_ @ Hs)
        if not (ys > 1e-12 * math.sqrt(float(y_ @ y_) * float(s_ @ s_)) and sHs > 0):
            return
        H = self.H + np.outer(y_, y_) / ys - np.outer(Hs, Hs) / sHs
        self._set_hessian(0.5 * (H + H.T), idx, self.fisher_sum)

    def _hessian_columns(self, ws: NDArray[np.bool_], coef: Array, grad: Array) -> NDArray[np.intp]:
        """Columns to form the Gram over: the working set and the columns close to entering
        it (|∂f/∂βⱼ| ≥ 0.3·l1ⱼ, which the strong rule will admit at the next α of a path), so
        that a growing working set rarely needs a Gram of its own; all once that is most."""
        pen = self.pen
        if self.obj.design.shape[0] * self.p * self.p <= _SMALL_GRAM:  # small: always all columns
            return np.arange(self.p)
        near = np.abs(grad + pen.l2 * coef) >= _NEAR_FRACTION * pen.l1
        cols = ws | near
        if cols.sum() >= self.opts.full_gram_fraction * self.p:
            return np.arange(self.p)
        return np.flatnonzero(cols)

    def _fresh_hessian(self, eta: Array, idx: NDArray[np.intp]) -> None:
        h = self.obj.fisher_weights(eta)
        self._set_hessian(self.obj.design.sandwich_columns(h, idx), idx, float(np.sum(h)))
        self.n_hessians += 1

    def _scale(self, eta: Array, v: Array) -> Array:
        """Hⱼⱼ for every coefficient with a violation (exact Fisher diagonal off the stored set)."""
        scale = np.ones(self.p)
        inside = self.H_pos >= 0
        scale[inside] = self.H_diag[self.H_pos[inside]]
        outside = np.flatnonzero(~inside & (v > 0))
        if outside.size:
            h = self.obj.fisher_weights(eta)
            scale[outside] = self.obj.design.weighted_column_norms(h, outside)
        return scale

    def _full_gram(self, warm: WarmState | None, eta: Array) -> None:
        """The Hessian over every column: the previous fit's, or formed once (quadratic mode)."""
        if warm is not None and warm.hessian is not None and warm.hessian_index.size == self.p:
            self._set_hessian(warm.hessian, warm.hessian_index, warm.fisher_sum)
        else:
            h = self.obj.fisher_weights(eta)
            self._set_hessian(self.obj.design.sandwich(h), np.arange(self.p), float(np.sum(h)))
            self.n_hessians += 1
        self.drift, self.force = 0.0, False
