"""The regression diagnostic panel of R's ``plot.lm`` for a GLM fit.

Four panels, as R draws them for a glm:

1. residuals vs fitted — deviance residuals against the linear predictor;
2. normal Q–Q of the standardized deviance residuals;
3. scale–location — √|standardized deviance residual| against the linear predictor;
4. residuals vs leverage — standardized Pearson residuals against hat values, with Cook's
   distance contours at 0.5 and 1 (rᵢ = ±√(c·p·(1 − h)/h)).

The three most extreme points of each panel are labelled with their row labels. All
numbers come from the result (``inference/influence``); nothing is computed here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import new_figure

__all__ = ["diagnostic_figure", "plot_diagnostics"]


def _label_extremes(ax: Any, x: np.ndarray, y: np.ndarray, labels: np.ndarray, score: np.ndarray, k: int = 3) -> None:
    order = np.argsort(-np.nan_to_num(score, nan=-np.inf))[:k]
    for i in order:
        if np.isfinite(x[i]) and np.isfinite(y[i]):
            ax.annotate(str(labels[i]), (x[i], y[i]), textcoords="offset points", xytext=(4, 2), fontsize=8)


def plot_diagnostics(result: Any, axes: Any = None) -> Any:
    """Draw the four diagnostic panels of a fit into ``axes`` (a 2×2 array, or new pyplot axes).

    Parameters
    ----------
    result : GLMResult
    axes : array of 4 matplotlib Axes, optional

    Returns
    -------
    ndarray of Axes, shape (2, 2)
    """
    from scipy import stats
    if axes is None:
        from ._base import require_matplotlib

        require_matplotlib()
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 2, figsize=(8.4, 8.0), layout="constrained")
    axes = np.asarray(axes).reshape(2, 2)
    eta = result.linear_predictor.to_numpy()
    dev = result.residuals("deviance").to_numpy()
    rstd = result.standardized_residuals("deviance").to_numpy()
    rpear = result.standardized_residuals("pearson").to_numpy()
    hat = result.hat_values().to_numpy()
    labels = np.asarray(result.index)
    ok = np.isfinite(rstd)

    ax = axes[0, 0]
    ax.scatter(eta[ok], dev[ok], s=14, facecolors="none", edgecolors="C0")
    ax.axhline(0.0, color="0.5", linestyle=":", linewidth=1)
    _smooth(ax, eta[ok], dev[ok])
    _label_extremes(ax, eta, dev, labels, np.abs(dev))
    ax.set(xlabel="Predicted values (linear predictor)", ylabel="Deviance residuals", title="Residuals vs Fitted")

    ax = axes[0, 1]
    r = rstd[ok]
    order = np.argsort(r)
    theo = stats.norm.ppf((np.arange(1, r.size + 1) - 0.5) / r.size) if r.size else r
    ax.scatter(theo, r[order], s=14, facecolors="none", edgecolors="C0")
    if r.size:
        q = np.quantile(r, [0.25, 0.75])
        t = stats.norm.ppf([0.25, 0.75])
        slope = (q[1] - q[0]) / (t[1] - t[0])
        line_x = np.array([theo.min(), theo.max()])
        ax.plot(line_x, q[0] + slope * (line_x - t[0]), color="0.5", linestyle=":", linewidth=1)
        lab = labels[ok][order]
        _label_extremes(ax, theo, r[order], lab, np.abs(r[order]))
    ax.set(xlabel="Theoretical quantiles", ylabel="Std. deviance resid.", title="Normal Q-Q")

    ax = axes[1, 0]
    root = np.sqrt(np.abs(rstd))
    ax.scatter(eta[ok], root[ok], s=14, facecolors="none", edgecolors="C0")
    _smooth(ax, eta[ok], root[ok])
    _label_extremes(ax, eta, root, labels, root)
    ax.set(xlabel="Predicted values (linear predictor)", ylabel="√|Std. deviance resid.|", title="Scale-Location")

    ax = axes[1, 1]
    okh = ok & np.isfinite(hat) & (hat < 1)
    ax.scatter(hat[okh], rpear[okh], s=14, facecolors="none", edgecolors="C0")
    ax.axhline(0.0, color="0.5", linestyle=":", linewidth=1)
    p = result.rank
    if okh.any():
        hmax = float(np.max(hat[okh]))
        hh = np.linspace(max(hmax / 200, 1e-4), hmax * 1.05, 100)
        lim = ax.get_ylim()
        for c, style in ((0.5, "--"), (1.0, "-.")):
            curve = np.sqrt(c * p * (1 - hh) / hh)
            ax.plot(hh, curve, color="C3", linestyle=style, linewidth=1, label=f"Cook's distance {c:g}")
            ax.plot(hh, -curve, color="C3", linestyle=style, linewidth=1)
        ax.set_ylim(lim)
        ax.legend(loc="best", fontsize=8, frameon=False)
    cooks = result.cooks_distance().to_numpy()
    _label_extremes(ax, hat, rpear, labels, cooks)
    ax.set(xlabel="Leverage", ylabel="Std. Pearson resid.", title="Residuals vs Leverage")
    return axes


def _smooth(ax: Any, x: np.ndarray, y: np.ndarray) -> None:
    """A running-mean trend line (R draws a lowess smoother; this is its dependency-free cousin)."""
    if x.size < 5:
        return
    order = np.argsort(x)
    xs, ys = x[order], y[order]
    k = max(3, x.size // 5)
    kernel = np.ones(k) / k
    trend = np.convolve(ys, kernel, mode="valid")
    centre = np.convolve(xs, kernel, mode="valid")
    ax.plot(centre, trend, color="C3", linewidth=1)


def diagnostic_figure(result: Any) -> Any:
    """A pyplot-free Figure with the four diagnostic panels of ``result``.

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> from glmkit.plots import diagnostic_figure
    >>> fit = gk.glm("breaks ~ wool + tension", load_warpbreaks(), family="poisson")
    >>> len(diagnostic_figure(fit).axes)
    4
    """
    fig, axes = new_figure(2, 2)
    plot_diagnostics(result, axes)
    return fig
