"""One pass over a dense design per solver step: Xd, f, ∇f and (optionally) XᵀWX at η + Xd.

Design note
-----------
On large dense data the proximal-Newton solver is limited by memory bandwidth, not by
arithmetic: ``matvec`` (for the line search), ``rmatvec`` (the gradient) and ``sandwich``
(the Fisher information) each stream X from memory. Done block by block, the three share
one read: a block of rows (a few MiB) is multiplied by the step, the loss terms of its rows
are evaluated at the trial η, and while the block is still in cache it contributes to the
gradient and, when asked for, to the Gram matrix of the working-set columns.

The pass assumes the full step (t = 1) is accepted, which is what happens near the
solution and for canonical links; when the line search rejects it, the solver falls back to
backtracking along the stored Xd and an ordinary gradient evaluation. Everything the pass
computes is what ``Objective.evaluate`` and ``Design.sandwich`` would return — only the
order of the floating-point sums differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import blas

from ..design import DenseDesign

__all__ = ["FusedEvaluator", "FusedStep"]

Array = NDArray[np.floating]

_BLOCK_BYTES = 2 << 20


@dataclass(frozen=True)
class FusedStep:
    """What one pass returns (value inf when η or μ left its domain; then nothing else is valid).

    ``gradient`` and ``hessian`` are over the evaluator's columns (``FusedEvaluator.columns``);
    ``eta_gradient`` is dℓ/dη per row, from which the gradient over any other columns is one
    ``rmatvec`` away.
    """

    Xd: Array
    eta: Array
    value: float
    gradient: Array | None
    hessian: Array | None
    fisher_sum: float
    eta_gradient: Array | None = None


class FusedEvaluator:
    """Evaluate a step of an :class:`~glmkit.objective.Objective` on a dense design in one pass.

    Parameters
    ----------
    objective : Objective
        With a :class:`~glmkit.design.DenseDesign`; see :meth:`applicable`.
    columns : ndarray of int, optional
        Work on these design columns only (sorted; the intercept is column 0 of a design
        with an intercept): they are copied into one contiguous matrix, so that each pass
        reads only them — the working set of a sparse fit is a small part of X. Steps must
        then be zero outside ``columns``, and gradients and Grams come back over them.
    """

    def __init__(self, objective: Any, columns: NDArray[np.intp] | None = None) -> None:
        self.obj = objective
        design: DenseDesign = objective.design
        icpt = int(design.intercept)
        X = design.X
        if columns is None:
            self.columns = np.arange(design.shape[1])
            self.X = X
            self.icpt = icpt
        else:
            self.columns = np.asarray(columns, dtype=np.intp)
            self.icpt = int(icpt and self.columns.size > 0 and self.columns[0] == 0)
            self.X = np.ascontiguousarray(X[:, self.columns[self.columns >= icpt] - icpt])
        n, p = self.X.shape
        self.block = max(256, _BLOCK_BYTES // max(1, p * self.X.itemsize))

    @staticmethod
    def applicable(objective: Any) -> bool:
        """A dense design, and the objective's loss, y, weights and offset are available."""
        return (isinstance(getattr(objective, "design", None), DenseDesign)
                and all(hasattr(objective, a) for a in ("loss", "y", "weights", "offset"))
                and objective.design.X.shape[0] >= 4 * 256)

    def gram(self, weights: Array) -> Array:
        """XᵀWX over the evaluator's columns (for a compact copy: no gather needed)."""
        from ..design import DenseDesign as _Dense

        return _Dense(self.X, intercept=bool(self.icpt)).sandwich(weights)

    def step(self, d: Array, eta: Array, hess_idx: NDArray[np.intp] | None) -> FusedStep:
        """Xd, and f, ∇f (and the Gram over ``hess_idx``, sorted positions among the
        evaluator's columns) at η + Xd; ``d`` is over the evaluator's columns."""
        X, icpt, obj = self.X, self.icpt, self.obj
        n, p = X.shape
        dtype = X.dtype
        dx = np.asarray(d[icpt:], dtype=dtype)
        d0 = float(d[0]) if icpt else 0.0
        Xd = np.empty(n)
        new_eta = np.empty(n)
        g_eta = np.empty(n)
        grad_x = np.zeros(p)
        g0 = 0.0
        value = 0.0
        fisher_sum = 0.0
        valid = True
        link = obj.loss.link
        want_h = hess_idx is not None
        if want_h:
            has0 = bool(icpt and hess_idx.size and hess_idx[0] == 0)
            cols = hess_idx[hess_idx >= icpt] - icpt
            k = cols.size
            all_cols = k == p
            gram = np.zeros((k, k), dtype=dtype, order="F")
            cross = np.zeros(k)
            buf = np.empty((min(self.block, n), k), dtype=dtype)
            syrk = blas.dsyrk if dtype == np.float64 else blas.ssyrk
        for start in range(0, n, self.block):
            stop = min(start + self.block, n)
            Xb = X[start:stop]
            xd = Xb @ dx
            if icpt:
                xd = xd + d0
            Xd[start:stop] = xd
            if not valid:
                continue
            eb = eta[start:stop] + xd
            new_eta[start:stop] = eb
            if not link.valid_eta(eb):
                valid = False
                continue
            terms = obj.loss.terms(obj.y[start:stop], eb, obj.weights[start:stop], "expected")
            v = float(np.sum(terms.loss))
            if not np.isfinite(v):
                valid = False
                continue
            value += v
            g = terms.gradient
            g_eta[start:stop] = g
            grad_x += (Xb.T @ g.astype(dtype, copy=False)).astype(np.float64, copy=False)
            g0 += float(g.sum())
            if want_h:
                h = terms.hessian
                fisher_sum += float(h.sum())
                if k:
                    sqrt_h = np.sqrt(h).astype(dtype, copy=False)
                    rows = buf[: stop - start]
                    if all_cols:
                        np.multiply(Xb, sqrt_h[:, None], out=rows)
                    else:
                        np.take(Xb, cols, axis=1, out=rows)
                        rows *= sqrt_h[:, None]
                    gram = syrk(1.0, rows.T, beta=1.0, c=gram, trans=0, lower=0, overwrite_c=1)
                    if has0:
                        cross += rows.T @ sqrt_h
        if not valid:
            return FusedStep(Xd, eta + Xd, float("inf"), None, None, 0.0)
        grad = np.concatenate(([g0], grad_x)) if icpt else grad_x
        hessian = None
        if want_h:
            gram = (np.triu(gram) + np.triu(gram, 1).T).astype(np.float64, copy=False)
            if has0:
                hessian = np.empty((k + 1, k + 1))
                hessian[0, 0] = fisher_sum
                hessian[0, 1:] = cross
                hessian[1:, 0] = cross
                hessian[1:, 1:] = gram
            else:
                hessian = gram
        return FusedStep(Xd, new_eta, value, grad, hessian, fisher_sum, g_eta)
