"""Adding a family is one file: this one defines the exponential distribution, registers it,
and runs every family property test on it with no change anywhere else.

The exponential distribution is the Gamma with shape 1: V(μ) = μ², the Gamma's unit
deviance 2[(y − μ)/μ − log(y/μ)], dispersion fixed at 1, log f(y; μ) = −log μ − y/μ for
y > 0. Its loss under the log link is the Gamma–log one, so it declares that fused kernel.

How it runs: the family is registered by a fixture (``register_family``) and removed when
the test ends, so nothing leaks into other tests (the module-level ``ALL_FAMILIES`` of
``glm_registry``, built at import, never holds it). Inside the fixture the test registry is
rebuilt from the family registry (``glm_registry.registered_families``), the new family's
instances are taken from it, and each property test of ``test_families`` and ``test_loss``
(the tests marked ``@family_property``) is called on them with the links or dispersions
its own parametrisation gives a family. A property test that skips on the new family fails here, unless
it skips only the dispersion a fixed-dispersion family cannot have.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from scipy import stats

import glm_registry
import glmkit as gk
import test_families as family_properties
import test_loss as loss_properties
from glmkit import links
from glmkit.families import FAMILIES, Family, register_family, unregister_family
from glmkit.variance import PowerVariance


class Exponential(Family):
    """Exponential responses: the Gamma with shape 1 (dispersion fixed at 1), default link log."""

    name = "exponential"
    default_link = "log"
    dispersion_is_fixed = True

    def __init__(self, link=None):
        self.variance = PowerVariance(2.0)
        super().__init__(link)

    def _y_hint(self) -> str:
        return "Exponential y must be strictly positive."

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None):
        used = weights > 0
        y, mu, w = y[used], mu[used], weights[used]
        return float(np.sum(w * (-np.log(mu) - y / mu)))

    def sample(self, mu, dispersion, weights, trials, rng):
        shape = weights / dispersion  # Gamma(w/φ) with mean μ: variance φμ²/w; exponential at w = φ = 1
        return rng.gamma(shape, mu / shape)

    def fused_kernel(self, link):
        return ("gamma_log",) if type(link) is links.Log else None

    @classmethod
    def examples(cls):
        return (cls(), cls(link="inverse"))


@pytest.fixture
def registered():
    register_family("exponential", Exponential)
    try:
        yield [f for f in glm_registry.registered_families() if type(f) is Exponential]
    finally:
        unregister_family("exponential")


def _property_tests():
    out = []
    for module in (family_properties, loss_properties):
        for name, fn in vars(module).items():
            if name.startswith("test_") and hasattr(fn, "family_filter"):  # marked @family_property
                out.append(pytest.param(fn, id=f"{module.__name__}.{name}"))
    return out


PROPERTY_TESTS = _property_tests()


def _calls(fn, family):
    """The argument sets the test's own parametrisation gives this family (none if it excludes it)."""
    if not fn.family_filter(family):
        return []
    if fn.pair_filter is not None:
        return [dict(family=family, link=link) for link in glm_registry.ALL_LINKS if fn.pair_filter(family, link)]
    if "dispersion" in inspect.signature(fn).parameters:
        return [dict(family=family, dispersion=d) for d in (1.0, 0.7)]
    return [dict(family=family)]


def test_the_property_tests_are_found():
    names = {p.id.split(".")[-1] for p in PROPERTY_TESTS}
    assert {"test_deviance_derivative_is_minus_two_residual_over_variance", "test_loglik_difference_is_half_deviance",
            "test_samples_have_mean_mu_and_variance_phi_v", "test_gradient_matches_finite_difference",
            "test_declared_kernels_match_generic_formulas"} <= names


@pytest.mark.parametrize("property_test", PROPERTY_TESTS)
def test_new_family_passes_family_property_tests(registered, property_test):
    assert registered, "the registered family is missing from the test registry"
    ran = 0
    for family in registered:
        for kwargs in _calls(property_test, family):
            try:
                property_test(**kwargs)
            except pytest.skip.Exception:
                if not (family.dispersion_is_fixed and kwargs.get("dispersion", 1.0) != 1.0):
                    raise
                continue
            ran += 1
    assert ran > 0


def test_the_new_family_fits_by_name_and_matches_the_gamma(registered):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 2))
    y = rng.exponential(np.exp(0.4 + X @ [0.5, -0.3]))
    fit = gk.glm_fit(X, y, family="exponential")
    gamma = gk.glm_fit(X, y, family="gamma", link="log", dispersion=1.0)
    np.testing.assert_allclose(fit.coef, gamma.coef, rtol=1e-10)
    np.testing.assert_allclose(fit.std_err, gamma.std_err, rtol=1e-8)
    assert fit.dispersion == 1.0
    mu = fit.fitted.to_numpy() if hasattr(fit.fitted, "to_numpy") else fit.fitted
    np.testing.assert_allclose(fit.loglik, stats.expon.logpdf(y, scale=mu).sum(), rtol=1e-12)
    np.testing.assert_allclose(fit.aic, -2 * fit.loglik + 2 * 3, rtol=1e-12)
    pred = fit.predict(X[:3], interval="prediction", n_draws=2000)
    assert np.all(pred["lower"] > 0) and np.all(pred["lower"] < pred["upper"])


def test_registration_does_not_leak():
    assert "exponential" not in FAMILIES
    assert not any(type(f) is Exponential for f in glm_registry.ALL_FAMILIES)
    with pytest.raises(ValueError, match="Unknown family 'exponential'"):
        gk.get_family("exponential")
