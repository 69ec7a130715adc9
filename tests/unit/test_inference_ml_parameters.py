"""glm.nb, gamma.shape and the Tweedie power on simulated data with known parameters."""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk


def test_glm_nb_recovers_theta_and_routes_by_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 1))
    mu = np.exp(1.0 + 0.5 * X[:, 0])
    y = rng.negative_binomial(3.0, 3.0 / (3.0 + mu))
    fit = gk.glm_fit(X, y, family="negative_binomial")
    assert isinstance(fit, gk.ml_parameters.NegBinResult) if hasattr(gk, "ml_parameters") else True
    assert abs(fit.theta - 3.0) < 4 * fit.theta_se
    assert fit.aic == pytest.approx(-fit.twologlik + 2 * fit.rank + 2)
    assert not fit.dispersion_is_estimated
    known = gk.glm_fit(X, y, family=gk.NegativeBinomial(theta=fit.theta))
    np.testing.assert_allclose(known.coef, fit.coef, rtol=1e-8)
    assert "Theta" in str(fit.summary())


def test_theta_score_is_zero_at_the_estimate():
    from glmkit.ml_parameters.negbin import _score_info

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 1))
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + np.exp(1 + X[:, 0])))
    fit = gk.glm_fit(X, y, family="negative_binomial")
    score, info = _score_info(fit.theta, fit.model.y, fit.model.mu, fit.model.weights)
    assert abs(score) < 1e-8 * info
    assert fit.theta_se == pytest.approx(1 / np.sqrt(info), rel=1e-12)


def test_gamma_shape():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3000, 1))
    y = rng.gamma(5.0, np.exp(0.5 + 0.2 * X[:, 0]) / 5.0)
    shape = gk.gamma_shape(gk.glm_fit(X, y, family="gamma", link="log"))
    assert abs(shape.alpha - 5.0) < 4 * shape.se
    assert shape.dispersion == pytest.approx(1 / shape.alpha)
    with pytest.raises(ValueError, match="Gamma"):
        gk.gamma_shape(gk.glm_fit(X, y))


def test_tweedie_power_profile():
    rng = np.random.default_rng(3)
    X = rng.uniform(size=(300, 1))
    n = rng.poisson(2 * np.exp(X[:, 0]))
    y = np.array([rng.gamma(2.0 * k, 0.5) if k else 0.0 for k in n])  # p = (α + 2)/(α + 1) = 4/3
    prof = gk.tweedie_power(gk.glm_fit(X, y, family=gk.Tweedie(1.5)), powers=np.arange(1.1, 1.95, 0.1))
    assert prof.conf_int[0] < 4 / 3 < prof.conf_int[1]
    assert prof.loglik >= np.nanmax(prof.logliks) - 1e-9
    assert prof.fit.family.power == pytest.approx(prof.power)
    from glmkit.ml_parameters.tweedie_power import profile_loglik

    ll, phi, _ = profile_loglik(prof.fit.model, prof.power)
    assert ll == pytest.approx(prof.loglik, rel=1e-10)
    for factor in (0.99, 1.01):  # φ̂ maximises the likelihood at p̂
        from glmkit.families.tweedie import tweedie_logpdf

        m = prof.fit.model
        assert np.sum(tweedie_logpdf(m.y, m.mu, phi * factor, prof.power)) < ll
