"""Plots of fits and solvers (needs matplotlib: ``pip install 'glmkit[plot]'``).

Axes-level functions (``plot_*``) draw into a given ``ax`` (or a new pyplot figure);
figure-level functions (``*_figure``) return a pyplot-free Figure to save.
"""

from .coefficients import coefficient_figure, plot_coefficients
from .convergence import convergence_figure, plot_convergence
from .cv import plot_cv
from .diagnostics import diagnostic_figure, lowess_line, plot_diagnostics
from .effects import effect_figure, plot_effects
from .forest import forest_figure, plot_forest
from .path import plot_path

__all__ = [
    "plot_coefficients",
    "coefficient_figure",
    "plot_convergence",
    "convergence_figure",
    "plot_diagnostics",
    "diagnostic_figure",
    "lowess_line",
    "plot_path",
    "plot_cv",
    "plot_forest",
    "forest_figure",
    "plot_effects",
    "effect_figure",
]
