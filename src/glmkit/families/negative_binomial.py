"""Negative binomial family: V(μ) = μ + μ²/θ, as MASS's ``negative.binomial(theta)``.

With θ given it is a one-parameter exponential family (dispersion 1). Without θ
(``NegativeBinomial()``, or the name ``"negative_binomial"``) the family stands for
"θ to be estimated", as ``MASS::glm.nb``: it declares ``estimates_extra_parameter`` and
cannot be fitted as it is — its variance, deviance and likelihood refuse to run rather
than assume a θ; the fit routes it to the estimation of θ, which fits
``with_extra_parameter(θ)`` in turn.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .. import _numerics as nx
from .._domain import NONNEGATIVE, POSITIVE
from ..errors import InputError
from ..variance import NegativeBinomialVariance, VarianceFunction
from ._base import Array, Family, warn_noninteger

__all__ = ["NegativeBinomial"]


class NegativeBinomial(Family):
    """Negative binomial counts with shape θ, given or to be estimated.

    Parameters
    ----------
    theta : float or None, default None
        The shape θ > 0 (Var y = μ + μ²/θ); None leaves θ to be estimated by maximum
        likelihood (``glmkit.glm_nb``).
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
    >>> NegativeBinomial().estimates_extra_parameter
    True
    """

    name = "negative_binomial"
    default_link = "log"
    dispersion_is_fixed = True
    extra_parameter = "theta"

    def __init__(self, theta: float | None = None, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = _ThetaToBeEstimated() if theta is None else NegativeBinomialVariance(theta)  # checks θ
        self.theta = None if theta is None else float(theta)
        super().__init__(link)

    @property
    def estimates_extra_parameter(self) -> bool:
        """True without a given θ: ``glm`` then estimates θ by maximum likelihood (as ``glm.nb``)."""
        return self.theta is None

    def with_extra_parameter(self, value: float) -> NegativeBinomial:
        return NegativeBinomial(theta=value, link=self.link)

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        return (cls(theta=2.5),)

    def _y_hint(self) -> str:
        return "Negative binomial y must be non-negative counts."

    def starting_mu(self, y: Array, weights: Array) -> Array:
        return y + (y == 0) / 6.0

    def warn_y(self, y: Array, weights: Array) -> None:
        warn_noninteger(y, weights > 0, "non-integer counts in a negative binomial glm.")

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """Negative binomial counts with mean μ and shape θ.

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = NegativeBinomial(2.0).sample(np.full(n, 3.0), np.full(n, 1.0), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        3.0
        """
        theta = _given(self.theta)
        return rng.negative_binomial(theta, theta / (theta + mu)).astype(float)

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        t = _given(self.theta)
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
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


_NO_THETA = ("NegativeBinomial(theta=None) leaves θ to be estimated; it has no variance, deviance or "
             "likelihood until θ is known. Estimate θ with glmkit.glm_nb (or family=\"negative_binomial\" "
             "in glmkit.glm), or give it: glmkit.NegativeBinomial(theta=2.0).")


def _given(theta: float | None) -> float:
    if theta is None:
        raise InputError(_NO_THETA)
    return theta


class _ThetaToBeEstimated(VarianceFunction):
    """The variance of a negative binomial whose θ is not known yet: domains only."""

    name = "mu + mu^2/theta"
    mu_domain = POSITIVE
    y_domain = NONNEGATIVE

    def __call__(self, mu: ArrayLike) -> Array:
        raise InputError(_NO_THETA)

    def derivative(self, mu: ArrayLike) -> Array:
        raise InputError(_NO_THETA)

    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        raise InputError(_NO_THETA)
