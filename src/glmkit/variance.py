"""Variance functions V(μ), their derivatives and the unit deviances they induce.

The unit deviance is determined by the variance function alone,
d(y, μ) = 2 ∫_μ^y (y − t) / V(t) dt, so it lives here; families and quasi-families
compose a variance function with a likelihood (or none).
"""

from __future__ import annotations

import abc

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _numerics as nx
from ._domain import NONNEGATIVE, POSITIVE, REAL, UNIT_CLOSED, UNIT_OPEN, Interval
from .errors import DomainError, UnknownNameError

__all__ = [
    "VarianceFunction",
    "ConstantVariance",
    "BinomialVariance",
    "PowerVariance",
    "NegativeBinomialVariance",
    "get_variance",
]

Array = NDArray[np.floating]


def _f(x: ArrayLike) -> Array:
    return np.asarray(x, dtype=float)


class VarianceFunction(abc.ABC):
    """Base class: V(μ), dV/dμ and the unit deviance d(y, μ).

    Attributes
    ----------
    name : str
        R's name of the variance (``"constant"``, ``"mu(1-mu)"``, ``"mu^2"`` ...).
    mu_domain : Interval
        Where V is positive and the deviance defined (R's ``validmu``).
    y_domain : Interval
        Where the unit deviance is defined for y.

    Examples
    --------
    >>> V = gk.variance.PowerVariance(2.0)
    >>> V(np.array([0.5, 2.0]))
    array([0.25, 4.  ])
    """

    name: str = "variance"
    mu_domain: Interval = REAL
    y_domain: Interval = REAL

    @abc.abstractmethod
    def __call__(self, mu: ArrayLike) -> Array:
        """V(μ)."""

    @abc.abstractmethod
    def derivative(self, mu: ArrayLike) -> Array:
        """dV/dμ.

        Examples
        --------
        >>> gk.variance.NegativeBinomialVariance(2.0).derivative(np.array([0.5]))
        array([1.5])
        """

    @abc.abstractmethod
    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        """d(y, μ) = 2 ∫_μ^y (y − t)/V(t) dt.

        Examples
        --------
        >>> gk.variance.ConstantVariance().unit_deviance(np.array([1.0]), np.array([0.5]))
        array([0.25])
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ConstantVariance(VarianceFunction):
    """V(μ) = 1; d(y, μ) = (y − μ)².

    >>> ConstantVariance()(np.array([0.5]))
    array([1.])
    """

    name = "constant"

    def __call__(self, mu: ArrayLike) -> Array:
        return np.ones_like(_f(mu))

    def derivative(self, mu: ArrayLike) -> Array:
        return np.zeros_like(_f(mu))

    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        r = _f(y) - _f(mu)
        return r * r


class BinomialVariance(VarianceFunction):
    """V(μ) = μ(1 − μ); d(y, μ) = 2[y log(y/μ) + (1 − y) log((1 − y)/(1 − μ))].

    >>> BinomialVariance()(np.array([0.5]))
    array([0.25])
    """

    name = "mu(1-mu)"
    mu_domain = UNIT_OPEN
    y_domain = UNIT_CLOSED

    def __call__(self, mu: ArrayLike) -> Array:
        mu = _f(mu)
        return mu * (1.0 - mu)

    def derivative(self, mu: ArrayLike) -> Array:
        return 1.0 - 2.0 * _f(mu)

    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        y, mu = _f(y), _f(mu)
        return 2.0 * (nx.xlogy_ratio(y, mu) + nx.xlogy_ratio(1.0 - y, 1.0 - mu))


class PowerVariance(VarianceFunction):
    """V(μ) = μ^p (the Tweedie variance; p = 1 Poisson, 2 Gamma, 3 inverse Gaussian).

    Notes
    -----
    d(y, μ) = 2[y^{2−p}/((1−p)(2−p)) − y μ^{1−p}/(1−p) + μ^{2−p}/(2−p)] for p ∉ {1, 2},
    with the limits 2[y log(y/μ) − (y − μ)] at p = 1 and 2[(y − μ)/μ − log(y/μ)] at p = 2.

    Examples
    --------
    >>> PowerVariance(2.0)(np.array([0.5]))
    array([0.25])
    """

    def __init__(self, power: float) -> None:
        power = _parameter_value("The variance power p", power)
        if not np.isfinite(power) or 0.0 < power < 1.0:
            raise DomainError(
                f"A power variance needs p = 0 or p >= 1 (no exponential-dispersion model "
                f"exists for 0 < p < 1); got p = {power!r}. Use e.g. power=1.5 (compound "
                f"Poisson-gamma), or estimate it with glmkit.tweedie_power."
            )
        self.power = power
        self.name = {0.0: "constant", 1.0: "mu", 2.0: "mu^2", 3.0: "mu^3"}.get(power, f"mu^{power:g}")
        self.mu_domain = REAL if power == 0.0 else POSITIVE
        if power == 0.0:
            self.y_domain = REAL
        elif power < 2.0:
            self.y_domain = NONNEGATIVE
        else:
            self.y_domain = POSITIVE

    def __call__(self, mu: ArrayLike) -> Array:
        mu = _f(mu)
        p = self.power
        if p == 0.0:
            return np.ones_like(mu)
        if p == 1.0:
            return mu.copy()
        if p == 2.0:
            return mu * mu
        return np.power(mu, p)

    def derivative(self, mu: ArrayLike) -> Array:
        mu = _f(mu)
        p = self.power
        if p == 0.0:
            return np.zeros_like(mu)
        if p == 1.0:
            return np.ones_like(mu)
        return p * np.power(mu, p - 1.0)

    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        y, mu = _f(y), _f(mu)
        p = self.power
        if p == 0.0:
            return (y - mu) ** 2
        if p == 1.0:
            return 2.0 * (nx.xlogy_ratio(y, mu) - (y - mu))
        if p == 2.0:
            with np.errstate(divide="ignore", invalid="ignore"):
                return 2.0 * ((y - mu) / mu - nx.log(y / mu))
        if p == 3.0:
            return (y - mu) ** 2 / (mu * mu * y)
        with np.errstate(divide="ignore", invalid="ignore"):
            term1 = np.power(y, 2.0 - p) / ((1.0 - p) * (2.0 - p))
            dev = 2.0 * (term1 - y * np.power(mu, 1.0 - p) / (1.0 - p) + np.power(mu, 2.0 - p) / (2.0 - p))
        return np.maximum(dev, 0.0)

    def __repr__(self) -> str:
        return f"PowerVariance({self.power!r})"


class NegativeBinomialVariance(VarianceFunction):
    """V(μ) = μ + μ²/θ; d(y, μ) = 2[y log(y/μ) − (y + θ) log((y + θ)/(μ + θ))].

    >>> NegativeBinomialVariance(2.0)(np.array([0.5]))
    array([0.625])
    """

    mu_domain = POSITIVE
    y_domain = NONNEGATIVE

    def __init__(self, theta: float) -> None:
        theta = _parameter_value("The negative binomial θ", theta)
        if not (np.isfinite(theta) and theta > 0):
            raise DomainError(f"The negative binomial θ must be positive and finite; got {theta!r}. "
                              f"Give e.g. theta=2.0, or leave θ out (family='negative_binomial', "
                              f"glmkit.glm_nb) to estimate it.")
        self.theta = theta
        self.name = f"mu + mu^2/{theta:g}"

    def __call__(self, mu: ArrayLike) -> Array:
        mu = _f(mu)
        return mu + mu * mu / self.theta

    def derivative(self, mu: ArrayLike) -> Array:
        return 1.0 + 2.0 * _f(mu) / self.theta

    def unit_deviance(self, y: ArrayLike, mu: ArrayLike) -> Array:
        y, mu = _f(y), _f(mu)
        t = self.theta
        return 2.0 * (nx.xlogy_ratio(y, mu) - (y + t) * nx.log((y + t) / (mu + t)))

    def __repr__(self) -> str:
        return f"NegativeBinomialVariance({self.theta!r})"


_NAMED = {
    "constant": lambda: ConstantVariance(),
    "mu(1-mu)": lambda: BinomialVariance(),
    "mu": lambda: PowerVariance(1.0),
    "mu^2": lambda: PowerVariance(2.0),
    "mu^3": lambda: PowerVariance(3.0),
}


def get_variance(variance: str | VarianceFunction) -> VarianceFunction:
    """A variance function by R's name (``constant``, ``mu(1-mu)``, ``mu``, ``mu^2``, ``mu^3``) or object.

    Examples
    --------
    >>> get_variance("mu^2")
    PowerVariance(2.0)
    """
    if isinstance(variance, VarianceFunction):
        return variance
    if isinstance(variance, str):
        key = variance.replace(" ", "")
        if key in _NAMED:
            return _NAMED[key]()
        raise UnknownNameError(
            f"Unknown variance {variance!r}. Valid names: {', '.join(_NAMED)}; "
            "or pass a glmkit.variance.VarianceFunction such as PowerVariance(1.5)."
        )
    for m in ("__call__", "derivative", "unit_deviance"):
        if not callable(getattr(variance, m, None)):
            raise UnknownNameError(f"{variance!r} is not a variance function: it lacks {m}.")
    return variance


def _parameter_value(what: str, value: object) -> float:
    """``float(value)``, or a :class:`~glmkit.errors.DomainError` naming the parameter."""
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise DomainError(f"{what} must be a number; got {value!r}.") from None
