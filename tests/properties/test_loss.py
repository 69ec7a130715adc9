"""The loss in η over every family × compatible link: gradient and Hessians against finite
differences, the expected Hessian as the mean of the observed one, fused canonical kernels
against the generic formulas."""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk
from glmkit.loss import GLMLoss, _half_deviance

from glm_registry import family_property, sample_y

UNIT_LINKS = {"logit", "probit", "cloglog", "loglog", "cauchit"}


def _compatible(family, link) -> bool:
    unit = family.mu_domain.high == 1.0
    return (link.name in UNIT_LINKS) == unit or (unit and link.name == "log")


def _has_kernel(family, link) -> bool:
    return _compatible(family, link) and GLMLoss(family, link)._kernel is not None


def _setup(family, link, seed=0):
    rng = np.random.default_rng(seed)
    if family.mu_domain.high == 1.0:
        mu = np.linspace(0.1, 0.9, 9) if link.name != "log" else np.linspace(0.1, 0.6, 9)
    elif family.mu_domain.low == 0.0:
        mu = np.geomspace(0.3, 8.0, 9)
    else:
        mu = np.linspace(0.5, 3.0, 9) if link.name not in ("identity",) else np.linspace(-2, 2, 9)
    eta = link.link(mu)
    y = sample_y(family, mu, rng)
    w = rng.uniform(0.5, 2.0, size=mu.shape)
    return GLMLoss(family, link), y, eta, w


@family_property(links=_compatible)
def test_gradient_matches_finite_difference(family, link):
    loss, y, eta, w = _setup(family, link)
    h = 1e-6 * np.maximum(np.abs(eta), 1e-2)
    fd = (loss.loss(y, eta + h, w) - loss.loss(y, eta - h, w)) / (2 * h)
    # atol: the central difference of a loss of size ~10 carries ~1e-7 of rounding where the gradient is 0
    np.testing.assert_allclose(loss.gradient(y, eta, w), fd, rtol=1e-5, atol=1e-6)


@family_property(links=_compatible)
def test_observed_hessian_matches_finite_difference(family, link):
    loss, y, eta, w = _setup(family, link)
    h = 1e-5 * np.maximum(np.abs(eta), 1e-2)
    fd = (loss.gradient(y, eta + h, w) - loss.gradient(y, eta - h, w)) / (2 * h)
    np.testing.assert_allclose(loss.hessian(y, eta, w, "observed"), fd, rtol=1e-5, atol=1e-7)


@family_property(links=_compatible)
def test_expected_hessian_is_observed_at_y_equal_mu(family, link):
    # E[y] = μ and the observed Hessian is linear in y, so E[observed] = observed at y = μ.
    loss, _, eta, w = _setup(family, link)
    mu = link.inverse(eta)
    np.testing.assert_allclose(loss.hessian(mu, eta, w, "expected"), loss.hessian(mu, eta, w, "observed"), rtol=1e-10)


@family_property(links=_compatible)
def test_gradient_is_zero_at_y_equal_mu(family, link):
    loss, _, eta, w = _setup(family, link)
    mu = link.inverse(eta)
    np.testing.assert_allclose(loss.gradient(mu, eta, w), 0.0, atol=1e-12)


@pytest.mark.parametrize("family", [gk.Poisson(), gk.Binomial(), gk.Gaussian()], ids=repr)
def test_canonical_kernels_match_generic_formulas(family):
    loss, y, eta, w = _setup(family, family.link)
    assert loss._kernel is not None
    t = loss.terms(y, eta, w, "observed")
    mu = family.link.inverse(eta)
    np.testing.assert_allclose(t.loss, _half_deviance(family, y, mu, w), rtol=1e-10, atol=1e-13)
    generic = GLMLoss.__new__(GLMLoss)
    generic.family, generic.link, generic._kernel = family, family.link, None
    g = generic.terms(y, eta, w, "observed")
    np.testing.assert_allclose(t.gradient, g.gradient, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(t.hessian, g.hessian, rtol=1e-10)


def test_logit_kernel_is_stable_far_in_the_tails():
    loss = GLMLoss("binomial")
    eta = np.array([-800.0, 800.0, -40.0, 40.0])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    out = loss.loss(y, eta, np.ones(4))
    np.testing.assert_allclose(out[:2], [800.0, 800.0])
    np.testing.assert_allclose(out[2:], np.log1p(np.exp(-40.0)), rtol=1e-12)


def test_loss_is_infinite_outside_the_mean_domain():
    loss = GLMLoss(gk.Poisson(link="identity"))
    assert np.isinf(loss.loss(np.array([1.0]), np.array([-1.0]), np.ones(1))[0])


def test_negative_loglik_includes_constants():
    loss = GLMLoss("poisson")
    y, eta = np.array([2.0, 0.0]), np.array([0.3, -0.1])
    from scipy import stats

    expected = -np.sum(stats.poisson.logpmf(y, np.exp(eta)))
    np.testing.assert_allclose(loss.negative_loglik(y, eta, np.ones(2)), expected, rtol=1e-12)


@pytest.mark.parametrize("family", [gk.Gamma(link="log"), gk.Tweedie(power=1.5), gk.Tweedie(power=2.0),
                                    gk.Tweedie(power=1.0), gk.Tweedie(power=2.7)], ids=repr)
def test_log_link_kernels_match_generic_formulas(family):
    loss, y, eta, w = _setup(family, family.link)
    assert loss._kernel is not None
    mu = family.link.inverse(eta)
    generic = GLMLoss.__new__(GLMLoss)
    generic.family, generic.link, generic._kernel = family, family.link, None
    for kind in ("expected", "observed"):
        t, g = loss.terms(y, eta, w, kind), generic.terms(y, eta, w, kind)
        np.testing.assert_allclose(t.loss, _half_deviance(family, y, mu, w), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t.gradient, g.gradient, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(t.hessian, g.hessian, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(t.mu, mu, rtol=1e-13)
    sat = loss.saturated_term(y)
    np.testing.assert_allclose(loss.terms(y, eta, w, "expected", sat).loss, t.loss, rtol=1e-12, atol=1e-14)


@family_property(links=_has_kernel)
def test_declared_kernels_match_generic_formulas(family, link):
    # Every fused kernel a registered family declares (Family.fused_kernel) computes its loss.
    loss, y, eta, w = _setup(family, link)
    mu = link.inverse(eta)
    generic = GLMLoss.__new__(GLMLoss)
    generic.family, generic.link, generic._kernel = family, link, None
    for kind in ("expected", "observed"):
        t, g = loss.terms(y, eta, w, kind), generic.terms(y, eta, w, kind)
        np.testing.assert_allclose(t.loss, _half_deviance(family, y, mu, w), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(t.gradient, g.gradient, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(t.hessian, g.hessian, rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(t.mu, mu, rtol=1e-13)


@family_property(links=_compatible)
def test_is_quadratic_means_a_constant_hessian(family, link):
    loss, y, eta, w = _setup(family, link)
    if not loss.is_quadratic:
        return
    for shift in (0.0, 1.3):
        np.testing.assert_array_equal(loss.hessian(y, eta + shift, w, "observed"), w)
    np.testing.assert_allclose(loss.loss(y, eta, w), 0.5 * w * (y - eta) ** 2, rtol=1e-14)


def test_is_quadratic_exactly_for_gaussian_identity():
    assert GLMLoss("gaussian").is_quadratic
    assert not GLMLoss(gk.Gaussian(link="log")).is_quadratic
    assert not GLMLoss("poisson").is_quadratic
