"""The parts of a GLM put together by hand: an objective in β from arrays.

``glm`` and ``glm_fit`` validate data, choose start values and a solver and build a
result. To follow the textbook derivation step by step — family, link, loss in η, loss in
β, solver — one wants the objective itself; :func:`build_objective` makes it from a design
matrix and a response in one call, without fitting anything.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import ArrayLike

from .intake.checks import response_weights_offset
from .design import as_design
from .families import Family
from .links import Link
from .loss import GLMLoss
from .objective import Objective

__all__ = ["build_objective"]


def build_objective(
    X: Any,
    y: ArrayLike,
    family: str | Family = "gaussian",
    *,
    link: str | Link | None = None,
    weights: ArrayLike | None = None,
    offset: ArrayLike | None = None,
    intercept: bool = False,
) -> Objective:
    """The negative log-likelihood of a GLM as a function of β, with its derivatives.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix of shape (n_samples, n_columns)
        The design; include a column of ones for the intercept, or pass ``intercept=True``.
    y : array of shape (n_samples,)
        The response (binomial: 0/1 or proportions with ``weights`` = trials).
    family : str or Family, default "gaussian"
    link : str or Link, optional
        Defaults to the family's canonical or usual link.
    weights, offset : array of shape (n_samples,), optional
        Prior weights (default 1) and offset (default 0).
    intercept : bool, default False
        Prepend an implicit intercept column (coefficient 0 of β).

    Returns
    -------
    Objective
        ``value(beta)`` = Σᵢ ℓᵢ(ηᵢ), ``gradient(beta)`` = Xᵀ dℓ/dη and
        ``hessian(beta, kind)`` = Xᵀ diag(d²ℓ/dη²) X, with η = Xβ + offset; ``objective.loss``
        is the :class:`~glmkit.GLMLoss` giving the same per observation in η. Any solver in
        :mod:`glmkit.solvers` minimises it: ``solver.solve(objective, start)``.

    Notes
    -----
    ℓᵢ is the weighted half unit deviance, which differs from the negative log-likelihood
    −log f(yᵢ; μᵢ) only by a term free of η (for the Bernoulli it is equal). The
    gradient and Hessian are therefore exactly those of the negative log-likelihood. No
    check is made beyond shapes and finiteness; the fitting functions do the rest.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> X = np.array([[1.0, -1.0], [1.0, 0.0], [1.0, 1.0]])
    >>> y = np.array([0.0, 1.0, 1.0])
    >>> objective = gk.build_objective(X, y, "binomial")
    >>> beta = np.zeros(2)
    >>> bool(np.isclose(objective.value(beta), 3 * np.log(2)))   # Σ log(1 + e⁰)
    True
    >>> objective.gradient(beta)            # Xᵀ(μ − y) with μ = 1/2
    array([-0.5, -1. ])
    """
    loss = GLMLoss(family, link)
    design = as_design(X, intercept=intercept)
    n = design.shape[0]
    yv, w, off = response_weights_offset(y, weights, offset, n)
    return Objective(loss, design, yv, w, off)
