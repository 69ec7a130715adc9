"""Gamma family: positive continuous y, V(μ) = μ², dispersion = 1/shape estimated."""

from __future__ import annotations

import numpy as np

from .. import _numerics as nx
from ..links import Link, Log
from ..variance import PowerVariance
from ._base import Array, Family, gamma_sample

__all__ = ["Gamma"]


class Gamma(Family):
    """Gamma errors, as R's ``Gamma()`` (default link inverse).

    Examples
    --------
    >>> Gamma(link="log").link.name
    'log'
    """

    name = "gamma"
    default_link = "inverse"
    aic_counts_dispersion = True

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = PowerVariance(2.0)
        super().__init__(link)

    def _y_hint(self) -> str:
        return "Gamma y must be strictly positive."

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """y ~ Gamma(shape w/φ, mean μ).

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = Gamma().sample(np.full(n, 2.0), np.full(n, 0.5), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        2.0
        """
        return gamma_sample(mu, dispersion, weights, rng)

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        return ("gamma_log",) if type(link) is Log else None

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        shape = 1.0 / dispersion
        scale = mu * dispersion
        logf = -nx.gammaln(shape) - shape * nx.log(scale) + (shape - 1.0) * nx.log(y) - y / scale
        return float(np.sum(w * logf))

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        return deviance / float(np.sum(weights))
