"""Columns of extreme scale: fitted in scaled units, reported in the user's.

A column multiplied by 1e-300 (or 1e300) has Gram entries of 1e-600 (1e600): they underflow
to 0 (overflow to inf) before any rank test or solve sees them, so the column is declared
aliased or its coefficient is lost, where R — whose QR works on the columns themselves —
gives the exact rescaled coefficient. Such columns are divided by a power of two near their
largest absolute value (exact in floating point), the problem is fitted in those units and
the coefficients are divided back: β = β′ / s. The information matrix is kept in the scaled
units with the scales (``FittedModel.column_scale``), so the covariance S⁻¹ I′⁻¹ S⁻¹ is
computed without loss; only the extreme coefficients' own variances (order 1e±600) are then
infinite or 0, as R's are.

Only designs held as one small dense array are examined (one pass over at most ~1 MiB);
larger designs are fitted as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..design import DenseDesign

__all__ = ["extreme_column_scales", "fit_in_scaled_units"]

Array = NDArray[np.floating]

# Columns whose largest |x| lies outside this range are rescaled: their squares (the Gram)
# would lose precision or under/overflow, far beyond any ordinary unit change.
_LOW, _HIGH = 1e-100, 1e100


def extreme_column_scales(problem: Any) -> Array | None:
    """One power-of-two scale per design column (1 for ordinary columns), or None if none is extreme.

    Examples
    --------
    >>> from glmkit.problem import problem_from_arrays
    >>> X = np.column_stack([np.arange(4.0), 1e-300 * np.arange(4.0)])
    >>> extreme_column_scales(problem_from_arrays(X, [1.0, 2.0, 2.0, 4.0])).tolist()[:2]
    [1.0, 1.0]
    """
    X = problem.design.whole_array()
    if X is None:
        return None
    with np.errstate(over="ignore"):
        largest = np.max(np.abs(X), axis=0) if X.shape[0] else np.zeros(X.shape[1])
    extreme = (largest > 0) & np.isfinite(largest) & ((largest < _LOW) | (largest > _HIGH))
    if not np.any(extreme):
        return None
    scales = np.ones(X.shape[1])
    scales[extreme] = np.exp2(np.round(np.log2(largest[extreme])))
    return scales


def fit_in_scaled_units(problem: Any, options: Any, scales: Array, fit: Callable[..., Any]) -> Any:
    """``fit`` (the plain fit) on the problem with columns divided by ``scales``; results in the user's units."""
    X = problem.design.whole_array()
    scaled = replace(problem, design=DenseDesign(X / scales[None, :]))
    if options.start is not None:
        options = replace(options, start=np.asarray(options.start, dtype=float) * scales)
    model = fit(scaled, options)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        coef = model.coef / scales
    return replace(model, problem=problem, coef=coef, information_at_solution=model.fisher_information,
                   objective=None, column_scale=scales[model.kept])
