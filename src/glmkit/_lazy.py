"""Modules imported on first use, so that ``import glmkit`` stays light.

``pd = lazy_module("pandas")`` binds a stand-in that imports pandas the first time an
attribute is read (``pd.DataFrame``); annotations name the real module under
``TYPE_CHECKING``. Used where a module needs a heavy dependency in many functions and a
local import in each would be noise.
"""

from __future__ import annotations

import importlib
import types
from typing import Any

__all__ = ["lazy_module"]


class _LazyModule(types.ModuleType):
    """Stands in for a module until an attribute is read; then imports it and caches what was read."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):  # introspection (copy, pickle, doctest) must not import
            raise AttributeError(attr)
        value = getattr(importlib.import_module(self.__name__), attr)
        self.__dict__[attr] = value
        return value


def lazy_module(name: str) -> Any:
    """A stand-in for the module ``name``, imported on first attribute access.

    Examples
    --------
    >>> import sys
    >>> json = lazy_module("json")
    >>> json.dumps([1, 2])
    '[1, 2]'
    >>> "json" in sys.modules
    True
    """
    return _LazyModule(name)
