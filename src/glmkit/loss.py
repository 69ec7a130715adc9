"""The GLM loss: the per-observation negative log-likelihood written in η.

ℓᵢ(η) = wᵢ · d(yᵢ, g⁻¹(ηᵢ)) / 2 is the negative log-likelihood of observation i up
to a term that does not depend on η (and for dispersion φ = 1). Its derivatives:

    dℓ/dη   = −w (y − μ) μ′ / V(μ)
    E d²ℓ/dη² = w μ′² / V(μ)                                   (Fisher / IRLS weight)
    d²ℓ/dη²   = w [μ′²/V − (y − μ)(μ″/V − μ′² V′/V²)]          (observed)

with μ′ = dμ/dη and μ″ = d²μ/dη². Where the family declares a fused kernel for its
link (:meth:`Family.fused_kernel`: Poisson–log, binomial–logit, Gaussian–identity,
Gamma–log, Tweedie–log) the loss uses it: kernels that never form μ where it would lose
precision (e.g. log(1 + e^η) for the logit). The kernel is chosen once, when the loss is
built.

``Loss`` is a deprecated alias of :class:`GLMLoss`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from . import _numerics as nx
from .errors import InputError
from .families import Family, get_family
from .links import Link, get_link

__all__ = ["GLMLoss", "LossTerms"]

Array = NDArray[np.floating]
HessianKind = Literal["expected", "observed"]


@dataclass(frozen=True)
class LossTerms:
    """Per-observation loss and its first two η-derivatives at one η.

    Attributes
    ----------
    loss : ndarray of shape (n_samples,)
        ℓᵢ, the weighted half unit deviance; inf where μ left the family's domain.
    gradient : ndarray of shape (n_samples,)
        dℓᵢ/dηᵢ.
    hessian : ndarray of shape (n_samples,)
        d²ℓᵢ/dηᵢ² (expected or observed, as asked).
    mu : ndarray of shape (n_samples,)
    """

    loss: Array
    gradient: Array
    hessian: Array
    mu: Array


class GLMLoss:
    """The negative log-likelihood of a family and link, per observation, in η.

    Parameters
    ----------
    family : str or Family
    link : str or Link, optional
        Defaults to the family's link.

    Examples
    --------
    >>> import numpy as np
    >>> loss = GLMLoss("poisson")
    >>> y, eta, w = np.array([1.0, 3.0]), np.array([0.0, 1.0]), np.ones(2)
    >>> bool(np.allclose(loss.gradient(y, eta, w), np.exp(eta) - y))
    True
    """

    def __init__(self, family: str | Family, link: str | Link | None = None) -> None:
        fam = get_family(family) if isinstance(family, str) else family
        if link is not None:
            lk = get_link(link)
            if lk != fam.link:
                fam = _with_link(fam, lk)
        if fam.estimates_extra_parameter:
            raise InputError(
                f"{fam!r} leaves its {fam.extra_parameter} to be estimated, and a loss needs it given: "
                f"use family.with_extra_parameter(value), or a fit that estimates it (glmkit.glm_nb)."
            )
        self.family: Family = fam
        self.link: Link = fam.link
        self._kernel = _fused_kernel(fam, self.link)

    @property
    def fisher_weights_vary(self) -> bool:
        """Whether the Fisher weights μ′²/V depend on η (not for Gamma–log, Gaussian–identity)."""
        return self._kernel not in (_gamma_log, _gaussian_identity)

    @property
    def is_quadratic(self) -> bool:
        """Whether the loss is the Gaussian–identity quadratic ½w(y − η)², so one linear solve is exact.

        True exactly where the family declares the ``gaussian_identity`` kernel (the
        Gaussian family with the identity link). Other pairs that are quadratic in η
        (quasi with constant variance, Tweedie p = 0, with the identity link) do not
        declare it and report False; IRLS fits them in one step.
        """
        return self._kernel is _gaussian_identity

    # -- single quantities ---------------------------------------------------------------
    def mean(self, eta: Array) -> Array:
        """μ = g⁻¹(η).

        Examples
        --------
        >>> gk.GLMLoss("poisson").mean(np.array([0.0, 1.0]))
        array([1.        , 2.71828183])
        """
        return self.link.inverse(eta)

    def loss(self, y: Array, eta: Array, weights: Array) -> Array:
        """ℓᵢ = wᵢ d(yᵢ, μᵢ)/2; inf where μ is outside the family's domain.

        Examples
        --------
        >>> loss = gk.GLMLoss("poisson")
        >>> y, eta, w = np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.ones(2)
        >>> loss.loss(y, eta, w)
        array([0.        , 0.10457619])
        """
        if self._kernel is not None:
            return self._kernel(y, eta, weights, "expected", None).loss
        mu = _off_open_ends(self.link.inverse(eta), self.family)
        return _half_deviance(self.family, y, mu, weights)

    def gradient(self, y: Array, eta: Array, weights: Array) -> Array:
        """dℓᵢ/dηᵢ.

        Examples
        --------
        >>> loss = gk.GLMLoss("poisson")
        >>> y, eta, w = np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.ones(2)
        >>> loss.gradient(y, eta, w)
        array([0.        , 0.71828183])
        """
        return self.terms(y, eta, weights).gradient

    def hessian(self, y: Array, eta: Array, weights: Array, kind: HessianKind = "expected") -> Array:
        """d²ℓᵢ/dηᵢ², the expected (Fisher) or the observed one.

        Examples
        --------
        >>> loss = gk.GLMLoss("poisson")
        >>> y, eta, w = np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.ones(2)
        >>> loss.hessian(y, eta, w)
        array([1.        , 2.71828183])
        """
        return self.terms(y, eta, weights, kind).hessian

    def negative_loglik(self, y: Array, eta: Array, weights: Array, dispersion: float = 1.0) -> float:
        """The full negative log-likelihood Σ −log f(yᵢ; μᵢ, φ), constants included (NaN for quasi).

        Examples
        --------
        >>> loss = gk.GLMLoss("poisson")
        >>> y, eta, w = np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.ones(2)
        >>> round(loss.negative_loglik(y, eta, w), 6)
        2.411429
        """
        return -self.family.loglik(y, self.link.inverse(eta), weights, dispersion)

    # -- everything at once --------------------------------------------------------------
    def saturated_term(self, y: Array) -> Array | None:
        """The part of the fused kernels' loss that depends on y only (cache it per y).

        Examples
        --------
        >>> gk.GLMLoss("poisson").saturated_term(np.array([1.0, 2.0]))
        array([-1.        , -0.61370564])
        >>> gk.GLMLoss("gaussian", "log").saturated_term(np.array([1.0, 2.0])) is None
        True
        """
        kernel = self._kernel
        if kernel is _poisson_log:
            return nx.xlogy(y, y) - y
        if kernel is _binomial_logit:
            out = np.zeros_like(y, dtype=float)
            inner = np.flatnonzero((y > 0) & (y < 1))  # 0 for y in {0, 1}: Bernoulli data costs nothing
            if inner.size:
                yi = y[inner]
                out[inner] = nx.xlogy(yi, yi) + nx.xlogy(1.0 - yi, 1.0 - yi)
            return out
        if kernel is _gamma_log:
            return -nx.log(y) - 1.0
        if isinstance(kernel, _TweedieLog):
            return kernel.saturated(y)
        return None

    def terms(self, y: Array, eta: Array, weights: Array, kind: HessianKind = "expected",
              saturated: Array | None = None) -> LossTerms:
        """Loss, gradient and Hessian in η at once (one evaluation of μ and V).

        ``saturated`` is :meth:`saturated_term` of y, passed by callers that evaluate the
        loss repeatedly for the same y.

        Examples
        --------
        >>> loss = gk.GLMLoss("poisson")
        >>> y, eta, w = np.array([1.0, 2.0]), np.array([0.0, 1.0]), np.ones(2)
        >>> t = loss.terms(y, eta, w)
        >>> t.loss, t.gradient
        (array([0.        , 0.10457619]), array([0.        , 0.71828183]))
        """
        if self._kernel is not None:
            return self._kernel(y, eta, weights, kind, saturated)
        link, var = self.link, self.family.variance
        mu = _off_open_ends(link.inverse(eta), self.family)
        dmu = link.inverse_derivative(eta)
        v = var(mu)
        resid = y - mu
        with np.errstate(divide="ignore", invalid="ignore"):
            grad = -weights * resid * dmu / v
            hess = weights * dmu * dmu / v
            if kind == "observed":
                d2mu = link.inverse_second_derivative(eta)
                dv = var.derivative(mu)
                hess = hess - weights * resid * (d2mu / v - dmu * dmu * dv / (v * v))
        return LossTerms(_half_deviance(self.family, y, mu, weights), grad, hess, mu)

    def __repr__(self) -> str:
        return f"GLMLoss({self.family!r})"


def __getattr__(name: str) -> Any:
    if name == "Loss":
        warnings.warn("glmkit.loss.Loss is deprecated; use glmkit.GLMLoss (the same class).",
                      DeprecationWarning, stacklevel=2)
        return GLMLoss
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _with_link(family: Family, link: Link) -> Family:
    import copy

    fam = copy.copy(family)
    fam.link = link
    return fam


def _off_open_ends(mu: Array, family: Family) -> Array:
    """μ moved one ulp inside where g⁻¹(η) rounded onto a finite open end of the family's domain.

    As R's ``linkinv``, which keeps μ within ``.Machine$double.eps`` of 0 and 1: otherwise a
    y = 1 observation at η ≈ 3.6 (cloglog), where 1 − exp(−exp η) rounds to 1, would make the
    loss infinite and stop every solver at a cliff that the likelihood does not have.
    """
    dom = family.mu_domain
    for end, other, inclusive in ((dom.high, dom.low, dom.high_inclusive), (dom.low, dom.high, dom.low_inclusive)):
        if not inclusive and np.isfinite(end):
            at_end = mu == end
            if np.any(at_end):
                mu = np.where(at_end, np.nextafter(end, other), mu)
    return mu


def _half_deviance(family: Family, y: Array, mu: Array, weights: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = 0.5 * weights * family.unit_deviance(y, mu)
    inside = family.mu_domain.contains(mu) & np.isfinite(mu)
    if not np.all(inside):
        out = np.where(inside, out, np.inf)
    return np.where(weights == 0, 0.0, out)


# -- fused kernels for canonical pairs ---------------------------------------------------
def _poisson_log(y: Array, eta: Array, w: Array, kind: HessianKind, saturated: Array | None = None) -> LossTerms:
    mu = nx.exp(eta)
    # y log(y/μ) − (y − μ) = (y log y − y) − y η + μ, without forming log μ
    const = nx.xlogy(y, y) - y if saturated is None else saturated
    loss = w * (const - y * eta + mu)
    return LossTerms(loss, w * (mu - y), w * mu, mu)


def _binomial_logit(y: Array, eta: Array, w: Array, kind: HessianKind, saturated: Array | None = None) -> LossTerms:
    # With e = exp(−|η|) and r = 1/(1 + e): μ is r or e·r (η ≥ 0 or not), μ(1 − μ) = e·r²
    # either way, and log(1 + e^η) = max(η, 0) + log1p(e). So y log(y/μ) + (1−y) log((1−y)/(1−μ))
    # = y log y + (1−y) log(1−y) + log1p(e) + max(η, 0) − yη: one exponential, no
    # cancellation in either tail, and no μ formed where it would round to 0 or 1.
    # Written in place with two scratch arrays besides the four results: on large data each
    # fresh array of n values costs page faults.
    eta = np.asarray(eta, dtype=float)
    e = np.abs(eta)
    np.negative(e, out=e)
    nx.exp(e, out=e)
    r = np.add(e, 1.0)
    np.reciprocal(r, out=r)
    hess = e * r  # e·r: μ where η < 0, 1 − μ where η ≥ 0
    mu = np.where(eta >= 0, r, hess)
    hess *= r
    hess *= w
    loss = np.maximum(eta, 0.0)
    neg = np.subtract(loss, eta)  # max(−η, 0), exact
    loss *= np.subtract(1.0, y, out=r)  # y·max(−η, 0) + (1 − y)·max(η, 0): summed so that
    neg *= y  # nothing cancels for y in {0, 1}
    loss += neg
    if saturated is None:
        loss += nx.xlogy(y, y) + nx.xlogy(1.0 - y, 1.0 - y)
    else:
        loss += saturated
    loss += nx.log1p_unit(e, out=r, work=neg)
    loss *= w
    grad = np.subtract(mu, y, out=neg)
    grad *= w
    return LossTerms(loss, grad, hess, mu)


def _gaussian_identity(y: Array, eta: Array, w: Array, kind: HessianKind, saturated: Array | None = None) -> LossTerms:
    r = y - eta
    return LossTerms(0.5 * w * r * r, -w * r, np.array(w, dtype=float, copy=True), np.asarray(eta, dtype=float))


def _gamma_log(y: Array, eta: Array, w: Array, kind: HessianKind, saturated: Array | None = None) -> LossTerms:
    # (y − μ)/μ − log(y/μ) = y e^{−η} + η − log y − 1: one exponential, no log per iteration.
    inv_mu = nx.exp(-np.asarray(eta, dtype=float))
    const = -nx.log(y) - 1.0 if saturated is None else saturated
    y_inv_mu = y * inv_mu
    loss = w * (y_inv_mu + eta + const)
    hess = w * y_inv_mu if kind == "observed" else np.array(w, dtype=float, copy=True)
    return LossTerms(loss, w * (1.0 - y_inv_mu), hess, 1.0 / inv_mu)


class _TweedieLog:
    """Fused Tweedie–log kernel for 1 < p, p ≠ 2, with μ^{1−p} and μ^{2−p} as exponentials of η."""

    def __init__(self, power: float) -> None:
        self.p = power

    def saturated(self, y: Array) -> Array:
        p = self.p
        return np.power(y, 2.0 - p) / ((1.0 - p) * (2.0 - p))

    def __call__(self, y: Array, eta: Array, w: Array, kind: HessianKind, saturated: Array | None = None) -> LossTerms:
        p = self.p
        eta = np.asarray(eta, dtype=float)
        mu_1p = nx.exp((1.0 - p) * eta)  # μ^{1−p}
        mu = nx.exp(eta)
        mu_2p = mu_1p * mu  # μ^{2−p}
        const = self.saturated(y) if saturated is None else saturated
        loss = w * (const - y * mu_1p / (1.0 - p) + mu_2p / (2.0 - p))
        if kind == "observed":
            hess = w * ((2.0 - p) * mu_2p - (1.0 - p) * y * mu_1p)
        else:
            hess = w * mu_2p
        return LossTerms(loss, w * mu_1p * (mu - y), hess, mu)


Kernel = Callable[..., LossTerms]

_KERNELS: dict[str, Callable[..., Kernel]] = {
    "poisson_log": lambda: _poisson_log,
    "binomial_logit": lambda: _binomial_logit,
    "gaussian_identity": lambda: _gaussian_identity,
    "gamma_log": lambda: _gamma_log,
    "tweedie_log": _TweedieLog,
}


def _fused_kernel(family: Family, link: Link) -> Kernel | None:
    """The kernel the family declares for the link (``Family.fused_kernel``), or None."""
    key = family.fused_kernel(link)
    if key is None:
        return None
    name, *params = key
    if name not in _KERNELS:
        raise ValueError(f"{family!r} declares the fused kernel {name!r}, which glmkit.loss does not have; "
                         f"known kernels: {', '.join(_KERNELS)}.")
    return _KERNELS[str(name)](*params)
