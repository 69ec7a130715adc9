"""Penalised fits, paths and cross-validation on Dask arrays equal the in-memory ones."""

import numpy as np
import pytest

import glmkit as gk

da = pytest.importorskip("dask.array", reason="the [dask] extra is not installed")


def _data(n=800, p=5, seed=2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(X[:, 0] - 0.5 * X[:, 1])))).astype(float)
    return X, y, da.from_array(X, chunks=(250, p)), da.from_array(y, chunks=250)


def test_elastic_net_fit_equals_in_memory(client):
    X, y, Xd, yd = _data()
    mem = gk.glm_fit(X, y, "binomial", alpha=1e-2, l1_ratio=0.5)
    fit = gk.glm_fit(Xd, yd, "binomial", alpha=1e-2, l1_ratio=0.5)
    np.testing.assert_allclose(np.asarray(fit.coef), np.asarray(mem.coef), rtol=1e-10, atol=1e-12)


def test_path_equals_in_memory(client):
    X, y, Xd, yd = _data()
    mem = gk.glm_path(X, y, family="binomial", n_alphas=8)
    path = gk.glm_path(Xd, yd, family="binomial", n_alphas=8)
    np.testing.assert_allclose(np.asarray(path.alphas), np.asarray(mem.alphas), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(path.coefs), np.asarray(mem.coefs), rtol=1e-10, atol=1e-12)


def test_cross_validation_over_a_fold_column_equals_in_memory(client):
    X, y, Xd, yd = _data(n=600, p=4)
    folds = np.arange(600) % 3
    mem = gk.cv_glm(X, y, family="binomial", fold_ids=folds, n_alphas=4)
    cv = gk.cv_glm(Xd, yd, family="binomial", fold_ids=folds, n_alphas=4)
    np.testing.assert_allclose(np.asarray(cv.cv_mean), np.asarray(mem.cv_mean), rtol=1e-10)
    assert cv.alpha_min == mem.alpha_min
