"""The convergence certificate: what ``converged=True`` means, computed once for every solver.

Solvers stop by their own rules (a Newton decrement, a gradient norm per unit weight, a
KKT violation, a closed form). Those rules differ in scale and can be fooled (a stalled line
search, a start that is already "flat" in badly scaled coordinates, a deviance that is
NaN). So every fit, plain or penalised, checks the final coefficients in one place:

    kkt = maxⱼ √( vⱼ² / (Hⱼⱼ + λ₂ⱼ) / (|f| + 0.1) )

with v the gradient of the loss (the KKT violation of the penalised problem: the part of
∇f that the L1 subgradient and the bounds cannot absorb), H the Fisher information XᵀWX
(its diagonal) and f the loss (half the deviance). It is the largest Newton step of any
single coefficient, measured in units of the loss's own scale, so it does not depend on how
the columns or the response are scaled, nor on n. It is at most √(gᵀH⁻¹g / (|f| + 0.1)),
the relative Newton decrement IRLS stops on.

A fit is certified when ``kkt ≤ max(10·tol, floor)``: ``tol`` the tolerance the user stated
(else 1e-8; the factor 10 because each solver's own stopping rule approximates this measure,
e.g. L-BFGS scales the columns by their information at the start, gradient descent uses a
gradient norm per unit weight), and ``floor`` the rounding level of the gradient, 64 ε √n times
√(Σᵢ gᵢ²/hᵢ / (|f| + 0.1)) (by Cauchy–Schwarz, |Σᵢ xᵢⱼ gᵢ| ≤ √Hⱼⱼ √(Σᵢ gᵢ²/hᵢ)), below
which no solver can go (ε of the design's dtype: a float32 design is certified at its precision). A value or gradient that is not finite is never certified.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import Array, relative_kkt

__all__ = ["Certificate", "certify", "DEFAULT_TOL"]

DEFAULT_TOL = 1e-8  # where neither the user nor the solver states a tolerance (closed form)
_FLOOR_FACTOR = 64.0
SLACK = 10.0  # the solvers' stopping rules approximate the certificate's measure


@dataclass(frozen=True)
class Certificate:
    """The gradient (KKT) check of a fit's final coefficients.

    Attributes
    ----------
    kkt : float
        The relative gradient (KKT) violation at the final coefficients (inf where the loss or
        its gradient is not finite there).
    tol : float
        The tolerance it is held to.
    floor : float
        The rounding level of ``kkt`` for this problem.
    value : float
        The loss at the final coefficients (half the deviance).

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
    >>> cert = certify(objective, np.array([-0.249, 0.463]), tol=1e-10)  # rounded coefficients
    >>> cert.holds, cert.kkt > 1e-4
    (False, True)
    """

    kkt: float
    tol: float
    floor: float
    value: float

    @property
    def holds(self) -> bool:
        """Whether ``kkt ≤ max(10·tol, floor)``."""
        return bool(math.isfinite(self.kkt) and self.kkt <= self.bound)

    @property
    def bound(self) -> float:
        """The largest ``kkt`` certified: ``max(10·tol, floor)``."""
        return max(SLACK * self.tol, self.floor)

    def describe(self) -> str:
        """A sentence for messages: the violation found and what it was held to."""
        if not math.isfinite(self.value):
            return "the loss is not finite at the final coefficients (no valid set of coefficients)"
        return (f"relative gradient {self.kkt:.3g} at the final coefficients, above the tolerance "
                f"{self.bound:.3g}")


def certify(objective: Any, coef: Array, tol: float | None, penalty: Any = None,
            evaluation: Any = None) -> Certificate:
    """The :class:`Certificate` of ``coef`` for ``objective`` (+ ``penalty``).

    Parameters
    ----------
    objective : Objective
    coef : ndarray of shape (n_features,)
    tol : float or None
        The tolerance (None: :data:`DEFAULT_TOL`).
    penalty : Penalty, optional
        The penalty of a penalised fit (its L1 part, bounds and L2 weights).
    evaluation : Evaluation, optional
        The objective already evaluated at ``coef`` with its expected Hessian (IRLS's last
        one): then no pass over the design is needed.

    Returns
    -------
    Certificate

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
    >>> result = gk.solvers.IRLS().solve(objective, np.zeros(2))
    >>> certify(objective, result.coef, tol=1e-10).holds
    True
    """
    tol = DEFAULT_TOL if tol is None else float(tol)
    coef = np.asarray(coef, dtype=float)
    ev = evaluation
    if ev is not None and ev.gradient is not None and ev.hessian is not None and ev.hessian_exact:
        eta, gradient, diag = ev.eta, ev.gradient, np.diag(ev.hessian)
    else:
        eta, gradient, diag = objective.eta(coef), None, None
    terms = objective.terms_at(eta, "expected")
    value = float(np.sum(terms.loss)) if terms is not None else math.inf
    if terms is None or not math.isfinite(value):
        return Certificate(math.inf, tol, 0.0, value)
    design = objective.design
    if gradient is None:
        gradient = design.rmatvec(terms.gradient)
        diag = design.weighted_column_norms(terms.hessian)
    if not np.all(np.isfinite(gradient)):
        return Certificate(math.inf, tol, 0.0, value)
    if penalty is None:
        from ..penalties import Penalty
        penalty = Penalty.none(coef.size)
    scale = diag + penalty.l2
    kkt = relative_kkt(penalty, coef, gradient, scale, value)
    h = terms.hessian
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = float(np.sum(np.where(h > 0, terms.gradient**2 / h, 0.0)))
    n = int(np.count_nonzero(h > 0)) or 1
    eps = max(float(np.finfo(np.float64).eps), _design_eps(design))
    floor = _FLOOR_FACTOR * eps * math.sqrt(n) * math.sqrt(pearson / (abs(value) + 0.1))
    return Certificate(float(kkt), tol, float(floor) if math.isfinite(floor) else 0.0, value)


def _design_eps(design: Any) -> float:
    """Machine ε of the design's floating dtype (float64's for anything else)."""
    try:
        return float(np.finfo(design.dtype).eps)
    except (TypeError, ValueError):
        return float(np.finfo(np.float64).eps)
