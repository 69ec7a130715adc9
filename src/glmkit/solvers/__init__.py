"""Solvers: one module each, and one registry of them all.

Unpenalised solvers take ``solve(objective, start) -> SolverResult`` (:class:`Solver`);
penalised ones ``solve(objective, start, penalty, warm=None) -> PenalizedSolverResult``
(:class:`PenalizedSolver`). Every solver class declares its ``name`` and whether it
``accepts_penalty`` as ClassVars. :func:`get_solver` builds any of them from a name and an
options mapping. The "auto" choice is not made here: the fit layer makes it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import InputError, UnknownNameError
from ._base import (IterationRecord, PenalizedSolver, PenalizedSolverResult, Solver, SolverResult, WarmState,
                    solve_spd)
from .closed_form import ClosedForm
from .coordinate_descent import CoordinateDescent
from .gradient_descent import GradientDescent
from .irls import IRLS
from .lbfgs import LBFGS
from .newton import Newton
from .newton_cg import NewtonCG
from .proximal import ProximalGradient

__all__ = [
    "Solver",
    "PenalizedSolver",
    "SolverResult",
    "PenalizedSolverResult",
    "WarmState",
    "IterationRecord",
    "IRLS",
    "Newton",
    "LBFGS",
    "GradientDescent",
    "ClosedForm",
    "CoordinateDescent",
    "NewtonCG",
    "ProximalGradient",
    "REGISTRY",
    "SOLVERS",
    "get_solver",
    "solve_spd",
]

REGISTRY: dict[str, type] = {
    cls.name: cls  # type: ignore[attr-defined]
    for cls in (IRLS, Newton, LBFGS, GradientDescent, ClosedForm, CoordinateDescent, NewtonCG, ProximalGradient)
}
"""Every solver by its canonical name."""

ALIASES = {"gradient_descent": "gd", "cd": "coordinate_descent", "fista": "proximal"}

SOLVERS = {name: cls for name, cls in REGISTRY.items() if not cls.accepts_penalty}  # type: ignore[attr-defined]
"""The unpenalised solvers (kept for old callers; :data:`REGISTRY` holds all)."""

_IGNORED = {"closed_form": {"tol", "max_iter"}}  # accepted and ignored: one solve, no iterations


def get_solver(solver: str | Any, options: Mapping[str, Any] | None = None, **keyword_options: Any) -> Any:
    """A solver object from its name and options, or the object itself.

    Parameters
    ----------
    solver : str or solver object
        A name in :data:`REGISTRY` or an alias (``"cd"``, ``"fista"``,
        ``"gradient_descent"``; case and ``-``/``_`` are ignored), or an object with a
        ``solve`` method, returned as it is (options are then not allowed). ``"auto"`` is
        refused: the fit layer resolves it.
    options : mapping, optional
        Constructor options of the solver; entries whose value is None are dropped (the
        solver's default is used). ``**keyword_options`` are merged in (the old form).

    Raises
    ------
    UnknownNameError
        An unknown name, or options the solver does not have (naming them and the valid ones).

    Examples
    --------
    >>> get_solver("irls", {"tol": 1e-8}).tol
    1e-08
    >>> get_solver("cd").name
    'coordinate_descent'
    """
    given = {k: v for k, v in {**(options or {}), **keyword_options}.items() if v is not None}
    if not isinstance(solver, str):
        if not callable(getattr(solver, "solve", None)):
            raise UnknownNameError(f"{solver!r} is not a solver: it has no solve(objective, start) method.")
        return _checked_limits(solver)
    key = solver.lower().replace("-", "_")
    key = ALIASES.get(key, key)
    if key not in REGISTRY:
        raise UnknownNameError(
            f"Unknown solver {solver!r}. Valid names: {', '.join([*REGISTRY, *ALIASES])}"
            + (" ('auto' is chosen by the fit, not here)" if key == "auto" else "")
            + "; or pass a solver object such as glmkit.solvers.IRLS(tol=1e-12)."
        )
    cls = REGISTRY[key]
    fields = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(given) - fields - _IGNORED.get(key, set()))
    if unknown:
        raise UnknownNameError(
            f"The {key} solver has no option(s) {', '.join(unknown)}; its options are: "
            f"{', '.join(sorted(fields)) or 'none'}."
        )
    return _checked_limits(cls(**{k: v for k, v in given.items() if k in fields}))


def _checked_limits(solver: Any) -> Any:
    """The solver, once its ``tol`` (> 0, finite) and ``max_iter`` (≥ 1) fields are valid.

    R refuses ``epsilon <= 0`` and ``maxit <= 0`` alike: a non-positive tolerance or limit can
    only "converge" by accident, or never.
    """
    if not dataclasses.is_dataclass(solver):
        return solver
    values = {f.name: getattr(solver, f.name) for f in dataclasses.fields(solver) if f.name in ("tol", "max_iter")}
    tol = values.get("tol")
    if tol is not None and not (isinstance(tol, (int, float, np.number)) and not isinstance(tol, bool)
                                and math.isfinite(tol) and tol > 0):
        raise InputError(f"The {solver.name} solver's tol must be a positive finite number; got {tol!r}. "
                         "E.g. tol=1e-10.")
    max_iter = values.get("max_iter")
    if max_iter is not None and (isinstance(max_iter, bool) or not isinstance(max_iter, (int, np.integer))
                                 or max_iter < 1):
        raise InputError(f"The {solver.name} solver's max_iter must be a whole number ≥ 1; got {max_iter!r}.")
    return solver
