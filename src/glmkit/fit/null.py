"""R's null deviance, computed in one place for every kind of fit.

The null model is the intercept-only model with the offset, or η = offset without an
intercept (R's ``glm.fit``, glmnet's ``nulldev``); penalised fits, paths and CV use the
same value, since the intercept is never penalised.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..design import DenseDesign
from ..loss import GLMLoss
from ..objective import Objective
from ..problem import Problem
from ..solvers import IRLS
from .start import start_coef, valid_start_eta

__all__ = ["null_deviance"]


def null_deviance(problem: Problem, objective: Objective | None = None) -> float:
    """Deviance of the null model of ``problem``.

    Parameters
    ----------
    problem : Problem
    objective : Objective, optional
        The problem's objective, whose cached y-only terms make the no-offset case one
        evaluation.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.problem import problem_from_arrays
    >>> p = problem_from_arrays(np.ones((3, 1)), [1.0, 2.0, 3.0])
    >>> null_deviance(p)   # Σ (y − ȳ)²
    2.0
    """
    if problem.design.absorbed is not None and problem.design.prior_offset is not None:
        # R's glm with factor(): the null model is the intercept-only one, with the model's own offset
        problem = replace(problem, offset=problem.design.prior_offset, intercept_index=0)
    family, y, w, offset = problem.family, problem.y, problem.weights, problem.offset
    link = family.link
    partitioned = problem.design.evaluates_loss  # rows held apart (Dask): per-row maths block by block
    if problem.intercept_index is None:
        if partitioned:
            return 2.0 * problem.objective().value_at_eta(offset)
        return family.deviance(y, link.inverse(offset), w)
    if not problem.has_offset:
        mean = np.sum(w * y) / np.sum(w)
        if objective is not None and objective.loss.family is family:
            # Half the deviance is the loss; the objective has its y-only terms cached.
            with np.errstate(all="ignore"):
                eta = np.full_like(y, float(link.link(np.array(mean))))
            value = objective.value_at_eta(eta)
            if np.isfinite(value):
                return 2.0 * value
        return family.deviance(y, np.full_like(y, mean), w)
    if partitioned:
        intercept_only = problem.design.select_columns(np.array([problem.intercept_index]))
    else:
        intercept_only = DenseDesign(np.empty((y.shape[0], 0)), intercept=True)
    null_objective = Objective(GLMLoss(family), intercept_only, y, w, offset)
    eta0 = valid_start_eta(family, y, w)
    start = start_coef(null_objective, eta0) if eta0 is not None else np.zeros(1)
    res = IRLS().solve(null_objective, start)  # always tight: the user's tol is for the main solver
    if partitioned:
        return 2.0 * null_objective.value(res.coef)
    return family.deviance(y, link.inverse(null_objective.eta(res.coef)), w)
