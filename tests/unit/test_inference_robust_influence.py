"""Sandwich covariances and influence measures: identities that hold exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk


@pytest.fixture(scope="module")
def gaussian_data():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(60, 2))
    y = 1.0 + X @ [0.5, -0.3] + rng.normal(scale=0.5 + np.abs(X[:, 0]), size=60)
    return X, y


def test_hc0_is_white_for_linear_model(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y)
    Z = np.column_stack([np.ones(len(y)), X])
    e = y - Z @ fit.coef.to_numpy()
    bread = np.linalg.inv(Z.T @ Z)
    white = bread @ (Z.T * e**2) @ Z @ bread
    np.testing.assert_allclose(fit.cov_robust("HC0").to_numpy(), white, rtol=1e-10)
    n, k = Z.shape
    np.testing.assert_allclose(fit.cov_robust("HC1").to_numpy(), white * n / (n - k), rtol=1e-10)


def test_singleton_clusters_without_adjustment_equal_hc0(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y, family="gamma", link="log") if np.all(y > 0) else gk.glm_fit(X, y)
    singletons = np.arange(len(y))
    np.testing.assert_allclose(fit.cov_robust("CR0", cluster=singletons, cadjust=False).to_numpy(),
                               fit.cov_robust("HC0").to_numpy(), rtol=1e-12)


def test_cluster_column_name_and_array_agree():
    from glmkit.datasets import load_warpbreaks

    df = load_warpbreaks()
    df["block"] = np.arange(len(df)) // 6
    fit = gk.glm("breaks ~ wool + tension", df, family="poisson")
    np.testing.assert_allclose(fit.cov_robust(cluster="block").to_numpy(),
                               fit.cov_robust(cluster=df["block"].to_numpy()).to_numpy())


def test_robust_summary_and_conf_int_use_robust_se(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y)
    se = np.sqrt(np.diag(fit.cov_robust("HC3").to_numpy()))
    table = fit.summary(cov="HC3").table
    np.testing.assert_allclose(table["Std. Error"].to_numpy(), se)
    assert "z value" in table.columns
    ci = fit.conf_int(cov="HC3")
    np.testing.assert_allclose((ci["upper"] - ci["lower"]).to_numpy(), 2 * 1.959963984540054 * se, rtol=1e-12)
    assert "robust (HC3)" in str(fit.summary(cov="HC3"))


def test_bad_kinds_are_refused(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y)
    with pytest.raises(ValueError, match="HC0"):
        fit.cov_robust("HC9")
    with pytest.raises(ValueError, match="cluster"):
        fit.cov_robust("CR1")


def test_hat_values_sum_to_rank_and_dfbeta_is_exact_for_linear_model(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y)
    assert fit.hat_values().sum() == pytest.approx(fit.rank, rel=1e-12)
    dfbeta = fit.dfbeta().to_numpy()
    for i in (0, 7, 31):
        keep = np.arange(len(y)) != i
        loo = gk.glm_fit(X[keep], y[keep]).coef.to_numpy()
        np.testing.assert_allclose(dfbeta[i], fit.coef.to_numpy() - loo, rtol=1e-9, atol=1e-12)


def test_cooks_distance_matches_linear_model_formula(gaussian_data):
    X, y = gaussian_data
    fit = gk.glm_fit(X, y)
    h = fit.hat_values().to_numpy()
    e = fit.residuals("response").to_numpy()
    s2 = np.sum(e**2) / fit.df_resid
    expected = e**2 / (fit.rank * s2) * h / (1 - h) ** 2
    np.testing.assert_allclose(fit.cooks_distance().to_numpy(), expected, rtol=1e-10)


def test_zero_weight_rows_get_nan_influence():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(30, 1))
    y = rng.poisson(np.exp(0.5 + X[:, 0]))
    w = np.ones(30)
    w[[3, 9]] = 0.0
    fit = gk.glm_fit(X, y, family="poisson", weights=w)
    infl = fit.influence()
    assert infl.loc[[3, 9]].isna().all().all()
    assert infl.drop(index=[3, 9]).notna().all().all()
    ref = gk.glm_fit(X[w > 0], y[w > 0], family="poisson")
    np.testing.assert_allclose(fit.hat_values().dropna().to_numpy(), ref.hat_values().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(fit.cov_robust("HC1").to_numpy(), ref.cov_robust("HC1").to_numpy(), rtol=1e-8)


def test_influence_table_columns():
    from glmkit.datasets import load_warpbreaks

    fit = gk.glm("breaks ~ wool + tension", load_warpbreaks(), family="poisson")
    table = fit.influence()
    assert list(table.columns[-4:]) == ["dffit", "cov_r", "cook_d", "hat"]
    assert table.shape == (54, fit.rank + 4)
    assert isinstance(table, pd.DataFrame)
