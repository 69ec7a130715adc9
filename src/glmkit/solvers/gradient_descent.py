"""Gradient descent: the textbook method, with a fixed learning rate or Armijo backtracking.

With a fixed ``learning_rate`` it is exactly the textbook update on the summed negative
log-likelihood, β ← β − lr · ∇f(β), ∇f = Xᵀ(dℓ/dη) (for canonical links Xᵀ(μ − y)).
A fixed step is stable only while lr < 2 / L, with L the largest eigenvalue of the Hessian
along the path; since L grows with the data and, for Poisson, with exp(η), a step that
works near the optimum can diverge from a poor start. Divergence is detected and reported.

Without a learning rate each step starts from the last accepted step, doubled, and is
halved until the Armijo condition f(β − t∇f) ≤ f(β) − c·t·‖∇f‖² holds. Close to the
optimum the change t·‖∇f‖² falls below the rounding error of f itself, and the exact test
then passes or fails at random (accepting steps that overshoot). There the step is
accepted instead when f did not rise beyond its rounding noise and the slope along the
step satisfies the Armijo condition written for a quadratic,
∇f(β − t∇f)·∇f(β) ≥ −(1 − 2c)‖∇f‖², which needs gradients only and stays accurate
(Hager and Zhang's "approximate Wolfe" test). This lets the line search drive the
gradient far below the noise floor of the loss.

Convergence: the Euclidean norm of the gradient of the mean loss, ‖∇f‖ / Σw, is at most
``tol``. Near the optimum the error in β is about ‖∇f‖ / λ_min(∇²f) = tol / λ_min of the
Hessian of the mean loss.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import InputError
from ._base import Array, IterationRecord, SolverResult

__all__ = ["GradientDescent"]

_MAX_HALVINGS = 60
_LOSS_NOISE = 1e-10  # relative change of f treated as rounding noise in the line search


@dataclass(frozen=True)
class GradientDescent:
    """Gradient descent on the summed negative log-likelihood.

    Parameters
    ----------
    learning_rate : float or None, default None
        A fixed step (the textbook method). None selects a backtracking (Armijo) line search.
    tol : float, default 1e-8
        Stop when ‖∇f(β)‖₂ / Σw ≤ tol, the Euclidean norm of the gradient of the mean loss.
    max_iter : int, default 100000
        Most steps taken; the result has ``converged=False`` (and ``glm`` warns) if reached.
    armijo : float, default 1e-4
        Sufficient-decrease constant c of the line search, in (0, 1/2).
    record_history : bool, default False
        Keep one :class:`IterationRecord` per iterate: loss, ‖∇f‖₂ (of the summed loss) and
        the step taken from it (NaN for the last).
    callback : callable, optional
        ``callback(iteration, coef)`` is called at the start (iteration 0) and after every
        step with a copy of the coefficients, e.g. to trace the path to a known solution.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0], [1.0, 3.0]])
    >>> objective = gk.build_objective(X, np.array([1.0, 2.0, 2.0, 4.0]), "poisson")
    >>> result = GradientDescent(tol=1e-10).solve(objective, np.zeros(2))
    >>> result.converged, np.round(result.coef, 6)
    (True, array([0.074083, 0.419618]))
    """

    learning_rate: float | None = None
    tol: float = 1e-8
    max_iter: int = 100_000
    armijo: float = 1e-4
    record_history: bool = False
    callback: Callable[[int, Array], None] | None = None
    name: ClassVar[str] = "gd"
    accepts_penalty: ClassVar[bool] = False
    newton_type: ClassVar[bool] = False
    absorbs_effects: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.learning_rate is not None and not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise InputError(
                f"learning_rate must be a positive number, or None for the line search; got {self.learning_rate!r}."
            )
        if not self.tol > 0:
            raise InputError(f"tol must be positive; got {self.tol!r}.")
        if not (isinstance(self.max_iter, (int, np.integer)) and self.max_iter >= 0):
            raise InputError(f"max_iter must be a non-negative integer; got {self.max_iter!r}.")
        if not 0 < self.armijo < 0.5:
            raise InputError(f"armijo must lie in (0, 0.5); got {self.armijo!r}.")

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
        >>> result = gk.solvers.GradientDescent().solve(objective, np.zeros(2))
        >>> result.converged, result.coef.round(3).tolist()
        (True, [-0.249, 0.463])
        """
        scale = objective.total_weight or 1.0
        coef = np.array(start, dtype=float, copy=True)
        history: list[IterationRecord] = []
        step = 1.0 / scale  # first trial step of the line search (doubled before use)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            ev = objective.evaluate(coef, hessian=None)
        value, grad = ev.value, ev.gradient
        if self.callback is not None:
            self.callback(0, coef.copy())

        def finish(converged: bool, n_iter: int, message: str) -> SolverResult:
            if self.record_history:
                history.append(IterationRecord(n_iter, value, float(np.linalg.norm(grad)), np.nan))
            return SolverResult(coef, converged, n_iter, value, message, tuple(history))

        if not np.isfinite(value):
            return finish(False, 0, "the starting coefficients give an invalid mean (the loss is not finite)")
        for iteration in range(self.max_iter + 1):
            gnorm = float(np.linalg.norm(grad))
            if gnorm / scale <= self.tol:
                return finish(True, iteration, "converged")
            if iteration == self.max_iter:
                break
            if self.learning_rate is not None:
                t = self.learning_rate
                new_coef = coef - t * grad
                with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                    new_ev = objective.evaluate(new_coef, hessian=None)
                if not (np.isfinite(new_ev.value) and np.all(np.isfinite(new_ev.gradient))):
                    return finish(
                        False, iteration,
                        f"diverged at iteration {iteration + 1}: the loss is no longer finite. The fixed "
                        f"learning_rate={t:g} is too large for this start (it must stay below 2 / the "
                        "largest eigenvalue of the Hessian); lower it, start closer to the optimum, or "
                        "use the line search (learning_rate=None)",
                    )
            else:
                found = self._line_search(objective, coef, value, grad, gnorm, 2.0 * step)
                if found is None:
                    return finish(
                        False, iteration,
                        f"the line search found no step that lowers the loss at iteration {iteration + 1} "
                        f"(gradient norm {gnorm / scale:.3g} per unit weight, tol {self.tol:g}); the loss "
                        "is flat to rounding error here, so tol is below what float64 can resolve",
                    )
                t, new_coef, new_ev = found
                step = t
            if self.record_history:
                history.append(IterationRecord(iteration, value, gnorm, t))
            coef, value, grad = new_coef, new_ev.value, new_ev.gradient
            if self.callback is not None:
                self.callback(iteration + 1, coef.copy())
        gnorm = float(np.linalg.norm(grad))
        return finish(
            False, self.max_iter,
            f"stopped after max_iter={self.max_iter} iterations with gradient norm {gnorm / scale:.3g} "
            f"per unit weight > tol={self.tol:g}",
        )

    def _line_search(self, objective, coef: Array, value: float, grad: Array, gnorm: float, t: float):  # type: ignore[no-untyped-def]
        """Backtrack from step t; return (t, new_coef, evaluation) or None."""
        gnorm2 = gnorm * gnorm
        noise = _LOSS_NOISE * (abs(value) + 1.0)
        for _ in range(_MAX_HALVINGS):
            trial = coef - t * grad
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                ev = objective.evaluate(trial, hessian=None)
            if np.isfinite(ev.value) and np.all(np.isfinite(ev.gradient)):
                if t * gnorm2 > noise:  # the decrease is resolvable: the exact Armijo test
                    if ev.value <= value - self.armijo * t * gnorm2:
                        return t, trial, ev
                # below the rounding noise of f, f(trial) ≤ f(β) holds or fails at random;
                # judge the step by the slope at the trial point instead
                elif ev.value <= value + noise and float(ev.gradient @ grad) >= -(1.0 - 2.0 * self.armijo) * gnorm2:
                    return t, trial, ev
            t *= 0.5
        return None
