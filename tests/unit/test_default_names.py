"""Names of unnamed array columns are made on first read, and behave as the list they stand for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.intake.checks import DefaultNames


def test_default_names_behave_as_a_list():
    names = DefaultNames(3, intercept=True)
    expect = ["Intercept", "x1", "x2", "x3"]
    assert len(names) == 4 and names._list is None  # the length needs no strings
    assert names == expect and list(names) == expect
    assert names[1] == "x1" and names[1:3] == ["x1", "x2"] and names[-1] == "x3"
    assert names + ["z"] == expect + ["z"] and ["w"] + names == ["w"] + expect
    assert "x2" in names and "x9" not in names and names.index("x3") == 3
    assert names.without_intercept() == ["x1", "x2", "x3"]
    assert names != ["Intercept", "x1"] and names != "Intercept"
    assert list(pd.Series(np.arange(4.0), index=names).index) == expect
    with pytest.raises(TypeError):
        hash(names)


def test_penalised_array_fit_names_and_penalty_factor_by_name():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = rng.poisson(np.exp(0.3 * X[:, 0])).astype(float)
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.05, penalty_factor=pd.Series({"x2": 0.0}))
    assert list(fit.coef.index) == ["Intercept", "x1", "x2", "x3"]
    assert fit.problem.feature_names == ["x1", "x2", "x3"]
    # naming x2 among the default names is the same as giving its position
    free = gk.glm_fit(X, y, family="poisson", alpha=0.05, penalty_factor=[1.0, 0.0, 1.0])
    np.testing.assert_allclose(fit.coef_array, free.coef_array, rtol=1e-10)
