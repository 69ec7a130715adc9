"""The regression diagnostic panel of R's ``plot.lm`` for a GLM fit.

Four panels, as R (4.2) draws them for a glm (``plot(fit)``), all from Pearson residuals:

1. residuals vs fitted — Pearson residuals against the linear predictor;
2. normal Q–Q of the standardized Pearson residuals (R's ``ppoints`` and ``qqline``);
3. scale–location — √|standardized Pearson residual| against the linear predictor;
4. residuals vs leverage — standardized Pearson residuals against hat values, with Cook's
   distance contours at 0.5 and 1 (rᵢ = ±√(c·p·(1 − h)/h)) where they fall inside the
   panel, each marked with its level at the right edge, and a legend entry only when one is
   drawn.

Panels 1, 3 and 4 carry R's smoother: ``lowess`` with span 2/3 and, for a glm, no
robustness iterations (R's ``iter.smooth = 0``), from statsmodels (the ``[plot]`` extra).
The three most extreme points of each panel are labelled with their row labels, placed as
R places them (to the right of a point in the left half of the panel, to the left in the
right half) and moved apart vertically where two labels would overlap. All numbers come
from the result (``inference/influence``); nothing is estimated here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ._base import new_figure

__all__ = ["diagnostic_figure", "plot_diagnostics", "lowess_line"]

_COOK_LEVELS = (0.5, 1.0)
_LABEL_SIZE = 8.0  # points
_SMOOTH = {"color": "C3", "linewidth": 1.2, "gid": "lowess"}
_POINTS = {"s": 14, "facecolors": "none", "edgecolors": "C0", "linewidths": 0.8}


def lowess_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """R's ``lowess(x, y, f = 2/3, iter = 0)`` (``plot.lm``'s smoother for a glm): sorted x, smoothed y.

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.plots import lowess_line
    >>> xs, ys = lowess_line(np.arange(10.0), 2.0 * np.arange(10.0))
    >>> np.allclose(ys, 2.0 * xs)
    True
    """
    try:
        from statsmodels.nonparametric.smoothers_lowess import lowess
    except ImportError as exc:  # pragma: no cover - exercised only without statsmodels
        raise ImportError(
            "The diagnostic plots' lowess smoother comes from statsmodels, which is not installed; "
            "install it with `pip install 'glmkit[plot]'` (or `pip install statsmodels`)."
        ) from exc
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    delta = 0.01 * float(np.ptp(x)) if x.size else 0.0  # R's default delta
    out = lowess(y, x, frac=2.0 / 3.0, it=0, delta=delta, return_sorted=True)
    return out[:, 0], out[:, 1]


@dataclass(frozen=True)
class _Quantities:
    eta: np.ndarray
    resid: np.ndarray
    rstd: np.ndarray
    hat: np.ndarray
    cooks: np.ndarray
    labels: np.ndarray
    rank: int


def _quantities(result: Any) -> _Quantities:
    return _Quantities(
        eta=result.linear_predictor.to_numpy(dtype=float),
        resid=result.residuals("pearson").to_numpy(dtype=float),
        rstd=result.standardized_residuals("pearson").to_numpy(dtype=float),
        hat=result.hat_values().to_numpy(dtype=float),
        cooks=result.cooks_distance().to_numpy(dtype=float),
        labels=np.asarray([str(i) for i in result.index]),
        rank=int(result.rank),
    )


def plot_diagnostics(result: Any, axes: Any = None) -> Any:
    """Draw the four diagnostic panels of a fit into ``axes`` (a 2×2 array, or new pyplot axes).

    Parameters
    ----------
    result : GLMResult
    axes : array of 4 matplotlib Axes, optional

    Returns
    -------
    ndarray of Axes, shape (2, 2)

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.plots import plot_diagnostics
    >>> from glmkit.plots._base import new_figure
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> fig, axes = new_figure(2, 2)
    >>> [ax.get_title() for ax in plot_diagnostics(fit, axes).ravel()][:2]
    ['Residuals vs Fitted', 'Normal Q-Q']
    """
    if axes is None:
        from ._base import require_matplotlib

        require_matplotlib()
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(2, 2, figsize=(8.4, 8.0), layout="constrained")
    axes = np.asarray(axes).reshape(2, 2)
    q = _quantities(result)
    _residuals_vs_fitted(axes[0, 0], q)
    _normal_qq(axes[0, 1], q)
    _scale_location(axes[1, 0], q)
    _residuals_vs_leverage(axes[1, 1], q)
    return axes


def _extremes(score: np.ndarray, k: int = 3) -> np.ndarray:
    return np.argsort(-np.nan_to_num(score, nan=-np.inf), kind="stable")[:k]


def _residuals_vs_fitted(ax: Any, q: _Quantities) -> None:
    ok = np.isfinite(q.rstd)
    ax.scatter(q.eta[ok], q.resid[ok], **_POINTS)
    ax.axhline(0.0, color="0.5", linestyle=":", linewidth=1)
    _smooth(ax, q.eta[ok], q.resid[ok])
    ax.margins(y=0.08)
    idx = _extremes(np.where(ok, np.abs(q.resid), np.nan))
    _label_points(ax, q.eta[idx], q.resid[idx], q.labels[idx])
    ax.set(xlabel="Predicted values (linear predictor)", ylabel="Pearson residuals", title="Residuals vs Fitted")


def _normal_qq(ax: Any, q: _Quantities) -> None:
    from scipy import stats

    ok = np.isfinite(q.rstd)
    r = q.rstd[ok]
    order = np.argsort(r, kind="stable")
    n = r.size
    a = 3.0 / 8.0 if n <= 10 else 0.5  # R's ppoints
    theo = stats.norm.ppf((np.arange(1, n + 1) - a) / (n + 1 - 2 * a))
    ax.scatter(theo, r[order], **_POINTS)
    if n:
        quart = np.quantile(r, [0.25, 0.75])
        t = stats.norm.ppf([0.25, 0.75])
        slope = (quart[1] - quart[0]) / (t[1] - t[0])
        ax.axline((t[0], quart[0]), slope=slope, color="0.5", linestyle=":", linewidth=1)
        ax.margins(y=0.08)
        idx = _extremes(np.abs(r[order]))
        _label_points(ax, theo[idx], r[order][idx], q.labels[ok][order][idx])
    ax.set(xlabel="Theoretical quantiles", ylabel="Std. Pearson resid.", title="Normal Q-Q")


def _scale_location(ax: Any, q: _Quantities) -> None:
    ok = np.isfinite(q.rstd)
    root = np.sqrt(np.abs(q.rstd))
    ax.scatter(q.eta[ok], root[ok], **_POINTS)
    _smooth(ax, q.eta[ok], root[ok])
    ax.set_ylim(0.0, 1.08 * float(np.max(root[ok])) if ok.any() else 1.0)
    idx = _extremes(np.where(ok, root, np.nan))
    _label_points(ax, q.eta[idx], root[idx], q.labels[idx])
    ax.set(xlabel="Predicted values (linear predictor)", ylabel="√|Std. Pearson resid.|", title="Scale-Location")


def _residuals_vs_leverage(ax: Any, q: _Quantities) -> None:
    ok = np.isfinite(q.rstd) & np.isfinite(q.hat) & (q.hat < 1)
    h, r = q.hat[ok], q.rstd[ok]
    ax.scatter(h, r, **_POINTS)
    ax.axhline(0.0, color="0.5", linestyle=":", linewidth=1)
    ax.axvline(0.0, color="0.5", linestyle=":", linewidth=1)
    _smooth(ax, h, r)
    if h.size:
        span = float(np.ptp(r)) or 1.0
        ax.set_ylim(float(np.min(r)) - 0.08 * span, float(np.max(r)) + 0.08 * span)
        ax.set_xlim(0.0, 1.04 * float(np.max(h)))
        _cook_contours(ax, h, q.rank)
    idx = _extremes(np.where(ok, q.cooks, np.nan))
    _label_points(ax, q.hat[idx], q.rstd[idx], q.labels[idx])
    ax.set(xlabel="Leverage", ylabel="Std. Pearson resid.", title="Residuals vs Leverage")


def _cook_contours(ax: Any, hat: np.ndarray, rank: int) -> list[float]:
    """Draw the Cook's-distance levels that reach into the panel; return the levels drawn."""
    lo_y, hi_y = ax.get_ylim()
    x_end = ax.get_xlim()[1]
    hh = np.linspace(min(float(np.min(hat)), float(np.max(hat)) / 100.0), x_end, 101)
    hh = hh[hh > 0]
    drawn = []
    for level in _COOK_LEVELS:
        curve = np.sqrt(level * rank * (1.0 - hh) / hh)
        if not np.any(curve < hi_y) and not np.any(-curve > lo_y):
            continue  # entirely outside the panel: not drawn, not in the legend
        for sign in (1.0, -1.0):
            ax.plot(hh, sign * curve, color="C3", linestyle="--", linewidth=1, gid=f"cook_{level:g}",
                    label="Cook's distance" if not drawn and sign > 0 else None)
            y_end = sign * curve[-1]
            if lo_y < y_end < hi_y:
                ax.annotate(f"{level:g}", (1.0, y_end), xycoords=("axes fraction", "data"), xytext=(2, 0),
                            textcoords="offset points", va="center", ha="left", fontsize=_LABEL_SIZE, color="C3")
        drawn.append(level)
    ax.set_ylim(lo_y, hi_y)
    ax.set_xlim(right=x_end)
    if drawn:
        ax.legend(loc="lower left", fontsize=_LABEL_SIZE, frameon=False, handlelength=2.0)
    return drawn


