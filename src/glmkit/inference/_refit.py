"""Refits of a fitted model on a subset of its columns, with an extra offset.

Analysis of deviance, drop1/add1, score tests and profile likelihood all need the same
GLM fitted again with fewer (or other) columns or with one coefficient held fixed through
the offset. They go through :func:`glmkit.fit.fit_model` on a problem derived from the
original one (:meth:`~glmkit.problem.Problem.with_columns`, ``with_offset``) — the same
start values, aliasing detection and solver as the original fit — never a second GLM
implementation, and exactly the data the fit saw.
"""

from __future__ import annotations

import warnings
import numpy as np
from numpy.typing import NDArray

from ..design import Design
from ..errors import AliasingWarning, GLMError, InputError
from ..fit import FitOptions, FittedModel, fit_model
from ..fit.start import start_coef

__all__ = ["refit", "working_quantities", "kept_design", "column", "position_in"]

Array = NDArray[np.floating]


def position_in(columns: NDArray[np.intp] | list[int], index: int | None) -> int | None:
    """Where ``index`` lands among sorted ``columns`` (None if absent)."""
    if index is None:
        return None
    cols = list(np.asarray(columns))
    return cols.index(index) if index in cols else None


def refit(
    model: FittedModel,
    columns: NDArray[np.intp] | list[int],
    *,
    design: Design | None = None,
    extra_offset: Array | None = None,
    start: Array | None = None,
    start_eta: Array | None = None,
    intercept_index: int | None = None,
    quiet_aliasing: bool = True,
) -> FittedModel:
    """Fit the model again on ``columns`` of ``design`` (default: the model's own design).

    Parameters
    ----------
    model : FittedModel
        Supplies y, weights, offset, trials and family.
    columns : sequence of int
        Columns of ``design`` to keep, in order.
    design : Design, optional
        Another design over the same rows (add1 uses the design of a larger formula).
    extra_offset : ndarray of shape (n_samples,), optional
        Added to the model's offset (profile likelihood holds a coefficient fixed this way).
    start : ndarray of shape (len(columns),), optional
    start_eta : ndarray of shape (n_samples,), optional
        Start from this linear predictor instead (R's ``etastart``): the first step is the
        weighted least-squares fit of the working response there, as ``glm.fit`` does.
        Ignored where its mean is invalid.
    intercept_index : int, optional
        Position of the intercept among ``columns`` (None: no intercept in the refit).
    quiet_aliasing : bool, default True
        Silence the aliasing warning (a sub-model of an aliased fit is aliased too).
    """
    if not model.design.refits:
        raise InputError(
            "This fit absorbs factors (fixed effects): a refit of a sub-model here (sequential anova, drop1, "
            "add1, score tests, profile intervals) would hold the effects fixed. Fit the sub-model with "
            "gk.glm and compare the fits with gk.anova(small, large); use Wald intervals.")
    problem = model.problem.with_columns(columns, design=design, intercept_index=intercept_index)
    if extra_offset is not None:
        problem = problem.with_offset(extra_offset)
    if start is None and start_eta is not None:
        start = _start_from_eta(problem, start_eta)
    with warnings.catch_warnings():
        if quiet_aliasing:
            warnings.simplefilter("ignore", AliasingWarning)
        return fit_model(problem, FitOptions(start=start))


def _start_from_eta(problem, eta: Array) -> Array | None:  # type: ignore[no-untyped-def]
    """R's first IRLS step from ``etastart``: coefficients of the refit's columns, or None."""
    fam = problem.family
    if problem.n_features == 0 or not (fam.link.valid_eta(eta) and fam.valid_mu(fam.link.inverse(eta))):
        return None
    try:
        coef = start_coef(problem.objective(), eta)
    except GLMError:
        return None
    return coef if np.all(np.isfinite(coef)) else None


def kept_design(model: FittedModel) -> Design:
    """The design restricted to the non-aliased columns."""
    kept = model.kept
    return model.design if kept.size == model.design.shape[1] else model.design.select_columns(kept)


def column(design: Design, j: int) -> Array:
    """Column j of a design as a dense vector."""
    e = np.zeros(design.shape[1])
    e[j] = 1.0
    return design.matvec(e)


def working_quantities(model: FittedModel) -> tuple[Array, Array]:
    """(working weights, working residuals) at the fit, as R's ``weights(fit, "working")``
    and ``residuals(fit, "working")``: w = prior · (dμ/dη)² / V(μ), r = (y − μ)/(dμ/dη)."""
    fam = model.family
    w, r = model.design.map_row_blocks(lambda eta, mu, y, prior: _working(fam, eta, mu, y, prior),
                                       [model.eta, model.mu, model.y, model.weights], 2)
    return w, r


def _working(fam, eta: Array, mu: Array, y: Array, prior: Array) -> tuple[Array, Array]:  # type: ignore[no-untyped-def]
    d = fam.link.inverse_derivative(eta)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = prior * d * d / fam.variance(mu)
        r = (y - mu) / d
    return np.where(prior > 0, w, 0.0), r

