"""Model-based covariance of the coefficients: φ · (XᵀWX)⁻¹ with W the Fisher weights.

This is R's ``vcov.glm``: the expected information, also for non-canonical links.
Aliased coefficients get NaN rows and columns.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..fit import FittedModel

__all__ = ["unscaled_covariance", "model_covariance"]


def unscaled_covariance(model: FittedModel) -> NDArray[np.floating]:
    """(XᵀWX)⁻¹ over the non-aliased columns, shape (rank, rank)."""
    import scipy.linalg as sla
    info = model.fisher_information
    if info.size == 0:
        return np.zeros((0, 0))
    d = np.sqrt(np.diag(info))
    d[d == 0] = 1.0
    scaled = info / d[:, None] / d[None, :]
    try:
        c, low = sla.cho_factor(scaled)
        inv = sla.cho_solve((c, low), np.eye(len(d)))
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(scaled)
    inv = inv / d[:, None] / d[None, :]
    return 0.5 * (inv + inv.T)


def model_covariance(model: FittedModel, dispersion: float) -> NDArray[np.floating]:
    """φ · (XᵀWX)⁻¹ embedded in a full (n_features, n_features) matrix with NaN for aliased columns."""
    p = model.coef.shape[0]
    full = np.full((p, p), np.nan)
    kept = model.kept
    full[np.ix_(kept, kept)] = dispersion * unscaled_covariance(model)
    return full
