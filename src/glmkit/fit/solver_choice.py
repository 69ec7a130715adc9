"""The solver of a fit: the one place where ``solver="auto"`` is resolved.

Plain fits: the closed form where the loss is quadratic (Gaussian–identity), L-BFGS
(matrix–vector products only) on designs wider than ``WIDE_PROBLEM`` columns, IRLS
otherwise. Penalised fits: coordinate descent, except for a smooth penalty (ridge, no
bounds) on a wide design or one with a factor, where Newton's method avoids the p × p Gram
matrix (by conjugate gradients, or exactly through the factor's diagonal block of XᵀWX).
"""

from __future__ import annotations

from typing import Any

from ..errors import UnknownNameError
from ..loss import GLMLoss
from ..solvers import ClosedForm, get_solver
from ..solvers.coordinate_descent import CoordinateDescent
from ..solvers.proximal import NewtonCG, ProximalGradient
from .options import FitOptions

__all__ = ["WIDE_PROBLEM", "plain_solver", "penalized_solver"]

WIDE_PROBLEM = 2_000  # columns above which no dense p × p matrix is formed by "auto"

_PENALIZED = {"cd": CoordinateDescent, "coordinate_descent": CoordinateDescent, "newton_cg": NewtonCG,
              "proximal": ProximalGradient, "fista": ProximalGradient}


def _is_auto(solver: Any) -> bool:
    return solver is None or (isinstance(solver, str) and solver == "auto")


def plain_solver(options: FitOptions, loss: GLMLoss, n_features: int) -> Any:
    """The solver of an unpenalised fit with ``n_features`` non-aliased columns.

    Examples
    --------
    >>> import glmkit as gk
    >>> plain_solver(FitOptions(), gk.GLMLoss(gk.Poisson()), 5).name
    'irls'
    """
    settings = options.solver_settings()
    if _is_auto(options.solver):
        if n_features > WIDE_PROBLEM:
            return get_solver("lbfgs", **settings)
        if loss.is_quadratic:
            return ClosedForm()
        return get_solver("irls", **settings)
    return get_solver(options.solver, **settings)


def penalized_solver(options: FitOptions, n_features: int, smooth: bool, structured: bool) -> Any:
    """The solver of a penalised fit (``smooth``: ridge without bounds; ``structured``: a factor).

    Examples
    --------
    >>> penalized_solver(FitOptions(), 10, smooth=False, structured=False).name
    'coordinate_descent'
    """
    settings = options.solver_settings()
    if _is_auto(options.solver):
        wide_or_factor = structured or n_features > WIDE_PROBLEM
        return (NewtonCG if smooth and wide_or_factor else CoordinateDescent)(**settings)
    if isinstance(options.solver, str):
        if options.solver not in _PENALIZED:
            raise UnknownNameError(
                f"Unknown solver {options.solver!r} for a penalised fit; valid: 'auto', 'cd', 'newton_cg', "
                "'proximal', or a solver object with solve(objective, start, penalty)."
            )
        return _PENALIZED[options.solver](**settings)
    if not callable(getattr(options.solver, "solve", None)):
        raise UnknownNameError(f"{options.solver!r} is not a solver: it has no solve(objective, start, penalty) method.")
    return options.solver