def _smooth(ax: Any, x: np.ndarray, y: np.ndarray) -> None:
    if x.size < 3 or np.ptp(x) == 0:
        return
    xs, ys = lowess_line(x, y)
    ax.plot(xs, ys, **_SMOOTH)


def _label_points(ax: Any, x: np.ndarray, y: np.ndarray, labels: np.ndarray) -> None:
    """Label points as R's ``text.id`` does, then move labels apart where their boxes would meet.

    A label sits beside its point (right in the left half of the x range, left in the right
    half). Boxes are estimated from the font size in display units at the axes' current
    size; overlapping ones are pushed apart vertically, the lower one down.
    """
    keep = np.isfinite(x) & np.isfinite(y)
    x, y, labels = x[keep], y[keep], labels[keep]
    if not x.size:
        return
    lo, hi = ax.get_xlim()
    right = x <= (lo + hi) / 2.0
    scale = ax.figure.dpi / 72.0  # display pixels per point
    pts = ax.transData.transform(np.column_stack([x, y])) / scale  # in points
    height = 1.25 * _LABEL_SIZE
    widths = np.array([0.62 * _LABEL_SIZE * len(s) for s in labels])
    left_edge = np.where(right, pts[:, 0] + 4.0, pts[:, 0] - 4.0 - widths)
    dy = np.zeros(x.size)
    for i in np.argsort(-pts[:, 1], kind="stable"):  # from the top down
        for j in range(x.size):
            if j == i or pts[j, 1] < pts[i, 1] or (pts[j, 1] == pts[i, 1] and j > i):
                continue  # only labels above (already placed) push this one
            overlap_x = left_edge[i] < left_edge[j] + widths[j] and left_edge[j] < left_edge[i] + widths[i]
            gap = (pts[j, 1] + dy[j]) - (pts[i, 1] + dy[i])
            if overlap_x and gap < height:
                dy[i] -= height - gap
    for k in range(x.size):
        ax.annotate(labels[k], (x[k], y[k]), xytext=(4.0 if right[k] else -4.0, dy[k]), textcoords="offset points",
                    ha="left" if right[k] else "right", va="center", fontsize=_LABEL_SIZE, gid="point_label",
                    arrowprops=None)


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
