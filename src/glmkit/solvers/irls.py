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
from typing import ClassVar

import numpy as np

from ._base import Array, IterationRecord, SolverResult, relative_decrement, solve_spd

__all__ = ["IRLS", "newton_iterations"]

CHORD_MIN_SIZE = 200_000  # n·p below which every iteration forms XᵀWX (no chord steps)
ROUGH_HESSIAN_ABOVE = 1e-2  # relative decrement above which the next Hessian may be a row-sample estimate


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
    reuse_hessian_below : float, default 1e-5
        Once a step's relative decrement is below this, keep the last XᵀWX for the
        next steps (a chord method): W then changes by ~√decrement, so each step still
        gains many digits, and a pass that forms XᵀWX is saved. Chord steps go on while
        each one lowers the decrement at least a hundredfold.

    Examples
    --------
    >>> IRLS(max_iter=50).name
    'irls'
    """

    tol: float = 1e-10
    max_iter: int = 100
    max_halvings: int = 40
    record_history: bool = False
    reuse_hessian_below: float = 1e-5
    name: ClassVar[str] = "irls"
    accepts_penalty: ClassVar[bool] = False

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        return newton_iterations(objective, start, self, hessian_kind="expected")


def newton_iterations(objective, start: Array, options, hessian_kind: str) -> SolverResult:  # type: ignore[no-untyped-def]
    """Damped Newton iterations shared by IRLS (expected Hessian) and Newton (observed).

    The full Newton step is evaluated with its gradient and Hessian at once, so an
    accepted step costs one Xβ, one Xᵀv and one XᵀWX: a single pass over X for designs
    with ``evaluate_in_blocks`` (dense), and only Xβ and Xᵀv for a chord step.
    """
    coef = np.array(start, dtype=float, copy=True)
    # How far the start is, is not known: its Hessian may be a row-sample estimate.
    ev = objective.evaluate(coef, hessian=hessian_kind, rough_hessian=True)
    if not np.isfinite(ev.value):
        return SolverResult(coef, False, 0, ev.value, "the starting coefficients give an invalid mean")
    history: list[IterationRecord] = []
    last_change = np.inf
    decrement = np.inf
    previous_decrement = np.inf
    stale = False
    kind = hessian_kind  # IRLS may turn to the observed Hessian near a slowly reached MLE
    n_samples, n_features = objective.design.shape
    # On small data forming XᵀWX costs no more than the rest of an iteration: no chord steps.
    chord_pays = n_samples * n_features >= CHORD_MIN_SIZE
    for iteration in range(1, options.max_iter + 1):
        hess = ev.hessian
        if kind == "observed" and not _positive_definite(hess):
            hess = objective.hessian(coef, kind="expected")  # fall back to Fisher scoring
        step = solve_spd(hess, -ev.gradient, fallback=ev.hessian_exact)
        if step is None:  # a row-sample Hessian that is not positive definite: form the exact one
            ev = objective.evaluate(coef, hessian=kind)
            hess = ev.hessian
            if kind == "observed" and not _positive_definite(hess):
                hess = objective.hessian(coef, kind="expected")
            step = solve_spd(hess, -ev.gradient)
        decrement = relative_decrement(step, ev.gradient, ev.value)
        if options.record_history:
            history.append(IterationRecord(iteration - 1, ev.value, float(np.linalg.norm(ev.gradient)), 1.0))
        if decrement < options.tol**2:
            # The remaining step is below the noise of the MLE; β (and, unless a chord step
            # kept an older one, its Hessian) are final.
            final = None
            if hessian_kind == "expected":  # the Fisher information at β, unless stale or observed
                final = (dataclasses.replace(ev, hessian=None)
                         if stale or kind != "expected" or not ev.hessian_exact else ev)
            return SolverResult(coef, True, iteration, ev.value, "converged", tuple(history), final)
        if last_change < 1e-15 and decrement < options.tol:
            # At the floating-point floor the deviance no longer moves, but a linearly
            # converging (non-canonical) fit may still be ~√decrement away: take the step.
            new_coef = coef + step
            new_value = objective.value(new_coef)
            if _acceptable(new_value, ev.value):
                coef = new_coef
            return SolverResult(coef, True, iteration, min(new_value, ev.value), "converged at the noise floor",
                                tuple(history))
        if kind == "expected" and hessian_kind == "expected" and decrement < options.tol \
                and decrement > 0.25 * previous_decrement:
            # Fisher scoring converges only linearly, here slowly (the expected and observed
            # information differ much, e.g. a non-canonical link with small means): near the
            # MLE the observed information is positive definite, so go on with Newton steps.
            kind = "observed"
        # A chord step keeps the last XᵀWX (see ``reuse_hessian_below``); it continues while
        # each such step still gains two digits, else the next iteration forms XᵀWX again.
        chord = chord_pays and decrement < getattr(options, "reuse_hessian_below", 0.0) and ev.hessian_exact and (
            not stale or decrement < 1e-2 * previous_decrement)
        previous_decrement = decrement
        # The full step first, evaluated with everything the next iteration needs (one pass
        # over X where the design allows it); only if it is rejected, value-only halving.
        # Far from the optimum (the deviance still falls by more than 1%) a Hessian from a
        # sample of the rows steers as well as the exact one; near it, only the exact one.
        trial = objective.evaluate(coef + step, hessian=None if chord else kind,
                                   rough_hessian=decrement > ROUGH_HESSIAN_ABOVE)
        if _acceptable(trial.value, ev.value):
            last_change = abs(trial.value - ev.value) / (abs(trial.value) + 0.1)
            coef = coef + step
            ev = dataclasses.replace(trial, hessian=hess) if chord else trial
            stale = chord
            continue
        t = 0.5
        for _ in range(options.max_halvings - 1):
            new_coef = coef + t * step
            new_eta = objective.eta(new_coef)
            terms = objective.terms_at(new_eta, kind)
            new_value = float(np.sum(terms.loss)) if terms is not None else np.inf
            if _acceptable(new_value, ev.value):
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
        ev = objective.evaluate(coef, hessian=kind, eta=new_eta, terms=terms)
        stale = False
    return SolverResult(
        coef, False, options.max_iter, ev.value,
        f"no convergence in {options.max_iter} iterations (relative decrement {decrement:.3g})",
        tuple(history),
    )


def _acceptable(new_value: float, value: float) -> bool:
    """R's step acceptance: a valid point whose deviance did not rise (beyond rounding)."""
    return bool(np.isfinite(new_value) and new_value <= value * (1 + 1e-13) + 1e-13)


def _positive_definite(matrix: Array) -> bool:
    try:
        np.linalg.cholesky(matrix)
        return True
    except np.linalg.LinAlgError:
        return False
