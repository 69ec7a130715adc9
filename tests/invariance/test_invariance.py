"""Invariances of the fit: solvers agree; weights ≡ duplicated rows; offset ≡ exposure;
column scaling rescales coefficients; float32 ≈ float64; inputs are not modified."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk


def _data(family: str, n: int = 400, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    eta = 0.3 + X @ np.array([0.4, -0.3, 0.2])
    if family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif family == "binomial":
        y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    elif family == "gamma":
        y = rng.gamma(3.0, np.exp(eta) / 3.0)
    else:
        y = eta + rng.normal(size=n)
    return X, y


CASES = [("poisson", "log"), ("binomial", "logit"), ("binomial", "probit"), ("binomial", "cloglog"),
         ("gamma", "log"), ("gamma", "inverse"), ("gaussian", "identity"), ("poisson", "sqrt")]


@pytest.mark.parametrize("family,link", CASES)
@pytest.mark.parametrize("solver", ["newton", "lbfgs"])
def test_solvers_reach_the_same_mle(family, link, solver):
    X, y = _data(family)
    ref = gk.glm_fit(X, y, family=family, link=link, solver="irls")
    other = gk.glm_fit(X, y, family=family, link=link, solver=solver)
    assert ref.converged and other.converged
    np.testing.assert_allclose(other.coef, ref.coef, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(other.deviance, ref.deviance, rtol=1e-10)


def test_irls_newton_agree_tightly_for_noncanonical_link():
    X, y = _data("binomial")
    a = gk.glm_fit(X, y, family="binomial", link="cauchit", solver="irls")
    b = gk.glm_fit(X, y, family="binomial", link="cauchit", solver="newton")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-9)


def test_closed_form_equals_irls_for_gaussian():
    X, y = _data("gaussian")
    a = gk.glm_fit(X, y, solver="closed_form")
    b = gk.glm_fit(X, y, solver="irls")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.coef.to_numpy(), np.linalg.lstsq(np.column_stack([np.ones(len(y)), X]), y, rcond=None)[0], rtol=1e-12)


@pytest.mark.parametrize("family", ["poisson", "binomial", "gamma", "gaussian"])
def test_weights_equal_duplicated_rows(family):
    X, y = _data(family, n=150)
    counts = np.random.default_rng(5).integers(1, 4, size=len(y))
    weighted = gk.glm_fit(X, y, family=family, weights=counts.astype(float))
    dup = gk.glm_fit(np.repeat(X, counts, axis=0), np.repeat(y, counts), family=family)
    np.testing.assert_allclose(weighted.coef, dup.coef, rtol=1e-9)
    np.testing.assert_allclose(weighted.deviance, dup.deviance, rtol=1e-9)
    np.testing.assert_allclose(weighted.null_deviance, dup.null_deviance, rtol=1e-9)
    if family in ("poisson", "binomial"):  # the dispersion is fixed, so SEs agree too
        np.testing.assert_allclose(weighted.std_err, dup.std_err, rtol=1e-8)
        np.testing.assert_allclose(weighted.loglik, dup.loglik, rtol=1e-9)


def test_zero_weight_rows_are_ignored():
    X, y = _data("poisson", n=100)
    w = np.ones(100)
    w[:10] = 0
    a = gk.glm_fit(X, y, family="poisson", weights=w)
    b = gk.glm_fit(X[10:], y[10:], family="poisson")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-10)
    assert a.df_resid == b.df_resid and a.n_obs == 90


def test_offset_equals_exposure_for_poisson():
    rng = np.random.default_rng(2)
    X, _ = _data("poisson", n=300)
    t = rng.uniform(0.5, 5.0, size=300)
    y = rng.poisson(t * np.exp(0.2 + X @ [0.3, -0.1, 0.2])).astype(float)
    with_offset = gk.glm_fit(X, y, family="poisson", offset=np.log(t))
    rate = gk.glm_fit(X, y / t, family="quasipoisson", weights=t)
    np.testing.assert_allclose(with_offset.coef, rate.coef, rtol=1e-9)
    np.testing.assert_allclose(with_offset.deviance, rate.deviance, rtol=1e-9)


@pytest.mark.parametrize("family", ["poisson", "binomial", "gamma"])
def test_column_scaling_rescales_coefficients(family):
    X, y = _data(family)
    scale = np.array([1e-3, 1.0, 1e4])
    a = gk.glm_fit(X, y, family=family)
    b = gk.glm_fit(X * scale, y, family=family)
    np.testing.assert_allclose(b.coef.to_numpy()[1:] * scale, a.coef.to_numpy()[1:], rtol=1e-8)
    np.testing.assert_allclose(b.std_err.to_numpy()[1:] * scale, a.std_err.to_numpy()[1:], rtol=1e-8)
    np.testing.assert_allclose(b.deviance, a.deviance, rtol=1e-12)


def test_float32_close_to_float64():
    X, y = _data("poisson", n=2000)
    a = gk.glm_fit(X, y, family="poisson")
    b = gk.glm_fit(X.astype(np.float32), y, family="poisson")
    assert b.model.design.dtype == np.float32
    # float32 storage of X rounds it at ~6e-8 relative; the MLE moves by about that much.
    np.testing.assert_allclose(b.coef, a.coef, rtol=1e-4, atol=1e-5)


def test_inputs_are_not_modified():
    X, y = _data("binomial", n=100)
    w = np.linspace(1, 2, 100)
    off = np.linspace(-0.1, 0.1, 100)
    copies = [a.copy() for a in (X, y, w, off)]
    gk.glm_fit(X, y, family="binomial", weights=w, offset=off)
    for a, c in zip((X, y, w, off), copies):
        np.testing.assert_array_equal(a, c)
    df = pd.DataFrame({"y": y, "x": X[:, 0], "g": np.where(X[:, 1] > 0, "a", "b")})
    df.loc[3, "x"] = np.nan
    before = df.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gk.glm("y ~ x + C(g)", data=df, family="binomial")
    pd.testing.assert_frame_equal(df, before)


def test_formula_and_array_paths_agree():
    X, y = _data("poisson")
    df = pd.DataFrame({"y": y, "a": X[:, 0], "b": X[:, 1], "c": X[:, 2]})
    a = gk.glm("y ~ a + b + c", data=df, family="poisson")
    b = gk.glm_fit(X, y, family="poisson")
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.std_err.to_numpy(), b.std_err.to_numpy(), rtol=1e-10)
