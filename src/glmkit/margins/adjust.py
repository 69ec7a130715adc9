"""Multiplicity adjustments of p-values and confidence levels, as R's emmeans applies them.

Within each ``by`` group (one family of k tests):

- ``"tukey"``: p = P(Q > √2·|t|) for the studentized range of the family's m means
  (``scipy.stats.studentized_range``, R's ``ptukey``); intervals ± q_{1−α}(m, df)/√2.
  For pairwise comparisons only (emmeans switches to ``"sidak"`` otherwise, and so do we,
  with a note).
- ``"sidak"``: p = 1 − (1 − p)^k; intervals at level^(1/k).
- ``"bonferroni"``: p = min(1, k·p); intervals at 1 − (1 − level)/k.
- ``"holm"``: step-down Bonferroni (R's ``p.adjust``); intervals as Bonferroni (emmeans).
- ``"dunnettx"``: Tamhane's approximation of Dunnett's test (emmeans' default for
  ``trt.vs.ctrl``): a weighted mean of the Tukey and Šidák probabilities. Its quantile is
  solved exactly here; emmeans stops its root finder at 5e-4.
- ``"none"``.

With ``df = inf`` the t distribution is the normal.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import UnknownNameError

__all__ = ["ADJUSTMENTS", "Adjustment", "adjust_p_values", "critical_value"]

Array = NDArray[np.floating]
Adjustment = Literal["tukey", "holm", "bonferroni", "sidak", "dunnettx", "none"]
ADJUSTMENTS: tuple[str, ...] = ("tukey", "holm", "bonferroni", "sidak", "dunnettx", "none")


def _check(adjust: str) -> None:
    if adjust not in ADJUSTMENTS:
        raise UnknownNameError(f"Unknown adjustment {adjust!r}; valid: {', '.join(map(repr, ADJUSTMENTS))}.")


def _t_sf(t: Array, df: float) -> Array:
    from scipy import stats

    return stats.norm.sf(t) if np.isinf(df) else stats.t.sf(t, df)


def _dunnettx_cdf(x: Array, k: int, df: float) -> Array:
    from scipy import stats

    m = (1 + np.sqrt(1 + 8 * k)) / 2
    weight = (k - 1) / k
    tukey = stats.studentized_range.cdf(np.sqrt(2) * x, m, df)
    sidak = (stats.chi2.cdf(x ** 2, 1) if np.isinf(df) else stats.f.cdf(x ** 2, 1, df)) ** k
    return weight * tukey + (1 - weight) * sidak


def adjust_p_values(t: Array, df: float, adjust: str, n_means: int) -> Array:
    """Two-sided p-values of the statistics ``t`` (one family), adjusted by ``adjust``.

    Examples
    --------
    >>> adjust_p_values(np.array([2.0, 1.0]), np.inf, "bonferroni", 3).round(4).tolist()
    [0.091, 0.6346]
    """
    from scipy import stats

    _check(adjust)
    t = np.abs(np.asarray(t, dtype=float))
    k = t.size
    raw = 2 * _t_sf(t, df)
    if adjust == "none" or k == 0:
        return raw
    if adjust == "tukey":
        return stats.studentized_range.sf(np.sqrt(2) * t, n_means, df)
    if adjust == "sidak":
        return -np.expm1(k * np.log1p(-raw))
    if adjust == "bonferroni":
        return np.minimum(1.0, k * raw)
    if adjust == "dunnettx":
        return 1 - _dunnettx_cdf(t, k, df) if k > 1 else raw
    order = np.argsort(raw)  # holm
    stepped = np.maximum.accumulate((k - np.arange(k)) * raw[order])
    out = np.empty(k)
    out[order] = np.minimum(1.0, stepped)
    return out


def critical_value(level: float, df: float, adjust: str, k: int, n_means: int) -> float:
    """The multiplier q of the simultaneous intervals estimate ± q·SE for a family of k.

    Examples
    --------
    >>> round(critical_value(0.95, np.inf, "none", 3, 3), 4)
    1.96
    """
    from scipy import optimize, stats

    _check(adjust)

    def t_quantile(p: float) -> float:
        return float(stats.norm.ppf(p) if np.isinf(df) else stats.t.ppf(p, df))

    if adjust == "none" or k <= 1 and adjust != "tukey":
        return t_quantile(0.5 + level / 2)
    if adjust == "tukey":
        return float(stats.studentized_range.ppf(level, n_means, df)) / np.sqrt(2)
    if adjust == "sidak":
        return t_quantile(0.5 + level ** (1 / k) / 2)
    if adjust in ("bonferroni", "holm"):
        return t_quantile(1 - (1 - level) / (2 * k))
    low = t_quantile(0.5 + level / 2)  # dunnettx: between the unadjusted and Bonferroni quantiles
    high = t_quantile(1 - (1 - level) / (2 * k)) + 1.0
    return float(optimize.brentq(lambda x: _dunnettx_cdf(np.array(x), k, df) - level, low, high, xtol=1e-12))
