"""Starting values: R's ``mustart`` and its first weighted least-squares step.

Every fit starts here (plain, penalised, paths, the null model, refits): the start from
η₀ = g(``mustart``), and the intercept-only start where that one is invalid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..families import Family
from ..objective import Objective
from ..solvers import solve_spd
from .aliasing import clearly_full_rank, full_rank_factor

__all__ = ["StartSystem", "start_system", "start_coef", "valid_start_eta", "intercept_only_coef",
           "NO_VALID_START"]

Array = NDArray[np.floating]

SAMPLED_START_MIN_COLUMNS = 10  # a sampled start Gram pays only when the Gram (∝ p²) dominates the pass
NO_VALID_START = (
    "cannot find valid starting values for this family and link (the means implied by "
    "the data are outside the link's range); pass start= coefficients."
)


@dataclass(frozen=True)
class StartSystem:
    """The normal equations of R's first IRLS step, and what they prove about the rank.

    ``gram`` is XᵀW₀X, or on large data an estimate of it from a sample of the rows
    (``exact`` False), which still proves full rank when its Cholesky pivots, scaled by
    the exact diagonal, are all large (``clearly_full_rank``).
    """

    gram: Array
    rhs: Array
    exact: bool
    clearly_full_rank: bool
    factor: tuple[Array, Array] | None = None  # equilibrated Cholesky of an exact, full-rank gram


def start_system(objective: Objective, eta0: Array) -> StartSystem:
    """The normal equations of R's first IRLS iteration from η₀ = g(``mustart``).

    (XᵀW₀X) β = XᵀW₀(z₀ − offset) with W₀ the Fisher weights and z₀ the working response
    at η₀; their solution is the starting β.
    """
    terms = objective.terms_at(eta0, "expected")
    if terms is None:
        raise InputError("the starting linear predictor is outside the link's domain; pass start= coefficients.")
    h, g = terms.hessian, terms.gradient
    v = h * (eta0 - objective.offset) - g
    design = objective.design
    sample = objective.gram_sample()
    if sample > 1 and objective.loss.fisher_weights_vary and design.shape[1] > SAMPLED_START_MIN_COLUMNS:
        # On large data a start needs no exact XᵀW₀X: a sample of the rows gives it, and
        # (with the exact diagonal) usually proves that no column is aliased.
        sampled = design.sampled_sandwich_and_rmatvec(h, v, sample)
        if sampled is not None:
            estimate, rhs, diagonal, fraction = sampled
            if clearly_full_rank(estimate * fraction, diagonal):
                return StartSystem(estimate, rhs, exact=False, clearly_full_rank=True)
    # One pass over X; the objective keeps XᵀW₀X, which the first iteration reuses where
    # the Fisher weights do not depend on β (Gamma–log, Gaussian–identity).
    gram, rhs = objective.weighted_gram(h, v)
    factor = full_rank_factor(gram)
    return StartSystem(gram, rhs, exact=True, clearly_full_rank=factor is not None, factor=factor)


def start_coef(objective: Objective, eta0: Array) -> Array:
    """One weighted least-squares step from η₀ (R's first IRLS iteration from ``mustart``)."""
    system = start_system(objective, eta0)
    return solve_spd(system.gram, system.rhs)


def valid_start_eta(family: Family, y: Array, weights: Array) -> Array | None:
    """η₀ = g(``mustart``), or g(mustart of the mean) where that is invalid; None if neither is valid.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> valid_start_eta(gk.Poisson(), np.array([0.0, 2.0]), np.ones(2)).round(4).tolist()
    [-2.3026, 0.7419]
    """
    link = family.link
    for mu0 in (lambda: family.starting_mu(y, weights), lambda: np.full_like(y, _start_mean(family, y, weights))):
        with np.errstate(all="ignore"):
            eta0 = link.link(mu0())
        if link.valid_eta(eta0) and family.valid_mu(link.inverse(eta0)):
            return eta0
    return None


def _start_mean(family: Family, y: Array, weights: Array) -> float:
    mean = float(np.sum(weights * y) / np.sum(weights))
    return float(family.starting_mu(np.array([mean]), np.array([1.0]))[0])


def intercept_only_coef(family: Family, y: Array, weights: Array, n_features: int,
                        intercept_index: int | None) -> Array:
    """Zeros, with the intercept (if any) at g(mustart of the weighted mean) where that is finite.

    The start of penalised fits and paths, and the fallback of plain fits.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> intercept_only_coef(gk.Poisson(), np.array([1.0, 3.0]), np.ones(2), 2, 0).round(4).tolist()
    [0.7419, 0.0]
    """
    coef = np.zeros(n_features)
    if intercept_index is not None:
        with np.errstate(all="ignore"):
            b0 = float(family.link.link(np.array(_start_mean(family, y, weights))))
        if np.isfinite(b0):
            coef[intercept_index] = b0
    return coef
