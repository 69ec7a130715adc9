"""Negative binomial family with known θ: V(μ) = μ + μ²/θ, as MASS's ``negative.binomial(theta)``."""

from __future__ import annotations

import numpy as np

from .. import _numerics as nx
from ..variance import NegativeBinomialVariance
from ._base import Array, Family, warn_noninteger

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Family):
    """Negative binomial counts with a given shape θ.

    Parameters
    ----------
    theta : float
        The shape θ > 0 (Var y = μ + μ²/θ).
    link : str or Link, optional
        Default ``"log"``.

    Notes
    -----
    With θ given the model is a full likelihood with dispersion 1, and glmkit treats it
    so (z tests), as MASS's ``summary.negbin`` and statsmodels do. This differs from a
    plain ``summary(glm(..., family = MASS::negative.binomial(theta)))`` in R, which
    estimates a Pearson dispersion because the family is neither binomial nor Poisson;
    to reproduce that, fix ``dispersion=`` to the Pearson value in :func:`glmkit.glm`.

    Examples
    --------
    >>> float(NegativeBinomial(theta=2.0).variance(2.0))
    4.0
    """

    name = "negative_binomial"
    default_link = "log"
    dispersion_is_fixed = True

    def __init__(self, theta: float = 1.0, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = NegativeBinomialVariance(theta)
        self.theta = float(theta)
        super().__init__(link)

    def _y_hint(self) -> str:
        return "Negative binomial y must be non-negative counts."

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return y + (y == 0) / 6.0

    def warn_y(self, y: Array, weights: Array) -> None:
        warn_noninteger(y, weights > 0, "non-integer counts in a negative binomial glm.")

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        t = self.theta
        logf = (
            nx.gammaln(t + y)
            - nx.gammaln(t)
            - nx.gammaln(y + 1.0)
            + t * nx.log(t)
            + nx.xlogy(y, mu)
            - (y + t) * nx.log(mu + t)
        )
        return float(np.sum(w * logf))

    def __repr__(self) -> str:
        return f"NegativeBinomial(theta={self.theta!r}, link={self.link!r})"
