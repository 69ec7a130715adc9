"""Numerically stable elementary functions: the only place glmkit exponentiates,
takes logarithms of sums or clips.

Every function works elementwise on float arrays and never modifies its input.
Clipping happens only in the named ``clip_*`` helpers, which warn.
"""

from __future__ import annotations


import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._warnings import warn
from .errors import NumericalWarning

__all__ = [
    "exp",
    "log",
    "expm1",
    "log1p",
    "log1p_unit",
    "expit",
    "logit",
    "log_expit",
    "log1pexp",
    "xlogy",
    "xlogy_ratio",
    "gammaln",
    "norm_cdf",
    "norm_pdf",
    "norm_ppf",
    "norm_logcdf",
    "clip_open_interval",
    "EPS",
    "TINY",
]

EPS = float(np.finfo(np.float64).eps)
TINY = float(np.finfo(np.float64).tiny)

FloatArray = NDArray[np.floating]


def _asfloat(x: ArrayLike) -> FloatArray:
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return arr


def exp(x: ArrayLike, out: FloatArray | None = None) -> FloatArray:
    """exp(x); overflow gives inf without a floating-point warning (callers check domains).
    ``out`` (may be x itself) receives the result."""
    with np.errstate(over="ignore"):
        return np.exp(_asfloat(x), out=out)


def log(x: ArrayLike) -> FloatArray:
    """log(x); log(0) is -inf without a warning (callers check domains)."""
    with np.errstate(divide="ignore"):
        return np.log(_asfloat(x))


def expm1(x: ArrayLike) -> FloatArray:
    """exp(x) - 1, accurate for small x."""
    with np.errstate(over="ignore"):
        return np.expm1(_asfloat(x))


def log1p(x: ArrayLike) -> FloatArray:
    """log(1 + x), accurate for small x."""
    with np.errstate(divide="ignore"):
        return np.log1p(_asfloat(x))


def log1p_unit(x: ArrayLike, out: FloatArray | None = None, work: FloatArray | None = None) -> FloatArray:
    """log(1 + x) for x in [0, 1] (e.g. exp(−|η|)), as accurate as :func:`log1p`.

    With u = 1 + x rounded, u − 1 is exact and x − (u − 1) is the rounding error, so
    log(u) + (x − (u − 1))/u is log1p(x) to within an ulp or two; it runs on the
    vectorised logarithm (numpy's log1p is several times slower). For x < 2⁻⁵³ (u = 1) it
    gives x itself. ``out`` and ``work`` (arrays of x's shape, distinct from x) spare the
    two temporaries; ``work`` is overwritten.
    """
    x = _asfloat(x)
    u = np.add(x, 1.0, out=out)
    err = np.subtract(u, 1.0, out=work)
    np.subtract(x, err, out=err)
    err /= u
    np.log(u, out=u)
    u += err
    return u


def expit(x: ArrayLike) -> FloatArray:
    """The logistic function 1 / (1 + exp(-x)), without overflow."""
    from scipy import special
    return special.expit(_asfloat(x))


def logit(p: ArrayLike) -> FloatArray:
    """log(p / (1 - p)); ±inf at the boundaries without a warning."""
    from scipy import special
    with np.errstate(divide="ignore"):
        return special.logit(_asfloat(p))


def log_expit(x: ArrayLike) -> FloatArray:
    """log(expit(x)) = -log1pexp(-x), accurate for large |x|."""
    from scipy import special
    return special.log_expit(_asfloat(x))


def log1pexp(x: ArrayLike) -> FloatArray:
    """log(1 + exp(x)) without overflow: x + log1p(exp(-x)) for x > 0."""
    x = _asfloat(x)
    return np.logaddexp(0.0, x)


def xlogy(x: ArrayLike, y: ArrayLike) -> FloatArray:
    """x * log(y), defined as 0 where x == 0 (also when y == 0)."""
    from scipy import special
    return special.xlogy(_asfloat(x), _asfloat(y))


def xlogy_ratio(x: ArrayLike, y: ArrayLike) -> FloatArray:
    """x * log(x / y), 0 where x == 0; the building block of unit deviances."""
    from scipy import special
    x = _asfloat(x)
    y = _asfloat(y)
    with np.errstate(divide="ignore", invalid="ignore"):
        return special.xlogy(x, x) - special.xlogy(x, y)


def gammaln(x: ArrayLike) -> FloatArray:
    """log|Γ(x)|."""
    from scipy import special
    return special.gammaln(_asfloat(x))


def norm_cdf(x: ArrayLike) -> FloatArray:
    """Standard normal distribution function Φ(x)."""
    from scipy import special
    return special.ndtr(_asfloat(x))


def norm_pdf(x: ArrayLike) -> FloatArray:
    """Standard normal density φ(x)."""
    x = _asfloat(x)
    return np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)


def norm_ppf(p: ArrayLike) -> FloatArray:
    """Standard normal quantile Φ⁻¹(p)."""
    from scipy import special
    return special.ndtri(_asfloat(p))


def norm_logcdf(x: ArrayLike) -> FloatArray:
    """log Φ(x), accurate in the lower tail."""
    from scipy import special
    return special.log_ndtr(_asfloat(x))


def clip_open_interval(x: ArrayLike, low: float, high: float, *, what: str) -> FloatArray:
    """Clip ``x`` into the open interval (low, high) by one ulp-scaled margin, warning if it had to.

    Used only where a value that is mathematically inside an open interval
    rounds onto its boundary (e.g. expit(40) == 1.0 in float64).
    """
    x = _asfloat(x)
    lo = low + (abs(low) * EPS if low != 0 else TINY) if np.isfinite(low) else low
    hi = high - (abs(high) * EPS if high != 0 else TINY) if np.isfinite(high) else high
    out = np.clip(x, lo, hi)
    n_clipped = int(np.count_nonzero(out != x))
    if n_clipped:
        warn(
            f"{n_clipped} value(s) of {what} rounded onto the boundary of ({low}, {high}) "
            "and were moved just inside it.",
            NumericalWarning)
    return out
