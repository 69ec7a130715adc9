"""L-BFGS: limited-memory quasi-Newton steps with a backtracking line search.

Needs only values and gradients (one matvec and one rmatvec per evaluation), so it suits
wide problems where XᵀWX would not pay off. The line search halves the step while the
objective is infinite (η or μ outside their domains, e.g. a negative mean under the
identity link) or the Armijo condition fails, which a generic minimiser cannot do.
The objective is divided by Σw so that the gradient tolerance does not depend on n.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._base import Array, IterationRecord, SolverResult

__all__ = ["LBFGS"]


@dataclass(frozen=True)
class LBFGS:
    """Limited-memory BFGS.

    Parameters
    ----------
    tol : float, default 1e-10
        Stop when ``max |∇f| / Σw ≤ tol``.
    max_iter : int, default 10000
    memory : int, default 20
        Number of correction pairs kept.
    record_history : bool, default False

    Examples
    --------
    >>> LBFGS(memory=10).memory
    10
    """

    tol: float = 1e-10
    max_iter: int = 10000
    memory: int = 20
    record_history: bool = False
    name: ClassVar[str] = "lbfgs"
    accepts_penalty: ClassVar[bool] = False
    newton_type: ClassVar[bool] = False
    absorbs_effects: ClassVar[bool] = False

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        """Minimise ``objective`` from ``start`` (shape (n_features,)).

        Returns
        -------
        SolverResult
            The coefficients, convergence, iterations and history.

        Examples
        --------
        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> result = gk.solvers.LBFGS().solve(objective, np.zeros(2))
        >>> result.converged, result.coef.round(3).tolist()
        (True, [-0.249, 0.463])
        """
        scale = objective.total_weight or 1.0

        def fun(coef: Array) -> tuple[float, Array]:
            ev = objective.evaluate(coef, hessian=None)
            return ev.value / scale, ev.gradient / scale

        coef = np.array(start, dtype=float, copy=True)
        value, grad = fun(coef)
        if not np.isfinite(value):
            return SolverResult(coef, False, 0, value * scale, "the starting coefficients give an invalid mean")
        pairs: deque[tuple[Array, Array, float]] = deque(maxlen=self.memory)
        history: list[IterationRecord] = []
        stalled = 0
        for iteration in range(1, self.max_iter + 1):
            gmax = float(np.max(np.abs(grad))) if grad.size else 0.0
            if self.record_history:
                history.append(IterationRecord(iteration - 1, value * scale, float(np.linalg.norm(grad) * scale), np.nan))
            if gmax <= self.tol:
                return SolverResult(coef, True, iteration - 1, value * scale, "converged", tuple(history))
            direction = -_two_loop(grad, pairs)
            slope = float(direction @ grad)
            if slope >= 0:  # not a descent direction: restart from steepest descent
                pairs.clear()
                direction, slope = -grad, -float(grad @ grad)
            t = 1.0 if pairs else min(1.0, 1.0 / max(gmax, 1e-12))
            for _ in range(60):
                trial = coef + t * direction
                trial_value, trial_grad = fun(trial)
                if np.isfinite(trial_value) and trial_value <= value + 1e-4 * t * slope:
                    break
                t *= 0.5
            else:
                converged = gmax <= max(self.tol, 1e-8)
                return SolverResult(coef, converged, iteration, value * scale,
                                    f"line search failed at gradient {gmax:.3g}", tuple(history))
            s, yk = trial - coef, trial_grad - grad
            sy = float(s @ yk)
            if sy > 1e-16 * float(yk @ yk):
                pairs.append((s, yk, 1.0 / sy))
            stalled = stalled + 1 if abs(trial_value - value) <= 1e-16 * abs(value) else 0
            coef, value, grad = trial, trial_value, trial_grad
            if stalled >= 5:
                gmax = float(np.max(np.abs(grad)))
                return SolverResult(coef, gmax <= max(self.tol, 1e-8), iteration, value * scale,
                                    f"no progress at the floating-point floor (gradient {gmax:.3g})", tuple(history))
        return SolverResult(coef, False, self.max_iter, value * scale,
                            f"no convergence in {self.max_iter} iterations", tuple(history))


def _two_loop(grad: Array, pairs) -> Array:  # type: ignore[no-untyped-def]
    """H·g by the L-BFGS two-loop recursion (Nocedal & Wright, Algorithm 7.4)."""
    q = grad.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        alphas.append(a)
        q -= a * y
    if pairs:
        s, y, _ = pairs[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        b = rho * float(y @ q)
        q += (a - b) * s
    return q
