"""Deprecated home of the column-subset Gram helpers: they are design methods now.

``Design.sandwich_columns``, ``Design.weighted_column_norms`` and
``Design.sums_and_column_norms`` answer these questions; the functions below only
forward to them for callers not yet moved.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import NDArray
import numpy as np

from ._base import Array

__all__ = ["sandwich_columns", "sums_and_column_norms", "weighted_column_norms"]


def sandwich_columns(design: Any, weights: Array, idx: NDArray[np.intp]) -> Array:
    """``design.sandwich_columns(weights, idx)``."""
    return design.sandwich_columns(weights, idx)  # type: ignore[no-any-return]


def weighted_column_norms(design: Any, weights: Array, idx: NDArray[np.intp]) -> Array:
    """``design.weighted_column_norms(weights, idx)``."""
    return design.weighted_column_norms(weights, idx)  # type: ignore[no-any-return]


def sums_and_column_norms(design: Any, weights: Array) -> tuple[Array, Array]:
    """``design.sums_and_column_norms(weights)``."""
    return design.sums_and_column_norms(weights)  # type: ignore[no-any-return]
