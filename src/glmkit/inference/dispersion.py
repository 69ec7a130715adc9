"""The dispersion φ: fixed at 1, or the Pearson estimate R's ``summary.glm`` uses."""

from __future__ import annotations

import numpy as np

from numpy.typing import NDArray

from ..families import Family
from ..fit import FittedModel

Array = NDArray[np.floating]

__all__ = ["pearson_chi2", "pearson_dispersion", "pearson_dispersion_of", "dispersion_for"]


def _pearson_chi2(family: Family, y: Array, mu: Array, weights: Array) -> float:
    used = weights > 0
    r = (y - mu)[used]
    return float(np.sum(weights[used] * r * r / family.variance(mu[used])))


def pearson_chi2(model: FittedModel) -> float:
    """Σ wᵢ (yᵢ − μᵢ)² / V(μᵢ) over rows with positive weight."""
    family = model.family
    return model.design.sum_row_blocks(lambda y, mu, w: _pearson_chi2(family, y, mu, w),
                                       [model.y, model.mu, model.weights])


def pearson_dispersion_of(family: Family, y: Array, mu: Array, weights: Array, df_resid: float) -> float:
    """φ̂ = X²_Pearson / df_resid for any fitted means (NaN when df_resid ≤ 0).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> pearson_dispersion_of(gk.Gaussian(), np.array([1.0, 3.0]), np.array([2.0, 2.0]), np.ones(2), 1)
    2.0
    """
    if df_resid <= 0:
        return float("nan")
    return _pearson_chi2(family, y, mu, weights) / df_resid


def pearson_dispersion(model: FittedModel) -> float:
    """φ̂ = X²_Pearson / df_resid (NaN when df_resid = 0)."""
    if model.df_resid <= 0:
        return float("nan")
    return pearson_chi2(model) / model.df_resid


def dispersion_for(model: FittedModel, override: float | str | None) -> tuple[float, bool]:
    """The dispersion to use and whether it was estimated (R's ``est.disp``).

    ``override``: a number (fixed), ``"pearson"`` (estimated for any family) or None (the
    family's default: 1 where it is fixed, Pearson's estimate otherwise).
    """
    if override == "pearson":
        return pearson_dispersion(model), True
    if override is not None:
        return float(override), False
    if model.family.dispersion_is_fixed:
        return 1.0, False
    return pearson_dispersion(model), True
