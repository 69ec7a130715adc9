"""Tweedie family: V(μ) = μ^p, p = 0 or p ≥ 1 (compound Poisson–gamma for 1 < p < 2).

The log-likelihood is closed-form for p ∈ {0, 1, 2, 3}; for 1 < p < 2 it is the
series of Dunn & Smyth (2005, Statistics and Computing 15:267–280), summed in log
space around its largest term. The series needs ~φ^{-1/2} terms, so where they spread
over many indices (small φ: a near-saturated fit) it is replaced by its integral, found by
Gauss–Hermite quadrature at a fixed cost and equal to the sum to rounding error there. For other p > 2 the density has no practical series
here and the log-likelihood is NaN (the fit and inference are unaffected).
"""

from __future__ import annotations

import functools

import numpy as np

from .. import _numerics as nx
from ..links import Link, Log
from ..variance import PowerVariance
from ._base import Array, Family, gamma_sample, gaussian_sample, inverse_gaussian_sample, normal_sample

__all__ = ["Tweedie", "tweedie_logpdf"]

# Beyond this spread of the series' terms (in indices), the series is replaced by its integral.
_SERIES_SIGMA = 8.0
_HERMITE_NODES = 64
_SERIES_CHUNK = 2048  # rows per block of series terms


class Tweedie(Family):
    """Tweedie family with variance power p.

    Parameters
    ----------
    power : float
        p = 0 (normal), 1 (Poisson-like), 1 < p < 2 (compound Poisson–gamma), 2 (gamma),
        3 (inverse Gaussian) or any p > 2. Values in (0, 1) are refused.
    link : str or Link, optional
        Default ``"log"``. (R's ``statmod::tweedie`` defaults to the power link
        μ^(1−p); pass ``link=glmkit.links.Power(1 - p)`` for that.)

    Examples
    --------
    >>> float(Tweedie(power=1.5).variance(4.0))
    8.0
    """

    name = "tweedie"
    default_link = "log"
    extra_parameter = "power"

    def __init__(self, power: float = 1.5, link=None) -> None:  # type: ignore[no-untyped-def]
        self.variance = PowerVariance(power)
        self.power = float(power)
        super().__init__(link)

    @property
    def aic_counts_dispersion(self) -> bool:  # type: ignore[override]
        """True but at p = 1, where the Poisson likelihood (φ = 1) is used (see ``aic_dispersion``)."""
        return self.power != 1.0

    def with_extra_parameter(self, value: float) -> Tweedie:
        return Tweedie(power=value, link=self.link)

    @classmethod
    def examples(cls) -> tuple[Family, ...]:
        return tuple(cls(power=p) for p in (1.5, 1.0, 2.0, 3.0, 2.5, 0.0))

    def fused_kernel(self, link: Link) -> tuple[str | float, ...] | None:
        p = self.power
        if type(link) is not Log or p < 1.0:
            return None
        if p == 1.0:
            return ("poisson_log",)
        return ("gamma_log",) if p == 2.0 else ("tweedie_log", p)

    def sample(self, mu: Array, dispersion: Array, weights: Array, trials: Array | None,
               rng: np.random.Generator) -> Array:
        """The special cases p = 0, 1, 2, 3; the compound Poisson–gamma for 1 < p < 2; else normal.

        >>> n, rng = 20000, np.random.default_rng(0)
        >>> y = Tweedie(1.5).sample(np.full(n, 2.0), np.full(n, 0.5), np.ones(n), None, rng)
        >>> round(float(y.mean()), 1)  # the mean is μ
        2.0
        """
        p = self.power
        if p == 0.0:
            return gaussian_sample(mu, dispersion, weights, rng)
        if p == 1.0:
            return dispersion / weights * rng.poisson(mu * weights / dispersion)
        if p == 2.0:
            return gamma_sample(mu, dispersion, weights, rng)
        if p == 3.0:
            return inverse_gaussian_sample(mu, dispersion, weights, rng)
        if 1.0 < p < 2.0:
            return _compound_poisson_sample(mu, dispersion / weights, p, rng)
        return normal_sample(self, mu, dispersion, weights, rng)

    def starting_mu(self, y: Array, weights: Array) -> Array:
        if self.power == 0.0:
            return y.copy()
        return y + 0.1 * (y == 0)

    def aic_dispersion(self, y: Array, mu: Array, weights: Array, deviance: float) -> float:
        """deviance / Σw, as R's Gamma and inverse Gaussian; 1 for p = 1.

        R's ``statmod::tweedie`` defines no AIC, so glmkit follows R's convention for the
        members it contains. At p = 1 the density with φ ≠ 1 lives on the lattice φ·ℕ,
        which data rarely do; the Poisson likelihood (φ = 1) is used and φ is not counted.

        >>> y, mu, w = np.array([1.0, 3.0]), np.array([2.0, 2.0]), np.ones(2)
        >>> Tweedie(1.5).aic_dispersion(y, mu, w, deviance=0.8), Tweedie(1.0).aic_dispersion(y, mu, w, deviance=0.8)
        (0.4, 1.0)
        """
        if self.power == 1.0:
            return 1.0
        return deviance / float(np.sum(weights))

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None) -> float:  # type: ignore[no-untyped-def]
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        return float(np.sum(w * tweedie_logpdf(y, mu, dispersion, self.power)))

    def __repr__(self) -> str:
        return f"Tweedie(power={self.power!r}, link={self.link!r})"


