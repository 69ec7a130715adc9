"""Fitting a problem: options, aliasing, start values, solver choice, the null model.

The fit layer turns a validated :class:`~glmkit.problem.Problem` into a
:class:`FittedModel` (plain fits) and provides the pieces penalised fits share with it:
start values, the null deviance and the choice of solver.
"""

from .aliasing import detect_aliased
from .model import FittedModel, fit_model
from .null import null_deviance
from .options import FitOptions
from .solver_choice import WIDE_PROBLEM, penalized_solver, plain_solver

__all__ = ["FitOptions", "FittedModel", "WIDE_PROBLEM", "detect_aliased", "fit_model", "null_deviance",
           "penalized_solver", "plain_solver"]
