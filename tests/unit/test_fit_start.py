"""Starting values and the end of IRLS on awkward non-canonical fits."""

from __future__ import annotations

import numpy as np
import glmkit as gk
import glmkit.fit as fit_module

# Poisson with identity link: the weighted least-squares start predicts negative means at
# x = 0, and at the MLE the means there are small, so Fisher scoring converges slowly.
X_COUNTS = np.array([0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10.0])[:, None]
Y_COUNTS = np.array([1, 0, 0, 0, 0, 0, 1, 2, 30, 40, 50, 60, 70.0])


def _gradient(coef):
    Xf = np.column_stack([np.ones(len(Y_COUNTS)), X_COUNTS])
    mu = Xf @ coef
    return Xf.T @ (1.0 - Y_COUNTS / mu)  # ∂/∂β of Σ (μ − y log μ)


def test_invalid_least_squares_start_falls_back_to_the_intercept_only_start(monkeypatch):
    fallbacks = []
    original = fit_module._intercept_only_start
    monkeypatch.setattr(fit_module, "_intercept_only_start",
                        lambda *args: fallbacks.append(1) or original(*args))
    result = gk.glm_fit(X_COUNTS, Y_COUNTS, family="poisson", link="identity")
    assert fallbacks == [1]
    assert result.converged
    from_given_start = gk.glm_fit(X_COUNTS, Y_COUNTS, family="poisson", link="identity", start=[1.0, 4.0])
    np.testing.assert_allclose(result.coef, from_given_start.coef, rtol=1e-9)


def test_slow_fisher_scoring_ends_with_newton_steps_at_the_mle():
    # Fisher scoring alone contracts by ~0.96 per step here and stalls at the rounding floor
    # of the deviance; near the MLE IRLS turns to the observed information.
    result = gk.glm_fit(X_COUNTS, Y_COUNTS, family="poisson", link="identity")
    assert result.converged and result.n_iter < 50
    coef = np.asarray(result.coef)
    assert np.max(np.abs(_gradient(coef))) < 1e-8
    # The reported information is still the expected (Fisher) one, as R's.
    Xf = np.column_stack([np.ones(len(Y_COUNTS)), X_COUNTS])
    mu = Xf @ coef
    fisher = (Xf.T / mu) @ Xf
    np.testing.assert_allclose(np.asarray(result.cov), np.linalg.inv(fisher), rtol=1e-8)
