"""Intervals as values: the allowed range of y, μ and parameters.

A domain is checked once, at the boundary, and quoted in the error message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .errors import InputError

__all__ = ["Interval", "REAL", "POSITIVE", "NONNEGATIVE", "UNIT_OPEN", "UNIT_CLOSED", "check_level"]


@dataclass(frozen=True)
class Interval:
    """An interval of the real line with open or closed ends.

    Examples
    --------
    >>> Interval(0.0, np.inf, low_inclusive=True).contains(np.array([0.0, 2.0]))
    array([ True,  True])
    """

    low: float
    high: float
    low_inclusive: bool = False
    high_inclusive: bool = False

    def contains(self, x: ArrayLike) -> np.ndarray:
        """Elementwise membership test."""
        x = np.asarray(x, dtype=float)
        above = x >= self.low if self.low_inclusive else x > self.low
        below = x <= self.high if self.high_inclusive else x < self.high
        return above & below

    def all_contain(self, x: ArrayLike) -> bool:
        """True where every element of ``x`` lies in the interval."""
        return bool(np.all(self.contains(x)))

    def __str__(self) -> str:
        left = "[" if self.low_inclusive else "("
        right = "]" if self.high_inclusive else ")"
        return f"{left}{_fmt(self.low)}, {_fmt(self.high)}{right}"


def _fmt(v: float) -> str:
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return f"{v:g}"


REAL = Interval(-np.inf, np.inf)
POSITIVE = Interval(0.0, np.inf)
NONNEGATIVE = Interval(0.0, np.inf, low_inclusive=True)
UNIT_OPEN = Interval(0.0, 1.0)
UNIT_CLOSED = Interval(0.0, 1.0, low_inclusive=True, high_inclusive=True)


def check_level(level: object, name: str = "level") -> float:
    """A confidence level in (0, 1), as a float; an :class:`~glmkit.errors.InputError` otherwise.

    Examples
    --------
    >>> check_level(0.9)
    0.9
    >>> check_level(95)
    Traceback (most recent call last):
    ...
    glmkit.errors.InputError: level must be a number in (0, 1), e.g. level=0.95; got 95. ...
    """
    ok = isinstance(level, (int, float, np.number)) and not isinstance(level, bool) and 0.0 < float(level) < 1.0
    if not ok:
        hint = " (a percentage? divide it by 100)" if isinstance(level, (int, float)) and 1.0 < level < 100.0 else ""
        raise InputError(f"{name} must be a number in (0, 1), e.g. {name}=0.95; got {level!r}. "
                         f"Give the coverage as a fraction{hint}.")
    return float(level)
