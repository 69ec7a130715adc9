"""Solvers: one file each; ``solve(objective, start) -> SolverResult``."""

from __future__ import annotations

from ..errors import UnknownNameError
from ._base import IterationRecord, Solver, SolverResult, solve_spd
from .closed_form import ClosedForm
from .gradient_descent import GradientDescent
from .irls import IRLS
from .lbfgs import LBFGS
from .newton import Newton

__all__ = [
    "Solver",
    "SolverResult",
    "IterationRecord",
    "IRLS",
    "Newton",
    "LBFGS",
    "GradientDescent",
    "ClosedForm",
    "SOLVERS",
    "get_solver",
    "solve_spd",
]

SOLVERS = {"irls": IRLS, "newton": Newton, "lbfgs": LBFGS, "gd": GradientDescent, "closed_form": ClosedForm}


def get_solver(solver: str | Solver, **options) -> Solver:  # type: ignore[no-untyped-def]
    """A solver object from its name and options, or the object itself."""
    if isinstance(solver, str):
        key = solver.lower().replace("-", "_")
        if key == "gradient_descent":
            key = "gd"
        if key not in SOLVERS:
            raise UnknownNameError(
                f"Unknown solver {solver!r}. Valid names: auto, {', '.join(SOLVERS)}; "
                "or pass a solver object such as glmkit.solvers.IRLS(tol=1e-12)."
            )
        cls = SOLVERS[key]
        fields = set(getattr(cls, "__dataclass_fields__", {})) - {"name"}
        given = {k: v for k, v in options.items() if v is not None}
        unknown = sorted(set(given) - fields - ({"tol", "max_iter"} if key == "closed_form" else set()))
        if unknown:
            raise UnknownNameError(
                f"The {key} solver has no option(s) {', '.join(unknown)}; its options are: "
                f"{', '.join(sorted(fields)) or 'none'}."
            )
        return cls(**{k: v for k, v in given.items() if k in fields})
    if not callable(getattr(solver, "solve", None)):
        raise UnknownNameError(f"{solver!r} is not a solver: it has no solve(objective, start) method.")
    return solver
