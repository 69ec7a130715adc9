"""L-BFGS (scipy's L-BFGS-B) on the objective scaled by the total weight.

Needs only values and gradients (one matvec and one rmatvec per evaluation), so it suits
wide problems where XᵀWX would not pay off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from ._base import Array, IterationRecord, SolverResult

__all__ = ["LBFGS"]


@dataclass(frozen=True)
class LBFGS:
    """Limited-memory BFGS.

    Parameters
    ----------
    tol : float, default 1e-10
        Stop when max |∇f| / Σw ≤ tol.
    max_iter : int, default 10000
    memory : int, default 30
        Number of correction pairs kept.
    record_history : bool, default False
    """

    tol: float = 1e-10
    max_iter: int = 10000
    memory: int = 30
    record_history: bool = False
    name: str = "lbfgs"

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        scale = float(np.sum(objective.weights)) or 1.0
        history: list[IterationRecord] = []

        def fun(coef: Array) -> tuple[float, Array]:
            ev = objective.evaluate(coef, hessian=None)
            if not np.isfinite(ev.value):
                return np.inf, np.zeros_like(coef)
            return ev.value / scale, ev.gradient / scale

        def callback(intermediate):  # type: ignore[no-untyped-def]
            if self.record_history:
                v, g = fun(intermediate.x)
                history.append(IterationRecord(len(history) + 1, v * scale, float(np.linalg.norm(g) * scale), np.nan))

        res = optimize.minimize(
            fun, np.asarray(start, dtype=float), jac=True, method="L-BFGS-B", callback=callback,
            options={"maxiter": self.max_iter, "maxcor": self.memory, "gtol": self.tol, "ftol": 0.0, "maxls": 50},
        )
        value, grad = fun(res.x)
        # L-BFGS-B may stop on a failed line search at the noise floor; judge by the gradient.
        converged = bool(np.max(np.abs(grad)) <= max(self.tol, 1e-7) or res.success)
        return SolverResult(res.x, converged, int(res.nit), value * scale, str(res.message), tuple(history))
