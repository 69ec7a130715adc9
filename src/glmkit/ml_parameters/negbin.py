"""Negative binomial regression with θ by maximum likelihood, as ``MASS::glm.nb``.

MASS alternates a GLM fit at fixed θ with ``theta.ml`` (Newton's method on the score of θ
at fixed μ) until both settle. We do the same, but solve each θ step to full precision
and iterate until θ changes by less than 1e-12 relatively, so the result is the joint
maximum-likelihood estimate (MASS stops ``theta.ml`` at |step| < ε^¼, which leaves its θ
a few 1e-10 relatively and its SE(θ) up to ~1e-5 relatively away from the MLE). β and θ
are orthogonal parameters, so the alternation converges in a handful of rounds.

With n = Σwᵢ, the score and observed information of θ at fixed μ (MASS's):

    U(θ) = Σ wᵢ [ψ(θ + yᵢ) − ψ(θ) + log θ + 1 − log(θ + μᵢ) − (yᵢ + θ)/(μᵢ + θ)]
    I(θ) = Σ wᵢ [−ψ′(θ + yᵢ) + ψ′(θ) − 1/θ + 2/(μᵢ + θ) − (yᵢ + θ)/(μᵢ + θ)²]

SE(θ) = I(θ̂)^{−½}; 2 log L and AIC = −2 log L + 2·rank + 2 (θ counted), as ``glm.nb``.
Standard errors of β use dispersion 1 (``summary.negbin``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from .._threads import blas_threads
from ..errors import ConvergenceWarning
from ..families import NegativeBinomial, Poisson
from ..fit import FitOptions, FittedModel, fit_model
from ..problem import Problem, problem_from_formula
from ..results import GLMResult
from ..results.call import FitCall, with_call

__all__ = ["NegBinResult", "theta_ml", "negative_binomial_ml", "fit_negative_binomial", "glm_nb"]

Array = NDArray[np.floating]


def _score_info(theta: float, y: Array, mu: Array, w: Array) -> tuple[float, float]:
    from scipy import special
    t = theta
    score = np.sum(w * (special.digamma(t + y) - special.digamma(t) + np.log(t) + 1.0 - np.log(t + mu)
                        - (y + t) / (mu + t)))
    info = np.sum(w * (-special.polygamma(1, t + y) + special.polygamma(1, t) - 1.0 / t + 2.0 / (mu + t)
                       - (y + t) / (mu + t) ** 2))
    return float(score), float(info)


def theta_ml(y: Array, mu: Array, weights: Array | None = None, start: float | None = None,
             max_iter: int = 200, tol: float = 1e-13) -> tuple[float, float, bool]:
    """Maximum-likelihood θ at fixed means, as ``MASS::theta.ml`` (solved to ``tol``).

    Parameters
    ----------
    y, mu : ndarray of shape (n_samples,)
    weights : ndarray of shape (n_samples,), optional
    start : float, optional
        Default the moment estimate n / Σ w (y/μ − 1)².

    Returns
    -------
    (theta, se, converged)
    """
    w = np.ones_like(y) if weights is None else weights
    used = w > 0
    y, mu, w = y[used], mu[used], w[used]
    n = float(np.sum(w))
    t = float(start) if start is not None else n / float(np.sum(w * (y / mu - 1.0) ** 2))
    if not np.isfinite(t) or t <= 0:
        t = 1.0
    converged = False
    for _ in range(max_iter):
        score, info = _score_info(t, y, mu, w)
        # Newton in log θ: the log-likelihood is far closer to quadratic there, and θ stays positive.
        g = score * t
        h = info * t * t - score * t
        step = g / h if h > 0 else np.sign(g) * 1.0
        step = float(np.clip(step, -2.0, 2.0))
        t_new = t * np.exp(step)
        if abs(t_new - t) <= tol * t:
            t = t_new
            converged = True
            break
        t = t_new
        if t > 1e12:
            break
    _, info = _score_info(t, y, mu, w)
    se = 1.0 / np.sqrt(info) if info > 0 else np.nan
    return float(t), float(se), converged


def _twologlik(theta: float, y: Array, mu: Array, w: Array) -> float:
    return 2.0 * NegativeBinomial(theta=theta).loglik(y, mu, w)


@dataclass(frozen=True, eq=False)
class NegBinResult(GLMResult):
    """A negative binomial fit with θ estimated (``MASS::glm.nb``).

    Attributes
    ----------
    theta : float
        The estimated θ (the other attributes are GLMResult's).
    theta_se : float
        1/√I(θ̂), I the observed information of θ at the fitted means.
    twologlik : float
        2 × the maximised log-likelihood.
    theta_iterations : int
        Rounds of the θ–β alternation.

    Examples
    --------
    >>> fit = gk.glm_nb("breaks ~ wool + tension", gk.datasets.load_warpbreaks())
    >>> round(fit.theta, 3), round(fit.theta_se, 3)
    (9.944, 2.561)
    """

    theta: float = float("nan")
    theta_se: float = float("nan")
    twologlik: float = float("nan")
    theta_iterations: int = 0

    @cached_property
    def loglik(self) -> float:
        """The maximised log-likelihood, θ at its estimate (R's ``logLik`` of a ``glm.nb`` fit)."""
        return 0.5 * self.twologlik

    @cached_property
    def aic(self) -> float:
        """−2 log L + 2·rank + 2 (θ counted), as ``glm.nb``."""
        return -self.twologlik + 2.0 * self.rank + 2.0

    @cached_property
    def bic(self) -> float:
        """−2 log L + (rank + 1) log n, θ counted (as R's ``BIC`` of a ``glm.nb`` fit)."""
        return -self.twologlik + np.log(self.model.y.shape[0]) * (self.rank + 1)

    def extract_aic(self, k: float = 2.0) -> tuple[float, float]:
        """(edf, −2 log L + k·edf) with edf = rows − residual df: θ is not counted, as R's
        ``extractAIC`` of a ``glm.nb`` fit (so ``step`` reports ``aic − 2`` at k = 2).

        >>> fit = gk.glm_nb("breaks ~ wool + tension", gk.datasets.load_warpbreaks())
        >>> edf, aic = fit.extract_aic()
        >>> edf, bool(np.isclose(aic, fit.aic - 2))
        (4.0, True)
        """
        edf = float(self.model.problem.n_samples - self.df_resid)
        return edf, -self.twologlik + k * edf

    def summary_notes(self) -> list[str]:
        """θ, its standard error and 2 log L, printed as MASS's ``summary.negbin``.

        >>> fit = gk.glm_nb("breaks ~ wool + tension", gk.datasets.load_warpbreaks())
        >>> fit.summary_notes()[0]
        '              Theta:  9.94439'
        """
        return [f"              Theta:  {self.theta:.6g}", f"          Std. Err.:  {self.theta_se:.6g}",
                f" 2 x log-likelihood:  {self.twologlik:.6g}"]

    def __repr__(self) -> str:
        return (f"<NegBinResult theta={self.theta:.6g} (SE {self.theta_se:.3g}) n={self.n_obs} rank={self.rank} "
                f"deviance={self.deviance:.6g} converged={self.converged}>")


def negative_binomial_ml(start: GLMResult | FittedModel, init_theta: float | None = None, max_iter: int = 100,
                         tol: float = 1e-12, options: FitOptions | None = None) -> NegBinResult:
    """Estimate θ jointly with β, starting from any fit of the same problem (Poisson, NB).

    Parameters
    ----------
    start : GLMResult or FittedModel
        A fit whose problem (design, response, weights, offset) is reused; its link is kept.
    init_theta : float, optional
        Starting θ; default ``theta.ml`` at the starting fit's means.
    max_iter : int, default 100
        Rounds of the alternation.
    tol : float, default 1e-12
        Relative change in θ that ends the alternation.
    options : FitOptions, optional
        Solver, tolerance and iteration limit of each GLM fit at fixed θ, and a fixed
        dispersion for the result's inference (default 1, as ``summary.negbin``).

    Examples
    --------
    >>> import glmkit as gk
    >>> poisson = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> round(negative_binomial_ml(poisson).theta, 4)
    9.9444
    """
    options = options or FitOptions()
    m = start.model if isinstance(start, GLMResult) else start
    theta = float(init_theta) if init_theta is not None else theta_ml(m.y, m.mu, m.weights)[0]
    fitted, rounds, converged = m, 0, False
    for rounds in range(1, max_iter + 1):
        fitted = _fit_at_theta(m.problem, theta, fitted.coef, options)
        new_theta, _, ok = theta_ml(fitted.y, fitted.mu, fitted.weights, start=theta)
        change = abs(new_theta - theta)
        theta = new_theta
        if change <= tol * theta:
            converged = ok
            break
    if theta > 1e10:
        warn("theta diverges (no overdispersion relative to the Poisson); consider the Poisson family.",
                      ConvergenceWarning)
    elif not converged:
        warn(f"the theta/beta alternation did not converge in {max_iter} rounds.", ConvergenceWarning)
    final = _fit_at_theta(m.problem, theta, fitted.coef, options)
    _, se, _ = theta_ml(final.y, final.mu, final.weights, start=theta, max_iter=0)
    return NegBinResult(model=final, dispersion_override=options.dispersion, theta=theta, theta_se=se,
                        twologlik=_twologlik(theta, final.y, final.mu, final.weights), theta_iterations=rounds)


def _fit_at_theta(problem: Problem, theta: float, coef: Array, options: FitOptions) -> FittedModel:
    """The GLM at fixed θ, started from ``coef`` (aliased positions at 0)."""
    family = NegativeBinomial(theta=theta, link=problem.family.link)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # aliasing was reported by the first fit
        return fit_model(problem.with_family(family), replace(options, start=np.where(np.isnan(coef), 0.0, coef)))


def glm_nb(formula: str, data: Any, *, link: Any = "log", init_theta: float | None = None, weights: Any = None,
           offset: Any = None, na_action: Literal["drop", "raise"] = "drop", solver: Any = "auto",
           solver_options: dict[str, Any] | None = None, tol: float | None = None, max_iter: int | None = None,
           n_threads: int | None = None, dispersion: float | None = None) -> NegBinResult:
    """Negative binomial GLM with θ estimated by maximum likelihood (``MASS::glm.nb``).

    Parameters
    ----------
    formula, data
        As :func:`glmkit.glm`.
    link : str or Link, default "log"
    init_theta : float, optional
        Starting value of θ.
    weights, offset, na_action, solver, solver_options, tol, max_iter, n_threads, dispersion
        As :func:`glmkit.glm`.

    Returns
    -------
    NegBinResult
        A GLMResult with ``theta``, ``theta_se`` and ``twologlik``; ``aic`` counts θ.

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> fit = gk.glm_nb("breaks ~ wool + tension", load_warpbreaks())
    >>> round(fit.theta, 4)
    9.9444
    """
    arguments = dict(locals())
    options = FitOptions(solver=solver, solver_options=solver_options or {}, tol=tol, max_iter=max_iter,
                         n_threads=n_threads, dispersion=dispersion)
    problem = problem_from_formula(formula, data, Poisson(link=link), weights=weights, offset=offset,
                                   na_action=na_action)
    result = fit_negative_binomial(problem, options, init_theta=init_theta)
    return with_call(result, FitCall(glm_nb, tuple(arguments.items()), ("data", "weights", "offset")))


def fit_negative_binomial(problem: Problem, options: FitOptions, init_theta: float | None = None) -> NegBinResult:
    """θ and β of a problem by maximum likelihood: a Poisson fit, then the θ–β alternation.

    The problem's family supplies the link; the BLAS thread cap of ``options`` holds throughout.
    """
    poisson = problem.with_family(Poisson(link=problem.family.link))
    with blas_threads(options.n_threads, problem.n_samples * problem.n_features):
        return negative_binomial_ml(fit_model(poisson, options), init_theta=init_theta, options=options)
