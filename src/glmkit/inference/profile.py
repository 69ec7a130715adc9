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
±inf.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..fit import FittedModel
from ._refit import column, position_in, refit
from .covariance import unscaled_covariance

__all__ = ["profile_intervals", "profile_statistic"]

Array = NDArray[np.floating]
_MAX_DOUBLINGS = 40


class _Profile:
    """z(b) for one coefficient, with warm starts between evaluations."""

    def __init__(self, model: FittedModel, j: int, dispersion: float, intercept: int | None) -> None:
        self.model = model
        self.j = j
        self.dispersion = dispersion
        kept = model.kept
        self.others = kept[kept != j]
        self.intercept = position_in(self.others, intercept)
        self.xj = column(model.design, j)
        self.bhat = float(model.coef[j])
        self.start = model.coef[self.others].copy()

    def deviance(self, b: float) -> float:
        fit = refit(self.model, self.others, extra_offset=b * self.xj, start=self.start,
                    intercept_index=self.intercept)
        if fit.converged and np.all(np.isfinite(fit.coef)):
            self.start = np.where(np.isnan(fit.coef), 0.0, fit.coef)
        return fit.deviance

    def z(self, b: float) -> float:
        d = max(self.deviance(b) - self.model.deviance, 0.0)
        return float(np.sign(b - self.bhat) * np.sqrt(d / self.dispersion))


def profile_statistic(model: FittedModel, j: int, values: Array, dispersion: float,
                      names: list[str]) -> Array:
    """The signed-root statistic z(b) at each b in ``values`` for coefficient j."""
    prof = _Profile(model, j, dispersion, model.problem.intercept_index)
    return np.array([prof.z(float(b)) for b in np.asarray(values, dtype=float)])


def _end_point(prof: _Profile, side: float, target: float, se: float) -> float:
    from scipy import optimize
    step = se if np.isfinite(se) and se > 0 else max(1.0, abs(prof.bhat))
    inner = prof.bhat
    prof.start = prof.model.coef[prof.others].copy()
    for _ in range(_MAX_DOUBLINGS):
        outer = prof.bhat + side * step
        if side * prof.z(outer) >= target:
            lo, hi = sorted((inner, outer))
            scale = max(abs(prof.bhat), se, 1e-300)
            return float(optimize.brentq(lambda b: prof.z(b) - side * target, lo, hi,
                                         xtol=1e-13 * scale, rtol=4 * np.finfo(float).eps, maxiter=200))
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
    from scipy import stats
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}.")
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
    return lower, upper
