"""Families and links in a model file: a built-in name and its parameters, nothing else.

A family or link is written as ``{"name": ..., <parameters>}`` and rebuilt from glmkit's
own classes. A user-defined family, link or variance function has no name the file could
give back, so saving refuses it (:class:`~glmkit.errors.UnsavableModelError`); every
record is read back and compared before it is written, so what is saved is what loads.
"""

from __future__ import annotations

from typing import Any

from ..errors import CorruptModelFileError, UnsavableModelError
from ..families import FAMILIES, Family, Quasi, built_in_name
from ..links import LINKS, Link, Power
from ..variance import BinomialVariance, ConstantVariance, PowerVariance
from .values import decode_float, encode_float

__all__ = ["encode_family", "decode_family", "encode_link", "decode_link"]

_BUILT_IN_FAMILIES = {name: cls for name, cls in FAMILIES.items() if cls.__module__.startswith("glmkit.")}


def encode_link(link: Link) -> dict[str, Any]:
    """``{"name": ...}`` (and ``"power"`` for the power link).

    Examples
    --------
    >>> encode_link(Power(0.5))
    {'name': 'power', 'power': 0.5}
    """
    if type(link) is Power:
        return {"name": "power", "power": encode_float(link.power)}
    if LINKS.get(getattr(link, "name", None)) is type(link):
        return {"name": link.name}
    raise UnsavableModelError(
        f"The link {link!r} ({type(link).__qualname__}) is not one of glmkit's links ({', '.join(sorted(LINKS))}, "
        "power), so a model file cannot name it. Pickle the result instead, or use a built-in link."
    )


def decode_link(record: Any) -> Link:
    """The link written by :func:`encode_link`."""
    name = record.get("name") if isinstance(record, dict) else None
    if name == "power":
        return Power(decode_float(record.get("power"), "the power link's exponent"))
    if name not in LINKS:
        raise CorruptModelFileError(f"Unknown link {name!r} in the model file; known: {', '.join(sorted(LINKS))}, power.")
    return LINKS[name]()


def _encode_variance(variance: Any) -> Any:
    if type(variance) is ConstantVariance:
        return "constant"
    if type(variance) is BinomialVariance:
        return "mu(1-mu)"
    if type(variance) is PowerVariance:
        return {"power": encode_float(variance.power)}
    raise UnsavableModelError(
        f"The quasi family's variance function {variance!r} is user-defined, so a model file cannot name it; "
        "pickle the result instead, or use 'constant', 'mu(1-mu)' or PowerVariance(p)."
    )


def _decode_variance(record: Any) -> Any:
    if record == "constant":
        return ConstantVariance()
    if record == "mu(1-mu)":
        return BinomialVariance()
    if isinstance(record, dict) and "power" in record:
        return PowerVariance(decode_float(record["power"], "the variance power"))
    raise CorruptModelFileError(f"Unknown quasi variance {record!r} in the model file.")


def encode_family(family: Family) -> dict[str, Any]:
    """``{"name", "link", <parameters>}`` for a built-in family, checked by reading it back.

    The parameters are the family's declared ``extra_parameter`` (Tweedie's power, the
    negative binomial's θ) and a quasi family's variance function.

    Examples
    --------
    >>> encode_family(gk.Tweedie(power=1.5))
    {'name': 'tweedie', 'link': {'name': 'log'}, 'power': 1.5}
    """
    name = built_in_name(family)
    if name is None:
        raise UnsavableModelError(
            f"The family {family!r} is not one of glmkit's built-in families "
            f"({', '.join(_BUILT_IN_FAMILIES)}), so a model file cannot name it. Pickle the result instead."
        )
    cls = _BUILT_IN_FAMILIES[name]
    record: dict[str, Any] = {"name": name, "link": encode_link(family.link)}
    if family.extra_parameter is not None:
        value = getattr(family, family.extra_parameter)
        record[family.extra_parameter] = None if value is None else encode_float(value)
    if cls is Quasi:
        record["variance"] = _encode_variance(family.variance)
    if repr(decode_family(record)) != repr(family):
        raise UnsavableModelError(f"The family {family!r} does not read back as itself from {record}; it cannot be saved.")
    return record


def decode_family(record: Any) -> Family:
    """The family written by :func:`encode_family`."""
    name = record.get("name") if isinstance(record, dict) else None
    if name not in _BUILT_IN_FAMILIES:
        raise CorruptModelFileError(f"Unknown family {name!r} in the model file; known: {', '.join(_BUILT_IN_FAMILIES)}.")
    cls = _BUILT_IN_FAMILIES[name]
    link = decode_link(record.get("link"))
    if cls is Quasi:
        return Quasi(link=link, variance=_decode_variance(record.get("variance")))
    params = {}
    if cls.extra_parameter is not None:
        value = record.get(cls.extra_parameter)
        params[cls.extra_parameter] = None if value is None else decode_float(value, cls.extra_parameter)
    return cls(link=link, **params)
