"""The dispersion φ: fixed at 1, or the Pearson estimate R's ``summary.glm`` uses."""

from __future__ import annotations

import numpy as np

from ..fit import FittedModel

__all__ = ["pearson_chi2", "pearson_dispersion", "dispersion_for"]


def pearson_chi2(model: FittedModel) -> float:
    """Σ wᵢ (yᵢ − μᵢ)² / V(μᵢ) over rows with positive weight."""
    used = model.weights > 0
    r = (model.y - model.mu)[used]
    return float(np.sum(model.weights[used] * r * r / model.family.variance(model.mu[used])))


def pearson_dispersion(model: FittedModel) -> float:
    """φ̂ = X²_Pearson / df_resid (NaN when df_resid = 0)."""
    if model.df_resid <= 0:
        return float("nan")
    return pearson_chi2(model) / model.df_resid


def dispersion_for(model: FittedModel, override: float | None) -> tuple[float, bool]:
    """The dispersion to use and whether it was estimated (R's ``est.disp``)."""
    if override is not None:
        return float(override), False
    if model.family.dispersion_is_fixed:
        return 1.0, False
    return pearson_dispersion(model), True
