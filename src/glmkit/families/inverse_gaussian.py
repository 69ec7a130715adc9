"""Inverse Gaussian family: positive y, V(μ) = μ³."""

from __future__ import annotations

import numpy as np

from .. import _numerics as nx
from ..variance import PowerVariance
from ._base import Array, Family, inverse_gaussian_sample

__all__ = ["InverseGaussian"]


class InverseGaussian(Family):
    """Inverse Gaussian errors, as R's ``inverse.gaussian()`` (default link 1/μ²).

    Examples
    --------
    >>> InverseGaussian().link.name
    'inverse_squared'
    """

    name = "inverse_gaussian"
    default_link = "inverse_squared"
    aic_counts_dispersion = True

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = PowerVariance(3.0)
        super().__init__(link)

    def _y_hint(self) -> str:
        return "Inverse Gaussian y must be strictly positive."

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """y ~ IG(μ, λ = w/φ).

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = InverseGaussian().sample(np.full(n, 2.0), np.full(n, 0.5), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        2.0
        """
        return inverse_gaussian_sample(mu, dispersion, weights, rng)

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        logf = -0.5 * nx.log(2.0 * np.pi * dispersion * y**3) - (y - mu) ** 2 / (2.0 * dispersion * mu * mu * y)
        return float(np.sum(w * logf))

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        return deviance / float(np.sum(weights))
