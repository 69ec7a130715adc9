"""Warnings that point at the user's line, whatever route inside glmkit raised them."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["warn"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_stacklevel() -> int:
    """The stacklevel of the first frame outside glmkit (as pandas' ``find_stack_level``)."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


def warn(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the user's call, not to glmkit's internals.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn("look", UserWarning)
    >>> caught[0].message.args[0]
    'look'
    """
    warnings.warn(message, category, stacklevel=_user_stacklevel())
