"""Link functions η = g(μ) and their inverses, with the derivatives the loss needs.

A link is a small stateless object. The protocol (what a user-defined link must provide):

- ``name``: str
- ``link(mu)`` → η, ``inverse(eta)`` → μ
- ``derivative(mu)`` → dη/dμ
- ``inverse_derivative(eta)`` → dμ/dη
- ``inverse_second_derivative(eta)`` → d²μ/dη²
- ``valid_eta(eta)`` → bool (R's ``valideta``)

Subclassing :class:`Link` gives ``derivative`` and ``valid_eta`` for free.
"""

from __future__ import annotations

import abc
import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from . import _numerics as nx
from .errors import DomainError, UnknownNameError

__all__ = [
    "Link",
    "Identity",
    "Log",
    "Logit",
    "Probit",
    "CLogLog",
    "LogLog",
    "Cauchit",
    "Power",
    "Inverse",
    "InverseSquared",
    "Sqrt",
    "get_link",
    "LINKS",
]

Array = NDArray[np.floating]


class Link(abc.ABC):
    """Base class of links: η = g(μ).

    Notes
    -----
    ``derivative`` defaults to 1 / (dμ/dη) evaluated at η = g(μ), so a user-defined
    link needs only ``link``, ``inverse``, ``inverse_derivative`` and
    ``inverse_second_derivative``.

    Examples
    --------
    >>> link = gk.get_link("logit")
    >>> link.inverse(link.link(np.array([0.25])))
    array([0.25])
    """

    name: str = "link"

    @abc.abstractmethod
    def link(self, mu: ArrayLike) -> Array:
        """η = g(μ).

        Examples
        --------
        >>> gk.links.Logit().link(np.array([0.5, 0.75]))
        array([0.        , 1.09861229])
        """

    @abc.abstractmethod
    def inverse(self, eta: ArrayLike) -> Array:
        """μ = g⁻¹(η).

        Examples
        --------
        >>> gk.links.Logit().inverse(np.array([0.0, np.log(3.0)]))
        array([0.5 , 0.75])
        """

    @abc.abstractmethod
    def inverse_derivative(self, eta: ArrayLike) -> Array:
        """dμ/dη at η.

        Examples
        --------
        >>> gk.links.Logit().inverse_derivative(np.array([0.0]))
        array([0.25])
        """

    @abc.abstractmethod
    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        """d²μ/dη² at η.

        Examples
        --------
        >>> gk.links.Logit().inverse_second_derivative(np.array([0.0]))
        array([0.])
        """

    def derivative(self, mu: ArrayLike) -> Array:
        """dη/dμ at μ.

        Examples
        --------
        >>> gk.links.Logit().derivative(np.array([0.5]))
        array([4.])
        """
        return 1.0 / self.inverse_derivative(self.link(mu))

    def valid_eta(self, eta: ArrayLike) -> bool:
        """Whether every η is a legal value of the linear predictor.

        Examples
        --------
        >>> gk.links.Logit().valid_eta(np.array([0.0, np.inf])), gk.links.Inverse().valid_eta(np.array([1.0]))
        (False, True)
        """
        return bool(np.all(np.isfinite(eta)))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), tuple(sorted(self.__dict__.items()))))


class Log(Link):
    """η = log μ.

    >>> Log().link(np.array([0.25]))
    array([-1.38629436])
    """

    name = "log"

    def link(self, mu: ArrayLike) -> Array:
        return nx.log(mu)

    def inverse(self, eta: ArrayLike) -> Array:
        return nx.exp(eta)

    def derivative(self, mu: ArrayLike) -> Array:
        return 1.0 / np.asarray(mu, dtype=float)

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        return nx.exp(eta)

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        return nx.exp(eta)


class Logit(Link):
    """η = log(μ / (1 − μ)); canonical for the binomial.

    >>> Logit().link(np.array([0.25]))
    array([-1.09861229])
    """

    name = "logit"

    def link(self, mu: ArrayLike) -> Array:
        return nx.logit(mu)

    def inverse(self, eta: ArrayLike) -> Array:
        return nx.expit(eta)

    def derivative(self, mu: ArrayLike) -> Array:
        mu = np.asarray(mu, dtype=float)
        return 1.0 / (mu * (1.0 - mu))

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        # expit(η)·expit(−η) keeps full relative precision in both tails.
        eta = np.asarray(eta, dtype=float)
        return nx.expit(eta) * nx.expit(-eta)

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        p = nx.expit(eta)
        q = nx.expit(-eta)
        return p * q * (q - p)


