"""Averages of predictions over made-up rows, and their delta-method standard errors.

What ``predictions``, ``slopes`` and ``comparisons`` share: data made from the training rows
(or ``newdata``) with some variables set to chosen values, predictions μᵢ (or ηᵢ) with their
gradients ∂μᵢ/∂β = g⁻¹′(ηᵢ) xᵢ, and group averages. An average's standard error is
√(J V Jᵀ) with J the average of the gradients: the **delta method conditional on the
sample** (the covariates held fixed), as R's marginaleffects and Stata's ``margins``
(its default ``vce(delta)``, not ``vce(unconditional)``). Tests and intervals are normal
(z), as in both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError
from .grid import FitVariables, Predictor, as_names, resolve_cov
from .table import MarginsTable, wald_columns
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["Evaluator", "Scale", "Values", "base_rows", "group_rows", "grouped", "scale_notes", "stacked",
           "with_value"]

Array = NDArray[np.floating]
Scale = Literal["link", "response"]


@dataclass(frozen=True)
class Values:
    """Per-row quantities and their gradients in β: ``value`` (n,), ``jac`` (n, n_kept)."""

    value: Array
    jac: Array

    def mean(self, rows: NDArray[np.intp]) -> "Values":
        """The average over ``rows`` (a one-row Values)."""
        return Values(self.value[rows].mean(keepdims=True), self.jac[rows].mean(axis=0, keepdims=True))


@dataclass(frozen=True)
class Evaluator:
    """Predictions and their gradients for a fit, on one scale, with one covariance."""

    fit: Any
    type: Scale
    cov: Array

    @classmethod
    def of(cls, fit: Any, type: str, cov: Any, cluster: Any) -> "Evaluator":
        """Check the scale and resolve the covariance once."""
        if type not in ("link", "response"):
            raise UnknownNameError(f"Unknown type {type!r}; valid: 'link', 'response'.")
        return cls(fit, type, resolve_cov(fit, cov, cluster))  # type: ignore[arg-type]

    def predict(self, frame: pd.DataFrame) -> Values:
        """μ (or η) of each row of ``frame`` and ∂/∂β."""
        predictor = Predictor.of(self.fit, frame)
        eta = predictor.eta(self.fit.model.coef[self.fit.model.kept])
        if self.type == "link":
            return Values(eta, predictor.X)
        link = self.fit.link
        return Values(link.inverse(eta), link.inverse_derivative(eta)[:, None] * predictor.X)

    def columns(self, values: Values, level: float) -> dict[str, Array]:
        """estimate, std_err, statistic, p_value, lower, upper (normal) of each value."""
        J = values.jac
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, self.cov, J), 0.0))
        wald = wald_columns(values.value, se, np.inf, level)
        return {"estimate": values.value, "std_err": se, "statistic": wald["statistic"], "p_value": wald["p_value"],
                "lower": wald["lower"], "upper": wald["upper"]}


def base_rows(variables: FitVariables, newdata: Any) -> pd.DataFrame:
    """The rows effects are averaged over: the training rows, ``"mean"`` (one typical row) or new data.

    ``"mean"`` holds numeric covariates at their means and factors at their most frequent
    level (marginaleffects' ``newdata = "mean"``).
    """
    from ..intake.frames import pandas_columns

    rows = variables.rows
    if newdata is None:
        return rows
    if isinstance(newdata, str):
        if newdata != "mean":
            raise UnknownNameError(f"newdata={newdata!r} is not understood; valid: None, 'mean' or a DataFrame.")
        typical = {n: [rows[n].astype(float).mean()] for n in variables.numeric}
        typical.update({n: [rows[n].value_counts(sort=True).index[0]] for n in variables.factors})
        return _like(pd.DataFrame(typical)[list(rows.columns)], rows)
    frame = pandas_columns(newdata, variables.names)
    missing = [n for n in variables.names if n not in frame.columns]
    if missing:
        raise InputError(f"newdata lacks the model's variables {missing}; give a column for each of {variables.names}.")
    return frame[list(rows.columns)].reset_index(drop=True)


def _like(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the categorical dtypes of the training rows."""
    for name in frame.columns:
        if isinstance(rows[name].dtype, pd.CategoricalDtype):
            frame[name] = pd.Categorical(frame[name], categories=rows[name].cat.categories)
    return frame


def with_value(frame: pd.DataFrame, name: str, value: Any) -> pd.DataFrame:
    """A copy of ``frame`` with column ``name`` set to ``value`` (a scalar or one value per row)."""
    out = frame.copy()
    if isinstance(frame[name].dtype, pd.CategoricalDtype):
        out[name] = pd.Categorical(np.broadcast_to(np.asarray(value, dtype=object), len(frame)),
                                   categories=frame[name].cat.categories)
    else:
        out[name] = value
    return out


def group_rows(frame: pd.DataFrame, by: Any, average: bool) -> tuple[pd.DataFrame, list[NDArray[np.intp]]]:
    """Label columns and rows of each ``by`` group (one group of all rows; each row alone when not averaging)."""
    names = as_names(by, "by")
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise InputError(f"by names {missing}, which are not variables of the model; variables: {list(frame.columns)}.")
    if not average:
        return frame.reset_index(drop=True), [np.array([i]) for i in range(len(frame))]
    if not names:
        return pd.DataFrame(index=[0]), [np.arange(len(frame))]
    codes = frame[names].drop_duplicates().sort_values(names).reset_index(drop=True)
    rows = []
    for key in codes.itertuples(index=False):
        mask = np.ones(len(frame), dtype=bool)
        for n, v in zip(names, key):
            mask &= (frame[n] == v).to_numpy()
        rows.append(np.flatnonzero(mask))
    return codes, rows


def stacked(pieces: list[pd.DataFrame], title: str, notes: list[str]) -> MarginsTable:
    """One table from the pieces (rows) computed for each focal variable or ``at`` value."""
    return MarginsTable(pd.concat(pieces, ignore_index=True), title, tuple(notes))


def grouped(evaluator: Evaluator, values: Values, labels: pd.DataFrame, rows: list, level: float,
             lead: dict[str, Any]) -> pd.DataFrame:
    """Rows of the group averages of ``values``: the ``lead`` labels, the group labels, the estimates."""
    means = [values.mean(r) for r in rows]
    joined = Values(np.concatenate([m.value for m in means]), np.vstack([m.jac for m in means]))
    out = pd.DataFrame(lead, index=range(len(rows))) if lead else pd.DataFrame(index=range(len(rows)))
    out = pd.concat([out, labels.reset_index(drop=True)], axis=1)
    for name, column in evaluator.columns(joined, level).items():
        out[name] = column
    return out


def scale_notes(type: str, fit: Any, average: bool) -> list[str]:
    """The note printed under a table: the scale, the averaging and the SE convention."""
    scale = "response (μ)" if type == "response" else f"link ({fit.link.name}, η)"
    how = "averaged over the rows" if average else "one per row"
    return [f"Scale: {scale}; {how}. Delta-method SEs conditional on the sample; z tests and intervals."]
