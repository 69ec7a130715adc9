"""Model-based covariance of the coefficients: φ · (XᵀWX)⁻¹ with W the Fisher weights.

This is R's ``vcov.glm``: the expected information, also for non-canonical links.
Aliased coefficients get NaN rows and columns.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..errors import NumericalWarning
from ..fit import FittedModel

__all__ = ["unscaled_covariance", "model_covariance"]


def unscaled_covariance(model: FittedModel) -> NDArray[np.floating]:
    """(XᵀWX)⁻¹ over the non-aliased columns, shape (rank, rank)."""
    import scipy.linalg as sla
    if isinstance(model, FittedModel) and model.column_scale is not None:
        s = model.column_scale  # columns fitted in scaled units (fit/scaling.py)
        inner = unscaled_covariance(replace(model, column_scale=None))
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            return inner / s[:, None] / s[None, :]
    info = model.fisher_information
    if info.size == 0:
        return np.zeros((0, 0))
    if np.any(np.isnan(info)):
        warn("The information matrix holds NaN (the fit ended at means outside the family's domain, or "
             f"did not converge: {model.message}); standard errors and covariances are NaN. Refit with "
             "another solver or start values.", NumericalWarning)
        return np.full(info.shape, np.nan)
    d = np.sqrt(np.diag(info))
    if not np.all(np.isfinite(d) & (d > 0)):
        underflow = d == 0
        overflow = ~np.isfinite(d)
        if np.any(underflow | overflow):
            return _with_extreme_columns(info, underflow, overflow)
    d[d == 0] = 1.0
    scaled = info / d[:, None] / d[None, :]
    try:
        c, low = sla.cho_factor(scaled)
        inv = sla.cho_solve((c, low), np.eye(len(d)))
    except np.linalg.LinAlgError:
        inv = np.linalg.pinv(scaled)
    inv = inv / d[:, None] / d[None, :]
    return 0.5 * (inv + inv.T)


def _with_extreme_columns(info: NDArray[np.floating], underflow: NDArray[np.bool_],
                          overflow: NDArray[np.bool_]) -> NDArray[np.floating]:
    """Information that under- or overflowed (a column × 1e∓300, in a model without its scales).

    The extreme coefficients' own variances are of order 1e±600, beyond floating point, as in
    R (whose ``vcov`` gives Inf, or 0). The others' need the lost diagonal entry (their
    marginal variance is a Schur complement through it), so they are NaN, with a warning —
    a fit made here keeps its scales (``FittedModel.column_scale``) and has them all.
    """
    out = np.full(info.shape, np.nan)
    out[overflow, overflow] = 0.0
    out[underflow, underflow] = np.inf
    warn("The information matrix under- or overflowed for columns of extreme scale (×1e∓300); their "
         "variances are infinite (or 0) and the other covariances cannot be recovered (NaN). Refit on the "
         "data (a fit keeps the columns' scales), or rescale those columns.", NumericalWarning)
    return out


def model_covariance(model: FittedModel, dispersion: float) -> NDArray[np.floating]:
    """φ · (XᵀWX)⁻¹ embedded in a full (n_features, n_features) matrix with NaN for aliased columns."""
    p = model.coef.shape[0]
    full = np.full((p, p), np.nan)
    kept = model.kept
    full[np.ix_(kept, kept)] = dispersion * unscaled_covariance(model)
    return full