class Probit(Link):
    """η = Φ⁻¹(μ).

    >>> Probit().link(np.array([0.25]))
    array([-0.67448975])
    """

    name = "probit"

    def link(self, mu: ArrayLike) -> Array:
        return nx.norm_ppf(mu)

    def inverse(self, eta: ArrayLike) -> Array:
        return nx.norm_cdf(eta)

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        return nx.norm_pdf(eta)

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        return -eta * nx.norm_pdf(eta)


class CLogLog(Link):
    """η = log(−log(1 − μ)), complementary log-log.

    >>> CLogLog().link(np.array([0.25]))
    array([-1.24589932])
    """

    name = "cloglog"

    def link(self, mu: ArrayLike) -> Array:
        return nx.log(-nx.log1p(-np.asarray(mu, dtype=float)))

    def inverse(self, eta: ArrayLike) -> Array:
        return -nx.expm1(-nx.exp(eta))

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        return nx.exp(eta - nx.exp(eta))

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        e = nx.exp(eta)
        return nx.exp(eta - e) * (1.0 - e)


class LogLog(Link):
    """η = −log(−log μ), log-log.

    >>> LogLog().link(np.array([0.25]))
    array([-0.32663426])
    """

    name = "loglog"

    def link(self, mu: ArrayLike) -> Array:
        return -nx.log(-nx.log(mu))

    def inverse(self, eta: ArrayLike) -> Array:
        return nx.exp(-nx.exp(-np.asarray(eta, dtype=float)))

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        return nx.exp(-eta - nx.exp(-eta))

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        e = nx.exp(-eta)
        return nx.exp(-eta - e) * (e - 1.0)


class Cauchit(Link):
    """η = tan(π(μ − ½)), the Cauchy quantile function.

    >>> Cauchit().link(np.array([0.25]))
    array([-1.])
    """

    name = "cauchit"

    def link(self, mu: ArrayLike) -> Array:
        return np.tan(np.pi * (np.asarray(mu, dtype=float) - 0.5))

    def inverse(self, eta: ArrayLike) -> Array:
        return 0.5 + np.arctan(np.asarray(eta, dtype=float)) / np.pi

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        return 1.0 / (np.pi * (1.0 + eta * eta))

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        return -2.0 * eta / (np.pi * (1.0 + eta * eta) ** 2)


