"""Intervals as values: the allowed range of y, μ and parameters.

A domain is checked once, at the boundary, and quoted in the error message.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["Interval", "REAL", "POSITIVE", "NONNEGATIVE", "UNIT_OPEN", "UNIT_CLOSED"]


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
