"""Penalised fits: prediction standard errors (ridge) or the reason there are none (L1), the
unseen-level policy, penalty arguments."""

from __future__ import annotations

import os
import tempfile

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InferenceError, InputError


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"x": rng.normal(size=60), "g": rng.choice(list("abc"), 60)})
    d["y"] = rng.poisson(np.exp(0.3 + 0.4 * d.x + (d.g == "b") * 0.3))
    return d


def test_lasso_prediction_se_is_refused_with_the_reason(data):
    fit = gk.glm("y ~ x + g", data, family="poisson", alpha=0.05, l1_ratio=1.0)
    with pytest.raises(InferenceError, match=r"prediction standard errors.*L1-penalised fit"):
        fit.predict(data, se=True)


def test_ridge_prediction_se_is_the_delta_method_of_its_covariance(data):
    fit = gk.glm("y ~ x + g", data, family="poisson", alpha=0.05)
    out = fit.predict(data.head(5), kind="link", se=True)
    X = gk.glm("y ~ x + g", data, family="poisson").model.design.toarray()[:5]
    expected = np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov.to_numpy(), X))
    np.testing.assert_allclose(out["se"].to_numpy(), expected, rtol=1e-10)
    response = fit.predict(data.head(5), se=True)
    np.testing.assert_allclose(response["se"].to_numpy(), response["fit"].to_numpy() * expected, rtol=1e-10)


@pytest.mark.parametrize("loaded", [False, True], ids=["fitted", "loaded"])
def test_unseen_nan_policy(data, loaded):
    fit = gk.glm("y ~ x + g", data, family="poisson", alpha=0.05)
    if loaded:
        path = os.path.join(tempfile.mkdtemp(), "model.json")
        fit.save(path)
        fit = gk.load(path)
    new = pd.DataFrame({"x": [0.1, 0.2, 0.3], "g": ["a", "q", "c"]})
    got = fit.predict(new, unseen="nan").to_numpy()
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[[0, 2]], fit.predict(new.iloc[[0, 2]]).to_numpy(), rtol=1e-12)
    with pytest.raises(gk.UnseenLevelError, match=r"\{'q'\}"):
        fit.predict(new)


@pytest.mark.parametrize("kwargs,parts", [
    ({"alpha": 0.0, "l1_ratio": 1.5}, ["l1_ratio must lie in [0, 1]", "1.5"]),
    ({"alpha": -0.1}, ["alpha", "-0.1"]),
], ids=["l1_ratio-1.5-alpha-0", "alpha-negative"])
def test_penalty_arguments(data, kwargs, parts):
    with pytest.raises(InputError) as err:
        gk.glm("y ~ x", data, family="poisson", **kwargs)
    for part in parts:
        assert part in str(err.value)
