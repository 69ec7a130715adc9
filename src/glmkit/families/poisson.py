"""Poisson family: counts, V(μ) = μ, dispersion fixed at 1."""

from __future__ import annotations

import numpy as np

from .. import _numerics as nx
from ..links import Link, Log
from ..variance import PowerVariance
from ._base import Array, Family, rate_boundary, warn_noninteger

__all__ = ["Poisson"]


class Poisson(Family):
    """Poisson counts, as R's ``poisson()``.

    Examples
    --------
    >>> float(Poisson().unit_deviance(3.0, 3.0))
    0.0
    """

    name = "poisson"
    default_link = "log"
    dispersion_is_fixed = True
    quasi_counterpart = "quasipoisson"

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = PowerVariance(1.0)
        super().__init__(link)

    def _y_hint(self) -> str:
        return "Poisson y must be non-negative counts."

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return y + 0.1

    def warn_y(self, y: Array, weights: Array) -> None:
        warn_noninteger(
            y,
            weights > 0,
            "non-integer counts in a Poisson glm: the log-likelihood and AIC are -inf/inf "
            "for them (as R's dpois); consider quasipoisson or tweedie.",
        )

    def boundary_message(self, mu: Array) -> str | None:
        return rate_boundary(mu)

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """Poisson counts with mean μ.

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = Poisson().sample(np.full(n, 3.0), np.full(n, 1.0), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        3.0
        """
        return rng.poisson(mu).astype(float)

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        return ("poisson_log",) if type(link) is Log else None

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        if np.any(np.abs(y - np.round(y)) > 1e-7 * np.maximum(1.0, y)):
            return float("-inf")
        return float(np.sum(w * (nx.xlogy(y, mu) - mu - nx.gammaln(y + 1.0))))
