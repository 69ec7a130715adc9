"""One pass over X per solver step: Xd, f, ∇f and (optionally) XᵀWX at η + Xd.

Design note
-----------
On large data the proximal-Newton solver is limited by memory bandwidth, not by
arithmetic: ``matvec`` (for the line search), ``rmatvec`` (the gradient) and ``sandwich``
(the Fisher information) each stream X from memory. Where the design offers it
(``Design.one_pass_steps``: a dense design on enough rows), the three share one read
(:meth:`~glmkit.objective.Objective.evaluate_step`, which the design carries out with
``step_in_blocks``).

The pass assumes the full step (t = 1) is accepted, which is what happens near the
solution and for canonical links; when the line search rejects it, the solver falls back to
backtracking along the stored Xd and an ordinary gradient evaluation. Everything the pass
computes is what ``Objective.evaluate`` and ``Design.sandwich`` would return — only the
order of the floating-point sums differs.

This module only holds the working-set bookkeeping: a "compact" evaluator works on an
objective whose design is a contiguous copy of a few columns (``select_columns``), so
that each pass reads only them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..objective import StepEvaluation
from ._base import Array

__all__ = ["CompactCopy", "FusedEvaluator"]


class FusedEvaluator:
    """Evaluate steps of an :class:`~glmkit.objective.Objective` in one pass over X each.

    Parameters
    ----------
    objective : Objective
        One whose design offers one-pass steps; see :meth:`applicable`.
    columns : ndarray of int, optional
        Work on these design columns only (sorted; the intercept is column 0 of a design
        with an intercept): the design is restricted to them (for a dense design, one
        contiguous copy), so that each pass reads only them — the working set of a sparse
        fit is a small part of X. Steps must then be zero outside ``columns``, and
        gradients and Grams come back over them.
    """

    def __init__(self, objective: Any, columns: NDArray[np.intp] | None = None) -> None:
        self.obj = objective  # the full objective (a compact copy is only valid for it)
        if columns is None:
            self.columns = np.arange(objective.n_features)
            self._target = objective
        else:
            self.columns = np.asarray(columns, dtype=np.intp)
            self._target = objective.with_design(objective.design.select_columns(self.columns))

    @staticmethod
    def applicable(objective: Any) -> bool:
        """Whether the objective's design evaluates a step in one pass."""
        return bool(objective.one_pass_steps)

    def gram(self, weights: Array) -> Array:
        """XᵀWX over the evaluator's columns."""
        return self._target.design.sandwich(weights)

    def step(self, d: Array, eta: Array, hess_idx: NDArray[np.intp] | None) -> StepEvaluation:
        """Xd, and f, ∇f (and the Gram over ``hess_idx``, sorted positions among the
        evaluator's columns) at η + Xd; ``d`` is over the evaluator's columns."""
        return self._target.evaluate_step(d, eta, hess_idx)  # type: ignore[no-any-return]


class CompactCopy:
    """A compact copy of working-set columns passed from one fit of a path to the next.

    The next solve :meth:`take` s it, so that when it needs other columns the old copy is
    freed before the new one is gathered (two copies would double the memory they cost).
    """

    __slots__ = ("_evaluator",)

    def __init__(self, evaluator: Any) -> None:
        self._evaluator = evaluator

    def take(self) -> Any:
        """The copy (None once taken)."""
        evaluator, self._evaluator = self._evaluator, None
        return evaluator
