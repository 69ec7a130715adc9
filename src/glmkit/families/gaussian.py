"""Gaussian family: V(μ) = 1, dispersion σ² estimated."""

from __future__ import annotations

import numpy as np

from ..links import Identity, Link
from ..variance import ConstantVariance
from ._base import Array, Family, gaussian_sample

__all__ = ["Gaussian"]


class Gaussian(Family):
    """Normal errors; y ~ N(μ, σ²/w).

    Examples
    --------
    >>> Gaussian().link.name
    'identity'
    """

    name = "gaussian"
    default_link = "identity"
    aic_counts_dispersion = True
    aic_from_log_deviance = True

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = ConstantVariance()
        super().__init__(link)

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """y ~ N(μ, φ/w).

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = Gaussian().sample(np.full(n, 2.0), np.full(n, 0.5), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        2.0
        """
        return gaussian_sample(mu, dispersion, weights, rng)

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        return ("gaussian_identity",) if type(link) is Identity else None

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        w, r = weights[used], (y - mu)[used]
        return float(-0.5 * np.sum(np.log(2.0 * np.pi * dispersion / w) + w * r * r / dispersion))

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        return deviance / np.count_nonzero(weights > 0)
