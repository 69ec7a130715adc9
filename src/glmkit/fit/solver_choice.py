"""The solver of a fit: the one place where ``solver="auto"`` is resolved.

Plain fits: the closed form where the loss is quadratic (Gaussian–identity) and no solver
options are given (with options, IRLS, which takes them and needs one step), L-BFGS
(matrix–vector products only) on designs wider than ``WIDE_PROBLEM`` columns, IRLS
otherwise. Penalised fits: coordinate descent, except for a smooth penalty (ridge, no
bounds) on a wide design or one with a factor, where Newton's method avoids the p × p Gram
matrix (by conjugate gradients, or exactly through the factor's diagonal block of XᵀWX).
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError, UnknownNameError
from ..loss import GLMLoss
from ..solvers import ClosedForm, get_solver
from .options import FitOptions

__all__ = ["WIDE_PROBLEM", "plain_solver", "penalized_solver"]

WIDE_PROBLEM = 2_000  # columns above which no dense p × p matrix is formed by "auto"


def _is_auto(solver: Any) -> bool:
    return solver is None or (isinstance(solver, str) and solver == "auto")


def _named(options: FitOptions) -> Any:
    """The solver the user named (built with the options), or the object given (then no options)."""
    settings = options.solver_settings()
    if not isinstance(options.solver, str) and settings:
        raise InputError(
            f"Options ({', '.join(sorted(settings))}) were given together with the solver object "
            f"{options.solver!r}; set them on the object instead, e.g. glmkit.solvers.IRLS(tol=1e-12)."
        )
    return get_solver(options.solver, settings)


def plain_solver(options: FitOptions, loss: GLMLoss, n_features: int, absorbed: bool = False) -> Any:
    """The solver of an unpenalised fit with ``n_features`` non-aliased columns
    (``absorbed``: the design absorbs factors; only a solver that ``absorbs_effects`` fits it).

    Examples
    --------
    >>> import glmkit as gk
    >>> plain_solver(FitOptions(), gk.GLMLoss(gk.Poisson()), 5).name
    'irls'
    """
    if absorbed:
        solver = get_solver("irls", options.solver_settings()) if _is_auto(options.solver) else _named(options)
        if not solver.absorbs_effects:
            raise InputError(f"The {solver.name} solver cannot fit a model with absorbed factors (fixed effects "
                             "after '|' or absorb=); use solver='auto' or 'irls'.")
        return solver
    if not _is_auto(options.solver):
        return _named(options)
    settings = options.solver_settings()
    if n_features > WIDE_PROBLEM:
        return get_solver("lbfgs", settings)
    if loss.is_quadratic and not options.solver_options:  # (solver options are IRLS's then)
        return ClosedForm()
    return get_solver("irls", settings)


def penalized_solver(options: FitOptions, n_features: int, smooth: bool, structured: bool) -> Any:
    """The solver of a penalised fit (``smooth``: ridge without bounds; ``structured``: a factor).

    Examples
    --------
    >>> penalized_solver(FitOptions(), 10, smooth=False, structured=False).name
    'coordinate_descent'
    """
    if _is_auto(options.solver):
        settings = options.solver_settings()
        wide_or_factor = structured or n_features > WIDE_PROBLEM
        return get_solver("newton_cg" if smooth and wide_or_factor else "coordinate_descent", settings)
    solver = _named(options)
    if isinstance(options.solver, str) and not solver.accepts_penalty:
        raise UnknownNameError(
            f"The {solver.name} solver does not handle a penalty; for a penalised fit use 'auto', 'cd', "
            "'newton_cg', 'proximal', or a solver object with solve(objective, start, penalty)."
        )
    return solver
