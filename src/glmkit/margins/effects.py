"""Average predictions, slopes and comparisons (R's marginaleffects, Stata's ``margins``).

- :func:`predictions`: predictions averaged over the rows (the training rows by default),
  with variables set to chosen values (``at=``, Stata's ``margins, at()``) and/or within
  observed groups (``by=``); or row by row (``average=False``).
- :func:`slopes`: ∂μ/∂x of numeric covariates by **centred** finite differences,
  (μ(x + h) − μ(x − h)) / 2h with h = 10⁻⁴ × range(x) (marginaleffects' step; its default
  is the forward difference, ``numderiv = "fdforward"``, whose error is O(h), against
  O(h²) here), averaged: average marginal effects.
- :func:`comparisons`: differences (or ratios) between predictions with a variable set to
  two values for every row, averaged.

Standard errors: the delta method with the gradients in β computed exactly (the
predictions are explicit functions of β), conditional on the sample; see
:mod:`glmkit.margins.evaluation`.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .evaluation import (Evaluator, Scale, Values, base_rows, group_rows, grouped, scale_notes, stacked,
                         with_value)
from .grid import as_names, fit_variables
from .table import MarginsTable
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["predictions", "slopes"]

Array = NDArray[np.floating]


def predictions(fit: Any, *, at: dict[str, Any] | None = None, by: str | list[str] | None = None,
                newdata: Any = None, type: Scale = "response", average: bool = True, cov: Any = None,
                cluster: Any = None, level: float = 0.95) -> MarginsTable:
    """Average predictions at representative values and/or within groups, with delta-method SEs.

    Parameters
    ----------
    fit : GLMResult
        A formula fit that keeps its data.
    at : dict, optional
        Variable → value(s): every row is predicted with the variable set to each value
        (every combination when several variables are given), then averaged (Stata's
        ``margins, at()``, marginaleffects' ``avg_predictions(variables=)``).
    by : str or list of str, optional
        Average within the groups of these variables as observed in the rows.
    newdata : DataFrame or "mean", optional
        The rows to predict for: the training rows (default), one row with numeric
        covariates at their means and factors at their modes (``"mean"``), or a DataFrame.
    type : {"response", "link"}
    average : bool, default True
        False: one prediction per row (and ``at`` value).
    cov, cluster
        As in :func:`glmkit.emmeans`.
    level : float, default 0.95

    Returns
    -------
    MarginsTable
        Columns: the ``at`` and ``by`` variables, ``estimate``, ``std_err``, ``statistic``,
        ``p_value``, ``lower``, ``upper``.

    Notes
    -----
    Averaged predictions get estimate ± z·SE on their own scale (marginaleffects'
    ``avg_predictions``, Stata's ``margins``). Unit-level predictions (``average=False`` or
    ``newdata="mean"``) on the response scale get the interval made for η and mapped by the
    inverse link, as :meth:`~glmkit.GLMResult.predict` and marginaleffects' ``predictions``,
    so a probability's interval stays in [0, 1].

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> gk.predictions(fit, at={"wool": ["A", "B"]}).to_frame()["estimate"].round(3).tolist()
    [31.037, 25.259]
    """
    variables = fit_variables(fit)
    evaluator = Evaluator.of(fit, type, cov, cluster)
    unit_level = not average or isinstance(newdata, str)
    if unit_level and type == "response":  # the interval is made for η and mapped by g⁻¹
        evaluator = Evaluator(fit, "link", evaluator.cov)
    base = base_rows(variables, newdata)
    at = dict(at or {})
    variables.check(list(at), "at")
    axes = [[(n, v) for v in np.atleast_1d(np.asarray(values, dtype=object))] for n, values in at.items()]
    pieces = []
    for combo in itertools.product(*axes) if axes else [()]:
        frame = base
        for name, value in combo:
            frame = with_value(frame, name, value)
        labels, rows = group_rows(frame, by, average)
        if average:
            labels = labels[as_names(by, "by")] if by else labels
        pieces.append(grouped(evaluator, evaluator.predict(frame), labels, rows, level, dict(combo)))
    table = stacked(pieces, "Average predictions" if average else "Predictions", scale_notes(type, fit, average))
    return _mapped(table, fit.link) if evaluator.type != type else table


def _mapped(table: MarginsTable, link: Any) -> MarginsTable:
    """A link-scale table of unit-level predictions on the response scale: μ = g⁻¹(η), SE by
    the delta method, the interval's end points mapped (as ``GLMResult.predict``)."""
    frame = table.frame.copy()
    eta, se = frame["estimate"].to_numpy(float), frame["std_err"].to_numpy(float)
    a, b = link.inverse(frame["lower"].to_numpy(float)), link.inverse(frame["upper"].to_numpy(float))
    frame["estimate"], frame["std_err"] = link.inverse(eta), np.abs(link.inverse_derivative(eta)) * se
    frame["lower"], frame["upper"] = np.minimum(a, b), np.maximum(a, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["statistic"] = frame["estimate"] / frame["std_err"]
    from scipy import stats

    frame["p_value"] = 2 * stats.norm.sf(np.abs(frame["statistic"].to_numpy(float)))
    notes = ("Scale: response (μ); one per row (or typical row). Interval made for η and mapped by the inverse link;"
             " delta-method SEs.",)
    return MarginsTable(frame, table.title, notes)


def slopes(fit: Any, variables: str | list[str] | None = None, *, by: str | list[str] | None = None,
           newdata: Any = None, type: Scale = "response", eps: float | None = None, average: bool = True,
           cov: Any = None, cluster: Any = None, level: float = 0.95) -> MarginsTable:
    """Average marginal effects ∂μ/∂x (or ∂η/∂x) of numeric covariates, with delta-method SEs.

    Parameters
    ----------
    fit : GLMResult
    variables : str or list of str, optional
        Numeric covariates (default: every numeric variable of the formula, offsets excepted).
    by, newdata, type, average, cov, cluster, level
        As in :func:`predictions`.
    eps : float, optional
        Finite-difference step h (default 10⁻⁴ × the variable's range in the training rows).

    Returns
    -------
    MarginsTable
        Columns ``term``, the ``by`` variables, ``estimate``, ``std_err``, ``statistic``,
        ``p_value``, ``lower``, ``upper``.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0], "y": [1, 1, 2, 3, 5, 8]})
    >>> fit = gk.glm("y ~ x", data, family="poisson")
    >>> gk.slopes(fit, "x", type="link").to_frame()["estimate"].round(6).tolist() == [round(fit.coef["x"], 6)]
    True
    """
    fv = fit_variables(fit)
    names = as_names(variables, "variables") or [n for n in fv.numeric if n not in fv.offset_only]
    fv.check(names, "variables")
    factors = [n for n in names if n in fv.factors]
    if factors:
        raise InputError(f"{factors} are factors, which have no slope; use gk.comparisons(fit, {factors[0]!r}).")
    evaluator = Evaluator.of(fit, type, cov, cluster)
    base = base_rows(fv, newdata)
    pieces = []
    for name in names:
        x = base[name].astype(float).to_numpy()
        train = fv.rows[name].astype(float)
        h = float(eps) if eps is not None else 1e-4 * float(train.max() - train.min())
        if not h > 0:
            raise InputError(f"The step for {name!r} is {h!r}; {name!r} is constant in the data: pass eps=.")
        up, down = evaluator.predict(with_value(base, name, x + h)), evaluator.predict(with_value(base, name, x - h))
        values = Values((up.value - down.value) / (2 * h), (up.jac - down.jac) / (2 * h))
        labels, rows = group_rows(base, by, average)
        if average:
            labels = labels[as_names(by, "by")] if by else labels
        pieces.append(grouped(evaluator, values, labels, rows, level, {"term": name}))
    notes = scale_notes(type, fit, average) + ["Centred finite differences, step h = eps (default 1e-4 × range)."]
    return stacked(pieces, "Average marginal effects (slopes)" if average else "Marginal effects", notes)
