"""The family protocol: the random component of a GLM.

A family composes a variance function (which fixes the unit deviance) with a link and
adds what only a full distribution knows: the log-likelihood with all its constants,
the valid range of y, R's starting means (``mustart``) and whether the dispersion is
fixed (binomial, Poisson) or estimated (everything else, as in R's ``summary.glm``).
A family never sees the design matrix.
"""

from __future__ import annotations

import warnings
from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._domain import Interval
from ..errors import DomainError
from ..links import Link, get_link
from ..variance import VarianceFunction

__all__ = ["Family"]

Array = NDArray[np.floating]


class Family:
    """Base class of exponential-dispersion families.

    Parameters
    ----------
    link : str or Link, optional
        The link; the family's ``default_link`` when omitted.

    Attributes
    ----------
    name : str
        The family's name (R's ``family$family`` in lower case).
    link : Link
    variance : VarianceFunction
    dispersion_is_fixed : bool
        True where the dispersion is 1 by definition (binomial, Poisson).
    aic_counts_dispersion : bool
        True where R's AIC counts the dispersion as a parameter (Gaussian, Gamma,
        inverse Gaussian).
    """

    name: ClassVar[str] = "family"
    default_link: ClassVar[str] = "identity"
    allowed_links: ClassVar[tuple[str, ...] | None] = None
    dispersion_is_fixed: ClassVar[bool] = False
    proportion_response: ClassVar[bool] = False
    aic_counts_dispersion: ClassVar[bool] = False
    has_likelihood: ClassVar[bool] = True

    variance: VarianceFunction

    def __init__(self, link: str | Link | None = None) -> None:
        self.link = get_link(self.default_link if link is None else link)
        if self.allowed_links is not None and isinstance(link, str) and self.link.name not in self.allowed_links:
            from ..errors import UnknownNameError

            raise UnknownNameError(
                f"The {self.name} family does not take the {self.link.name!r} link; "
                f"allowed: {', '.join(self.allowed_links)} (or pass a link object)."
            )

    # -- domains -----------------------------------------------------------------------
    @property
    def y_domain(self) -> Interval:
        """The interval y must lie in."""
        return self.variance.y_domain

    @property
    def mu_domain(self) -> Interval:
        """The interval the fitted means must lie in (R's ``validmu``)."""
        return self.variance.mu_domain

    def valid_mu(self, mu: ArrayLike) -> bool:
        """R's ``validmu``: finite means inside the family's domain."""
        mu = np.asarray(mu, dtype=float)
        return bool(np.all(np.isfinite(mu)) and self.mu_domain.all_contain(mu))

    def check_y(self, y: Array, weights: Array) -> None:
        """Raise :class:`DomainError` if y lies outside the family's range (rows with weight 0 ignored)."""
        used = weights > 0
        bad = ~self.y_domain.contains(y) & used
        if np.any(bad):
            idx = np.flatnonzero(bad)
            raise DomainError(
                f"The {self.name} family needs y in {self.y_domain}; {idx.size} value(s) are "
                f"outside it, e.g. y[{idx[0]}] = {float(y[idx[0]])!r}. "
                f"{self._y_hint()}"
            )

    def _y_hint(self) -> str:
        return "Check the response column or choose a family whose range fits the data."

    # -- the distribution -------------------------------------------------------------
    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        """d(y, μ) ≥ 0, zero at y = μ."""
        return self.variance.unit_deviance(y, mu)

    def deviance(self, y: ArrayLike, mu: ArrayLike, weights: ArrayLike) -> float:
        """Σ wᵢ d(yᵢ, μᵢ)."""
        return float(np.sum(np.asarray(weights) * self.unit_deviance(y, mu)))

    def starting_mu(self, y: Array, weights: Array) -> Array:
        """R's ``mustart``: a mean inside the domain from which IRLS starts."""
        return np.asarray(y, dtype=float).copy()

    def loglik(
        self,
        y: Array,
        mu: Array,
        weights: Array,
        dispersion: float = 1.0,
        *,
        trials: Array | None = None,
    ) -> float:
        """The log-likelihood with all constants, prior weights as R's ``glm`` uses them.

        NaN for quasi-families, which have no likelihood.
        """
        return float("nan")

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        """The dispersion R plugs into the likelihood when it computes the AIC.

        R uses deviance / n for the Gaussian and deviance / Σw for the Gamma and the
        inverse Gaussian (the maximum-likelihood value for the first, an approximation
        for the others), not the Pearson estimate.
        """
        return 1.0

    def pearson_dispersion_applies(self) -> bool:
        """Whether ``summary`` estimates the dispersion (R: every family but binomial and Poisson)."""
        return not self.dispersion_is_fixed

    def warn_y(self, y: Array, weights: Array) -> None:
        """Warnings about legal but suspicious y (e.g. non-integer counts)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(link={self.link!r})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))


def warn_noninteger(values: Array, used: Array, message: str) -> None:
    """Warn (as R does) when values that should be whole numbers are not."""
    from ..errors import DataWarning

    values = values if used.all() else values[used]
    if (np.abs(values - values.round()) > 1e-3).any():
        warnings.warn(message, DataWarning, stacklevel=4)
