"""Families: the random component of a GLM, one module each."""

from __future__ import annotations

from typing import Any

from ..errors import UnknownNameError
from ..links import Link
from ._base import Family
from .binomial import Binomial
from .gamma import Gamma
from .gaussian import Gaussian
from .inverse_gaussian import InverseGaussian
from .negative_binomial import NegativeBinomial
from .poisson import Poisson
from .quasi import Quasi, QuasiBinomial, QuasiPoisson
from .tweedie import Tweedie

__all__ = [
    "Family",
    "Gaussian",
    "Binomial",
    "Poisson",
    "Gamma",
    "InverseGaussian",
    "NegativeBinomial",
    "Tweedie",
    "Quasi",
    "QuasiPoisson",
    "QuasiBinomial",
    "FAMILIES",
    "get_family",
]

FAMILIES: dict[str, type[Family]] = {
    "gaussian": Gaussian,
    "binomial": Binomial,
    "poisson": Poisson,
    "gamma": Gamma,
    "inverse_gaussian": InverseGaussian,
    "negative_binomial": NegativeBinomial,
    "tweedie": Tweedie,
    "quasipoisson": QuasiPoisson,
    "quasibinomial": QuasiBinomial,
    "quasi": Quasi,
}

_ALIASES = {"normal": "gaussian", "inverse.gaussian": "inverse_gaussian", "negbin": "negative_binomial",
            "negative.binomial": "negative_binomial"}


def get_family(family: str | Family, link: str | Link | None = None, **params: Any) -> Family:
    """A family object from its name (with an optional link) or the object itself.

    Parameters
    ----------
    family : str or Family
        One of ``gaussian binomial poisson gamma inverse_gaussian negative_binomial
        tweedie quasipoisson quasibinomial quasi``, or a family object.
    link : str or Link, optional
        Overrides the family's default link (only with a name; a family object
        carries its own link).
    **params
        Family parameters, e.g. ``theta`` for the negative binomial, ``power`` for Tweedie.

    Examples
    --------
    >>> get_family("poisson").link.name
    'log'
    """
    if isinstance(family, str):
        key = _ALIASES.get(family.lower(), family.lower())
        if key not in FAMILIES:
            raise UnknownNameError(
                f"Unknown family {family!r}. Valid names: {', '.join(FAMILIES)}; "
                "or pass an object such as glmkit.NegativeBinomial(theta=2.0)."
            )
        return FAMILIES[key](link=link, **params)
    required = ("unit_deviance", "starting_mu", "loglik", "link", "variance")
    missing = [m for m in required if not hasattr(family, m)]
    if missing:
        raise UnknownNameError(
            f"{family!r} is not a family: it lacks {', '.join(missing)}. Pass a family name "
            f"({', '.join(FAMILIES)}) or a glmkit.families.Family subclass."
        )
    if link is not None:
        from ..links import get_link

        new_link = get_link(link)
        if new_link != family.link:
            raise UnknownNameError(
                f"link={link!r} was given together with the family object {family!r}, "
                "which has its own link; pass the link to the family instead."
            )
    return family
