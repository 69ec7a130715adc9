"""IRLS on a design with absorbed factors: the weighted least-squares step demeans.

Design note. With factors absorbed (``design.absorbed``), the coefficients are
(β, α): β for the covariates, α for the factors' levels, which are never stored as
columns. One Fisher-scoring step for (β, α) together is the weighted least squares of the
working response z = η − offset − g/h on [X, D] with weights h (g, h: dℓ/dη and the
expected d²ℓ/dη²). By Frisch–Waugh–Lovell, β is the weighted least squares of z̃ on X̃
(both demeaned under h), and the new linear predictor is z − (z̃ − X̃β): the effects
follow without ever being solved for (fixest's ``feglm``, ppmlhdfe). The demeaning starts
from the previous iteration's effects (warm starts), and η, not β, carries the state.

The step is halved, as R's ``glm.fit``, while the new η or μ is invalid or the deviance
rises. Convergence as :mod:`glmkit.solvers.irls`: the Newton decrement Σ h (Δη)² of the
full step relative to the deviance below tol², or the noise floor.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ._base import IterationRecord, SolverResult, solve_spd

__all__ = ["absorbed_iterations"]

Array = NDArray[np.floating]


def absorbed_iterations(objective, options) -> SolverResult:  # type: ignore[no-untyped-def]
    """IRLS over the covariates of a design with absorbed factors (see the module notes).

    ``options`` gives ``tol``, ``max_iter``, ``max_halvings`` and ``record_history``. The
    start is the family's starting mean (R's ``mustart``), whatever the covariates' start.
    The result's ``evaluation`` holds η and μ at the solution (effects included), its value
    and no gradient or Hessian (the fit forms X̃ᵀWX̃ from the projected design).

    Examples
    --------
    >>> from glmkit.design import AbsorbedDesign, FixedEffects
    >>> fe = FixedEffects((np.array([0, 0, 0, 1, 1, 1]),), (2,), ("g",))
    >>> design = AbsorbedDesign(np.array([[0.0], [1.0], [2.0], [0.0], [1.0], [2.0]]), fe)
    >>> objective = gk.Objective(gk.GLMLoss(gk.Poisson()), design, np.array([1.0, 2, 4, 2, 3, 7]),
    ...                          np.ones(6), np.zeros(6))
    >>> result = absorbed_iterations(objective, gk.solvers.IRLS())
    >>> result.converged, result.coef.round(6).tolist()
    (True, [0.679039])
    """
    run = _AbsorbedRun(objective, options)
    return run.iterate()


class _AbsorbedRun:
    """Fixed: the objective, its covariates and factors, the options. State: β, η, the terms
    at η, the deviance, the warm-start effects, the history."""

    def __init__(self, objective, options) -> None:  # type: ignore[no-untyped-def]
        self.obj, self.opts = objective, options
        design = objective.design
        self.fe = design.absorbed
        self.X = np.asarray(design.toarray(), dtype=np.float64)
        family = objective.loss.family
        with np.errstate(all="ignore"):
            self.eta = np.asarray(family.link.link(family.starting_mu(objective.y, objective.weights)), dtype=float)
        self.coef = np.zeros(self.X.shape[1])
        self.terms = objective.terms_at(self.eta)
        self.value = float(np.sum(self.terms.loss)) if self.terms is not None else np.inf
        self.warm: tuple[Array, ...] | None = None
        self.history: list[IterationRecord] = []
        self.last_change = np.inf
        self.moved = False  # the start (R's mustart) is no model point: the first step need only be valid

    def _step(self) -> tuple[Array, Array, float]:
        """(β of the full step, η of the full step, the relative Newton decrement)."""
        h, g = self.terms.hessian, self.terms.gradient  # type: ignore[union-attr]
        z = self.eta - self.obj.offset - np.divide(g, h, out=np.zeros_like(g), where=h > 0)
        demeaned = self.fe.demean(np.column_stack([z, self.X]), h, self.warm)
        self.warm = demeaned.effects
        zt, Xt = demeaned.residual[:, 0], demeaned.residual[:, 1:]
        if Xt.shape[1]:
            hX = h[:, None] * Xt
            coef = solve_spd(Xt.T @ hX, hX.T @ zt)
            fitted = Xt @ coef
        else:
            coef, fitted = np.zeros(0), np.zeros_like(zt)
        eta = self.obj.offset + z - zt + fitted
        delta = eta - self.eta
        decrement = float(np.sum(h * delta * delta)) / (abs(self.value) + 0.1)
        return coef, eta, decrement

    def _result(self, converged: bool, n_iter: int, message: str) -> SolverResult:
        from ..objective import Evaluation
        mu = self.terms.mu if self.terms is not None else np.full_like(self.eta, np.nan)
        evaluation = Evaluation(self.value, None, None, self.eta, mu)
        return SolverResult(self.coef, converged, n_iter, self.value, message, tuple(self.history), evaluation)

    def iterate(self) -> SolverResult:
        """The loop from the starting mean."""
        opts, tol = self.opts, self.opts.tol
        if not np.isfinite(self.value):
            return self._result(False, 0, "the starting mean is invalid")
        decrement = np.inf
        for iteration in range(1, opts.max_iter + 1):
            coef, eta, decrement = self._step()
            if opts.record_history:
                self.history.append(IterationRecord(iteration - 1, self.value, float("nan"), 1.0))
            if iteration > 1 and (decrement < tol**2 or (self.last_change < 1e-15 and decrement < tol)):
                if decrement >= tol**2:  # at the noise floor: take the last step if it does not hurt
                    self._try(coef, eta, 1.0)
                return self._result(True, iteration, "converged")
            if not self._try(coef, eta, 1.0) and not self._halve(coef, eta):
                return self._result(False, iteration, "step-halving failed: no step lowers the deviance "
                                    "while keeping η and μ valid")
        return self._result(False, opts.max_iter,
                            f"no convergence in {opts.max_iter} iterations (relative decrement {decrement:.3g})")

    def _try(self, coef: Array, eta: Array, t: float) -> bool:
        """Move to the point t of the way to (coef, eta) if it is valid and no worse."""
        new_eta = self.eta + t * (eta - self.eta) if t != 1.0 else eta
        terms = self.obj.terms_at(new_eta)
        value = float(np.sum(terms.loss)) if terms is not None else np.inf
        if not (np.isfinite(value) and (not self.moved or value <= self.value * (1 + 1e-13) + 1e-13)):
            return False
        self.last_change = abs(value - self.value) / (abs(value) + 0.1) if self.moved else np.inf
        self.moved = True
        self.coef = self.coef + t * (coef - self.coef)
        self.eta, self.terms, self.value = new_eta, terms, value
        return True

    def _halve(self, coef: Array, eta: Array) -> bool:
        t = 0.5
        for _ in range(self.opts.max_halvings - 1):
            if self._try(coef, eta, t):
                return True
            t *= 0.5
        return False
