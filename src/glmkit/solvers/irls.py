"""IRLS (Fisher scoring) with R's ``glm.fit`` step-halving, written as Newton steps.

Each iteration solves (XᵀWX) δ = −∇f at the current β, with W the Fisher weights, and
moves to β + δ. That is the same iterate as R's weighted least squares on the working
response, but solving for the step rather than for β makes the attainable accuracy
independent of the conditioning of XᵀWX. The step is halved while the new η or μ is
outside its domain or the deviance rises (R halves only for the first; glm2 for both).

Convergence: the Newton decrement gᵀ(XᵀWX)⁻¹g relative to the deviance falls below
tol²; this is far tighter than R's default rule and makes Fisher scoring (linear
convergence for non-canonical links) land on the MLE to ~1e-10 in coefficients.
At the floating-point noise floor a relative change below 1e-15 also stops.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ._base import Array, IterationRecord, SolverResult, relative_decrement, solve_spd

__all__ = ["IRLS", "newton_iterations"]


@dataclass(frozen=True)
class IRLS:
    """Iteratively reweighted least squares (Fisher scoring).

    Parameters
    ----------
    tol : float, default 1e-10
        Stop when the relative Newton decrement is below tol².
    max_iter : int, default 100
    max_halvings : int, default 40
    record_history : bool, default False
    reuse_hessian_below : float, default 1e-8
        Once a step's relative decrement is below this, keep the last XᵀWX for the
        remaining steps (a chord method): W then changes by ~√decrement, so each step
        still gains many digits, and a pass that forms XᵀWX is saved.

    Examples
    --------
    >>> IRLS(max_iter=50).name
    'irls'
    """

    tol: float = 1e-10
    max_iter: int = 100
    max_halvings: int = 40
    record_history: bool = False
    reuse_hessian_below: float = 1e-8
    name: str = "irls"

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        return newton_iterations(objective, start, self, hessian_kind="expected")


def newton_iterations(objective, start: Array, options, hessian_kind: str) -> SolverResult:  # type: ignore[no-untyped-def]
    """Damped Newton iterations shared by IRLS (expected Hessian) and Newton (observed).

    Each accepted trial point's loss terms (μ, gradient and Hessian weights in η) come from
    the line search itself, so an iteration costs one Xβ, one Xᵀv and one XᵀWX.
    """
    coef = np.array(start, dtype=float, copy=True)
    ev = objective.evaluate(coef, hessian=hessian_kind)
    if not np.isfinite(ev.value):
        return SolverResult(coef, False, 0, ev.value, "the starting coefficients give an invalid mean")
    history: list[IterationRecord] = []
    last_change = np.inf
    decrement = np.inf
    stale = False
    for iteration in range(1, options.max_iter + 1):
        hess = ev.hessian
        if hessian_kind == "observed" and not _positive_definite(hess):
            hess = objective.hessian(coef, kind="expected")  # fall back to Fisher scoring
        step = solve_spd(hess, -ev.gradient)
        decrement = relative_decrement(step, ev.gradient, ev.value)
        if options.record_history:
            history.append(IterationRecord(iteration - 1, ev.value, float(np.linalg.norm(ev.gradient)), 1.0))
        if decrement < options.tol**2:
            # The remaining step is below the noise of the MLE; β (and, unless a chord step
            # kept an older one, its Hessian) are final.
            final = None
            if hessian_kind == "expected":
                final = dataclasses.replace(ev, hessian=None) if stale else ev
            return SolverResult(coef, True, iteration, ev.value, "converged", tuple(history), final)
        if last_change < 1e-15 and decrement < options.tol:
            # At the floating-point floor the deviance no longer moves, but a linearly
            # converging (non-canonical) fit may still be ~√decrement away: take the step.
            new_coef = coef + step
            new_value = objective.value(new_coef)
            if np.isfinite(new_value) and new_value <= ev.value * (1 + 1e-13) + 1e-13:
                coef = new_coef
            return SolverResult(coef, True, iteration, min(new_value, ev.value), "converged at the noise floor",
                                tuple(history))
        t = 1.0
        for _ in range(options.max_halvings):
            new_coef = coef + t * step
            new_eta = objective.eta(new_coef)
            terms = objective.terms_at(new_eta, hessian_kind)
            new_value = float(np.sum(terms.loss)) if terms is not None else np.inf
            if np.isfinite(new_value) and new_value <= ev.value * (1 + 1e-13) + 1e-13:
                break
            t *= 0.5
        else:
            return SolverResult(
                coef, False, iteration, ev.value,
                "step-halving failed: no step along the Newton direction lowers the deviance "
                "while keeping η and μ valid", tuple(history),
            )
        last_change = abs(new_value - ev.value) / (abs(new_value) + 0.1)
        coef = new_coef
        # One chord step at most in a row: where W keeps changing (e.g. under separation,
        # weights shrink geometrically) a stale XᵀWX would stall the iterations.
        reuse = t == 1.0 and not stale and decrement < getattr(options, "reuse_hessian_below", 0.0)
        ev = objective.evaluate(coef, hessian=None if reuse else hessian_kind, eta=new_eta, terms=terms)
        if reuse:
            ev = dataclasses.replace(ev, hessian=hess)  # stale by design: the chord step
            stale = True
        else:
            stale = False
    return SolverResult(
        coef, False, options.max_iter, ev.value,
        f"no convergence in {options.max_iter} iterations (relative decrement {decrement:.3g})",
        tuple(history),
    )


def _positive_definite(matrix: Array) -> bool:
    try:
        np.linalg.cholesky(matrix)
        return True
    except np.linalg.LinAlgError:
        return False
