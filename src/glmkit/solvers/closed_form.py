"""Closed form for a quadratic objective (Gaussian errors, identity link).

The normal equations (XᵀWX) β = XᵀW(y − offset), solved as one Newton step from the start
followed by one refinement step (which removes the rounding error of the first solve).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ._base import Array, SolverResult, solve_spd

__all__ = ["ClosedForm"]


@dataclass(frozen=True)
class ClosedForm:
    """Weighted least squares in one solve (valid only for a quadratic objective).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), np.arange(4.0)])
    >>> fit = gk.glm_fit(X[:, 1:], [3.0, 3.5, 4.0, 4.5], solver="closed_form")
    >>> fit.coef.round(6).tolist()
    [3.0, 0.5]
    """

    name: ClassVar[str] = "closed_form"
    accepts_penalty: ClassVar[bool] = False
    newton_type: ClassVar[bool] = False
    absorbs_effects: ClassVar[bool] = False

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        """Two Newton steps from ``start``: exact for the Gaussian family with identity link.

        On any other loss the result is not a minimiser and is reported as not converged
        (use ``"irls"``).

        Examples
        --------
        >>> X = np.column_stack([np.ones(4), np.arange(4.0)])
        >>> objective = gk.build_objective(X, [3.0, 3.5, 4.0, 4.5])
        >>> gk.solvers.ClosedForm().solve(objective, np.zeros(2)).coef.round(6).tolist()
        [3.0, 0.5]
        """
        coef = np.array(start, dtype=float, copy=True)
        ev = objective.evaluate(coef, hessian="expected")
        hess = ev.hessian
        for _ in range(2):
            coef = coef + solve_spd(hess, -ev.gradient)
            ev = objective.evaluate(coef, hessian=None)
        if not objective.is_quadratic:
            return SolverResult(coef, False, 1, ev.value, "the closed form solves a quadratic loss (Gaussian with "
                                "the identity link) only; use solver='irls' for this family and link")
        return SolverResult(coef, True, 1, ev.value, "closed form")
