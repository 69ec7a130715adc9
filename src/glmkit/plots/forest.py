"""Forest plot: estimates with confidence intervals, one row each, against a reference line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import new_axes, new_figure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["forest_figure", "plot_forest"]

_RESULT_COLUMNS = ("estimate", "std_err", "df", "lower", "upper", "statistic", "p_value")


def forest_table(estimates: Any, level: float = 0.95, cov: Any = None, intercept: bool = False) -> pd.DataFrame:
    """Rows of ``label``, ``estimate``, ``lower``, ``upper`` from a fit, a margins table or a DataFrame.

    A DataFrame needs the columns ``estimate``, ``lower`` and ``upper`` (labels from its
    index, or from its text columns); a margins table's text columns make the labels; a
    fit gives its coefficients with Wald intervals (``cov=`` a robust covariance).
    """
    import pandas as pd

    from ..margins import MarginsTable

    if isinstance(estimates, MarginsTable) or isinstance(estimates, pd.DataFrame):
        frame = estimates.to_frame() if isinstance(estimates, MarginsTable) else estimates.copy()
        missing = [c for c in ("estimate", "lower", "upper") if c not in frame.columns]
        if missing:
            raise ValueError(f"A forest plot needs the columns estimate, lower and upper; {missing} are missing.")
        text = [c for c in frame.columns if c not in _RESULT_COLUMNS]
        labels = frame.index.astype(str).to_series() if not text else pd.Series([
            str(row[0]) + (" (" + ", ".join(f"{c}={v}" for c, v in zip(text[1:], row[1:])) + ")" if len(text) > 1 else "")
            for row in frame[text].itertuples(index=False)])
        return pd.DataFrame({"label": labels.to_numpy(), "estimate": frame["estimate"].to_numpy(float),
                             "lower": frame["lower"].to_numpy(float), "upper": frame["upper"].to_numpy(float)})
    ci = estimates.conf_int(level, cov=cov)
    out = pd.DataFrame({"label": list(estimates.names), "estimate": estimates.coef.to_numpy(),
                        "lower": ci["lower"].to_numpy(), "upper": ci["upper"].to_numpy()})
    if not intercept and estimates.problem.intercept_index is not None:
        out = out.drop(index=estimates.problem.intercept_index)
    return out.dropna().reset_index(drop=True)


def plot_forest(estimates: Any, *, level: float = 0.95, exponentiate: bool = False, intercept: bool = False,
                cov: Any = None, reference: float | None = None, log_scale: bool | None = None, ax: Any = None,
                title: str | None = None, xlabel: str | None = None) -> Any:
    """Draw estimates with their confidence intervals, one row each, and a reference line.

    Parameters
    ----------
    estimates : GLMResult, margins table (``gk.emmeans`` …, ``.contrast``) or DataFrame
        A fit (its coefficients with Wald intervals at ``level``), a table from
        :mod:`glmkit.margins`, or a DataFrame with ``estimate``, ``lower``, ``upper``.
    level : float, default 0.95
        Interval level for a fit (a table brings its own intervals).
    exponentiate : bool, default False
        Plot exp(estimate) and exp(limits) on a log axis with the reference line at 1
        (rate ratios, odds ratios); otherwise the line is at 0.
    intercept : bool, default False
        Include a fit's intercept.
    cov : str or array, optional
        Robust covariance for a fit's intervals (as :meth:`~glmkit.GLMResult.conf_int`).
    reference : float, optional
        Where the dashed line goes (default 1 when exponentiated, else 0; 1 suits a
        table of ratios).
    log_scale : bool, optional
        A logarithmic x axis (default: when exponentiated; set it for a table of ratios).
    ax : matplotlib Axes, optional
    title, xlabel : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from glmkit.plots import forest_figure
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> fig = forest_figure(fit, exponentiate=True)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['wool[T.B]', 'tension[T.M]', 'tension[T.H]']
    """
    table = forest_table(estimates, level, cov, intercept)
    est, lo, hi = (table[c].to_numpy(float) for c in ("estimate", "lower", "upper"))
    if exponentiate:
        est, lo, hi = np.exp(est), np.exp(lo), np.exp(hi)
    if ax is None:
        ax = new_axes()
    y = np.arange(len(table))[::-1]
    ax.hlines(y, lo, hi, color="C0", linewidth=1.6, zorder=2)
    ax.plot(est, y, "o", color="C0", markersize=6, zorder=3)
    ax.axvline((1.0 if exponentiate else 0.0) if reference is None else reference, color="0.35", linestyle="--", linewidth=1.0, zorder=1)
    if exponentiate if log_scale is None else log_scale:
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        span = np.log10(np.nanmax(hi) / np.nanmin(lo))
        subs = (1.0, 2.0, 5.0) if span > 1.5 else (1.0, 1.5, 2.0, 3.0, 5.0, 7.0) if span > 0.5 else \
            (1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0)
        ax.xaxis.set_major_locator(LogLocator(subs=subs))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(y, table["label"].tolist())
    ax.set_ylim(-0.7, len(table) - 0.3)
    right = ax.twinx()
    right.set_ylim(ax.get_ylim())
    right.set_yticks(y, [f"{e:.3g} [{a:.3g}, {b:.3g}]" for e, a, b in zip(est, lo, hi)], fontsize="small")
    right.tick_params(length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
        right.spines[side].set_visible(False)
    ax.grid(True, axis="x", linewidth=0.4, alpha=0.5)
    ax.set_xlabel(xlabel or ("exp(estimate)" if exponentiate else "estimate") + " with confidence interval")
    if title:
        ax.set_title(title)
    return ax


def forest_figure(estimates: Any, **kwargs: Any) -> Any:
    """A pyplot-free Figure holding :func:`plot_forest` (same keywords), sized to its rows.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> len(forest_figure(fit).axes)
    2
    """
    n = len(forest_table(estimates, kwargs.get("level", 0.95), kwargs.get("cov"), kwargs.get("intercept", False)))
    fig, axes = new_figure(1, 1, panel_size=(7.0, 1.0 + 0.38 * n))
    plot_forest(estimates, ax=axes[0, 0], **kwargs)
    return fig
