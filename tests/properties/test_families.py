"""Identities every family must satisfy.

- d(y, μ) ≥ 0 and d(y, y) = 0;
- ∂d/∂μ = −2 (y − μ) / V(μ) (the deviance is induced by the variance function);
- V′ matches finite differences;
- log f(y; μ, φ) − log f(y; y, φ) = −w d(y, μ) / (2φ) for every family with a likelihood
  (the exponential-dispersion form; for Tweedie this checks the series' θ/κ part);
- Tweedie densities integrate to one;
- samples (``Family.sample``) have mean μ and variance φV(μ)/w, inside the y-domain;
- starting means lie inside the mean's domain.

Every test marked ``@family_property`` runs on every registered family (``glm_registry``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import integrate

import glmkit as gk
from glmkit.families.tweedie import tweedie_logpdf

from glm_registry import family_property, mu_grid, sample_y


def _mu(family):
    dom = family.mu_domain
    return mu_grid(dom.low, dom.high)


@family_property()
def test_deviance_nonnegative_and_zero_at_y(family):
    rng = np.random.default_rng(0)
    mu = _mu(family)
    y = sample_y(family, mu, rng)
    assert np.all(family.unit_deviance(y, mu) >= -1e-12)
    y_in = mu if family.y_domain.all_contain(mu) else y
    np.testing.assert_allclose(family.unit_deviance(y_in, y_in), 0.0, atol=1e-12)


@family_property()
def test_deviance_derivative_is_minus_two_residual_over_variance(family):
    rng = np.random.default_rng(1)
    mu = _mu(family)
    y = sample_y(family, mu, rng)
    h = 1e-6 * np.maximum(np.abs(mu), 1e-3)
    fd = (family.unit_deviance(y, mu + h) - family.unit_deviance(y, mu - h)) / (2 * h)
    np.testing.assert_allclose(fd, -2.0 * (y - mu) / family.variance(mu), rtol=1e-5, atol=1e-8)


@family_property()
def test_variance_derivative(family):
    mu = _mu(family)
    h = 1e-6 * np.maximum(np.abs(mu), 1e-3)
    fd = (family.variance(mu + h) - family.variance(mu - h)) / (2 * h)
    np.testing.assert_allclose(family.variance.derivative(mu), fd, rtol=1e-6, atol=1e-9)


@family_property(where=lambda family: family.has_likelihood)
@pytest.mark.parametrize("dispersion", [1.0, 0.7])
def test_loglik_difference_is_half_deviance(family, dispersion):
    if family.dispersion_is_fixed and dispersion != 1.0:
        pytest.skip("dispersion is fixed at 1 for this family")
    if isinstance(family, gk.Tweedie) and family.power == 1.0 and dispersion != 1.0:
        pytest.skip("Tweedie p=1 with φ≠1 lives on the lattice φ·ℕ; sample y is not on it")
    if isinstance(family, gk.Tweedie) and family.power not in (0.0, 1.0, 2.0, 3.0) and family.power > 2:
        pytest.skip("no density series for Tweedie p > 2 other than 3 (log-likelihood is NaN by design)")
    rng = np.random.default_rng(2)
    mu = _mu(family)
    y = sample_y(family, mu, rng)
    w = rng.uniform(0.5, 2.0, size=mu.shape)
    if family.proportion_response:
        w = np.ones_like(mu)
    for i in range(mu.size):
        yi, mi, wi = y[i : i + 1], mu[i : i + 1], w[i : i + 1]
        if family.unit_deviance(yi, yi)[0] != 0 or not family.mu_domain.all_contain(yi):
            continue  # saturated mean y not a valid μ (e.g. y = 0 for Poisson): skip that row
        diff = family.loglik(yi, mi, wi, dispersion) - family.loglik(yi, yi, wi, dispersion)
        np.testing.assert_allclose(diff, -wi[0] * family.unit_deviance(yi, mi)[0] / (2 * dispersion), rtol=1e-9, atol=1e-12)


@family_property()
def test_samples_have_mean_mu_and_variance_phi_v(family):
    rng = np.random.default_rng(5)
    dom = family.mu_domain
    if dom.high == 1.0:
        mu = np.array([0.3, 0.7])
    else:
        mu = np.array([-1.0, 2.0]) if np.isinf(dom.low) else np.array([0.5, 2.0])
    n = 50_000
    phi = 1.0 if family.dispersion_is_fixed else 0.7
    shape = (mu.size, n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        y = family.sample(np.repeat(mu[:, None], n, axis=1), np.full(shape, phi), np.ones(shape), None, rng)
    approximate = any("normal approximation" in str(c.message) for c in caught)
    var = phi * family.variance(mu)
    np.testing.assert_allclose(y.mean(axis=1), mu, atol=5 * np.sqrt(var.max() / n))
    np.testing.assert_allclose(y.var(axis=1), var, rtol=0.08)
    if not approximate:  # the normal approximation (quasi-families) may leave the y-domain
        assert family.y_domain.all_contain(y)


@family_property()
def test_starting_means_of_sample_responses_are_inside_domain(family):
    rng = np.random.default_rng(6)
    y = sample_y(family, _mu(family), rng)
    assert family.mu_domain.all_contain(family.starting_mu(y, np.ones_like(y)))


@family_property()
def test_examples_are_fittable_as_they_are(family):
    assert not family.estimates_extra_parameter
    assert family.link.name in (family.allowed_links or (family.link.name,))


@pytest.mark.parametrize("power", [1.2, 1.5, 1.8])
@pytest.mark.parametrize("mu,phi", [(0.5, 1.0), (2.0, 0.5), (5.0, 2.0)])
def test_tweedie_density_integrates_to_one(power, mu, phi):
    p0 = np.exp(tweedie_logpdf(np.array([0.0]), np.array([mu]), phi, power))[0]

    def f(y: float) -> float:
        return float(np.exp(tweedie_logpdf(np.array([y]), np.array([mu]), phi, power))[0])

    mass, _ = integrate.quad(f, 0.0, np.inf, limit=400)
    np.testing.assert_allclose(p0 + mass, 1.0, rtol=1e-6)


@pytest.mark.parametrize("power", [1.3, 1.7])
def test_tweedie_mean_is_mu(power):
    mu, phi = 3.0, 0.8
    def f(y: float) -> float:
        return y * float(np.exp(tweedie_logpdf(np.array([y]), np.array([mu]), phi, power))[0])
    mean, _ = integrate.quad(f, 0.0, np.inf, limit=400)
    np.testing.assert_allclose(mean, mu, rtol=1e-6)


def test_quasi_families_have_no_likelihood():
    for fam in (gk.QuasiPoisson(), gk.QuasiBinomial(), gk.Quasi()):
        assert np.isnan(fam.loglik(np.ones(3), np.ones(3) * 0.5, np.ones(3)))


def test_unknown_family_lists_valid_names():
    with pytest.raises(ValueError, match="Valid names: gaussian, binomial, poisson"):
        gk.get_family("poison")


def test_starting_means_are_inside_domain():
    y01 = np.array([0.0, 1.0, 1.0, 0.0])
    counts = np.array([0.0, 3.0, 1.0, 0.0])
    pos = np.array([0.5, 2.0, 3.0, 1.0])
    w = np.ones(4)
    for fam, y in [(gk.Binomial(), y01), (gk.Poisson(), counts), (gk.NegativeBinomial(2.0), counts),
                   (gk.Gamma(), pos), (gk.InverseGaussian(), pos), (gk.Tweedie(1.5), counts),
                   (gk.QuasiPoisson(), counts), (gk.QuasiBinomial(), y01)]:
        assert fam.mu_domain.all_contain(fam.starting_mu(y, w)), fam