def _compound_poisson_sample(mu: Array, phi: Array, p: float, rng: np.random.Generator) -> Array:
    """A Poisson(λ) number of Gamma(α, scale) summands, λ = μ^{2−p}/(φ(2−p)), α = (2−p)/(p−1)."""
    lam = np.power(mu, 2.0 - p) / (phi * (2.0 - p))
    alpha = (2.0 - p) / (p - 1.0)
    scale = phi * (p - 1.0) * np.power(mu, p - 1.0)
    n = rng.poisson(lam)
    out = np.zeros(mu.shape)
    pos = n > 0
    out[pos] = rng.gamma(n[pos] * alpha, scale[pos])
    return out


def tweedie_logpdf(y: Array, mu: Array, dispersion: float, power: float) -> Array:
    """Log density of the Tweedie distribution Tw_p(μ, φ) at y.

    Parameters
    ----------
    y, mu : ndarray of shape (n_samples,)
    dispersion : float
        φ > 0.
    power : float
        p = 0 or p ≥ 1.

    Returns
    -------
    ndarray of shape (n_samples,)
        log f(y); NaN for p > 2 other than 3.

    Notes
    -----
    For 1 < p < 2, f(0) = exp(−μ^{2−p} / (φ(2−p))) and for y > 0
    f(y) = (1/y) Σ_j W_j · exp{(yθ − κ(θ))/φ}, θ = μ^{1−p}/(1−p), κ = μ^{2−p}/(2−p),
    log W_j = j log z − log j! − log Γ(−jα), α = (2−p)/(1−p),
    z = y^{−α}(p−1)^{α} / (φ^{1−α}(2−p)).
    """
    y = np.asarray(y, dtype=float)
    mu = np.asarray(mu, dtype=float)
    phi = float(dispersion)
    p = float(power)
    if p == 0.0:
        return -0.5 * (np.log(2.0 * np.pi * phi) + (y - mu) ** 2 / phi)
    if p == 1.0:
        k = y / phi
        lam = mu / phi
        out = nx.xlogy(k, lam) - lam - nx.gammaln(k + 1.0)
        return np.where(np.abs(k - np.round(k)) > 1e-7 * np.maximum(1.0, k), -np.inf, out)
    if p == 2.0:
        shape = 1.0 / phi
        scale = mu * phi
        return -nx.gammaln(shape) - shape * nx.log(scale) + (shape - 1.0) * nx.log(y) - y / scale
    if p == 3.0:
        return -0.5 * nx.log(2.0 * np.pi * phi * y**3) - (y - mu) ** 2 / (2.0 * phi * mu * mu * y)
    if p > 2.0:
        return np.full_like(y, np.nan)
    return _compound_poisson_logpdf(y, mu, phi, p)


def _compound_poisson_logpdf(y: Array, mu: Array, phi: float, p: float, max_spread: float = _SERIES_SIGMA) -> Array:
    out = -np.power(mu, 2.0 - p) / (phi * (2.0 - p))  # log P(y = 0)
    pos = y > 0
    if not np.any(pos):
        return out
    yp, mp = y[pos], mu[pos]
    alpha = (2.0 - p) / (1.0 - p)
    theta = np.power(mp, 1.0 - p) / (1.0 - p)
    kappa = np.power(mp, 2.0 - p) / (2.0 - p)
    log_z = -alpha * np.log(yp) + alpha * np.log(p - 1.0) - (1.0 - alpha) * np.log(phi) - np.log(2.0 - p)
    # The terms peak near j* = y^{2-p} / (φ(2-p)), with a spread σ ≈ √(j*/(1-α)) terms.
    j_star = np.power(yp, 2.0 - p) / (phi * (2.0 - p))
    sigma = np.sqrt(np.maximum(j_star, 1.0) / (1.0 - alpha))
    wide = sigma > max_spread  # the series would need ~17σ terms: its integral instead
    log_series = np.empty_like(yp)
    if np.any(~wide):
        log_series[~wide] = _series_sum(log_z[~wide], j_star[~wide], alpha, sigma[~wide])
    if np.any(wide):
        log_series[wide] = _series_integral(log_z[wide], j_star[wide], sigma[wide], alpha)
    out[pos] = -np.log(yp) + log_series + (yp * theta - kappa) / phi
    return out


