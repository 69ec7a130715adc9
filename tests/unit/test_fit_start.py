"""Starting values and the end of IRLS on awkward non-canonical fits."""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk
import glmkit.fit.model as fit_module

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
    original = fit_module._intercept_only
    monkeypatch.setattr(fit_module, "_intercept_only",
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


def _large_design(monkeypatch, n=40_000, p=12, seed=3):
    """Large enough (after shrinking the sampling and chunk sizes) for the sampled start."""
    import glmkit.design.dense as dense
    import glmkit.objective as objective_module

    monkeypatch.setattr(objective_module, "ROUGH_HESSIAN_ROWS", 2_000)  # every 8th chunk
    monkeypatch.setattr(dense, "_BLOCK_BYTES", p * 8 * 1000)
    monkeypatch.setattr(dense, "_CHUNK_BYTES", p * 8 * 1000)  # 40 chunks of 1000 rows
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = rng.poisson(np.exp(0.2 + X @ np.linspace(-0.2, 0.2, p))).astype(float)
    return X, y


def test_sampled_start_gram_estimate_diagonal_and_gradient(monkeypatch):
    from glmkit.design import DenseDesign

    X, _ = _large_design(monkeypatch)
    design = DenseDesign(X, intercept=True)
    rng = np.random.default_rng(1)
    h, v = rng.uniform(0.5, 2.0, X.shape[0]), rng.normal(size=X.shape[0])
    estimate, xv, diagonal, fraction = design.sampled_sandwich_and_rmatvec(h, v, 8)
    sampled = np.zeros(X.shape[0], dtype=bool)
    for start in range(0, X.shape[0], 8000):
        sampled[start:start + 1000] = True
    Xf = design.toarray()
    assert fraction == sampled.mean()
    np.testing.assert_allclose(estimate * fraction, (Xf[sampled].T * h[sampled]) @ Xf[sampled], rtol=1e-12)
    np.testing.assert_allclose(diagonal, np.einsum("ij,ij,i->j", Xf, Xf, h), rtol=1e-12)
    np.testing.assert_allclose(xv, Xf.T @ v, rtol=1e-10, atol=1e-9)


def test_sampled_start_gives_the_same_fit(monkeypatch):
    import glmkit.objective as objective_module
    from glmkit.fit.start import StartSystem

    X, y = _large_design(monkeypatch)
    monkeypatch.setattr(objective_module, "ROUGH_HESSIAN_ROWS", 10**9)  # no sampling anywhere
    exact = gk.glm_fit(X, y, family="poisson")
    monkeypatch.setattr(objective_module, "ROUGH_HESSIAN_ROWS", 2_000)

    seen = []
    original = fit_module.start_system
    monkeypatch.setattr(fit_module, "start_system", lambda *a: seen.append(original(*a)) or seen[-1])
    fast = gk.glm_fit(X, y, family="poisson")
    assert isinstance(seen[0], StartSystem) and not seen[0].exact and seen[0].clearly_full_rank
    # Both fits stop at a relative Newton decrement below 1e-20, ~1e-11 from the MLE each.
    np.testing.assert_allclose(fast.coef, exact.coef, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(fast.std_err, exact.std_err, rtol=1e-8)


def test_aliased_columns_are_still_found_when_the_start_is_sampled(monkeypatch):
    X, y = _large_design(monkeypatch)
    X[:, 4] = 2.0 * X[:, 1] - X[:, 2]  # an exact linear combination
    with pytest.warns(gk.AliasingWarning):
        result = gk.glm_fit(X, y, family="poisson")
    assert np.isnan(result.coef.iloc[5]) and np.count_nonzero(np.isnan(result.coef)) == 1
