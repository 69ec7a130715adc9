"""Wald statistics, p-values and confidence intervals for single coefficients.

z statistics and normal p-values when the dispersion is fixed; t statistics with
df_resid degrees of freedom when it is estimated (R's ``summary.glm``). Intervals follow
R's ``confint.default``: normal quantiles in both cases.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._domain import check_level

__all__ = ["wald_statistic", "wald_p_values", "wald_intervals"]

Array = NDArray[np.floating]


def wald_statistic(coef: Array, std_err: Array) -> Array:
    """β̂ / SE(β̂)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return coef / std_err


def wald_p_values(statistic: Array, estimated_dispersion: bool, df_resid: int) -> Array:
    """Two-sided p-values from the normal, or from t(df_resid) when the dispersion is estimated."""
    from scipy import stats
    a = np.abs(statistic)
    if estimated_dispersion:
        if df_resid <= 0:
            return np.full_like(a, np.nan)
        return 2.0 * stats.t.sf(a, df_resid)
    return 2.0 * stats.norm.sf(a)


def wald_intervals(coef: Array, std_err: Array, level: float) -> tuple[Array, Array]:
    """β̂ ± z_{(1+level)/2} · SE."""
    from scipy import stats
    check_level(level)
    q = stats.norm.ppf(0.5 + level / 2.0)
    return coef - q * std_err, coef + q * std_err
