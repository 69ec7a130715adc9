"""Families: the random component of a GLM, one module each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, overload

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
    "register_family",
    "unregister_family",
    "built_in_name",
]

F = TypeVar("F", bound=type[Family])

#: The family registry: name → class. The single source for names in ``get_family`` and
#: for the property tests (``tests/properties/glm_registry.py``); extend it with
#: :func:`register_family`.
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

_BUILT_IN = frozenset(FAMILIES)

_ALIASES = {"normal": "gaussian", "inverse.gaussian": "inverse_gaussian", "negbin": "negative_binomial",
            "negative.binomial": "negative_binomial"}


@overload
def register_family(name: str) -> Callable[[F], F]: ...


@overload
def register_family(name: str, cls: F) -> F: ...


def register_family(name: str, cls: F | None = None) -> F | Callable[[F], F]:
    """Add a family class to the registry under ``name`` (also usable as a class decorator).

    After registration ``get_family(name)`` (and so ``family=name`` in every fit) builds the
    family, and the property tests run on its :meth:`Family.examples`.

    Parameters
    ----------
    name : str
        Lower-case name; must not be taken by another family (or an alias).
    cls : type of Family, optional
        Omit it to use ``register_family(name)`` as a decorator.

    Examples
    --------
    >>> @register_family("my_poisson")
    ... class MyPoisson(Poisson):
    ...     name = "my_poisson"
    >>> get_family("my_poisson").link.name
    'log'
    >>> unregister_family("my_poisson")
    """
    def add(family_cls: F) -> F:
        key = name.lower()
        if not (isinstance(family_cls, type) and issubclass(family_cls, Family)):
            raise TypeError(f"register_family needs a Family subclass; got {family_cls!r}.")
        if key in FAMILIES or key in _ALIASES:
            raise UnknownNameError(f"The family name {name!r} is taken (by {FAMILIES.get(key, key)!r}); "
                                   "choose another name or unregister_family it first.")
        FAMILIES[key] = family_cls
        return family_cls

    return add if cls is None else add(cls)


def built_in_name(family: Family) -> str | None:
    """The registry name of a built-in family object (of exactly that class), else None.

    What a model file can name: a user's family, or a subclass of a built-in one that may
    behave differently, has no name that reads back as the same family.

    Examples
    --------
    >>> built_in_name(Poisson()), built_in_name(object())
    ('poisson', None)
    """
    name = getattr(family, "name", None)
    return name if name in _BUILT_IN and FAMILIES[name] is type(family) else None


def unregister_family(name: str) -> None:
    """Remove a family added by :func:`register_family` (built-in families stay).

    >>> class Half(gk.Gaussian):
    ...     name = "half"
    >>> _ = gk.register_family("half", Half)
    >>> unregister_family("half")
    >>> "half" in FAMILIES
    False
    """
    key = name.lower()
    if key in _BUILT_IN:
        raise UnknownNameError(f"{name!r} is a built-in family and cannot be unregistered.")
    if key not in FAMILIES:
        raise UnknownNameError(f"No family {name!r} is registered.")
    del FAMILIES[key]


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
