"""Identities every link must satisfy: round trips and derivatives against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from glmkit import links

from glm_registry import ALL_LINKS


def _mu_for(link) -> np.ndarray:
    if link.name in ("logit", "probit", "cloglog", "loglog", "cauchit"):
        return np.linspace(0.02, 0.98, 25)
    if link.name == "identity":
        return np.linspace(-4.0, 4.0, 25)
    return np.geomspace(0.05, 30.0, 25)


@pytest.mark.parametrize("link", ALL_LINKS, ids=repr)
def test_round_trip(link):
    mu = _mu_for(link)
    np.testing.assert_allclose(link.inverse(link.link(mu)), mu, rtol=1e-12)
    eta = link.link(mu)
    np.testing.assert_allclose(link.link(link.inverse(eta)), eta, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("link", ALL_LINKS, ids=repr)
def test_inverse_derivative_matches_finite_difference(link):
    eta = link.link(_mu_for(link))
    h = 1e-6 * np.maximum(np.abs(eta), 1e-3)
    fd = (link.inverse(eta + h) - link.inverse(eta - h)) / (2 * h)
    np.testing.assert_allclose(link.inverse_derivative(eta), fd, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("link", ALL_LINKS, ids=repr)
def test_inverse_second_derivative_matches_finite_difference(link):
    eta = link.link(_mu_for(link))
    h = 1e-5 * np.maximum(np.abs(eta), 1e-3)
    fd = (link.inverse_derivative(eta + h) - link.inverse_derivative(eta - h)) / (2 * h)
    np.testing.assert_allclose(link.inverse_second_derivative(eta), fd, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("link", ALL_LINKS, ids=repr)
def test_derivative_is_reciprocal_of_inverse_derivative(link):
    mu = _mu_for(link)
    np.testing.assert_allclose(link.derivative(mu) * link.inverse_derivative(link.link(mu)), 1.0, rtol=1e-10)


def test_power_zero_is_log_and_named_powers():
    assert isinstance(links.Power(0.0), links.Log)
    np.testing.assert_allclose(links.Inverse().link(4.0), 0.25)
    np.testing.assert_allclose(links.InverseSquared().link(2.0), 0.25)
    np.testing.assert_allclose(links.Sqrt().link(9.0), 3.0)


def test_logit_tails_keep_precision():
    eta = np.array([-40.0, 40.0])
    d = links.Logit().inverse_derivative(eta)
    np.testing.assert_allclose(d, np.exp(-40.0) / (1 + np.exp(-40.0)) ** 2, rtol=1e-12)


def test_valid_eta_rules():
    assert not links.Inverse().valid_eta(np.array([0.0, 1.0]))
    assert not links.InverseSquared().valid_eta(np.array([-1.0]))
    assert links.Identity().valid_eta(np.array([-1.0]))
    assert not links.Log().valid_eta(np.array([np.inf]))


def test_unknown_link_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names: cauchit, cloglog"):
        links.get_link("logit2")
