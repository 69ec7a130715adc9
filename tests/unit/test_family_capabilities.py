"""The capabilities a family declares, which callers use instead of switching on names or types."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glmkit as gk
from glmkit import links
from glmkit.errors import InputError, UnknownNameError
from glmkit.families import FAMILIES, register_family, unregister_family

EPS = 10 * np.finfo(float).eps
PROBABILITY = "fitted probabilities numerically 0 or 1 occurred (perfect or quasi-separation)"
RATE = "fitted rates numerically 0 occurred"


def _r_boundary_rule(family, mu):
    """The rule glm.fit applies (and glmkit's fit applied by type before the families declared it)."""
    if family.name in ("binomial", "quasibinomial"):
        return PROBABILITY if np.any((mu < EPS) | (mu > 1 - EPS)) else None
    if family.name in ("poisson", "quasipoisson") or isinstance(family.link, links.Log):
        return RATE if np.any(mu < EPS) else None
    return None


FAMILIES_AND_LINKS = [
    gk.Binomial(), gk.Binomial(link="log"), gk.QuasiBinomial(link="probit"), gk.Poisson(),
    gk.Poisson(link="identity"), gk.QuasiPoisson(link="sqrt"), gk.Gamma(), gk.Gamma(link="log"),
    gk.Gaussian(), gk.Gaussian(link="log"), gk.NegativeBinomial(theta=2.0), gk.Tweedie(power=1.5),
    gk.Tweedie(power=1.5, link=links.Power(0.0)), gk.Quasi(link="log", variance="mu(1-mu)"),
    gk.Quasi(variance="mu(1-mu)"), gk.InverseGaussian(),
]
MEANS = [np.array([0.2, 0.5]), np.array([0.2, 1e-17]), np.array([0.3, 1 - 1e-17]), np.array([])]


@pytest.mark.parametrize("family", FAMILIES_AND_LINKS, ids=repr)
def test_boundary_message_is_r_rule(family):
    for mu in MEANS:
        assert family.boundary_message(mu) == _r_boundary_rule(family, mu), (family, mu)


def test_proportion_response_and_quasi_counterparts():
    assert [name for name, cls in FAMILIES.items() if cls.proportion_response] == ["binomial", "quasibinomial"]
    assert gk.Binomial().quasi_counterpart == "quasibinomial"
    assert gk.Poisson().quasi_counterpart == "quasipoisson"
    assert gk.NegativeBinomial(theta=1.0).quasi_counterpart is None
    assert [name for name, cls in FAMILIES.items() if cls.aic_from_log_deviance] == ["gaussian"]


def test_aic_counts_dispersion_is_declared_per_instance():
    assert gk.Tweedie(power=1.5).aic_counts_dispersion
    assert not gk.Tweedie(power=1.0).aic_counts_dispersion
    assert gk.Gamma().aic_counts_dispersion and not gk.Poisson().aic_counts_dispersion


def test_negative_binomial_without_theta_is_estimated_and_refuses_to_be_used():
    fam = gk.get_family("negative_binomial")
    assert fam.extra_parameter == "theta" and fam.estimates_extra_parameter and fam.theta is None
    assert gk.get_family("negbin", link="sqrt").estimates_extra_parameter
    assert gk.NegativeBinomial().estimates_extra_parameter
    y, mu, w = np.array([0.0, 2.0]), np.array([1.0, 2.0]), np.ones(2)
    for call in (lambda: fam.variance(mu), lambda: fam.unit_deviance(y, mu), lambda: fam.loglik(y, mu, w),
                 lambda: fam.sample(mu, w, w, None, np.random.default_rng(0)),):
        with pytest.raises(InputError, match="θ to be estimated"):
            call()
    with pytest.raises(InputError, match="leaves its theta to be estimated"):
        gk.GLMLoss("negative_binomial")
    fam.check_y(y, w)  # the domains are known without θ
    fixed = fam.with_extra_parameter(1.5)
    assert fixed.theta == 1.5 and not fixed.estimates_extra_parameter and fixed.link == fam.link
    assert not gk.get_family("negative_binomial", theta=2.0).estimates_extra_parameter


def test_extra_parameters():
    assert gk.Tweedie(power=1.5).with_extra_parameter(1.2).power == 1.2
    assert gk.Tweedie(power=1.5).extra_parameter == "power"
    assert gk.Poisson().extra_parameter is None and not gk.Poisson().estimates_extra_parameter
    with pytest.raises(InputError, match="no extra parameter"):
        gk.Poisson().with_extra_parameter(1.0)


def test_default_sample_is_a_warned_normal_approximation():
    mu = np.full(5, 2.0)
    with pytest.warns(UserWarning, match="normal approximation"):
        y = gk.QuasiPoisson().sample(mu, np.ones(5), np.ones(5), None, np.random.default_rng(0))
    assert y.shape == mu.shape


def test_loss_alias_is_deprecated():
    from glmkit import loss

    with pytest.warns(DeprecationWarning, match="GLMLoss"):
        alias = loss.Loss
    assert alias is gk.GLMLoss
    with pytest.raises(AttributeError):
        loss.Losss  # noqa: B018


def test_register_family_refuses_taken_names_and_non_families():
    with pytest.raises(UnknownNameError, match="taken"):
        register_family("poisson", gk.Poisson)
    with pytest.raises(UnknownNameError, match="taken"):
        register_family("negbin", gk.Poisson)
    with pytest.raises(TypeError, match="Family subclass"):
        register_family("thing", int)
    with pytest.raises(UnknownNameError, match="built-in"):
        unregister_family("gaussian")
    with pytest.raises(UnknownNameError, match="No family"):
        unregister_family("not_a_family")


def test_register_family_as_decorator_and_unregister():
    @register_family("Poisson2")
    class Poisson2(gk.Poisson):
        name = "poisson2"

    try:
        assert isinstance(gk.get_family("poisson2"), Poisson2)
    finally:
        unregister_family("poisson2")
    with pytest.raises(UnknownNameError):
        gk.get_family("poisson2")


def test_no_switch_on_family_names_or_types_outside_families():
    # Files the families part owns; the callers in fit/api/cv/influence are switched by the lead.
    import inspect
    import re

    from glmkit import loss
    from glmkit.inference import anova, likelihood, prediction

    concrete = "|".join(cls.__name__ for cls in FAMILIES.values())
    switches = [r"family\.name\s*[!=]=", r"__name__\s+(not\s+)?in", r"\btype\(\w*\.?family\)", r"getattr\(fam",
                rf"(isinstance\([^)]*|\bis\s+(not\s+)?|import\s[^\n]*)\b({concrete})\b"]
    for module in (loss, anova, likelihood, prediction):
        src = inspect.getsource(module)
        for pattern in switches:
            assert not re.search(pattern, src), (module.__name__, pattern, re.search(pattern, src))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gk.GLMLoss("poisson")
