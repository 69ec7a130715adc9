"""Profile-likelihood confidence intervals, as ``MASS::confint.glm`` but solved exactly.

For coefficient j held at b (its column moved into the offset, b·xⱼ, and the model refitted
on the other columns through the ordinary fit machinery), MASS's signed-root statistic is

    z(b) = sign(b − β̂ⱼ) · √((D(b) − D(β̂)) / φ)

with D the deviance and φ the full fit's ``summary`` dispersion (1 for binomial and
Poisson, the Pearson estimate where it is estimated — MASS uses the same scaling, and the
same normal cut-off, for every family). The interval end points solve z(b) = Φ⁻¹((1 ∓ level)/2).

MASS evaluates z on a grid of steps of SE/5 and interpolates the inverse with a spline;
its end points therefore carry interpolation error (about 1e-6 relative on well-behaved
fits, more on skewed profiles). We bracket each root by doubling steps of one standard error
and solve it with ``scipy.optimize.brentq`` to 1e-12 relative, so the result is the exact
root; where the profile never reaches the cut-off (e.g. under separation) the end point is
±inf, and where a refit finds no valid fit it is NaN — both with a warning, never a lost
table.

Each refit starts, as MASS's ``profile.glm`` does (``etastart``), from the linear predictor
of the previous refit (the first from the fit's own): a start from coefficients would move
η by (b − β̂ⱼ)·xⱼ at once and, with an identity or cloglog link, leave the mean's domain.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray

from .._domain import check_level

from .._warnings import warn
from ..errors import InputError, GLMError, GLMWarning, NumericalWarning
from ..fit import FittedModel
from ._refit import column, position_in, refit
from .covariance import unscaled_covariance

__all__ = ["profile_intervals", "profile_statistic"]

Array = NDArray[np.floating]
_MAX_DOUBLINGS = 40


class _Profile:
    """z(b) for one coefficient; each refit starts from the last good refit's linear predictor."""

    def __init__(self, model: FittedModel, j: int, dispersion: float, intercept: int | None) -> None:
        self.model = model
        self.j = j
        self.dispersion = dispersion
        kept = model.kept
        self.others = kept[kept != j]
        self.intercept = position_in(self.others, intercept)
        self.xj = column(model.design, j)
        self.bhat = float(model.coef[j])
        self.start_eta = model.eta

    def deviance(self, b: float) -> float:
        """D(b), NaN where the refit fails (no valid start, or no convergence)."""
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", GLMWarning)
                fit = refit(self.model, self.others, extra_offset=b * self.xj, start_eta=self.start_eta,
                            intercept_index=self.intercept)
        except GLMError:
            return float("nan")
        if not (fit.converged and np.isfinite(fit.deviance)):
            return float("nan")
        self.start_eta = fit.eta
        return fit.deviance

    def z(self, b: float) -> float:
        d = self.deviance(b)
        if not np.isfinite(d):
            return float("nan")
        return float(np.sign(b - self.bhat) * np.sqrt(max(d - self.model.deviance, 0.0) / self.dispersion))


def profile_statistic(model: FittedModel, j: int, values: Array, dispersion: float,
                      names: list[str]) -> Array:
    """The signed-root statistic z(b) at each b in ``values`` for coefficient j (NaN where a refit fails)."""
    prof = _Profile(model, j, dispersion, model.problem.intercept_index)
    return np.array([prof.z(float(b)) for b in np.asarray(values, dtype=float)])


def _end_point(prof: _Profile, side: float, target: float, se: float) -> float:
    """The root of z(b) = side·target beyond β̂ⱼ; ±inf if z never gets there, NaN if a refit fails."""
    from scipy import optimize
    step = se if np.isfinite(se) and se > 0 else max(1.0, abs(prof.bhat))
    inner = prof.bhat
    prof.start_eta = prof.model.eta
    for _ in range(_MAX_DOUBLINGS):
        outer = prof.bhat + side * step
        z_outer = prof.z(outer)
        if not np.isfinite(z_outer):
            # The refit failed this far out: halve back towards the last good point once
            # (a refit that fails only because the step was long), then give up.
            outer = 0.5 * (inner + outer)
            z_outer = prof.z(outer)
            if not np.isfinite(z_outer):
                return float("nan")
        if side * z_outer >= target:
            lo, hi = sorted((inner, outer))
            scale = max(abs(prof.bhat), se, 1e-300)
            f = lambda b: prof.z(b) - side * target  # noqa: E731
            try:
                return float(optimize.brentq(f, lo, hi, xtol=1e-13 * scale, rtol=4 * np.finfo(float).eps,
                                             maxiter=200))
            except ValueError:  # a refit failed inside the bracket (NaN), or no sign change
                return float("nan")
        inner = outer
        step *= 2.0
    return float(side * np.inf)


def profile_intervals(model: FittedModel, dispersion: float, level: float, names: list[str]) -> tuple[Array, Array]:
    """Lower and upper profile-likelihood limits, NaN for aliased coefficients.

    Parameters
    ----------
    model : FittedModel
    dispersion : float
        φ of the full fit (as ``summary``).
    level : float
    names : list of str
        Coefficient names (to locate the intercept).

    Returns
    -------
    (lower, upper), each of shape (n_features,)
    """
    if not model.design.refits:  # absorbed factors: refused here, not a table of NaN
        raise InputError("This fit absorbs factors (fixed effects): profile intervals would refit with the "
                         "effects held fixed. Use Wald intervals: fit.conf_int(method='wald').")

    from scipy import stats
    check_level(level)
    target = float(stats.norm.ppf(0.5 + level / 2.0))
    p = model.coef.shape[0]
    lower = np.full(p, np.nan)
    upper = np.full(p, np.nan)
    se_kept = np.sqrt(dispersion * np.diag(unscaled_covariance(model)))
    intercept = model.problem.intercept_index
    for pos, j in enumerate(model.kept):
        prof = _Profile(model, int(j), dispersion, intercept)
        lower[j] = _end_point(prof, -1.0, target, float(se_kept[pos]))
        upper[j] = _end_point(prof, 1.0, target, float(se_kept[pos]))
    _warn_incomplete(lower, upper, model.kept, names)
    return lower, upper


def _warn_incomplete(lower: Array, upper: Array, kept: Array, names: list[str]) -> None:
    """One warning naming the coefficients whose profile could not be completed."""
    undefined = [names[j] for j in kept if np.isnan(lower[j]) or np.isnan(upper[j])]
    unbounded = [names[j] for j in kept if np.isinf(lower[j]) or np.isinf(upper[j])]
    if undefined:
        warn(f"The profile of {', '.join(undefined)} could not be completed (a refit with the coefficient "
             "held fixed found no valid fit): those end points are NaN. Use Wald intervals "
             "(method='wald') for them.", NumericalWarning)
    if unbounded:
        warn(f"The profile likelihood of {', '.join(unbounded)} never falls to the interval's cut-off on "
             "one side (e.g. separation): those end points are infinite.", NumericalWarning)
