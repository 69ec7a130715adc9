"""What the plot modules share: the matplotlib import and conversion of inputs.

matplotlib is an optional dependency (the ``[plot]`` extra), imported only here. Figures
are built as :class:`matplotlib.figure.Figure` objects, not through pyplot, so making
one changes no global state, needs no display and leaks nothing when it is dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError

__all__ = ["require_matplotlib", "new_figure", "new_axes", "as_coef", "as_history"]


def require_matplotlib() -> Any:
    """The matplotlib module, or an ImportError that says how to install it."""
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "glmkit.plots needs matplotlib, which is not installed; install it with "
            "`pip install 'glmkit[plot]'` (or `pip install matplotlib`)."
        ) from exc
    return matplotlib


def new_figure(nrows: int, ncols: int, *, panel_size: tuple[float, float] = (4.2, 4.0), **kwargs: Any):  # type: ignore[no-untyped-def]
    """A pyplot-free Figure holding an nrows × ncols grid of axes (returned as a 2-D array)."""
    require_matplotlib()
    from matplotlib.figure import Figure

    fig = Figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


def new_axes():  # type: ignore[no-untyped-def]
    """Axes on a new pyplot figure (for interactive use when no ``ax`` is given)."""
    require_matplotlib()
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    return ax


def as_coef(estimate: Any) -> NDArray[np.float64]:
    """Coefficients from an array, a GLMResult or a SolverResult (anything with ``.coef``)."""
    values = getattr(estimate, "coef", estimate)
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    return np.asarray(values, dtype=float).ravel()


def as_history(source: Any) -> Sequence[Any]:
    """Iteration records from a sequence of them or from anything with ``.history``."""
    history = getattr(source, "history", source)
    records = list(history)
    if not records:
        raise InputError(
            "No iteration history to plot: fit with record_history=True "
            "(e.g. gk.glm_fit(X, y, solver='gd', record_history=True))."
        )
    return records
