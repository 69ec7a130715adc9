"""The family protocol: the random component of a GLM.

A family composes a variance function (which fixes the unit deviance) with a link and
adds what only a full distribution knows: the log-likelihood with all its constants,
the valid range of y, R's starting means (``mustart``) and whether the dispersion is
fixed (binomial, Poisson) or estimated (everything else, as in R's ``summary.glm``).
A family never sees the design matrix.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._domain import Interval
from .._warnings import warn
from ..errors import DataWarning, DomainError, InputError, UnknownNameError
from ..links import Link, Log, get_link
from ..variance import VarianceFunction

__all__ = ["Family", "probability_boundary", "rate_boundary"]

Array = NDArray[np.floating]


class Family:
    """Base class of exponential-dispersion families.

    A family declares what callers need to know about its distribution; no code outside
    ``glmkit.families`` switches on a family's name or type. Every capability has a
    default here, so a new family overrides only what differs.

    Parameters
    ----------
    link : str or Link, optional
        The link; the family's ``default_link`` when omitted.

    Attributes
    ----------
    name : str
        The family's name (R's ``family$family`` in lower case). Used in messages only.
    link : Link
    variance : VarianceFunction
    default_link : str
    allowed_links : tuple of str or None
        Link names the family accepts by name (None: any link).
    dispersion_is_fixed : bool
        True where the dispersion is 1 by definition (binomial, Poisson, negative binomial
        with θ given); otherwise ``summary`` estimates it (Pearson) and tests use t and F.
    aic_counts_dispersion : bool
        True where R's AIC counts the dispersion as a parameter (Gaussian, Gamma,
        inverse Gaussian, Tweedie with p ≠ 1).
    has_likelihood : bool
        False for quasi-families: log-likelihood, AIC and BIC are NaN.
    proportion_response : bool
        True where y is a proportion of successes out of trials (binomial, quasibinomial):
        ``trials=`` is accepted and the cross-validation measures "class" and "auc" apply.
    quasi_counterpart : str or None
        The quasi-family with the same variance function and a free dispersion
        ("quasibinomial" for the binomial, "quasipoisson" for the Poisson); None where
        there is none. R warns "F test assumes 'quasi...' family" for exactly these, and
        its ``rstudent`` does not scale by σ̂ for them.
    aic_from_log_deviance : bool
        True where −2 log L maximised over φ is n·log(D/n) plus a constant (normal errors,
        R's ``gaussian``): R's ``drop1``/``add1`` compute their AIC column from it.
    extra_parameter : str or None
        The name of the family's own parameter besides μ and φ ("theta", "power"), None
        if it has none.
    estimates_extra_parameter : bool
        True where the extra parameter is left to be estimated (e.g.
        ``NegativeBinomial(theta=None)``): such a family cannot be fitted as it is; the
        fit routes it to the estimation of the parameter (``glm_nb``).

    Examples
    --------
    >>> family = gk.Poisson()
    >>> family.link, family.variance, family.dispersion_is_fixed
    (Log(), PowerVariance(1.0), True)
    """

    name: ClassVar[str] = "family"
    default_link: ClassVar[str] = "identity"
    allowed_links: ClassVar[tuple[str, ...] | None] = None
    dispersion_is_fixed: ClassVar[bool] = False
    aic_counts_dispersion: ClassVar[bool] = False
    has_likelihood: ClassVar[bool] = True
    proportion_response: ClassVar[bool] = False
    quasi_counterpart: ClassVar[str | None] = None
    aic_from_log_deviance: ClassVar[bool] = False
    extra_parameter: ClassVar[str | None] = None

    variance: VarianceFunction

    def __init__(self, link: str | Link | None = None) -> None:
        self.link = get_link(self.default_link if link is None else link)
        if self.allowed_links is not None and isinstance(link, str) and self.link.name not in self.allowed_links:
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
        """R's ``validmu``: finite means inside the family's domain.

        Examples
        --------
        >>> gk.Poisson().valid_mu([0.5, 2.0]), gk.Poisson().valid_mu([-1.0])
        (True, False)
        """
        mu = np.asarray(mu, dtype=float)
        return bool(np.all(np.isfinite(mu)) and self.mu_domain.all_contain(mu))

    def check_y(self, y: Array, weights: Array) -> None:
        """Raise :class:`DomainError` if y lies outside the family's range (rows with weight 0 ignored).

        Examples
        --------
        >>> gk.Poisson().check_y(np.array([-1.0]), np.ones(1))
        Traceback (most recent call last):
        ...
        glmkit.errors.DomainError: The poisson family needs y in [0, inf); 1 value(s) are outside it, ...
        """
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
        """d(y, μ) ≥ 0, zero at y = μ.

        Examples
        --------
        >>> gk.Poisson().unit_deviance(np.array([0.0, 2.0]), np.array([1.0, 2.0]))
        array([2., 0.])
        """
        return self.variance.unit_deviance(y, mu)

    def deviance(self, y: ArrayLike, mu: ArrayLike, weights: ArrayLike) -> float:
        """Σ wᵢ d(yᵢ, μᵢ).

        Examples
        --------
        >>> gk.Poisson().deviance(np.array([0.0, 2.0]), np.array([1.0, 2.0]), np.ones(2))
        2.0
        """
        return float(np.sum(np.asarray(weights) * self.unit_deviance(y, mu)))

    def starting_mu(self, y: Array, weights: Array) -> Array:
        """R's ``mustart``: a mean inside the domain from which IRLS starts.

        Examples
        --------
        >>> gk.Poisson().starting_mu(np.array([0.0, 2.0]), np.ones(2))
        array([0.1, 2.1])
        """
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

        Examples
        --------
        >>> y, mu = np.array([0.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0])
        >>> round(gk.Poisson().loglik(y, mu, np.ones(3)), 4), gk.QuasiPoisson().loglik(y, mu, np.ones(3))
        (-4.0192, nan)
        """
        return float("nan")

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        """The dispersion R plugs into the likelihood when it computes the AIC.

        R uses deviance / n for the Gaussian and deviance / Σw for the Gamma and the
        inverse Gaussian (the maximum-likelihood value for the first, an approximation
        for the others), not the Pearson estimate.

        Examples
        --------
        >>> y, mu, w = np.array([0.0, 2.0, 3.0]), np.array([1.0, 2.0, 2.0]), np.ones(3)
        >>> float(gk.Gaussian().aic_dispersion(y, mu, w, gk.Gaussian().deviance(y, mu, w)))  # deviance / n
        0.6666666666666666
        """
        return 1.0

    # -- what callers ask of a family -----------------------------------------------------
    @property
    def estimates_extra_parameter(self) -> bool:
        """Whether the extra parameter is left to be estimated (see the class notes).

        Examples
        --------
        >>> gk.NegativeBinomial().estimates_extra_parameter, gk.Poisson().estimates_extra_parameter
        (True, False)
        """
        return False

    def with_extra_parameter(self, value: float) -> Family:
        """The same family and link with its extra parameter set to ``value``.

        Examples
        --------
        >>> gk.NegativeBinomial().with_extra_parameter(2.0)
        NegativeBinomial(theta=2.0, link=Log())
        """
        raise InputError(f"The {self.name} family has no extra parameter to set.")

    def boundary_message(self, mu: Array) -> str | None:
        """The warning text when fitted means reached the family's boundary, else None.

        The test behind R's separation warnings: μ within 10ε of 0 or 1 for proportions,
        of 0 for counts and for any family with a log link. ``mu`` holds the rows of
        positive weight only (the caller drops the others).

        Examples
        --------
        >>> gk.Binomial().boundary_message(np.array([0.5, 1e-20]))
        'fitted probabilities numerically 0 or 1 occurred (perfect or quasi-separation)'
        >>> gk.Binomial().boundary_message(np.array([0.5, 0.2])) is None
        True
        """
        if self.proportion_response:
            return probability_boundary(mu)
        if isinstance(self.link, Log):
            return rate_boundary(mu)
        return None

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """One outcome y per entry of ``mu`` from the family's distribution.

        Parameters
        ----------
        mu, dispersion, weights : ndarray of the same shape
            Means, dispersions and prior weights (the variance of y is φV(μ)/w).
        trials : ndarray of that shape, or None
            Numbers of trials (proportion families; None means one trial each).
        rng : numpy.random.Generator

        The default is a normal approximation with variance φV(μ)/w, and it warns: a
        family with a distribution overrides it.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> gk.Gaussian().sample(np.array([2.0, 5.0]), np.ones(2), np.ones(2), None, rng).shape
        (2,)
        """
        return normal_sample(self, mu, dispersion, weights, rng)

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        """The key of a fused loss kernel that computes this family's loss under ``link``.

        ``glmkit.loss`` maps the key (a name, then the kernel's parameters) to a stable
        η-space kernel for the pair: ``("poisson_log",)``, ``("binomial_logit",)``,
        ``("gaussian_identity",)``, ``("gamma_log",)`` or ``("tweedie_log", p)``. None (the
        default) uses the generic formulas. A family returns a key only where its unit
        deviance is the one the kernel computes.

        Examples
        --------
        >>> gk.Poisson().fused_kernel(gk.links.Log()), gk.Poisson().fused_kernel(gk.links.Sqrt())
        (('poisson_log',), None)
        """
        return None

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        """Instances that cover the family's parameters; the property tests run on each.

        Examples
        --------
        >>> gk.Tweedie.examples()[:2]
        (Tweedie(power=1.5, link=Log()), Tweedie(power=1.0, link=Log()))
        """
        return (cls(),)

    def warn_y(self, y: Array, weights: Array) -> None:
        """Warnings about legal but suspicious y (e.g. non-integer counts).

        Examples
        --------
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     gk.Poisson().warn_y(np.array([1.5, 2.0]), np.ones(2))
        >>> caught[0].category.__name__
        'DataWarning'
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(link={self.link!r})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))


def warn_noninteger(values: Array, used: Array, message: str) -> None:
    """Warn (as R does) when values that should be whole numbers are not."""
    values = values if used.all() else values[used]
    if (np.abs(values - values.round()) > 1e-3).any():
        warn(message, DataWarning)


_BOUNDARY_EPS = 10 * np.finfo(float).eps


def probability_boundary(mu: Array) -> str | None:
    """R's separation test for proportions: μ within 10ε of 0 or 1."""
    if np.any((mu < _BOUNDARY_EPS) | (mu > 1 - _BOUNDARY_EPS)):
        return "fitted probabilities numerically 0 or 1 occurred (perfect or quasi-separation)"
    return None


def rate_boundary(mu: Array) -> str | None:
    """R's boundary test for rates: μ within 10ε of 0."""
    if np.any(mu < _BOUNDARY_EPS):
        return "fitted rates numerically 0 occurred"
    return None


def normal_sample(family: Family, mu: Array, dispersion: Array, weights: Array,
                  rng: np.random.Generator) -> Array:
    """y ~ N(μ, φV(μ)/w), with a warning that this only approximates the family."""
    warn(f"The {family.name} family has no outcome distribution here; prediction intervals use a "
                  "normal approximation with variance φV(μ)/w.", UserWarning)
    return mu + np.sqrt(dispersion * family.variance(mu) / weights) * rng.standard_normal(mu.shape)


def gaussian_sample(mu: Array, dispersion: Array, weights: Array, rng: np.random.Generator) -> Array:
    """y ~ N(μ, φ/w)."""
    return mu + np.sqrt(dispersion / weights) * rng.standard_normal(mu.shape)


def gamma_sample(mu: Array, dispersion: Array, weights: Array, rng: np.random.Generator) -> Array:
    """y ~ Gamma(shape w/φ, mean μ)."""
    shape = weights / dispersion
    return rng.gamma(shape, mu / shape)


def inverse_gaussian_sample(mu: Array, dispersion: Array, weights: Array, rng: np.random.Generator) -> Array:
    """y ~ IG(μ, λ = w/φ)."""
    return rng.wald(mu, weights / dispersion)
