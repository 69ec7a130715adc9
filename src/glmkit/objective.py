"""The objective in β: loss + design + y + weights + offset.

f(β) = Σᵢ ℓᵢ(ηᵢ),  η = Xβ + offset,
∇f = Xᵀ (dℓ/dη),  ∇²f = Xᵀ diag(d²ℓ/dη²) X.

Solvers see only this object: they never see a family, a link or the raw data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .design import Design
from .loss import GLMLoss, HessianKind, LossTerms

__all__ = ["Objective", "Evaluation"]

Array = NDArray[np.floating]


@dataclass(frozen=True)
class Evaluation:
    """The objective and its derivatives at one β.

    Attributes
    ----------
    value : float
        f(β); inf where η or μ left their domains.
    gradient : ndarray of shape (n_features,) or None
    hessian : ndarray of shape (n_features, n_features) or None
    eta, mu : ndarray of shape (n_samples,)
    """

    value: float
    gradient: Array | None
    hessian: Array | None
    eta: Array
    mu: Array


class Objective:
    """Negative log-likelihood of a GLM as a function of the coefficients.

    Parameters
    ----------
    loss : GLMLoss
    design : Design
    y, weights, offset : ndarray of shape (n_samples,)
    """

    def __init__(self, loss: GLMLoss, design: Design, y: Array, weights: Array, offset: Array) -> None:
        self.loss = loss
        self.design = design
        self.y = y
        self.weights = weights
        self.offset = offset
        self._last_sandwich: tuple[Array, Array] | None = None
        self._saturated = loss.saturated_term(y)

    @property
    def n_features(self) -> int:
        return self.design.shape[1]

    def eta(self, coef: Array) -> Array:
        """η = Xβ + offset."""
        return self.design.matvec(coef) + self.offset

    def value_at_eta(self, eta: Array) -> float:
        """f as a function of η (for line searches that already hold η)."""
        if not self.loss.link.valid_eta(eta):
            return float("inf")
        if self._saturated is not None:  # fused kernel: loss with the cached y-only term
            return float(np.sum(self.loss.terms(self.y, eta, self.weights, "expected", self._saturated).loss))
        return float(np.sum(self.loss.loss(self.y, eta, self.weights)))

    def value(self, coef: Array) -> float:
        """f(β)."""
        return self.value_at_eta(self.eta(coef))

    def gradient(self, coef: Array) -> Array:
        """∇f(β), shape (n_features,)."""
        return self.evaluate(coef, hessian=None).gradient  # type: ignore[return-value]

    def hessian(self, coef: Array, kind: HessianKind = "expected") -> Array:
        """∇²f(β): Xᵀ diag(d²ℓ/dη²) X, the expected (Fisher) or observed Hessian."""
        return self.evaluate(coef, hessian=kind).hessian  # type: ignore[return-value]

    def terms_at(self, eta: Array, kind: HessianKind = "expected") -> LossTerms | None:
        """Per-observation loss terms at η, or None where η is outside the link's domain."""
        if not self.loss.link.valid_eta(eta):
            return None
        return self.loss.terms(self.y, eta, self.weights, kind, self._saturated)

    def evaluate(
        self,
        coef: Array,
        hessian: HessianKind | None = "expected",
        eta: Array | None = None,
        terms: LossTerms | None = None,
    ) -> Evaluation:
        """Value, gradient and (optionally) Hessian at β with one pass over the loss.

        ``eta`` and ``terms`` already computed at β (e.g. by a line search) are reused.
        """
        if eta is None:
            eta = self.eta(coef)
        if terms is None:
            terms = self.terms_at(eta, hessian or "expected")
        if terms is None:
            nan = np.full(self.n_features, np.nan)
            return Evaluation(float("inf"), nan, None, eta, np.full_like(eta, np.nan))
        value = float(np.sum(terms.loss))
        if hessian is not None and hasattr(self.design, "sandwich_and_rmatvec") and not self._sandwich_reusable(terms.hessian):
            hess, grad = self.design.sandwich_and_rmatvec(terms.hessian, terms.gradient)  # one pass over X
            self._last_sandwich = (terms.hessian, hess)
        else:
            grad = self.design.rmatvec(terms.gradient)
            hess = self._sandwich(terms.hessian) if hessian is not None else None
        return Evaluation(value, grad, hess, eta, terms.mu)

    def _sandwich_reusable(self, h: Array) -> bool:
        last = self._last_sandwich
        return bool(last is not None and last[0].shape == h.shape and h.size
                    and abs(last[0][0] - h[0]) <= 1e-13 * abs(h[0])  # cheap rejection first
                    and np.allclose(last[0], h, rtol=1e-13, atol=0.0))

    def _sandwich(self, h: Array) -> Array:
        """XᵀHX, reusing the last one when the weights did not change.

        For some pairs the Fisher weights do not depend on β (Gamma–log and Tweedie
        p = 2 with log link: μ′²/V = 1; Gaussian–identity), so one pass forming XᵀWX serves
        every iteration. Weights equal to 1e-13 (rounding of w·μ′·μ′/μ²) count as equal.
        """
        if self._sandwich_reusable(h):
            return self._last_sandwich[1]  # type: ignore[index]
        gram = self.design.sandwich(h)
        self._last_sandwich = (h, gram)
        return gram

    def fisher_weights(self, eta: Array) -> Array:
        """The IRLS working weights w μ′²/V at η."""
        return self.loss.terms(self.y, eta, self.weights, "expected").hessian
