"""L-BFGS: limited-memory quasi-Newton steps with a backtracking line search.

Needs only values and gradients (one matvec and one rmatvec per evaluation), so it suits
wide problems where XᵀWX would not pay off. The line search halves the step while the
objective is infinite (η or μ outside their domains, e.g. a negative mean under the
identity link) or the Armijo condition fails, which a generic minimiser cannot do.
The coordinates are scaled by the columns' Fisher information at the start and the objective
by its starting value, so that neither the iterations nor the gradient tolerance depend on n,
on the scale of the columns or on the scale of y.
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
        Stop when ``maxⱼ |∂f/∂βⱼ| / √(Hⱼⱼ (|f| + 0.1)) ≤ tol``, H = XᵀWX at the start (the
        iterations run in coordinates scaled by √Hⱼⱼ).
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
        coef = np.array(start, dtype=float, copy=True)
        first = objective.evaluate(coef, hessian=None)
        if not np.isfinite(first.value):
            return SolverResult(coef, False, 0, first.value, "the starting coefficients give an invalid mean")
        # Work in z = D β, D the column scales √(XᵀWX)ⱼⱼ at the start, on f / (|f₀| + 0.1): the
        # iterations and the stopping rule, max |∂f/∂zⱼ| / √(|f| + 0.1) ≤ tol (the fit's
        # convergence certificate), then do not depend on how the columns or y are scaled.
        d = _column_scales(objective, first.eta, coef.size)
        scale = abs(first.value) + 0.1

        def fun(z: Array) -> tuple[float, Array]:
            ev = objective.evaluate(z / d, hessian=None)
            return ev.value / scale, ev.gradient / d / scale

        coef = coef * d
        value, grad = first.value / scale, first.gradient / d / scale
        pairs: deque[tuple[Array, Array, float]] = deque(maxlen=self.memory)
        history: list[IterationRecord] = []
        stalled = 0
        for iteration in range(1, self.max_iter + 1):
            gmax = _relative_gradient(grad, value, scale)
            if self.record_history:
                history.append(IterationRecord(iteration - 1, value * scale, float(np.linalg.norm(grad) * scale), np.nan))
            if gmax <= self.tol:
                return SolverResult(coef / d, True, iteration - 1, value * scale, "converged", tuple(history))
            direction = -_two_loop(grad, pairs)
            slope = float(direction @ grad)
            if slope >= 0:  # not a descent direction: restart from steepest descent
                pairs.clear()
                direction, slope = -grad, -float(grad @ grad)
            t = 1.0 if pairs else min(1.0, 1.0 / max(gmax, 1e-12))
            for _ in range(60):
                trial = coef + t * direction
                trial_value, trial_grad = fun(trial)
                if np.isfinite(trial_value) and (trial_value <= value + 1e-4 * t * slope or _noise_step(
                        trial_value, value, float(trial_grad @ direction), slope)):
                    break
                t *= 0.5
            else:
                converged = gmax <= max(self.tol, 1e-8)
                return SolverResult(coef / d, converged, iteration, value * scale,
                                    f"line search failed at gradient {gmax:.3g}", tuple(history))
            s, yk = trial - coef, trial_grad - grad
            sy = float(s @ yk)
            if sy > 1e-16 * float(yk @ yk):
                pairs.append((s, yk, 1.0 / sy))
            stalled = stalled + 1 if abs(trial_value - value) <= 1e-16 * abs(value) else 0
            coef, value, grad = trial, trial_value, trial_grad
            if stalled >= 5:
                gmax = _relative_gradient(grad, value, scale)
                return SolverResult(coef / d, gmax <= max(self.tol, 1e-8), iteration, value * scale,
                                    f"no progress at the floating-point floor (gradient {gmax:.3g})", tuple(history))
        return SolverResult(coef / d, False, self.max_iter, value * scale,
                            f"no convergence in {self.max_iter} iterations", tuple(history))


def _column_scales(objective, eta: Array, n_features: int) -> Array:  # type: ignore[no-untyped-def]
    """√(Σᵢ hᵢ xᵢⱼ²), h the Fisher weights at η (1 where that is 0 or not finite)."""
    terms = objective.terms_at(eta, "expected")
    if terms is None or n_features == 0:
        return np.ones(n_features)
    d = np.sqrt(objective.design.weighted_column_norms(terms.hessian))
    return np.where(np.isfinite(d) & (d > 0), d, 1.0)


def _noise_step(trial_value: float, value: float, trial_slope: float, slope: float) -> bool:
    """A step whose value changed by no more than rounding (1e-7 of f, e.g. counts ~1e8, where
    each row's loss is a difference of numbers ~y log y) but along which the slope fell (the
    curvature condition): accepted on the gradient, which stays accurate."""
    return trial_value - value <= 1e-7 * (abs(value) + 1e-3) and abs(trial_slope) <= 0.9 * abs(slope)


def _relative_gradient(grad: Array, value: float, scale: float) -> float:
    """max |∂f/∂zⱼ| / √(|f| + 0.1), from the gradient of f / scale."""
    if not grad.size:
        return 0.0
    return float(np.max(np.abs(grad))) * scale / np.sqrt(abs(value * scale) + 0.1)


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
