"""Gradient descent: the textbook method, with a fixed learning rate or Armijo backtracking.

With a fixed ``learning_rate`` it is exactly the textbook update on the summed
negative log-likelihood, β ← β − lr · ∇f(β). Without one, each step starts from the last
accepted step size, doubled, and is halved until the Armijo condition
f(β − t∇f) ≤ f(β) − c·t·|∇f|² holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._base import Array, IterationRecord, SolverResult

__all__ = ["GradientDescent"]


@dataclass(frozen=True)
class GradientDescent:
    """Gradient descent on the summed negative log-likelihood.

    Parameters
    ----------
    learning_rate : float or None, default None
        Fixed step (the textbook method); None selects Armijo backtracking.
    tol : float, default 1e-6
        Stop when the Euclidean norm of the gradient is ≤ tol.
    max_iter : int, default 100000
    armijo : float, default 1e-4
        Sufficient-decrease constant c of the line search.
    record_history : bool, default False

    Examples
    --------
    >>> GradientDescent(learning_rate=1e-4).name
    'gd'
    """

    learning_rate: float | None = None
    tol: float = 1e-6
    max_iter: int = 100_000
    armijo: float = 1e-4
    record_history: bool = False
    name: str = "gd"

    def __post_init__(self) -> None:
        if self.learning_rate is not None and not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be positive or None; got {self.learning_rate!r}.")

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        coef = np.array(start, dtype=float, copy=True)
        ev = objective.evaluate(coef, hessian=None)
        value, grad = ev.value, ev.gradient
        history: list[IterationRecord] = []
        step = 1.0 / max(float(np.sum(objective.weights)), 1.0)
        for iteration in range(1, self.max_iter + 1):
            gnorm = float(np.linalg.norm(grad))
            if self.record_history:
                history.append(IterationRecord(iteration - 1, value, gnorm, step if self.learning_rate is None else self.learning_rate))
            if not np.isfinite(value):
                return SolverResult(coef, False, iteration - 1, value, "diverged: the loss is not finite (learning rate too large?)", tuple(history))
            if gnorm <= self.tol:
                return SolverResult(coef, True, iteration - 1, value, "converged", tuple(history))
            if self.learning_rate is not None:
                coef = coef - self.learning_rate * grad
                ev = objective.evaluate(coef, hessian=None)
            else:
                step *= 2.0
                for _ in range(60):
                    trial = coef - step * grad
                    trial_value = objective.value(trial)
                    if np.isfinite(trial_value) and trial_value <= value - self.armijo * step * gnorm**2:
                        break
                    step *= 0.5
                else:
                    return SolverResult(coef, False, iteration, value, "line search failed", tuple(history))
                coef = trial
                ev = objective.evaluate(coef, hessian=None)
            value, grad = ev.value, ev.gradient
        gnorm = float(np.linalg.norm(grad))
        if self.record_history:
            history.append(IterationRecord(self.max_iter, value, gnorm, np.nan))
        return SolverResult(
            coef, gnorm <= self.tol, self.max_iter, value,
            f"stopped after {self.max_iter} iterations with gradient norm {gnorm:.3g} > tol {self.tol:g}",
            tuple(history),
        )
