"""R's formula functions for formulaic's evaluation context: factor, poly, ns, bs, log, sqrt, ….

Design note
-----------
formulaic evaluates each formula factor as Python in a context of names; this module is
the part of that context that makes R's spellings mean what they mean in R (the text
itself is translated by :mod:`glmkit.intake.r_formula`):

* ``factor(x)`` is a categorical with R's level labels (``6`` for a double 6.0, ``1e+05``
  for 100000, ``TRUE`` for a boolean) in R's order (numeric order for numbers) and R's
  column names (``factor(cyl)6``); ``C(x)`` keeps formulaic's names (``C(cyl)[T.6]``), but
  integer-valued doubles name their levels as integers. Both drop levels no row uses
  (R's ``drop.unused.levels``).
* ``poly``, ``ns`` and ``bs`` are R's (``stats::poly``, ``splines::ns``, ``splines::bs``):
  quantile knots, boundary knots at the range, R's extrapolation beyond them (linear for
  ``ns``, the boundary polynomial for ``bs``), state kept for new data, R's column names
  (``poly(x, 2)1``; a single column carries the term's name alone, as in R).
* ``log(x, base)``, ``sqrt``, ``exp``, ``log10``, ``log2``, ``abs``, ``TRUE``/``FALSE``,
  ``c(...)``, ``pi``, as R names them.

This module imports formulaic, pandas and scipy when it is imported: only the formula
door imports it, inside the functions that evaluate formulas.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from formulaic.materializers.types import FactorValues
from formulaic.transforms import basis_spline as _formulaic_bs
from formulaic.transforms import encode_contrasts
from formulaic.transforms import poly as _formulaic_poly
from formulaic.utils.stateful_transforms import stateful_transform

__all__ = ["CONTEXT", "r_level_label", "spline_design"]

_R_FORMAT = "{name}{field}"


# ----------------------------------------------------------------------------- factors

def r_level_label(value: Any) -> str:
    """R's ``as.character`` of a number: fixed or scientific, whichever is shorter (15 digits).

    Examples
    --------
    >>> [r_level_label(v) for v in (6.0, 0.5, 100000.0, 123456.0, -2.0, 1 / 3)]
    ['6', '0.5', '1e+05', '123456', '-2', '0.333333333333333']
    """
    v = float(value)
    text = f"{v:.15g}"
    mantissa, _, exponent = f"{float(text):.14e}".partition("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    sci = f"{mantissa}e{exponent[0]}{abs(int(exponent)):02d}"
    fixed = np.format_float_positional(float(text), trim="-")
    return fixed if len(fixed) <= len(sci) else sci


def _as_series(x: Any) -> pd.Series:
    if isinstance(x, FactorValues):
        x = x.__wrapped__
    return x if isinstance(x, pd.Series) else pd.Series(np.asarray(x) if not isinstance(x, pd.Categorical) else x)


def _integral(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2.0**53))


def _r_factor_values(x: Any, levels: Any) -> pd.Series:
    """The values of ``factor(x)`` as a pandas categorical with R's labels and level order."""
    s = _as_series(x)
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = list(s.cat.categories) if levels is None else list(levels)
        return pd.Series(pd.Categorical(s, categories=cats), index=s.index)
    if pd.api.types.is_bool_dtype(s.dtype):
        labels = s.map({True: "TRUE", False: "FALSE"})
        return pd.Series(pd.Categorical(labels, categories=_levels(levels, ["FALSE", "TRUE"])), index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        values = s.to_numpy(dtype=float, na_value=np.nan)
        finite = np.isfinite(values)
        uniq = np.unique(values[finite])
        labels = np.full(values.shape, None, dtype=object)
        lookup = {v: r_level_label(v) for v in uniq}
        labels[finite] = [lookup[v] for v in values[finite]]
        cats = [lookup[v] for v in uniq] if levels is None else _levels(levels, [])
        return pd.Series(pd.Categorical(labels, categories=cats), index=s.index)
    if levels is not None:
        return pd.Series(pd.Categorical(s, categories=list(levels)), index=s.index)
    return s


def _levels(levels: Any, default: list[str]) -> list[str]:
    if levels is None:
        return default
    return [r_level_label(v) if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            else ("TRUE" if v is True else "FALSE" if v is False else v) for v in levels]


def _categorical(values: Any, contrasts: Any, levels: Any, spans_intercept: bool, r_names: bool) -> FactorValues:
    """Mark ``values`` as categorical; unused levels are dropped when the encoding is learnt."""

    def encoder(values: Any, reduced_rank: bool, drop_rows: list[int], encoder_state: dict, model_spec: Any) -> Any:
        series = pd.Series(values.__wrapped__ if isinstance(values, FactorValues) else values)
        series = series.drop(index=series.index[drop_rows])
        if isinstance(series.dtype, pd.CategoricalDtype) and "categories" not in encoder_state and levels is None:
            series = series.cat.remove_unused_categories()  # R's drop.unused.levels
        out = encode_contrasts(series, contrasts=contrasts, levels=levels, reduced_rank=reduced_rank,
                               _state=encoder_state, _spec=model_spec)
        return FactorValues(out, format=_R_FORMAT, format_reduced=_R_FORMAT) if r_names else out

    return FactorValues(values, kind="categorical", spans_intercept=spans_intercept, encoder=encoder)


def factor(x: Any, levels: Any = None, contrasts: Any = None) -> FactorValues:
    """R's ``factor(x)``: a categorical with R's level labels, level order and column names.

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"cyl": [4.0, 6.0, 8.0, 6.0]})
    >>> list(formulaic.model_matrix("factor(cyl)", d, context=CONTEXT).columns)
    ['Intercept', 'factor(cyl)6', 'factor(cyl)8']
    """
    values = _r_factor_values(x, levels)
    cats = list(values.cat.categories) if levels is not None else None
    return _categorical(values, contrasts, cats, True, r_names=True)


def I(x: Any) -> Any:  # noqa: E743 (R's name)
    """R's ``I(x)``: ``x`` as it is; a logical result is a factor with levels FALSE, TRUE (``I(x > 2)TRUE``).

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"x": [1.0, 3.0, 2.0, 5.0]})
    >>> list(formulaic.model_matrix("I(x > 2)", d, context=CONTEXT).columns)
    ['Intercept', 'I(x > 2)TRUE']
    """
    values = x.__wrapped__ if isinstance(x, FactorValues) else x
    if pd.api.types.is_bool_dtype(getattr(values, "dtype", None)):
        return factor(values)
    return x


def C(data: Any, contrasts: Any = None, *, levels: Any = None, spans_intercept: bool = True) -> FactorValues:
    """formulaic's ``C(x)``; integer-valued doubles keep integer level names (``C(k)[T.6]``).

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"k": [4.0, 6.0, 8.0, 6.0]})
    >>> list(formulaic.model_matrix("C(k)", d, context=CONTEXT).columns)
    ['Intercept', 'C(k)[T.6]', 'C(k)[T.8]']
    """
    s = _as_series(data)
    if pd.api.types.is_float_dtype(s.dtype):
        values = s.to_numpy(dtype=float)
        if _integral(values):
            ints = np.full(values.shape, None, dtype=object)
            finite = np.isfinite(values)
            ints[finite] = values[finite].astype(np.int64).tolist()
            s = pd.Series(ints, index=s.index, dtype=object)
    return _categorical(s, contrasts, levels, spans_intercept, r_names=False)


# ----------------------------------------------------------------------------- numeric helpers

def _matrix(values: np.ndarray, names: tuple[str, ...]) -> Any:
    """A basis as formulaic values with R's names; one column carries the term's name alone (as R)."""
    if values.shape[1] == 1:
        return values[:, 0]
    return FactorValues(values, kind="numerical", column_names=names, format=_R_FORMAT)


@stateful_transform
def poly(x: Any, degree: int = 1, raw: bool = False, _state: dict = {}) -> Any:  # noqa: B006 (formulaic's state)
    """R's ``poly(x, degree, raw=FALSE)``: orthonormal polynomials (three-term recurrence, R's coefficients).

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"x": [1.0, 2.0, 4.0, 7.0]})
    >>> list(formulaic.model_matrix("poly(x, 2)", d, context=CONTEXT).columns)
    ['Intercept', 'poly(x, 2)1', 'poly(x, 2)2']
    """
    values = _as_series(x).to_numpy(dtype=float, na_value=np.nan)
    degree = int(degree)
    if degree < 1:
        raise ValueError(f"poly(): 'degree' must be at least 1; got {degree}.")
    if raw:
        basis = np.column_stack([values**k for k in range(1, degree + 1)])
    else:
        if "alpha" not in _state and len(np.unique(values[np.isfinite(values)])) <= degree:
            raise ValueError(f"poly(): 'degree' ({degree}) must be less than the number of unique points "
                             f"({len(np.unique(values[np.isfinite(values)]))}), as in R.")
        basis = np.asarray(_formulaic_poly(values, degree, False, _state=_state), dtype=float)
    return _matrix(basis, tuple(str(k) for k in range(1, degree + 1)))


def log(x: Any, base: float = math.e) -> Any:
    """R's ``log(x, base)`` (``log2``/``log10`` for bases 2 and 10, as R computes them).

    Examples
    --------
    >>> float(log(8.0, 2)), float(log(100.0, 10))
    (3.0, 2.0)
    """
    if base == 2:
        return np.log2(x)
    if base == 10:
        return np.log10(x)
    return np.log(x) if base == math.e else np.log(x) / np.log(base)


def c(*values: Any) -> np.ndarray:
    """R's ``c(...)``: the values as one array (for ``knots = c(100, 200)``).

    Examples
    --------
    >>> c(1, 2.5).tolist()
    [1.0, 2.5]
    """
    return np.concatenate([np.atleast_1d(np.asarray(v, dtype=float)) for v in values]) if values else np.array([])


# ----------------------------------------------------------------------------- splines

def spline_design(knots: np.ndarray, x: np.ndarray, order: int, derivative: int = 0) -> np.ndarray:
    """R's ``splines::splineDesign(knots, x, ord, derivs)``: B-spline basis values (n × (len(knots) - ord)).

    Examples
    --------
    >>> spline_design(np.array([0.0, 0, 1, 1]), np.array([0.0, 0.5, 1.0]), 2).tolist()
    [[1.0, 0.0], [0.5, 0.5], [0.0, 1.0]]
    """
    from scipy.interpolate import BSpline

    n_basis = len(knots) - order
    spline = BSpline(np.asarray(knots, dtype=float), np.eye(n_basis), order - 1, extrapolate=True)
    if derivative:
        spline = spline.derivative(derivative)
    return np.asarray(spline(np.asarray(x, dtype=float)), dtype=float).reshape(len(x), n_basis)


def _knots(x: np.ndarray, df: Any, knots: Any, n_fixed: int, boundary: np.ndarray, _state: dict) -> np.ndarray:
    """Interior knots: given, or ``df - n_fixed`` quantiles of the points inside the boundary (R's rule)."""
    if "knots" in _state:
        return np.asarray(_state["knots"], dtype=float)
    if knots is not None:
        inner = np.sort(np.atleast_1d(np.asarray(knots, dtype=float)))
    elif df is not None:
        n_inner = int(df) - n_fixed
        if n_inner < 0:
            raise ValueError(f"'df' = {df} is too small: it must be at least {n_fixed} for these settings (R "
                             "resets it with a warning; give a larger df).")
        inside = x[(x >= boundary[0]) & (x <= boundary[1])]
        probs = np.linspace(0.0, 1.0, n_inner + 2)[1:-1]
        inner = np.quantile(inside, probs) if n_inner else np.array([])
    else:
        inner = np.array([])
    _state["knots"] = inner.tolist()
    return inner


def _boundary(x: np.ndarray, given: Any, _state: dict) -> np.ndarray:
    if "boundary_knots" in _state:
        return np.asarray(_state["boundary_knots"], dtype=float)
    finite = x[np.isfinite(x)]
    if given is not None:
        bounds = np.sort(np.asarray(given, dtype=float))
    elif finite.size:
        bounds = np.array([finite.min(), finite.max()])
    else:
        raise ValueError("The spline's variable has no finite values.")
    _state["boundary_knots"] = bounds.tolist()
    return bounds


def _taylor(all_knots: np.ndarray, x: np.ndarray, pivot: float, order: int, degree: int) -> np.ndarray:
    """Rows of the basis at ``x`` from its Taylor expansion of order ``degree`` at ``pivot`` (R's extrapolation)."""
    powers = np.column_stack([(x - pivot) ** j / math.factorial(j) for j in range(degree + 1)])
    derivs = np.vstack([spline_design(all_knots, np.array([pivot]), order, j) for j in range(degree + 1)])
    return powers @ derivs


def _basis(x: np.ndarray, all_knots: np.ndarray, boundary: np.ndarray, order: int, pivots: tuple, degree: int) -> np.ndarray:
    """The B-spline basis of finite ``x``, extended beyond the boundary knots by ``_taylor`` (NaN rows kept)."""
    out = np.full((len(x), len(all_knots) - order), np.nan)
    finite = np.isfinite(x)
    left, right = finite & (x < boundary[0]), finite & (x > boundary[1])
    inside = finite & ~left & ~right
    if inside.any():
        out[inside] = spline_design(all_knots, x[inside], order)
    if left.any():
        out[left] = _taylor(all_knots, x[left], pivots[0], order, degree)
    if right.any():
        out[right] = _taylor(all_knots, x[right], pivots[1], order, degree)
    return out


@stateful_transform
def bs(x: Any, df: Any = None, knots: Any = None, degree: int = 3, intercept: bool = False,  # noqa: PLR0913
       boundary_knots: Any = None, _state: dict = {}, **formulaic_options: Any) -> Any:  # noqa: B006
    """R's ``splines::bs``: the B-spline basis with R's knots, extrapolation and column names.

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"x": np.arange(10.0)})
    >>> formulaic.model_matrix("bs(x, df=4)", d, context=CONTEXT).shape
    (10, 5)
    """
    if "lower_bound" in _state or formulaic_options:  # a spec saved by formulaic's bs, or its own options
        return _formulaic_bs(x, df=df, knots=knots, degree=degree, include_intercept=intercept, _state=_state,
                             **formulaic_options)
    values = _as_series(x).to_numpy(dtype=float, na_value=np.nan)
    degree = int(degree)
    order = degree + 1
    boundary = _boundary(values, boundary_knots, _state)
    inner = _knots(values, df, knots, degree + int(bool(intercept)), boundary, _state)
    all_knots = np.sort(np.concatenate([np.repeat(boundary, order), inner]))
    e = 0.25  # R >= 3.2.3: the pivot a quarter of the way into the boundary interval
    pivots = ((1 - e) * boundary[0] + e * all_knots[order], (1 - e) * boundary[1] + e * all_knots[-order - 1])
    basis = _basis(values, all_knots, boundary, order, pivots, degree)
    if not intercept:
        basis = basis[:, 1:]
    return _matrix(basis, tuple(str(k) for k in range(1, basis.shape[1] + 1)))


@stateful_transform
def ns(x: Any, df: Any = None, knots: Any = None, intercept: bool = False, boundary_knots: Any = None,
       _state: dict = {}) -> Any:  # noqa: B006
    """R's ``splines::ns``: the natural cubic spline basis (R's knots, QR projection and linear extrapolation).

    Examples
    --------
    >>> import formulaic
    >>> d = pd.DataFrame({"x": np.arange(10.0)})
    >>> list(formulaic.model_matrix("ns(x, df=2)", d, context=CONTEXT).columns)
    ['Intercept', 'ns(x, df=2)1', 'ns(x, df=2)2']
    """
    values = _as_series(x).to_numpy(dtype=float, na_value=np.nan)
    boundary = _boundary(values, boundary_knots, _state)
    inner = _knots(values, df, knots, 1 + int(bool(intercept)), boundary, _state)
    all_knots = np.sort(np.concatenate([np.repeat(boundary, 4), inner]))
    basis = _basis(values, all_knots, boundary, 4, (boundary[0], boundary[1]), 1)
    const = spline_design(all_knots, boundary, 4, 2)
    if not intercept:
        basis, const = basis[:, 1:], const[:, 1:]
    q, _ = np.linalg.qr(const.T, mode="complete")  # R: qr.qty(qr(t(const)), t(basis)) without the first 2 rows
    finite = np.all(np.isfinite(basis), axis=1)
    out = np.full((len(values), q.shape[0] - 2), np.nan)
    out[finite] = (basis[finite] @ q)[:, 2:]
    return _matrix(out, tuple(str(k) for k in range(1, out.shape[1] + 1)))


CONTEXT: dict[str, Any] = {
    "factor": factor, "as_factor": factor, "as_numeric": lambda x: np.asarray(x, dtype=float), "I": I, "C": C, "poly": poly, "bs": bs, "ns": ns, "log": log, "c": c,
    "exp": np.exp, "sqrt": np.sqrt, "abs": np.abs, "log10": np.log10, "log2": np.log2, "log1p": np.log1p,
    "expm1": np.expm1, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "TRUE": True, "FALSE": False, "T": True, "F": False, "NULL": None, "pi": math.pi,
}
