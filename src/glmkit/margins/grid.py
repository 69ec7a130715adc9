"""The variables of a formula fit, its training rows, reference grids and linear functions of β.

Everything in :mod:`glmkit.margins` is a function of predictions on data made up for the
purpose: the reference grid of ``emmeans`` (every factor at every level, every numeric
covariate at its mean) or counterfactual copies of the training rows (``slopes``,
``comparisons``, ``predictions``). Such data are encoded by the fit's own ``data_spec``, so
factor levels, transforms (``np.log(x)``, splines, polynomials) and formula offsets are
handled exactly as in :meth:`~glmkit.GLMResult.predict`.

A variable is a **factor** when the formula encodes it as categorical (a string or
categorical column, or a numeric column inside ``C()``); every other variable of the
formula is a **numeric covariate**.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["FitVariables", "Predictor", "WEIGHTINGS", "as_names", "fit_variables", "grid_weights", "reference_grid",
           "resolve_cov"]

WEIGHTINGS = ("equal", "proportional", "outer", "cells", "flat")

Array = NDArray[np.floating]


def as_names(value: str | Sequence[str] | None, what: str) -> list[str]:
    """A variable name or a list of them as a list (None: empty)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    names = list(value)
    if not all(isinstance(v, str) for v in names):
        raise InputError(f"{what} must be a variable name or a list of names; got {value!r}.")
    return names


@dataclass(frozen=True)
class FitVariables:
    """The data variables of a formula fit and the rows it used.

    Attributes
    ----------
    factors : dict of str to tuple
        Factor name → its levels in the model's order.
    numeric : tuple of str
        Numeric covariates (formula variables and offset columns).
    rows : pandas.DataFrame
        The training rows used by the fit, with just these variables.
    offset_only : tuple of str
        Numeric variables used only in offsets (not default focal variables of slopes).
    """

    factors: dict[str, tuple]
    numeric: tuple[str, ...]
    rows: pd.DataFrame
    offset_only: tuple[str, ...] = ()

    @property
    def names(self) -> list[str]:
        """Every variable: factors first, then numeric covariates."""
        return [*self.factors, *self.numeric]

    def check(self, names: Sequence[str], what: str) -> None:
        """Refuse names that are not variables of the model."""
        unknown = [n for n in names if n not in self.factors and n not in self.numeric]
        if unknown:
            raise InputError(
                f"{what} names {unknown}, which the model does not use; its variables are "
                f"{self.names}. Name variables of the formula (columns of the data)."
            )


def fit_variables(fit: Any) -> FitVariables:
    """The variables of a formula fit, classified as factors or numeric covariates.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> fit_variables(fit).factors
    {'wool': ('A', 'B'), 'tension': ('L', 'M', 'H')}
    """
    from formulaic.utils.variables import get_expression_variables

    spec = fit.data_spec
    if spec is None or fit.data is None or getattr(spec, "offset_terms", None) is None:
        raise InputError(
            "Marginal means and effects need a formula fit that keeps its data (gk.glm(formula, data)); "
            "this result was fitted from arrays or had its data removed (see GLMResult.keep_data)."
        )
    rhs = spec.rhs_spec
    data_vars = set(rhs.variables_by_source.get("data", set()))
    factors: dict[str, tuple] = {}
    for expr, (kind, state) in rhs.encoder_state.items():
        names = [v for v in get_expression_variables(expr, {}) if v in data_vars]
        if getattr(kind, "value", kind) == "categorical" and len(names) == 1:
            factors[names[0]] = tuple(state.get("categories", ()))
    offset_vars: set[str] = set()
    for expr in spec.offset_terms:
        offset_vars |= {str(v) for v in get_expression_variables(expr, {})}
    if spec.offset_column is not None:
        offset_vars.add(spec.offset_column)
    rows = _training_rows(fit, sorted(data_vars | offset_vars))
    numeric = tuple(sorted(v for v in (data_vars | offset_vars) if v not in factors and v in rows.columns))
    ordered = [v for v in rows.columns if v in factors]
    offset_only = tuple(v for v in numeric if v not in data_vars)
    return FitVariables({v: factors[v] for v in ordered}, numeric, rows, offset_only)


def _training_rows(fit: Any, names: list[str]) -> pd.DataFrame:
    from ..intake.frames import pandas_columns

    data = fit.data
    frame = pandas_columns(data, names)
    frame = frame[[c for c in frame.columns if c in names]]
    if isinstance(data, pd.DataFrame):
        if not data.index.is_unique:
            raise InputError("The data's row index has duplicates, so the rows the fit used cannot be found; "
                             "refit on data.reset_index(drop=True).")
        positions = data.index.get_indexer(fit.index)
    else:
        positions = np.asarray(fit.index)
    return frame.iloc[positions].reset_index(drop=True)


