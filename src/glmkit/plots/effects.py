"""Effect plot: predictions across one variable with confidence bands, optionally by a factor.

Built on :func:`glmkit.predictions`: by default the other variables are held at typical
values (numeric covariates at their means, factors at their most frequent level:
marginaleffects' ``newdata = "mean"``, as its ``plot_predictions(condition=)``); with
``newdata=None`` each point is the average prediction over the training rows with the
variable set to that value (Stata's ``marginsplot`` after ``margins, at()``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import new_axes, new_figure

__all__ = ["effect_figure", "plot_effects"]


def _axis_values(fit: Any, variable: str, n_points: int) -> tuple[list, bool]:
    """(values to predict at, whether the variable is a factor)."""
    from ..margins.grid import fit_variables

    fv = fit_variables(fit)
    fv.check([variable], "variable")
    if variable in fv.factors:
        return list(fv.factors[variable]), True
    x = fv.rows[variable].astype(float)
    return np.linspace(x.min(), x.max(), n_points).tolist(), False


def _predicted(fit: Any, at: dict[str, Any], newdata: Any, type: str, cov: Any, level: float) -> Any:
    from ..margins import predictions

    return predictions(fit, at=at, newdata=newdata, type=type, cov=cov, level=level).to_frame()


def plot_effects(fit: Any, variable: str, *, by: str | None = None, type: str = "response", newdata: Any = "mean",
                 n_points: int = 60, level: float = 0.95, cov: Any = None, ax: Any = None,
                 title: str | None = None) -> Any:
    """Predictions across ``variable`` with confidence bands (lines) or intervals (a factor).

    Parameters
    ----------
    fit : GLMResult
        A formula fit that keeps its data.
    variable : str
        The variable on the x axis: numeric (a line over its observed range) or a factor
        (a point per level).
    by : str, optional
        A factor (or a 0/1 covariate): one line or point series per level.
    type : {"response", "link"}
    newdata : "mean" or None
        Hold other variables at typical values (default), or average over the rows.
    n_points : int, default 60
        Points along a numeric variable.
    level : float, default 0.95
        At typical values the band is made on the link scale and mapped by the inverse
        link; averaged predictions get estimate ± z·SE on the response scale.
    cov : str or array, optional
        Robust covariance for the bands (as :func:`glmkit.predictions`).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from glmkit.plots import effect_figure
    >>> fit = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> fig = effect_figure(fit, "tension", by="wool")
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['A', 'B']
    """
    values, is_factor = _axis_values(fit, variable, n_points)
    groups: list = [None]
    if by is not None:
        by_values, _ = _axis_values(fit, by, 2)
        groups = by_values
    at: dict[str, Any] = {variable: values}
    if by is not None:
        at[by] = groups
    frame = _predicted(fit, at, newdata, type, cov, level)
    if ax is None:
        ax = new_axes()
    n = len(groups)
    for i, group in enumerate(groups):
        part = frame if group is None else frame[frame[by] == group]
        label = None if group is None else f"{group:g}" if isinstance(group, float) else str(group)
        if is_factor:
            x = np.arange(len(values)) + (i - (n - 1) / 2) * min(0.12, 0.6 / n)
            est, lo, hi = (part[c].to_numpy(float) for c in ("estimate", "lower", "upper"))
            ax.errorbar(x, est, yerr=[est - lo, hi - est], fmt="o", capsize=3, color=f"C{i}", label=label)
        else:
            x = part[variable].to_numpy(float)
            ax.plot(x, part["estimate"].to_numpy(float), color=f"C{i}", linewidth=1.8, label=label)
            ax.fill_between(x, part["lower"].to_numpy(float), part["upper"].to_numpy(float), color=f"C{i}",
                            alpha=0.2, linewidth=0)
    if is_factor:
        ax.set_xticks(np.arange(len(values)), [str(v) for v in values])
    ax.set_xlabel(variable)
    response = (fit.formula or "y ~").split("~")[0].strip()
    ax.set_ylabel(f"predicted {response}" if type == "response" else f"linear predictor of {response}")
    ax.grid(True, linewidth=0.4, alpha=0.5)
    if by is not None:
        ax.legend(title=by, fontsize="small", framealpha=0.9)
    held = "others at typical values" if newdata == "mean" else "averaged over the data"
    ax.set_title(title or f"Effect of {variable} ({held}; {level:.0%} confidence)", fontsize="medium")
    return ax


def effect_figure(fit: Any, variable: str, **kwargs: Any) -> Any:
    """A pyplot-free Figure holding :func:`plot_effects` (same keywords).

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> len(effect_figure(fit, "tension").axes)
    1
    """
    fig, axes = new_figure(1, 1, panel_size=(6.0, 4.2))
    plot_effects(fit, variable, ax=axes[0, 0], **kwargs)
    return fig
