"""True against estimated coefficients, with the 45° line: did the solvers find β?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ._base import as_coef, new_axes, new_figure

__all__ = ["plot_coefficients", "coefficient_figure"]

# distinct, overlapping-friendly markers: a hollow circle around crosses and pluses
_STYLES = (
    {"marker": "o", "s": 90, "facecolors": "none", "linewidths": 1.4},
    {"marker": "x", "s": 45, "linewidths": 1.4},
    {"marker": "+", "s": 70, "linewidths": 1.4},
    {"marker": "s", "s": 30, "facecolors": "none", "linewidths": 1.2},
    {"marker": "^", "s": 35, "facecolors": "none", "linewidths": 1.2},
)


def plot_coefficients(
    true_coef: ArrayLike,
    estimates: Mapping[str, Any],
    *,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Scatter estimated against true coefficients, one marker style per estimate.

    Parameters
    ----------
    true_coef : array of shape (n_features,)
        The coefficients the data were simulated from.
    estimates : mapping of label to array of shape (n_features,), GLMResult or SolverResult
        Each is drawn as one series; points on the dashed 45° line are exact.
    ax : matplotlib Axes, optional
        Where to draw; a new pyplot figure if omitted.
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.plots import coefficient_figure
    >>> beta = np.array([1.0, -0.5, 0.25])
    >>> fig = coefficient_figure({"toy": (beta, {"exact": beta, "noisy": beta + 0.1})})
    >>> len(fig.axes)
    1
    """
    truth = as_coef(true_coef)
    if ax is None:
        ax = new_axes()
    values = [truth]
    for i, (label, estimate) in enumerate(estimates.items()):
        coef = as_coef(estimate)
        if coef.shape != truth.shape:
            raise InputError(
                f"estimate {label!r} has {coef.size} coefficients but true_coef has {truth.size}."
            )
        style = dict(_STYLES[i % len(_STYLES)])
        color = f"C{i}"
        if style.get("facecolors") == "none":
            style["edgecolors"] = color
        else:
            style["color"] = color
        ax.scatter(truth, coef, label=label, zorder=3 + i, **style)
        values.append(coef)
    finite = np.concatenate([v[np.isfinite(v)] for v in values])
    low, high = float(finite.min()), float(finite.max())
    pad = 0.08 * (high - low or 1.0)
    lims = (low - pad, high + pad)
    ax.plot(lims, lims, linestyle="--", color="0.45", linewidth=1.0, label="45° line (β̂ = β)", zorder=1)
    ax.set_xlim(lims)
    ax.set_ylim(lims)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("true β")
    ax.set_ylabel("estimated β̂")
    ax.grid(True, linewidth=0.4, alpha=0.5)
    ax.legend(loc="upper left", fontsize="small", framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


def coefficient_figure(panels: Mapping[str, tuple[ArrayLike, Mapping[str, Any]]], *, ncols: int | None = None) -> Any:
    """One :func:`plot_coefficients` panel per model.

    Parameters
    ----------
    panels : mapping of title to (true_coef, estimates)
    ncols : int, optional
        Panels per row; all in one row by default.

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with ``fig.savefig("coefficients.png")``.
    """
    n = len(panels)
    if n == 0:
        raise InputError("coefficient_figure needs at least one panel.")
    ncols = ncols or n
    nrows = -(-n // ncols)
    fig, axes = new_figure(nrows, ncols)
    flat: Sequence[Any] = axes.ravel()
    for ax, (title, (truth, estimates)) in zip(flat, panels.items()):
        plot_coefficients(truth, estimates, ax=ax, title=title)
    for ax in flat[n:]:
        ax.set_visible(False)
    fig.suptitle("True against estimated coefficients")
    return fig
