"""Penalised solvers for wide designs, where a p×p Gram matrix is too large to form.

* :class:`NewtonCG` — smooth penalties (ridge, no bounds): Newton steps with the Fisher
  information applied as Hessian-vector products Xᵀ(W(Xv)) + Λv, solved by conjugate
  gradients with a Jacobi preconditioner (only the diagonal of XᵀWX is ever formed).
  Quadratic convergence at O(nnz) memory.
* :class:`ProximalGradient` — any penalty with bounds and L1 parts: accelerated proximal
  gradient (FISTA) with backtracking on the step and adaptive restart. Linear convergence
  only; meant for moderate tolerances on very wide problems.

Both take ``solve(objective, start, penalty, warm=None)`` like
:class:`~glmkit.solvers.coordinate_descent.CoordinateDescent` and stop on the same
relative KKT measure, so results agree with it to the tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..penalties import Penalty
from ._base import Array, SolverResult
from ._gram import weighted_column_norms
from .coordinate_descent import PenalizedSolverResult, WarmState

__all__ = ["NewtonCG", "ProximalGradient"]

_ARMIJO = 1e-4


def _kkt(pen: Penalty, coef: Array, grad: Array, scale: Array, F: float) -> float:
    v = pen.kkt_violation(coef, grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(v > 0, v * v / np.where(scale > 0, scale, np.inf), 0.0)
    return math.sqrt(float(m.max(initial=0.0)) / (abs(F) + 0.1))


def _start(objective: Any, coef: Array, warm: WarmState | None) -> tuple[Array, Array, float]:
    if warm is not None and np.array_equal(warm.coef, coef):
        return warm.eta, warm.gradient, objective.value_at_eta(warm.eta)
    ev = objective.evaluate(coef, hessian=None)
    return ev.eta, ev.gradient, ev.value


@dataclass(frozen=True)
class NewtonCG:
    """Newton–conjugate-gradient for smooth penalties on wide designs.

    Parameters
    ----------
    tol : float, default 1e-10
        Relative KKT tolerance (as :class:`CoordinateDescent`).
    max_iter : int, default 100
    max_cg : int, default 500
        Conjugate-gradient iterations per Newton step.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.design import DenseDesign
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3)); y = rng.poisson(1.0, 100).astype(float)
    >>> obj = gk.Objective(gk.GLMLoss("poisson"), DenseDesign(X, intercept=True), y, np.ones(100), np.zeros(100))
    >>> res = NewtonCG().solve(obj, np.zeros(4), Penalty.from_weights(np.zeros(4), [0, 5.0, 5.0, 5.0]))
    >>> res.converged
    True
    """

    tol: float = 1e-10
    max_iter: int = 100
    max_cg: int = 500
    name: str = "newton_cg"

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> SolverResult:
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        if not pen.is_smooth:
            raise ValueError("NewtonCG needs a smooth penalty (no L1 part, no bounds); use ProximalGradient "
                             "or CoordinateDescent.")
        design = objective.design
        coef = np.asarray(start, dtype=float).copy()
        eta, grad, f = _start(objective, coef, warm)
        if not np.isfinite(f):
            return PenalizedSolverResult(coef, False, 0, float("inf"), "the starting coefficients give an invalid mean")
        l2 = pen.l2
        F = f + pen.value(coef)
        idx = np.arange(p)
        kkt = float("inf")
        n_iter = 0
        converged = False
        message = f"no convergence in {self.max_iter} iterations"
        while n_iter < self.max_iter:
            h = objective.fisher_weights(eta)
            diag = weighted_column_norms(design, h, idx) + l2
            G = grad + l2 * coef
            kkt = _kkt(pen, coef, grad, diag, F)
            if kkt <= self.tol:
                converged, message = True, "converged"
                break
            n_iter += 1
            step = self._cg(design, h, l2, diag, -G, min(0.1, max(kkt, 1e-12)))
            Xd = design.matvec(step)
            decrease = float(G @ step)
            t = 1.0
            for _ in range(60):
                eta_t = eta + t * Xd
                F_t = objective.value_at_eta(eta_t) + pen.value(coef + t * step)
                if np.isfinite(F_t) and F_t <= F + _ARMIJO * t * min(decrease, 0.0) + 1e-13 * (abs(F) + 0.1):
                    break
                t *= 0.5
            else:
                message = "line search failed"
                converged = kkt <= 100 * self.tol
                break
            coef = coef + t * step
            ev = objective.evaluate(coef, hessian=None, eta=eta_t)
            eta, grad = ev.eta, ev.gradient
            F = ev.value + pen.value(coef)
        state = WarmState(coef.copy(), eta, grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp), None)
        return PenalizedSolverResult(coef, converged, n_iter, float(F), message, kkt=float(kkt), state=state)

    def _cg(self, design: Any, h: Array, l2: Array, diag: Array, rhs: Array, rtol: float) -> Array:
        def hv(v: Array) -> Array:
            return design.rmatvec(h * design.matvec(v)) + l2 * v

        pre = np.where(diag > 0, 1.0 / np.where(diag > 0, diag, 1.0), 1.0)
        x = np.zeros_like(rhs)
        r = rhs.copy()
        z = pre * r
        d = z.copy()
        rz = float(r @ z)
        r0 = math.sqrt(max(rz, 0.0))
        for _ in range(self.max_cg):
            Ad = hv(d)
            dAd = float(d @ Ad)
            if dAd <= 0:
                break
            a = rz / dAd
            x += a * d
            r -= a * Ad
            z = pre * r
            rz_new = float(r @ z)
            if math.sqrt(max(rz_new, 0.0)) <= rtol * r0:
                break
            d = z + (rz_new / rz) * d
            rz = rz_new
        return x


@dataclass(frozen=True)
class ProximalGradient:
    """Accelerated proximal gradient (FISTA) with backtracking and adaptive restart.

    Parameters
    ----------
    tol : float, default 1e-7
        Relative KKT tolerance; FISTA converges linearly at best and its line search works
        on objective values, which resolve a KKT violation of about 1e-8 at most, so the
        default is looser than the Newton-type solvers'.
    max_iter : int, default 20000

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.design import DenseDesign
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = rng.poisson(np.exp(0.5 * X[:, 0])).astype(float)
    >>> obj = gk.Objective(gk.GLMLoss("poisson"), DenseDesign(X, intercept=True), y, np.ones(200), np.zeros(200))
    >>> res = ProximalGradient().solve(obj, np.zeros(4), Penalty.from_weights([0, 20.0, 20.0, 20.0]))
    >>> res.converged, bool(res.coef[2] == 0.0)
    (True, True)
    """

    tol: float = 1e-7
    max_iter: int = 20_000
    name: str = "proximal"

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> SolverResult:
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        design = objective.design
        x = pen.project(np.asarray(start, dtype=float))
        eta, grad, f = _start(objective, x, warm)
        if not np.isfinite(f):
            return PenalizedSolverResult(x, False, 0, float("inf"), "the starting coefficients give an invalid mean")
        F = f + pen.value(x)
        h = objective.fisher_weights(eta)
        scale = weighted_column_norms(design, h, np.arange(p))
        L = max(float(np.max(scale + pen.l2)), 1e-300)  # a first guess of the Lipschitz constant
        y, eta_y, grad_y, f_y = x, eta, grad, f
        theta = 1.0
        kkt = _kkt(pen, x, grad, scale + pen.l2, F)
        n_iter = 0
        converged = kkt <= self.tol
        while not converged and n_iter < self.max_iter:
            n_iter += 1
            for _ in range(60):  # backtracking on the quadratic upper bound at y
                x_new = pen.prox(y - grad_y / L, 1.0 / L)
                dx = x_new - y
                eta_new = eta_y + design.matvec(dx)
                f_new = objective.value_at_eta(eta_new)
                if np.isfinite(f_new) and f_new <= f_y + grad_y @ dx + 0.5 * L * (dx @ dx) + 1e-14 * abs(f_y):
                    break
                L *= 2.0
            ev = objective.evaluate(x_new, hessian=None, eta=eta_new)
            F_new = ev.value + pen.value(x_new)
            if F_new > F:  # adaptive restart: drop the momentum
                theta = 1.0
                y, eta_y, grad_y, f_y = x, eta, grad, F - pen.value(x)
                continue
            theta_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
            mom = (theta - 1.0) / theta_new
            y = x_new + mom * (x_new - x)
            eta_y = ev.eta + mom * (ev.eta - eta)
            x, eta, grad, F = x_new, ev.eta, ev.gradient, F_new
            theta = theta_new
            ev_y = objective.evaluate(y, hessian=None, eta=eta_y)
            grad_y, f_y = ev_y.gradient, ev_y.value
            if not np.isfinite(f_y):
                y, eta_y, grad_y, f_y, theta = x, eta, grad, ev.value, 1.0
            kkt = _kkt(pen, x, grad, scale + pen.l2, F)
            converged = kkt <= self.tol
            L *= 0.9  # let the step grow again
        state = WarmState(x.copy(), eta, grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp), None)
        msg = "converged" if converged else f"no convergence in {self.max_iter} iterations"
        return PenalizedSolverResult(x, bool(converged), n_iter, float(F), msg, kkt=float(kkt), state=state)
