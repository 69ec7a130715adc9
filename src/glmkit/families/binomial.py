"""Binomial family: y a proportion of successes in m trials, V(μ) = μ(1 − μ)."""

from __future__ import annotations

import numpy as np

from .. import _numerics as nx
from ..links import Link, Logit
from ..variance import BinomialVariance
from ._base import Array, Family, warn_noninteger

__all__ = ["Binomial"]


class Binomial(Family):
    """Binomial responses, as R's ``binomial()``.

    y is a proportion in [0, 1] and the prior weight of a row is its number of trials
    (so 0/1 data has weight 1). ``trials`` given to :func:`glmkit.glm` turns counts of
    successes into proportions and multiplies the weights by the trials.

    Examples
    --------
    >>> Binomial(link="probit").link.name
    'probit'
    """

    name = "binomial"
    default_link = "logit"
    dispersion_is_fixed = True
    proportion_response = True
    quasi_counterpart = "quasibinomial"

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = BinomialVariance()
        super().__init__(link)

    def _y_hint(self) -> str:
        return (
            "Binomial y must be 0/1, a proportion with weights = number of trials, "
            "or success counts with trials= given."
        )

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return (weights * y + 0.5) / (weights + 1.0)

    def warn_y(self, y: Array, weights: Array) -> None:
        warn_noninteger(
            weights * y,
            weights > 0,
            "non-integer #successes in a binomial glm: weights * y should be whole numbers "
            "(R gives the same warning); the likelihood and AIC round them.",
        )

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """Binomial counts out of ``trials`` (default 1), returned as proportions.

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = Binomial().sample(np.full(n, 0.3), np.full(n, 1.0), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        0.3
        """
        m = np.ones_like(mu) if trials is None else np.broadcast_to(trials, mu.shape)
        m_int = np.rint(m).astype(np.int64)
        counts = rng.binomial(m_int, np.clip(mu, 0.0, 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(m_int > 0, counts / np.maximum(m_int, 1), 0.0)

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        return ("binomial_logit",) if type(link) is Logit else None

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        m = weights if trials is None else trials
        used = m > 0
        m, y, mu, w = m[used], y[used], mu[used], weights[used]
        n = np.round(m)
        k = np.round(m * y)
        log_choose = nx.gammaln(n + 1.0) - nx.gammaln(k + 1.0) - nx.gammaln(n - k + 1.0)
        ll = log_choose + nx.xlogy(k, mu) + nx.xlogy(n - k, 1.0 - mu)
        return float(np.sum((w / m) * ll))
