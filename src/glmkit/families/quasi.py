"""Quasi-families: a variance function and a link, no likelihood (R's ``quasi*``).

The dispersion is always estimated (Pearson), and log-likelihood, AIC and BIC are NaN.
"""

from __future__ import annotations

import numpy as np

from ..variance import BinomialVariance, PowerVariance, VarianceFunction, get_variance
from ._base import Array, Family, rate_boundary

__all__ = ["Quasi", "QuasiPoisson", "QuasiBinomial"]


class Quasi(Family):
    """General quasi-likelihood family, as R's ``quasi(link, variance)``.

    Parameters
    ----------
    link : str or Link, default "identity"
    variance : str or VarianceFunction, default "constant"
        ``"constant"``, ``"mu(1-mu)"``, ``"mu"``, ``"mu^2"``, ``"mu^3"`` or an object.

    Examples
    --------
    >>> float(Quasi(link="log", variance="mu^2").variance(3.0))
    9.0
    """

    name = "quasi"
    default_link = "identity"
    has_likelihood = False

    def __init__(self, link=None, variance: str | VarianceFunction = "constant") -> None:  # type: ignore[no-untyped-def]
        self.variance = get_variance(variance)
        super().__init__(link)

    def starting_mu(self, y: Array, weights: Array) -> Array:
        v = self.variance
        if isinstance(v, BinomialVariance):
            return np.clip(y, 0.001, 0.999)
        if isinstance(v, PowerVariance) and v.power > 0:
            return y + 0.1 * (y == 0)
        return y.copy()

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        return (cls(variance="mu^2"), cls(variance="mu^3"), cls(variance="constant"))

    def __repr__(self) -> str:
        return f"Quasi(link={self.link!r}, variance={self.variance.name!r})"


class QuasiPoisson(Quasi):
    """Poisson variance μ with an estimated dispersion (R's ``quasipoisson``).

    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="quasipoisson")
    >>> round(fit.dispersion, 4)  # the Pearson estimate, where the Poisson fixes 1
    4.2615
    """

    name = "quasipoisson"
    default_link = "log"

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(link, PowerVariance(1.0))

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return y + 0.1

    def boundary_message(self, mu: Array) -> str | None:
        return rate_boundary(mu)

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        return (cls(),)

    def __repr__(self) -> str:
        return f"QuasiPoisson(link={self.link!r})"


class QuasiBinomial(Quasi):
    """Binomial variance μ(1 − μ) with an estimated dispersion (R's ``quasibinomial``).

    >>> fit = gk.glm_fit(np.arange(4.0)[:, None], [0.1, 0.4, 0.5, 0.9], family="quasibinomial")
    >>> round(fit.dispersion, 4)
    0.0569
    """

    name = "quasibinomial"
    default_link = "logit"
    proportion_response = True

    def __init__(self, link=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(link, BinomialVariance())

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return (weights * y + 0.5) / (weights + 1.0)

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        return (cls(),)

    def __repr__(self) -> str:
        return f"QuasiBinomial(link={self.link!r})"
