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

from .absorbed import absorbed_iterations
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
    newton_type: ClassVar[bool] = True
    absorbs_effects: ClassVar[bool] = True

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
        >>> result = gk.solvers.IRLS().solve(objective, np.zeros(2))
        >>> result.converged, result.coef.round(3).tolist()
        (True, [-0.249, 0.463])
        """
        if objective.design.absorbed is not None:  # factors absorbed: each step demeans
            return absorbed_iterations(objective, self)
        return newton_iterations(objective, start, self, hessian_kind="expected",
                                 reuse_hessian_below=self.reuse_hessian_below)


def newton_iterations(objective, start: Array, options, hessian_kind: str,  # type: ignore[no-untyped-def]
                      reuse_hessian_below: float = 0.0) -> SolverResult:
    """Damped Newton iterations shared by IRLS (expected Hessian) and Newton (observed).

    ``options`` gives ``tol``, ``max_iter``, ``max_halvings`` and ``record_history``;
    ``reuse_hessian_below`` the relative decrement under which chord steps keep the last
    XᵀWX (0: never). The full Newton step is evaluated with its gradient and Hessian at
    once, so an accepted step costs one Xβ, one Xᵀv and one XᵀWX: a single pass over X for
    designs with ``one_pass_evaluation`` (dense), and only Xβ and Xᵀv for a chord step.
    """
    run = _Newton(objective, options, hessian_kind, reuse_hessian_below)
    run.coef = np.array(start, dtype=float, copy=True)
    # How far the start is, is not known: its Hessian may be a row-sample estimate.
    # (Held by the run only: a local reference would keep η and μ of the start alive.)
    run.ev = objective.evaluate(run.coef, hessian=hessian_kind, rough_hessian=True)
    if not np.isfinite(run.ev.value):
        return SolverResult(run.coef, False, 0, run.ev.value, "the starting coefficients give an invalid mean")
    return run.iterate()


class _Newton:
    """One run of :func:`newton_iterations`: fixed inputs, then the loop state.

    Fixed: the objective, the options, the Hessian asked for, the chord threshold and
    whether chord steps pay at all. Loop state: β and its evaluation, the Hessian kind in
    use (IRLS may turn to the observed one), the decrements, the last relative change of
    the deviance, whether the Hessian is a kept (stale) one, the history.
    """

    def __init__(self, objective, options, hessian_kind: str, reuse_hessian_below: float) -> None:  # type: ignore[no-untyped-def]
        self.obj, self.opts, self.hessian_kind = objective, options, hessian_kind
        self.reuse_below = reuse_hessian_below
        n_samples, n_features = objective.design.shape
        # On small data forming XᵀWX costs no more than the rest of an iteration: no chord steps.
        self.chord_pays = n_samples * n_features >= CHORD_MIN_SIZE
        self.history: list[IterationRecord] = []
        self.last_change = np.inf
        self.decrement = np.inf
        self.previous_decrement = np.inf
        self.stale = False
        self.kind = hessian_kind

    def iterate(self) -> SolverResult:
        """The loop from ``self.coef`` and its evaluation ``self.ev``."""
        opts = self.opts
        for iteration in range(1, opts.max_iter + 1):
            step, hess = self._newton_step()
            self.decrement = relative_decrement(step, self.ev.gradient, self.ev.value)
            if opts.record_history:
                self.history.append(IterationRecord(iteration - 1, self.ev.value,
                                                    float(np.linalg.norm(self.ev.gradient)), 1.0))
            done = self._converged(iteration, step)
            if done is not None:
                return done
            self._choose_kind()
            # A chord step keeps the last XᵀWX (see ``reuse_hessian_below``); it continues while
            # each such step still gains two digits, else the next iteration forms XᵀWX again.
            chord = self.chord_pays and self.decrement < self.reuse_below and self.ev.hessian_exact and (
                not self.stale or self.decrement < 1e-2 * self.previous_decrement)
            self.previous_decrement = self.decrement
            if not self._full_step(step, hess, chord) and not self._halve(step):
                return SolverResult(
                    self.coef, False, iteration, self.ev.value,
                    "step-halving failed: no step along the Newton direction lowers the deviance "
                    "while keeping η and μ valid", tuple(self.history),
                )
        return SolverResult(
            self.coef, False, opts.max_iter, self.ev.value,
            f"no convergence in {opts.max_iter} iterations (relative decrement {self.decrement:.3g})",
            tuple(self.history),
        )

    def _hessian(self, ev) -> Array:  # type: ignore[no-untyped-def]
        hess = ev.hessian
        if self.kind == "observed" and not _positive_definite(hess):
            hess = self.obj.hessian(self.coef, kind="expected")  # fall back to Fisher scoring
        return hess  # type: ignore[no-any-return]

    def _newton_step(self) -> tuple[Array, Array]:
        """(δ, the Hessian it solved with) from (XᵀWX) δ = −∇f at the current β."""
        hess = self._hessian(self.ev)
        step = solve_spd(hess, -self.ev.gradient, fallback=self.ev.hessian_exact)
        if step is None:  # a row-sample Hessian that is not positive definite: form the exact one
            self.ev = self.obj.evaluate(self.coef, hessian=self.kind)
            hess = self._hessian(self.ev)
            step = solve_spd(hess, -self.ev.gradient)
        return step, hess  # type: ignore[return-value]

    def _converged(self, iteration: int, step: Array) -> SolverResult | None:
        """The result when the decrement says β is final, else None."""
        ev, decrement, tol = self.ev, self.decrement, self.opts.tol
        if decrement < tol**2:
            # The remaining step is below the noise of the MLE; β (and, unless a chord step
            # kept an older one, its Hessian) are final.
            final = None
            if self.hessian_kind == "expected":  # the Fisher information at β, unless stale or observed
                final = (dataclasses.replace(ev, hessian=None)
                         if self.stale or self.kind != "expected" or not ev.hessian_exact else ev)
            return SolverResult(self.coef, True, iteration, ev.value, "converged", tuple(self.history), final)
        if self.last_change < 1e-15 and decrement < tol and self.kind == "expected":
            # At the floating-point floor the deviance no longer moves, but Fisher scoring on a
            # non-canonical link may still be ~√decrement from the MLE, converging linearly:
            # finish with Newton steps on the observed information (quadratic convergence).
            self.kind = "observed"
            return None
        if self.last_change < 1e-15 and decrement < tol:
            # At the floor with the observed information: take the last step.
            new_coef = self.coef + step
            new_value = self.obj.value(new_coef)
            if _acceptable(new_value, ev.value):
                self.coef = new_coef
            return SolverResult(self.coef, True, iteration, min(new_value, ev.value), "converged at the noise floor",
                                tuple(self.history))
        return None

    def _choose_kind(self) -> None:
        if self.kind == "expected" and self.hessian_kind == "expected" and self.decrement < self.opts.tol \
                and self.decrement > 0.25 * self.previous_decrement:
            # Fisher scoring converges only linearly, here slowly (the expected and observed
            # information differ much, e.g. a non-canonical link with small means): near the
            # MLE the observed information is positive definite, so go on with Newton steps.
            self.kind = "observed"

    def _full_step(self, step: Array, hess: Array, chord: bool) -> bool:
        """Try β + δ, evaluated with everything the next iteration needs (one pass over X
        where the design allows it); whether it was accepted.

        Far from the optimum (the deviance still falls by more than 1%) a Hessian from a
        sample of the rows steers as well as the exact one; near it, only the exact one.
        """
        trial = self.obj.evaluate(self.coef + step, hessian=None if chord else self.kind,
                                  rough_hessian=self.decrement > ROUGH_HESSIAN_ABOVE)
        if not _acceptable(trial.value, self.ev.value) and not self._within_value_noise(trial, hess):
            return False
        self.last_change = abs(trial.value - self.ev.value) / (abs(trial.value) + 0.1)
        self.coef = self.coef + step
        self.ev = dataclasses.replace(trial, hessian=hess) if chord else trial
        self.stale = chord
        return True

    def _within_value_noise(self, trial, hess: Array) -> bool:  # type: ignore[no-untyped-def]
        """Accept a step whose deviance rose by no more than its rounding error can explain.

        With large counts (y ~ 1e8) each row's deviance is a difference of numbers ~y log y,
        so the deviance carries rounding error far above the last steps' decrease, while the
        gradient stays accurate. A step that raises the deviance by less than 1e-6 of it is
        then judged by the gradient: accepted where it lowers gᵀH⁻¹g (R accepts every valid step).
        """
        value = self.ev.value
        if not np.isfinite(trial.value) or trial.value - value > 1e-6 * (abs(value) + 0.1) or trial.gradient is None:
            return False
        new_step = solve_spd(hess, trial.gradient, fallback=False)
        if new_step is None:
            return False
        return bool(float(trial.gradient @ new_step) < self.decrement * (abs(value) + 0.1))

    def _halve(self, step: Array) -> bool:
        """Value-only step-halving after a rejected full step; False when it fails."""
        obj, ev = self.obj, self.ev
        t = 0.5
        for _ in range(self.opts.max_halvings - 1):
            new_coef = self.coef + t * step
            new_eta = obj.eta(new_coef)
            terms = obj.terms_at(new_eta, self.kind)
            new_value = float(np.sum(terms.loss)) if terms is not None else np.inf
            if _acceptable(new_value, ev.value):
                break
            t *= 0.5
        else:
            return False
        self.last_change = abs(new_value - ev.value) / (abs(new_value) + 0.1)
        self.coef = new_coef
        self.ev = obj.evaluate(new_coef, hessian=self.kind, eta=new_eta, terms=terms)
        self.stale = False
        return True


def _acceptable(new_value: float, value: float) -> bool:
    """R's step acceptance: a valid point whose deviance did not rise (beyond rounding)."""
    return bool(np.isfinite(new_value) and new_value <= value * (1 + 1e-13) + 1e-13)


def _positive_definite(matrix: Array) -> bool:
    try:
        np.linalg.cholesky(matrix)
        return True
    except np.linalg.LinAlgError:
        return False
