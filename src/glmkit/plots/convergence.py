"""The loss (or gradient norm) against iteration for several solvers, on log scales.

The loss is drawn as its excess over the minimum, f(βₖ) − f(β̂), so that linear
convergence (gradient descent) is a straight line and quadratic convergence (IRLS,
Newton) a plunge; iterations are on a symmetric-log axis (linear from 0 to 1, then
logarithmic) because gradient descent takes thousands where IRLS takes a handful.
Values that are 0 (the minimum itself) cannot be drawn on a log axis and are left out;
a dotted line marks the loss's float64 resolution, below which differences are rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np

from ..errors import InputError
from ._base import as_history, new_axes, new_figure

__all__ = ["plot_convergence", "convergence_figure"]

Quantity = Literal["loss", "gradient_norm"]
_LINESTYLES = ("-", "--", "-.", ":")


def plot_convergence(
    histories: Mapping[str, Any],
    *,
    quantity: Quantity = "loss",
    optimum: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """Plot solvers' progress per iteration.

    Parameters
    ----------
    histories : mapping of label to history
        A history is a sequence of :class:`~glmkit.solvers.IterationRecord` or anything with
        a ``.history`` (a GLMResult or SolverResult fitted with ``solver_options={"record_history": True}``);
        the legend quotes its ``.n_iter`` where it has one, else the last iteration recorded.
    quantity : {"loss", "gradient_norm"}, default "loss"
        "loss" draws f(βₖ) − optimum; "gradient_norm" draws ‖∇f(βₖ)‖₂.
    optimum : float, optional
        The loss at the minimum; defaults to the smallest loss in any history.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.plots import convergence_figure
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> fits = {name: gk.glm_fit(X, [1, 2, 2, 4], "poisson", solver=name, solver_options={"record_history": True})
    ...         for name in ("gd", "irls")}
    >>> fig = convergence_figure({"toy Poisson": fits})
    >>> len(fig.axes)
    2
    """
    if quantity not in ("loss", "gradient_norm"):
        raise InputError(f"quantity must be 'loss' or 'gradient_norm'; got {quantity!r}.")
    records = {label: as_history(source) for label, source in histories.items()}
    counts = {label: getattr(source, "n_iter", None) for label, source in histories.items()}
    if ax is None:
        ax = new_axes()
    if quantity == "loss" and optimum is None:
        optimum = min(float(r.loss) for rs in records.values() for r in rs)
    for i, (label, rs) in enumerate(records.items()):
        iterations = np.array([r.iteration for r in rs], dtype=float)
        n_iter = counts[label] if counts[label] is not None else int(iterations.max())
        if quantity == "loss":
            values = np.array([r.loss for r in rs], dtype=float) - float(optimum)  # type: ignore[arg-type]
        else:
            values = np.array([r.gradient_norm for r in rs], dtype=float)
        values = np.where(values > 0, values, np.nan)  # log axis: drop exact zeros and noise
        ax.plot(
            iterations, values, label=f"{label} ({n_iter} it.)",
            color=f"C{i}", linestyle=_LINESTYLES[i % len(_LINESTYLES)],
            marker="o" if len(rs) <= 30 else None, markersize=4, linewidth=1.6,
        )
    if quantity == "loss":
        # differences of the loss below this are rounding, not progress
        floor = np.finfo(float).eps * max(abs(float(optimum)), 1.0)  # type: ignore[arg-type]
        ax.axhline(floor, color="0.6", linestyle=":", linewidth=1.0, label="float64 resolution of the loss")
    ax.set_yscale("log")
    ax.set_xscale("symlog", linthresh=1.0)
    ax.set_xlim(left=0)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss − loss at the MLE" if quantity == "loss" else "gradient norm ‖∇f(β)‖")
    ax.grid(True, which="major", linewidth=0.4, alpha=0.5)
    ax.legend(fontsize="small", framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax


def convergence_figure(
    panels: Mapping[str, Mapping[str, Any]],
    *,
    optima: Mapping[str, float] | None = None,
    quantities: tuple[Quantity, ...] = ("loss", "gradient_norm"),
) -> Any:
    """A grid of :func:`plot_convergence` panels: one column per model, one row per quantity.

    Parameters
    ----------
    panels : mapping of title to a mapping of label to history
    optima : mapping of title to the loss at the minimum, optional
    quantities : tuple of {"loss", "gradient_norm"}, default both

    Returns
    -------
    matplotlib.figure.Figure
        Not attached to pyplot; save it with ``fig.savefig("convergence.png")``.
    """
    if not panels:
        raise InputError("convergence_figure needs at least one panel.")
    fig, axes = new_figure(len(quantities), len(panels), panel_size=(5.2, 3.8))
    for col, (title, histories) in enumerate(panels.items()):
        for row, quantity in enumerate(quantities):
            plot_convergence(
                histories, quantity=quantity, ax=axes[row, col],
                optimum=None if optima is None else optima.get(title),
                title=title if row == 0 else None,
            )
    fig.suptitle("Convergence: gradient descent against IRLS")
    return fig
