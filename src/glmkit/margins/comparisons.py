"""Comparisons between counterfactual predictions (marginaleffects' ``avg_comparisons``).

Every row is predicted twice, with the focal variable at a "high" and a "low" value, and
the two compared: ``"difference"`` averages μ_hi − μ_lo; ``"ratio"`` averages the row-wise
ratios μ_hi/μ_lo; ``"ratioavg"`` is the ratio of the averages, mean(μ_hi)/mean(μ_lo) (the
marginal risk ratio). These are marginaleffects' meanings of the three names. The values
compared: for a factor, each level against the first (or a given pair); for a numeric
variable, x + d against x (d = 1 by default), or two given values for every row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError
from .evaluation import (Evaluator, Scale, Values, base_rows, group_rows, grouped, scale_notes, stacked,
                         with_value)
from .grid import FitVariables, as_names, fit_variables
from .table import MarginsTable

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["comparisons"]

Array = NDArray[np.floating]
Comparison = Literal["difference", "ratio", "ratioavg"]
_COMPARISONS = ("difference", "ratio", "ratioavg")


def _pairs(fv: FitVariables, base: pd.DataFrame, name: str, spec: Any) -> list[tuple[str, Any, Any]]:
    """(label, low values, high values) of each comparison of one variable."""
    if name in fv.factors:
        levels = fv.factors[name]
        if spec is None or spec == "reference":
            return [(f"{hi} - {levels[0]}", levels[0], hi) for hi in levels[1:]]
        lo, hi = spec
        return [(f"{hi} - {lo}", lo, hi)]
    x = base[name].astype(float).to_numpy()
    if spec is None or np.isscalar(spec):
        d = 1.0 if spec is None else float(spec)
        return [(f"+{d:g}", x, x + d)]
    lo, hi = spec
    return [(f"{hi:g} - {lo:g}", float(lo), float(hi))]


def _compare(low: Values, high: Values, comparison: str, rows: list) -> tuple[Values, list]:
    """Row-wise comparisons (and their rows), or for ``ratioavg`` the ratio of group means."""
    if comparison == "difference":
        return Values(high.value - low.value, high.jac - low.jac), rows
    if comparison == "ratio":
        ratio = high.value / low.value
        return Values(ratio, (high.jac - ratio[:, None] * low.jac) / low.value[:, None]), rows
    hi_means, lo_means = [high.mean(r) for r in rows], [low.mean(r) for r in rows]
    value = np.array([h.value[0] / lo.value[0] for h, lo in zip(hi_means, lo_means)])
    jac = np.vstack([(h.jac[0] - v * lo.jac[0]) / lo.value[0] for h, lo, v in zip(hi_means, lo_means, value)])
    return Values(value, jac), [np.array([i]) for i in range(len(rows))]


def comparisons(fit: Any, variables: str | list[str] | dict[str, Any], *, comparison: Comparison = "difference",
                by: str | list[str] | None = None, newdata: Any = None, type: Scale = "response",
                average: bool = True, cov: Any = None, cluster: Any = None, level: float = 0.95) -> MarginsTable:
    """Average differences or ratios between counterfactual predictions, with delta-method SEs.

    Parameters
    ----------
    fit : GLMResult
    variables : str, list of str or dict
        Focal variables; a dict gives each one's values: for a factor ``"reference"``
        (default: each level against the first) or a pair ``(low, high)`` of levels; for a
        numeric variable a step d (x + d against x; default 1) or a pair ``(low, high)``.
    comparison : {"difference", "ratio", "ratioavg"}
        See the module docstring (marginaleffects' meanings).
    by, newdata, type, average, cov, cluster, level
        As in :func:`glmkit.predictions`.

    Returns
    -------
    MarginsTable
        Columns ``term``, ``contrast``, the ``by`` variables, ``estimate``, ``std_err``,
        ``statistic``, ``p_value``, ``lower``, ``upper``.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> table = gk.comparisons(fit, "wool", comparison="ratioavg")
    >>> table.to_frame()[["contrast", "estimate"]].round(4).values.tolist()
    [['B / A', 0.8138]]
    """
    if comparison not in _COMPARISONS:
        raise UnknownNameError(f"Unknown comparison {comparison!r}; valid: {', '.join(map(repr, _COMPARISONS))}.")
    fv = fit_variables(fit)
    specs = dict(variables) if isinstance(variables, dict) else {n: None for n in as_names(variables, "variables")}
    if not specs:
        raise InputError("comparisons needs at least one focal variable (variables=).")
    fv.check(list(specs), "variables")
    evaluator = Evaluator.of(fit, type, cov, cluster)
    base = base_rows(fv, newdata)
    labels, rows = group_rows(base, by, average)
    if average:
        labels = labels[as_names(by, "by")] if by else labels
    pieces = []
    for name, spec in specs.items():
        for label, lo, hi in _pairs(fv, base, name, spec):
            low, high = evaluator.predict(with_value(base, name, lo)), evaluator.predict(with_value(base, name, hi))
            values, groups = _compare(low, high, comparison, rows)
            text = label if comparison == "difference" else label.replace(" - ", " / ")
            pieces.append(grouped(evaluator, values, labels, groups, level, {"term": name, "contrast": text}))
    notes = scale_notes(type, fit, average) + [f"Comparison: {comparison}."]
    return stacked(pieces, "Average comparisons" if average else "Comparisons", notes)
