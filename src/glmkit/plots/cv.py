"""The cross-validation curve of a penalised fit (glmnet's ``plot.cv.glmnet``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["plot_cv"]


def plot_cv(cv: Any, ax: Any = None) -> Any:
    """The CV curve of a :class:`~glmkit.CVResult`: error ± 1 SE against log α, with the
    chosen α marked and the number of non-zero coefficients on the top axis.

    Parameters
    ----------
    cv : CVResult
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> cv = gk.cv_glm(X, X[:, 0] + rng.normal(size=200), n_alphas=5, n_folds=3, seed=0, progress=False)
    >>> plot_cv(cv).get_xlabel()
    'α (log scale)'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    a = cv.alphas
    ax.errorbar(a, cv.cv_mean, yerr=cv.cv_se, fmt="o", ms=3, color="tab:red", ecolor="0.6",
                elinewidth=0.8, capsize=2, label="penalised")
    if cv.cv_mean_relaxed is not None:
        ax.plot(a, cv.cv_mean_relaxed, "s-", ms=2.5, lw=0.8, color="tab:blue", label="relaxed")
        ax.legend(fontsize=8)
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.axvline(cv.alpha_min, ls="--", color="0.3", lw=0.8)
    ax.axvline(cv.alpha_1se, ls=":", color="0.3", lw=0.8)
    ax.set_xlabel("α (log scale)")
    ax.set_ylabel(f"CV {cv.measure} ({cv.n_folds} folds)")
    top = ax.twiny()
    top.set_xscale("log")
    top.set_xlim(ax.get_xlim())
    ticks = np.unique(np.linspace(0, a.size - 1, min(8, a.size)).round().astype(int))
    top.set_xticks(a[ticks])
    top.set_xticklabels([str(int(d)) for d in cv.path.df[ticks]], fontsize=8)
    top.minorticks_off()
    top.set_xlabel("non-zero coefficients", fontsize=8)
    return ax

