"""Confidence intervals for the mean and prediction intervals for new observations.

Confidence (the mean μ): η̂ ± q·SE(η̂) on the link scale, mapped through the inverse link
(monotone, so the end points are sorted afterwards). q is the normal quantile where the
dispersion is fixed and the t(df_resid) quantile where it is estimated (for the Gaussian
with identity link that is exactly ``predict.lm(interval = "confidence")``).

Prediction (a new y): the predictive distribution combines the uncertainty of the
estimates with the outcome distribution, by simulation:

1. draw β* ~ N(β̂, Cov(β̂)) (the estimator's normal approximation), and, where φ is
   estimated, φ* = φ̂ · df / χ²_df (its scaled-χ² approximation), ``n_draws`` times;
2. for each draw, μ* = g⁻¹(xβ* + offset) and one y* from the family's distribution with
   mean μ* and dispersion φ*;
3. the interval is the (α/2, 1 − α/2) empirical quantiles of y* (``inverted_cdf``, so a
   discrete outcome gets values it can take, and the interval is closed).

Outcome distributions are each family's ``sample`` method: Gaussian N(μ, φ/w); Poisson;
binomial counts out of ``trials`` (reported as proportions, as glmkit's binomial y); Gamma
with shape w/φ; inverse Gaussian IG(μ, λ = w/φ); negative binomial with the family's θ;
Tweedie with 1 < p < 2 as the compound Poisson–gamma (p = 0, 1, 2, 3 as their special
cases). Quasi-families (and p > 2 other than 3) have no distribution: the default
``Family.sample``, a normal with variance φV(μ)/w, is used, which is only an approximation.
For a discrete outcome any non-randomised interval covers at least the nominal level; the
excess is small once counts are moderate (see ``benchmarks/PREDICTION_COVERAGE.md``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._domain import check_level

from ..design import Design
from ..errors import InputError
from ..families import Family
from ..fit import FittedModel
from .covariance import unscaled_covariance

__all__ = ["confidence_interval", "prediction_interval", "simulate_outcomes"]

Array = NDArray[np.floating]


def _kept_design(design: Design, model: FittedModel) -> Design:
    kept = model.kept
    return design if kept.size == design.shape[1] else design.select_columns(kept)


def confidence_interval(model: FittedModel, design: Design, offset: Array, dispersion: float,
                        estimated: bool, level: float, kind: str) -> tuple[Array, Array, Array]:
    """(fit, lower, upper) for the mean, on the link (``kind="link"``) or response scale."""
    from scipy import stats
    _check_level(level)
    sub = _kept_design(design, model)
    kept = model.kept
    eta = sub.matvec(model.coef[kept]) + offset
    cov = dispersion * unscaled_covariance(model)
    se = np.sqrt(np.maximum(sub.row_quadratic_form(cov), 0.0))
    q = stats.t.ppf(0.5 + level / 2, model.df_resid) if estimated and model.df_resid > 0 else stats.norm.ppf(0.5 + level / 2)
    lo, hi = eta - q * se, eta + q * se
    if kind == "link":
        return eta, lo, hi
    inv = model.family.link.inverse
    a, b = inv(lo), inv(hi)
    return inv(eta), np.minimum(a, b), np.maximum(a, b)


def _check_level(level: float) -> None:
    check_level(level)


def simulate_outcomes(family: Family, mu: Array, dispersion: Array | float, weights: Array, trials: Array | None,
                      rng: np.random.Generator) -> Array:
    """One y per entry of ``mu`` from the family's distribution (shapes broadcast): ``Family.sample``."""
    phi = np.broadcast_to(np.asarray(dispersion, dtype=float), mu.shape)
    w = np.broadcast_to(weights, mu.shape)
    return family.sample(mu, phi, w, trials, rng)


def prediction_interval(
    model: FittedModel,
    design: Design,
    offset: Array,
    dispersion: float,
    estimated: bool,
    level: float = 0.95,
    *,
    weights: Array | None = None,
    trials: Array | None = None,
    n_draws: int = 4000,
    seed: int | None = 0,
    chunk: int = 512,
) -> tuple[Array, Array, Array]:
    """(μ̂, lower, upper) prediction limits for new observations (see the module notes).

    Parameters
    ----------
    model : FittedModel
    design : Design
        Design of the new rows (all columns, as in the fit).
    offset : ndarray of shape (n_new,)
    dispersion : float
    estimated : bool
        Whether φ was estimated (then it is drawn from its scaled-χ² distribution).
    level : float
    weights : ndarray of shape (n_new,), optional
        Prior weights of the new observations (default 1).
    trials : ndarray of shape (n_new,), optional
        Binomial trials of the new observations (default 1).
    n_draws : int
    seed : int or None
    """
    _check_level(level)
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 100:
        raise InputError(f"n_draws must be a whole number ≥ 100 for stable quantiles; got {n_draws!r}.")
    rng = np.random.default_rng(seed)
    sub = _kept_design(design, model)
    kept = model.kept
    n_new = sub.shape[0]
    w = np.ones(n_new) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (n_new,) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        raise InputError(f"weights of new observations must be {n_new} positive finite numbers, one per row; "
                         f"got {np.asarray(weights).ravel()[:5].tolist()}{' ...' if w.size > 5 else ''}.")
    if trials is not None:
        tr_all = np.asarray(trials, dtype=float)
        if tr_all.shape != (n_new,) or not np.all(np.isfinite(tr_all)) or np.any(tr_all < 0) or np.any(
                tr_all != np.round(tr_all)):
            raise InputError(f"trials of new observations must be {n_new} whole numbers ≥ 0, one per row; got "
                             f"{tr_all.ravel()[:5].tolist()}{' ...' if tr_all.size > 5 else ''}.")
    beta = model.coef[kept]
    cov = dispersion * unscaled_covariance(model)
    draws = rng.multivariate_normal(beta, cov, size=n_draws, method="eigh") if beta.size else np.zeros((n_draws, 0))
    if estimated and model.df_resid > 0 and np.isfinite(dispersion):
        phi = dispersion * model.df_resid / rng.chisquare(model.df_resid, size=n_draws)
    else:
        phi = np.full(n_draws, dispersion)
    inv = model.family.link.inverse
    eta_hat = sub.matvec(beta) + offset
    fit = inv(eta_hat)
    alpha = 1.0 - level
    lower = np.empty(n_new)
    upper = np.empty(n_new)
    X = sub.toarray() if n_new else np.zeros((0, beta.size))
    for start in range(0, n_new, chunk):
        rows = slice(start, min(start + chunk, n_new))
        eta = X[rows] @ draws.T + offset[rows, None]
        mu = inv(eta)
        tr = None if trials is None else np.asarray(trials, dtype=float)[rows, None] * np.ones_like(mu)
        y = simulate_outcomes(model.family, mu, phi[None, :], w[rows, None], tr, rng)
        lower[rows] = np.quantile(y, alpha / 2, axis=1, method="inverted_cdf")
        upper[rows] = np.quantile(y, 1 - alpha / 2, axis=1, method="inverted_cdf")
    return fit, lower, upper