def _log_w(j: Array, log_z: Array, alpha: float) -> Array:
    return j * log_z - nx.gammaln(j + 1.0) - nx.gammaln(-j * alpha)


def _series_sum(log_z: Array, j_star: Array, alpha: float, sigma: Array | None = None) -> Array:
    """log Σⱼ Wⱼ over the terms within e⁻³⁷ of the largest.

    The terms within ±(12σ + 20) of the peak are summed as one block (rows in chunks); rows
    whose block edges are not yet below e⁻³⁷ of the peak are summed outwards term by term.
    """
    out = np.empty_like(j_star)
    spread = np.sqrt(np.maximum(j_star, 1.0) / (1.0 - alpha)) if sigma is None else sigma
    half = int(np.ceil(12.0 * float(np.max(spread, initial=0.0)) + 20.0))
    offsets = np.arange(-half, half + 1, dtype=float)
    for start in range(0, j_star.size, _SERIES_CHUNK):
        rows = slice(start, min(start + _SERIES_CHUNK, j_star.size))
        j_peak = np.maximum(1.0, np.round(j_star[rows]))
        peak = _log_w(j_peak, log_z[rows], alpha)
        j = j_peak[:, None] + offsets[None, :]
        valid = j >= 1.0
        rel = np.where(valid, _log_w(np.where(valid, j, 1.0), log_z[rows, None], alpha) - peak[:, None], -np.inf)
        edges_small = (rel[:, 0] <= -37.0) & (rel[:, -1] <= -37.0)
        out[rows] = peak + np.log(np.sum(np.exp(rel), axis=1))
        if not np.all(edges_small):
            slow = np.flatnonzero(~edges_small) + start
            out[slow] = _series_walk(log_z[slow], j_star[slow], alpha)
    return out


def _series_walk(log_z: Array, j_star: Array, alpha: float) -> Array:
    """log Σⱼ Wⱼ summed outwards from the largest term until the terms drop by e⁻³⁷."""
    j_peak = np.maximum(1.0, np.round(j_star))
    peak = _log_w(j_peak, log_z, alpha)
    total = np.ones_like(j_star)  # the peak term, relative to itself
    for direction in (1.0, -1.0):
        j = j_peak.copy()
        active = np.ones_like(j_star, dtype=bool)
        while np.any(active):
            j = j + direction
            valid = active & (j >= 1.0)
            if not np.any(valid):
                break
            rel = np.where(valid, _log_w(np.where(valid, j, 1.0), log_z, alpha) - peak, -np.inf)
            total += np.exp(rel)
            active = valid & (rel > -37.0)
    return peak + np.log(total)


@functools.cache
def _hermite_rule() -> tuple[Array, Array]:
    """Gauss–Hermite nodes and weights (computed once: an eigenvalue problem)."""
    return np.polynomial.hermite.hermgauss(_HERMITE_NODES)


def _series_integral(log_z: Array, j_star: Array, sigma: Array, alpha: float) -> Array:
    """log Σⱼ Wⱼ as ∫ W(j) dj, by Gauss–Hermite quadrature centred on the peak.

    When the terms spread over σ ≫ 1 indices, the sum over the integers equals the integral
    of the smooth W(j) up to a relative error of order exp(−2π²σ²) (Poisson summation), and
    log W is a quadratic in j plus terms of relative size 1/j*, which the quadrature
    integrates to rounding error. The cost is a fixed number of terms, however small φ is
    (the sum itself needs ~17σ ∝ φ^{-1/2} terms).
    """
    nodes, weights = _hermite_rule()
    j = j_star[:, None] + np.sqrt(2.0) * sigma[:, None] * nodes[None, :]
    ok = j > 0.5
    log_w = np.where(ok, _log_w(np.where(ok, j, 1.0), log_z[:, None], alpha), -np.inf)
    peak = _log_w(j_star, log_z, alpha)
    terms = np.exp(log_w - peak[:, None] + nodes[None, :] ** 2) * weights[None, :]
    return peak + np.log(np.sqrt(2.0) * sigma * np.sum(terms, axis=1))
