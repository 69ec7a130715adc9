"""Profile-likelihood estimate of the Tweedie variance power p (1 < p < 2).

For each p the GLM is refitted with ``Tweedie(p)`` (same link, weights and offset; β̂(p)
does not depend on φ), φ is set to its maximum-likelihood value given β̂(p) (a 1-D
maximisation in log φ, started at the Pearson estimate), and the profile log-likelihood

    ℓ_p(p) = max_φ ℓ(β̂(p), φ, p)

is evaluated with the series density of Dunn & Smyth (2005). p̂ maximises ℓ_p: a grid over
(1, 2) locates it and a bounded Brent search refines it. The likelihood-ratio interval is
{p : 2(ℓ_p(p̂) − ℓ_p(p)) ≤ χ²₁(level)}, with end points solved by ``brentq`` (±∞ is not
possible: a bound of the search range is returned where the profile stays above the
cut-off). This is what ``tweedie::tweedie.profile`` does with ``method = "series"`` and
φ by ML; here the maximum is solved rather than read off a spline.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from ..families import Tweedie
from ..families.tweedie import tweedie_logpdf
from ..results import GLMResult
from ..fit import FitOptions, FittedModel, fit_model

__all__ = ["TweedieProfile", "tweedie_power", "profile_loglik"]

Array = NDArray[np.floating]
_LOW, _HIGH = 1.01, 1.99


@dataclass(frozen=True)
class TweedieProfile:
    """Result of :func:`tweedie_power`.

    Attributes
    ----------
    power : float
        p̂.
    dispersion : float
        φ̂ (maximum likelihood) at p̂.
    loglik : float
        ℓ_p(p̂).
    conf_int : tuple of float
        Likelihood-ratio interval for p at ``level``.
    level : float
    powers, logliks : ndarray
        The grid and the profile log-likelihood on it.
    fit : GLMResult
        The fit at p̂.
    """

    power: float
    dispersion: float
    loglik: float
    conf_int: tuple[float, float]
    level: float
    powers: Array = field(repr=False)
    logliks: Array = field(repr=False)
    fit: Any = field(repr=False)


def _refit(model: FittedModel, power: float) -> FittedModel:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = np.where(np.isnan(model.coef), 0.0, model.coef)
        problem = model.problem.with_family(Tweedie(power=power, link=model.family.link))
        return fit_model(problem, FitOptions(start=start))


def _ml_dispersion(y: Array, mu: Array, w: Array, power: float, start: float) -> tuple[float, float]:
    from scipy import optimize
    used = w > 0
    y, mu, w = y[used], mu[used], w[used]

    def negll(log_phi: float) -> float:
        return -float(np.sum(w * tweedie_logpdf(y, mu, np.exp(log_phi), power)))

    s = np.log(start) if np.isfinite(start) and start > 0 else 0.0
    res = optimize.minimize_scalar(negll, bracket=(s - 1.0, s + 1.0), tol=1e-12)
    if not res.success or not np.isfinite(res.fun):
        res = optimize.minimize_scalar(negll, bounds=(s - 10.0, s + 10.0), method="bounded",
                                       options={"xatol": 1e-10})
    return float(np.exp(res.x)), -float(res.fun)


def profile_loglik(model: FittedModel, power: float) -> tuple[float, float, FittedModel]:
    """(ℓ_p(p), φ̂(p), fit at p)."""
    fit = _refit(model, power)
    used = fit.weights > 0
    pearson = float(np.sum(fit.weights[used] * (fit.y - fit.mu)[used] ** 2 / fit.mu[used] ** power)) / max(fit.df_resid, 1)
    phi, ll = _ml_dispersion(fit.y, fit.mu, fit.weights, power, pearson)
    return ll, phi, fit


def tweedie_power(result: Any, powers: Array | None = None, level: float = 0.95) -> TweedieProfile:
    """Estimate the Tweedie power by profile likelihood.

    Parameters
    ----------
    result : GLMResult
        Any fit of the data (Tweedie, Poisson, Gamma …): its design, response, weights,
        offset and link are reused. y must be non-negative.
    powers : array of float in (1, 2), optional
        The grid; default 1.05, 1.10, …, 1.95.
    level : float, default 0.95
        For the likelihood-ratio interval of p.

    Returns
    -------
    TweedieProfile

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(3)
    >>> X = rng.uniform(size=(400, 1))
    >>> n = rng.poisson(2 * np.exp(X[:, 0]))
    >>> y = np.array([rng.gamma(2.0 * k, 0.5) if k else 0.0 for k in n])
    >>> prof = gk.tweedie_power(gk.glm_fit(X, y, family=gk.Tweedie(1.5)))
    >>> 1.0 < prof.power < 2.0
    True
    """
    from scipy import optimize, stats
    model = result.model
    if np.any(model.y[model.weights > 0] < 0):
        raise InputError("The Tweedie power profile needs y ≥ 0.")
    grid = np.arange(1.05, 1.951, 0.05) if powers is None else np.asarray(powers, dtype=float)
    if np.any((grid <= 1.0) | (grid >= 2.0)):
        raise InputError("powers must lie in (1, 2) (the compound Poisson–gamma range).")
    lls = np.array([profile_loglik(model, float(p))[0] for p in grid])
    best = int(np.nanargmax(lls))
    lo = grid[best - 1] if best > 0 else max(_LOW, grid[0] - 0.04)
    hi = grid[best + 1] if best < grid.size - 1 else min(_HIGH, grid[-1] + 0.04)
    res = optimize.minimize_scalar(lambda p: -profile_loglik(model, p)[0], bounds=(lo, hi),
                                   method="bounded", options={"xatol": 1e-7})
    p_hat = float(res.x)
    ll_hat, phi_hat, fit = profile_loglik(model, p_hat)
    cut = ll_hat - 0.5 * stats.chi2.ppf(level, 1)

    def gap(p: float) -> float:
        return profile_loglik(model, p)[0] - cut

    lower = _LOW if gap(_LOW) > 0 else float(optimize.brentq(gap, _LOW, p_hat, xtol=1e-8))
    upper = _HIGH if gap(_HIGH) > 0 else float(optimize.brentq(gap, p_hat, _HIGH, xtol=1e-8))
    glm_result = GLMResult(model=fit)
    return TweedieProfile(p_hat, phi_hat, ll_hat, (lower, upper), level, grid, lls, glm_result)
