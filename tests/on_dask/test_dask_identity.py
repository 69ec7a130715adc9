"""A fit on Dask arrays equals the in-memory fit (coefficients, SEs, deviances, AIC, sandwiches)."""

import numpy as np
import pytest

import glmkit as gk

da = pytest.importorskip("dask.array", reason="the [dask] extra is not installed")

RTOL = 1e-10

CASES = [
    ("gaussian", "identity"), ("gaussian", "log"),
    ("poisson", "log"), ("poisson", "sqrt"),
    ("binomial", "logit"), ("binomial", "probit"), ("binomial", "cloglog"),
    ("gamma", "log"), ("gamma", "inverse"),
    ("inverse_gaussian", "log"),
]


def _data(family: str, link: str, n: int = 1500, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2))
    factor = rng.integers(0, 3, n)
    X = np.column_stack([x, factor == 1, factor == 2]).astype(float)
    eta = 0.3 + X @ np.array([0.2, -0.15, 0.25, -0.2])
    offset = rng.normal(0.0, 0.05, n)
    weights = rng.integers(1, 4, n).astype(float) if family == "binomial" else rng.uniform(0.5, 2.0, n)
    eta_true = eta + offset
    if family == "gaussian":
        y = (np.exp(eta_true) if link == "log" else eta_true) + rng.normal(0, 0.3, n)
        if link == "log":
            y = np.abs(y) + 0.1
    elif family == "poisson":
        mu = np.exp(eta_true) if link == "log" else np.maximum(eta_true + 1.0, 0.1) ** 2
        y = rng.poisson(mu).astype(float)
    elif family == "binomial":
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta_true))).astype(float)
    elif family == "gamma":
        mu = np.exp(eta_true) if link == "log" else 1.0 / np.maximum(eta_true + 1.0, 0.3)
        y = rng.gamma(4.0, mu / 4.0)
    else:
        y = rng.wald(np.exp(eta_true), 4.0)
    if link == "inverse":
        offset = np.zeros(n)
    if family == "poisson" and link == "sqrt":
        offset = np.abs(offset)
    return X, y, weights, offset


def _chunked(v, chunks=(400,)):
    return da.from_array(v, chunks=chunks if v.ndim == 1 else (chunks[0], -1))


def _close(a, b, rtol=RTOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * np.max(np.abs(b)))


@pytest.mark.parametrize("family,link", CASES)
def test_dask_fit_equals_in_memory_fit(client, family, link):
    X, y, w, off = _data(family, link)
    mem = gk.glm_fit(X, y, family, link=link, weights=w, offset=off)
    fit = gk.glm_fit(_chunked(X), _chunked(y), family, link=link, weights=_chunked(w), offset=_chunked(off))
    assert fit.converged
    _close(fit.coef, mem.coef)
    _close(fit.std_err, mem.std_err)
    for name in ("deviance", "null_deviance", "aic", "bic", "dispersion", "loglik"):
        _close(getattr(fit, name), getattr(mem, name))
    assert (fit.df_resid, fit.n_obs) == (mem.df_resid, mem.n_obs)
    _close(fit.cov_robust("HC0"), mem.cov_robust("HC0"))
    _close(fit.residuals("pearson").compute(), mem.residuals("pearson").to_numpy())


def test_hc_kinds_and_lazy_rows(client):
    X, y, w, off = _data("poisson", "log")
    mem = gk.glm_fit(X, y, "poisson", weights=w, offset=off)
    fit = gk.glm_fit(_chunked(X), _chunked(y), "poisson", weights=_chunked(w), offset=_chunked(off))
    for kind in ("HC1", "HC2", "HC3"):
        _close(fit.cov_robust(kind), mem.cov_robust(kind))
    fitted = fit.fitted
    assert isinstance(fitted, da.Array) and fitted.chunks == ((400, 400, 400, 300),)
    _close(fitted.compute(), mem.fitted.to_numpy())
    for kind in ("deviance", "response", "working"):
        _close(fit.residuals(kind).compute(), mem.residuals(kind).to_numpy())


def test_partitionings_agree_and_runs_are_bit_identical(client):
    X, y, w, off = _data("binomial", "logit", n=2000)
    fits = [gk.glm_fit(_chunked(X, (c,)), _chunked(y, (c,)), "binomial", weights=_chunked(w, (c,)))
            for c in (250, 250, 700)]
    assert np.array_equal(fits[0].coef.to_numpy(), fits[1].coef.to_numpy())
    _close(fits[2].coef, fits[0].coef, rtol=1e-12)


def test_aliased_column_as_r(client):
    X, y, w, off = _data("poisson", "log")
    X = np.column_stack([X, X[:, 0] + X[:, 1]])
    mem = gk.glm_fit(X, y, "poisson")
    with pytest.warns(gk.errors.AliasingWarning):
        fit = gk.glm_fit(_chunked(X), _chunked(y), "poisson")
    assert fit.aliased.tolist() == mem.aliased.tolist() and fit.aliased.iloc[-1]
    _close(fit.coef.dropna(), mem.coef.dropna())


def test_bad_dask_inputs_are_refused(client):
    X, y, w, off = _data("poisson", "log", n=100)
    bad = X.copy()
    bad[57, 1] = np.nan
    with pytest.raises(gk.errors.InputError, match="NaN"):
        gk.glm_fit(_chunked(bad, (30,)), _chunked(y, (30,)), "poisson")
    with pytest.raises(gk.errors.DomainError, match="poisson"):
        gk.glm_fit(_chunked(X, (30,)), _chunked(-y - 1, (30,)), "poisson")
    with pytest.raises(gk.errors.InputError, match="rows"):
        gk.glm_fit(_chunked(X, (30,)), _chunked(y[:90], (30,)), "poisson")
