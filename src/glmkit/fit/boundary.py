"""Separation: fitted means at the family's boundary, reported as R does, naming the terms.

Where the maximum-likelihood estimate does not exist (binomial fitted probabilities
reaching 0 or 1, Poisson means reaching 0 with diverging coefficients) the fit warns with
a :class:`~glmkit.errors.SeparationWarning` that names the diverging terms.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..errors import NumericalWarning, SeparationWarning
from ..families import Family
from ..objective import Objective
from ..solvers import solve_spd

__all__ = ["warn_boundary"]

Array = NDArray[np.floating]

FINITE_MLE_STEP = 1e-6  # a Newton step (in η per unit column spread) below which no coefficient diverges
NAMING_LIMIT = 2_000  # columns above which the diverging terms are not named (a p × p solve)


def warn_boundary(family: Family, mu: Array, weights: Array, objective: Objective, coef: Array,
                  names: list[str]) -> None:
    """Warn (:class:`~glmkit.errors.SeparationWarning`) when fitted means reach the family's boundary."""
    what = family.boundary_message(mu[weights > 0])
    if what is None:
        return
    suspects = _diverging_terms(objective, coef, names)
    if suspects is None:
        # R warns here too, but the likelihood has a finite maximum: nothing diverges.
        warn(f"{what.split(' (')[0]} at a finite maximum-likelihood estimate (one more Newton step "
             "moves no linear predictor by more than 1e-6): not separation; those fitted values are "
             "at the boundary to machine precision.", NumericalWarning)
        return
    detail = f"; terms with diverging coefficients: {', '.join(suspects)}" if suspects else ""
    warn(
        f"{what}{detail}. Their estimates and standard errors are not meaningful; consider "
        "removing the terms, merging levels or a penalised fit.", SeparationWarning)


def _diverging_terms(objective: Objective, coef: Array, names: list[str]) -> list[str] | None:
    """Terms along which the likelihood keeps rising: the components of one more Newton step.

    Where the MLE does not exist, Newton steps point along the recession direction (the
    combination of columns that separates the data), so its large components, scaled by
    each column's spread, name the diverging terms. None where that step is negligible (a
    finite MLE with some means at the boundary to machine precision).
    """
    if coef.size == 0 or coef.size > NAMING_LIMIT:  # naming needs a p × p solve
        return []
    ev = objective.evaluate(coef, hessian="expected")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        step = solve_spd(ev.hessian, -ev.gradient)
    design = objective.design
    spread = np.sqrt(np.diag(design.sandwich(np.ones(design.shape[0]))) / design.shape[0])
    effect = np.abs(step) * spread
    if not np.all(np.isfinite(effect)):
        return []
    if effect.max() <= FINITE_MLE_STEP:
        return None
    return [names[j] for j in np.flatnonzero(effect >= 0.1 * effect.max())]
