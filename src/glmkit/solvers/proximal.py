"""Accelerated proximal gradient (FISTA) for penalised GLMs on very wide designs.

:class:`ProximalGradient` handles any penalty with bounds and L1 parts: accelerated proximal
gradient with backtracking on the step and adaptive restart. Linear convergence only;
meant for moderate tolerances on very wide problems. It takes ``solve(objective, start,
penalty, warm=None)`` like :class:`~glmkit.solvers.coordinate_descent.CoordinateDescent`
and stops on the same relative KKT measure. (Newton's method with conjugate gradients, for
smooth penalties, is :mod:`glmkit.solvers.newton_cg`.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..penalties import Penalty
from ._base import Array, PenalizedSolverResult, WarmState, relative_kkt

__all__ = ["ProximalGradient"]


def _start(objective: Any, coef: Array, warm: WarmState | None) -> tuple[Array, Array, float]:
    if warm is not None and np.array_equal(warm.coef, coef):
        return warm.eta, warm.gradient, objective.value_at_eta(warm.eta)
    ev = objective.evaluate(coef, hessian=None)
    return ev.eta, ev.gradient, ev.value


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
    name: ClassVar[str] = "proximal"
    accepts_penalty: ClassVar[bool] = True

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> PenalizedSolverResult:
        """Minimise ``objective.value(β) + penalty.value(β)`` from ``start``.

        ``penalty`` is a resolved :class:`~glmkit.penalties.Penalty` (None: no penalty),
        ``warm`` the previous fit's :class:`WarmState` on a path.

        Returns
        -------
        PenalizedSolverResult
            The coefficients, convergence, the relative KKT violation and the warm state.

        Examples
        --------
        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> result = gk.solvers.ProximalGradient().solve(objective, np.zeros(2), gk.penalties.Penalty.none(2))
        >>> result.converged, result.coef.round(3).tolist()
        (True, [-0.249, 0.463])
        """
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        design = objective.design
        x = pen.project(np.asarray(start, dtype=float))
        eta, grad, f = _start(objective, x, warm)
        if not np.isfinite(f):
            return PenalizedSolverResult(x, False, 0, float("inf"), "the starting coefficients give an invalid mean")
        F = f + pen.value(x)
        h = objective.fisher_weights(eta)
        scale = design.weighted_column_norms(h)
        L = max(float(np.max(scale + pen.l2)), 1e-300)  # a first guess of the Lipschitz constant
        y, eta_y, grad_y, f_y = x, eta, grad, f
        theta = 1.0
        kkt = relative_kkt(pen, x, grad, scale + pen.l2, F)
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
            kkt = relative_kkt(pen, x, grad, scale + pen.l2, F)
            converged = kkt <= self.tol
            L *= 0.9  # let the step grow again
        state = WarmState(x.copy(), eta, grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp), None)
        msg = "converged" if converged else f"no convergence in {self.max_iter} iterations"
        return PenalizedSolverResult(x, bool(converged), n_iter, float(F), msg, kkt=float(kkt), state=state)