class Power(Link):
    """η = μ^λ (λ ≠ 0); λ = 0 is the log link, as in R's ``power()``.

    Parameters
    ----------
    power : float
        The exponent λ.

    Examples
    --------
    >>> float(Power(0.5).link(4.0))
    2.0
    """

    name = "power"

    def __init__(self, power: float = 1.0) -> None:
        try:
            power = float(power)
        except (TypeError, ValueError):
            raise DomainError(f"Power link needs a number as its exponent; got {power!r}.") from None
        if not math.isfinite(power):
            raise DomainError(f"Power link needs a finite exponent; got {power!r}. Use e.g. "
                              f"links.Power(0.5) (square root) or links.Power(1/3).")
        self.power = power

    def __new__(cls, power: float = 1.0) -> Any:
        if cls is Power and isinstance(power, (int, float, np.number)) and float(power) == 0.0:
            return Log()
        return super().__new__(cls)

    def link(self, mu: ArrayLike) -> Array:
        mu = np.asarray(mu, dtype=float)
        if self.power == 1.0:
            return mu.copy()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(mu, self.power)

    def inverse(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        if self.power == 1.0:
            return eta.copy()
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.power(eta, 1.0 / self.power)

    def derivative(self, mu: ArrayLike) -> Array:
        mu = np.asarray(mu, dtype=float)
        if self.power == 1.0:
            return np.ones_like(mu)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return self.power * np.power(mu, self.power - 1.0)

    def inverse_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        if self.power == 1.0:
            return np.ones_like(eta)
        r = 1.0 / self.power
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return r * np.power(eta, r - 1.0)

    def inverse_second_derivative(self, eta: ArrayLike) -> Array:
        eta = np.asarray(eta, dtype=float)
        r = 1.0 / self.power
        if r == 1.0:
            return np.zeros_like(eta)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return r * (r - 1.0) * np.power(eta, r - 2.0)

    def valid_eta(self, eta: ArrayLike) -> bool:
        eta = np.asarray(eta, dtype=float)
        if not np.all(np.isfinite(eta)):
            return False
        if self.power == 1.0:
            return True
        # μ = η^(1/λ) is real and finite only for η > 0 (R's inverse and 1/mu^2 rules).
        return bool(np.all(eta > 0))

    def __repr__(self) -> str:
        return f"Power({self.power!r})"


class Identity(Power):
    """η = μ.

    >>> Identity().link(np.array([0.25]))
    array([0.25])
    """

    name = "identity"

    def __init__(self) -> None:
        super().__init__(1.0)

    def __new__(cls) -> Any:
        return object.__new__(cls)

    def __repr__(self) -> str:
        return "Identity()"


class Inverse(Power):
    """η = 1/μ; canonical for the Gamma.

    >>> Inverse().link(np.array([0.25]))
    array([4.])
    """

    name = "inverse"

    def __init__(self) -> None:
        super().__init__(-1.0)

    def __new__(cls) -> Any:
        return object.__new__(cls)

    def valid_eta(self, eta: ArrayLike) -> bool:
        eta = np.asarray(eta, dtype=float)
        return bool(np.all(np.isfinite(eta)) and np.all(eta != 0))

    def __repr__(self) -> str:
        return "Inverse()"


class InverseSquared(Power):
    """η = 1/μ²; canonical for the inverse Gaussian.

    >>> InverseSquared().link(np.array([0.25]))
    array([16.])
    """

    name = "inverse_squared"

    def __init__(self) -> None:
        super().__init__(-2.0)

    def __new__(cls) -> Any:
        return object.__new__(cls)

    def __repr__(self) -> str:
        return "InverseSquared()"


class Sqrt(Power):
    """η = √μ.

    >>> Sqrt().link(np.array([0.25]))
    array([0.5])
    """

    name = "sqrt"

    def __init__(self) -> None:
        super().__init__(0.5)

    def __new__(cls) -> Any:
        return object.__new__(cls)

    def __repr__(self) -> str:
        return "Sqrt()"


LINKS: dict[str, type[Link]] = {
    "identity": Identity,
    "log": Log,
    "logit": Logit,
    "probit": Probit,
    "cloglog": CLogLog,
    "loglog": LogLog,
    "cauchit": Cauchit,
    "inverse": Inverse,
    "inverse_squared": InverseSquared,
    "sqrt": Sqrt,
}

_ALIASES = {"1/mu^2": "inverse_squared", "inverse_square": "inverse_squared"}


def get_link(link: str | Link) -> Link:
    """Return a link object from its name, or the object itself.

    Parameters
    ----------
    link : str or Link
        One of ``identity log logit probit cloglog loglog cauchit inverse
        inverse_squared sqrt``, or any object implementing the link protocol.

    Examples
    --------
    >>> get_link("logit").name
    'logit'
    """
    if isinstance(link, str):
        key = _ALIASES.get(link.lower(), link.lower())
        if key not in LINKS:
            raise UnknownNameError(
                f"Unknown link {link!r}. Valid names: {', '.join(sorted(LINKS))}; "
                "or pass an object such as glmkit.links.Power(0.5)."
            )
        return LINKS[key]()
    required = ("link", "inverse", "inverse_derivative", "inverse_second_derivative")
    missing = [m for m in required if not callable(getattr(link, m, None))]
    if missing:
        raise UnknownNameError(
            f"{link!r} is not a link: it lacks {', '.join(missing)}. Pass a link name "
            f"({', '.join(sorted(LINKS))}) or a glmkit.links.Link subclass."
        )
    return link
