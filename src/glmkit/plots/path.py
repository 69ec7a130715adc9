"""Coefficient paths of a penalised fit (glmnet's ``plot.glmnet``)."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np

from ..errors import InputError

__all__ = ["plot_path"]


def plot_path(path: Any, ax: Any = None, xvar: Literal["alpha", "l1_norm", "dev_ratio"] = "alpha",
              label: bool = True) -> Any:
    """Coefficient paths of a :class:`~glmkit.PathResult`, the intercept left out.

    Parameters
    ----------
    path : PathResult
    ax : matplotlib Axes, optional
    xvar : {"alpha", "l1_norm", "dev_ratio"}
        x axis: log α (decreasing to the right), the L1 norm of the coefficients, or
        the deviance ratio.
    label : bool
        Name the lines at their right end.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> path = gk.glm_path(X, X[:, 0] + rng.normal(size=200), n_alphas=5, progress=False)
    >>> plot_path(path, xvar="l1_norm").get_xlabel()
    'L1 norm of the coefficients'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    feats = path.problem.feature_index
    coefs = path.coef_path[:, feats]
    if xvar == "alpha":
        x = path.alphas
        ax.set_xscale("log")
        ax.invert_xaxis()
        ax.set_xlabel("α (log scale)")
    elif xvar == "l1_norm":
        x = np.abs(coefs).sum(axis=1)
        ax.set_xlabel("L1 norm of the coefficients")
    elif xvar == "dev_ratio":
        x = path.dev_ratio
        ax.set_xlabel("fraction of deviance explained")
    else:
        raise InputError(f"xvar must be 'alpha', 'l1_norm' or 'dev_ratio'; got {xvar!r}.")
    names = [path.names[j] for j in feats]
    for k, name in enumerate(names):
        (line,) = ax.plot(x, coefs[:, k], lw=1.2)
        if label and coefs[-1, k] != 0:
            ax.annotate(name, (x[-1], coefs[-1, k]), fontsize=7, color=line.get_color(),
                        xytext=(2, 0), textcoords="offset points", va="center")
    ax.axhline(0.0, color="0.6", lw=0.6)
    ax.set_ylabel("coefficient")
    ax.set_title(f"{path.problem.family.name} path, l1_ratio = {path.l1_ratio:g}")
    return ax