@dataclass(frozen=True)
class Predictor:
    """Linear predictors of made-up rows: η = X β + offset with X over the estimable columns.

    Attributes
    ----------
    X : array of shape (n_rows, n_kept)
    offset : array of shape (n_rows,)
    """

    X: Array
    offset: Array

    @classmethod
    def of(cls, fit: Any, frame: pd.DataFrame, offset: float | None = None) -> "Predictor":
        """Encode ``frame`` with the fit's data spec (levels, transforms, offsets as in fitting).

        ``offset``: one value for every row instead of the offsets the rows give.
        """
        if offset is None:
            design, off, _ = fit.data_spec.encode(frame)
        else:
            design, _, _ = fit.data_spec.encode(frame, np.zeros(len(frame)))
            off = np.full(len(frame), float(offset))
        X = design.toarray()[:, fit.model.kept]
        return cls(np.asarray(X, dtype=float), np.asarray(off, dtype=float))

    def eta(self, coef: Array) -> Array:
        """η for the kept coefficients ``coef``."""
        return self.X @ coef + self.offset


def reference_grid(variables: FitVariables, at: Mapping[str, Any] | None = None) -> pd.DataFrame:
    """R emmeans' reference grid: every factor at every level, numeric covariates at their means.

    A numeric covariate with at most two distinct values (a 0/1 indicator) is kept at its
    values, like a factor, as emmeans' default ``cov.keep = "2"`` does.

    ``at`` replaces the levels of a factor (a subset) or the value of a covariate (one or
    several values; several make the covariate a dimension of the grid). The first variable
    varies fastest, as in R.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> reference_grid(fit_variables(fit)).shape
    (6, 2)
    """
    at = dict(at or {})
    variables.check(list(at), "at")
    axes: dict[str, list] = {}
    for name, levels in variables.factors.items():
        values = list(np.atleast_1d(at[name])) if name in at else list(levels)
        unseen = [v for v in values if v not in levels]
        if unseen:
            raise InputError(f"at[{name!r}] has levels {unseen} the model does not know; levels: {list(levels)}.")
        axes[name] = values
    for name in variables.numeric:
        values = variables.rows[name].astype(float)
        if name in at:
            axes[name] = [float(v) for v in np.atleast_1d(at[name])]
        elif values.nunique() <= 2:  # emmeans' cov.keep = "2": kept at its values, like a factor
            axes[name] = sorted(float(v) for v in values.unique())
        else:
            axes[name] = [float(values.mean())]
    combos = list(itertools.product(*[axes[n] for n in reversed(list(axes))]))
    frame = pd.DataFrame([tuple(reversed(c)) for c in combos], columns=list(axes))
    for name, levels in variables.factors.items():
        if isinstance(variables.rows[name].dtype, pd.CategoricalDtype):
            frame[name] = pd.Categorical(frame[name], categories=variables.rows[name].cat.categories)
    return frame


def resolve_cov(fit: Any, cov: Any, cluster: Any = None) -> Array:
    """The covariance of the kept coefficients: the model's, a robust kind by name, or a matrix.

    ``cov`` is None (the model covariance), a name understood by
    :meth:`~glmkit.GLMResult.cov_robust` (``"HC0"``–``"HC3"``, ``"CR0"``, ``"CR1"``, with
    ``cluster``), or a matrix (array or DataFrame) of shape (n_features, n_features).
    """
    kept = fit.model.kept
    p = len(fit.names)
    if cov is None and cluster is None:
        matrix = fit.cov.to_numpy()
    elif cov is None or isinstance(cov, str):
        matrix = fit.cov_robust(cov, cluster).to_numpy()
    else:
        matrix = np.asarray(cov.to_numpy() if isinstance(cov, pd.DataFrame) else cov, dtype=float)
        if matrix.shape == (kept.size, kept.size) and kept.size != p:
            return matrix
    if matrix.shape != (p, p):
        raise InputError(f"cov must be a {p}×{p} matrix (one row per coefficient); got shape {matrix.shape}.")
    return matrix[np.ix_(kept, kept)]


def grid_weights(variables: FitVariables, grid: pd.DataFrame, named: list[str], kind: str) -> Array:
    """The weight of each grid row when the means average over the variables not ``named``.

    As emmeans' ``weights=``: ``"equal"`` (1 each); ``"cells"`` (the number of training
    rows in the grid row's cell); ``"proportional"`` (the number of rows with the grid row's
    combination of the variables averaged over); ``"outer"`` (the product of those
    variables' marginal counts); ``"flat"`` (1 for cells with data, 0 for empty ones).
    Cells are combinations of the factors and of covariates kept at their observed values.
    """
    from ..errors import UnknownNameError

    if kind not in WEIGHTINGS:
        raise UnknownNameError(f"Unknown weights {kind!r}; valid: {', '.join(map(repr, WEIGHTINGS))}.")
    if kind == "equal":
        return np.ones(len(grid))
    rows = variables.rows
    columns = [c for c in grid.columns if c in variables.factors or (
        set(grid[c].astype(float)) <= set(rows[c].astype(float)))]
    averaged = [c for c in columns if c not in named]

    def count(names: list[str]) -> Array:
        out = np.empty(len(grid))
        for i in range(len(grid)):
            mask = np.ones(len(rows), dtype=bool)
            for c in names:
                mask &= (rows[c] == grid[c].iloc[i]).to_numpy()
            out[i] = mask.sum()
        return out

    if kind == "cells":
        return count(columns)
    if kind == "flat":
        return (count(columns) > 0).astype(float)
    if kind == "proportional":
        return count(averaged)
    return np.prod([count([c]) for c in averaged], axis=0) if averaged else np.ones(len(grid))
