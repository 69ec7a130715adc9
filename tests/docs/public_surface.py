"""The public surface of glmkit, walked once: what must carry a docstring and an example.

Public means: every name in ``glmkit.__all__``; for a public module (``gk.links``,
``gk.solvers`` …) every name in its ``__all__``; for a public class, its public methods
and properties, inherited ones included where glmkit defines them. A callable (function,
class, method) needs a docstring with a ``>>>`` example; a property (a result attribute)
needs a docstring. Docstrings are read with ``inspect.getdoc``, so an override without one
inherits its base's (as Sphinx shows it).
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import types
from typing import Iterator

import glmkit as gk
from glmkit.ml_parameters import NegBinResult

EXTRA_CLASSES = (NegBinResult,)
# The Design protocol's members are an implementer's interface (its contract is tested by
# tests/unit/test_design_protocol.py): the design classes and functions need a docstring
# and an example, their methods are not walked.
MEMBERS_NOT_WALKED = ("glmkit.design.",)


def _is_glmkit(obj: object) -> bool:
    return (getattr(obj, "__module__", "") or "").startswith("glmkit")


def _class_members(cls: type, qualname: str) -> Iterator[tuple[str, object, str]]:
    if dataclasses.is_dataclass(cls):
        for field in dataclasses.fields(cls):
            if not field.name.startswith("_"):
                yield f"{qualname}.{field.name}", cls, "field"
    for klass in cls.__mro__:
        if not _is_glmkit(klass):
            continue
        for name, value in vars(klass).items():
            if name.startswith("_"):
                continue
            member = getattr(cls, name, None)
            if isinstance(inspect.getattr_static(cls, name), (property, types.MemberDescriptorType)) or \
                    type(inspect.getattr_static(cls, name)).__name__ == "cached_property":
                yield f"{qualname}.{name}", inspect.getattr_static(cls, name), "attribute"
            elif inspect.isfunction(value) or isinstance(value, (classmethod, staticmethod)):
                yield f"{qualname}.{name}", member, "callable"


def public_surface() -> dict[str, tuple[object, str]]:
    """Qualified name → (object, kind) where kind is "callable" or "attribute"."""
    out: dict[str, tuple[object, str]] = {}
    seen_classes: set[type] = set()

    def add(qualname: str, obj: object) -> None:
        if inspect.isclass(obj):
            if not _is_glmkit(obj):
                return
            out.setdefault(qualname, (obj, "callable"))
            if obj in seen_classes:
                return
            seen_classes.add(obj)
            if qualname.startswith(MEMBERS_NOT_WALKED):
                return
            for name, member, kind in _class_members(obj, qualname):
                out.setdefault(name, (member, kind))
        elif callable(obj) and _is_glmkit(obj):
            out.setdefault(qualname, (obj, "callable"))

    for name in gk.__all__:
        if name in ("Loss", "__version__"):
            continue
        obj = getattr(gk, name)
        if isinstance(obj, types.ModuleType):
            for sub in getattr(obj, "__all__", []):
                add(f"glmkit.{name}.{sub}", getattr(obj, sub))
        else:
            add(f"glmkit.{name}", obj)
    for cls in EXTRA_CLASSES:
        add(f"{cls.__module__}.{cls.__qualname__}", cls)
    return out


def public_names() -> set[str]:
    """The last part of every public function's and class's name (not their members)."""
    names = set()
    for qualname, (obj, kind) in public_surface().items():
        owner = qualname.rsplit(".", 1)[0]
        if kind == "callable" and not inspect.isclass(public_surface_owner(owner)):
            names.add(qualname.rsplit(".", 1)[1])
    return names


def public_surface_owner(dotted: str) -> object:
    """The object a dotted public name resolves to (a module or a class)."""
    parts = dotted.split(".")
    obj: object = gk
    for part in parts[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            import importlib

            return importlib.import_module(dotted)
    return obj


def _doc(obj: object) -> str:
    if isinstance(obj, property):
        return inspect.getdoc(obj.fget) or ""
    return inspect.getdoc(obj) or ""


def _field_documented(cls: type, name: str) -> bool:
    """A dataclass field is documented by a ``name : type`` line in its class's docstring
    (the numpydoc Attributes or Parameters section), its own or a base class's."""
    pattern = re.compile(rf"^\s*(?:\w+\s*,\s*)*{re.escape(name)}(?:\s*,\s*\w+)*\s*:", re.M)
    return any(pattern.search(inspect.getdoc(k) or "") for k in cls.__mro__ if _is_glmkit(k))


def _report_name(qualname: str, obj: object) -> str:
    """Methods are reported once, under the class that defines them."""
    func = obj.__func__ if isinstance(obj, (classmethod, staticmethod, types.MethodType)) else obj
    func = getattr(func, "fget", getattr(func, "func", func))  # property, cached_property
    defined = getattr(func, "__qualname__", "")
    if inspect.isfunction(func) or inspect.isclass(func):
        return f"{func.__module__}.{defined}"
    return qualname


def missing_docstrings() -> list[str]:
    out = set()
    for name, (obj, kind) in public_surface().items():
        if kind == "field":
            if not _field_documented(obj, name.rsplit(".", 1)[1]):  # type: ignore[arg-type]
                out.add(name)
        elif not _doc(obj).strip():
            out.add(_report_name(name, obj))
    return sorted(out)


def missing_examples() -> list[str]:
    return sorted({_report_name(n, obj) for n, (obj, kind) in public_surface().items()
                   if kind == "callable" and ">>>" not in _doc(obj)})
