"""The doors (glm_fit's arrays and DataFrames, glm's formula data): refused with a glmkit error,
or — where the input is valid — fitted as R would."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InputError, NumericalWarning


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    y = rng.poisson(np.exp(0.3 + X @ [0.4, -0.3])).astype(float)
    return X, y


def test_ragged_list_X():
    with pytest.raises(InputError, match=r"rows of different lengths \[1, 2\].*one value per column"):
        gk.glm_fit([[1.0, 2.0], [1.0], [3.0, 4.0]], [1.0, 2.0, 3.0])


def test_ragged_weights():
    with pytest.raises(InputError, match="weights must be a flat sequence of numbers"):
        gk.glm_fit(np.arange(3.0)[:, None], [1.0, 2.0, 3.0], weights=[[1.0], [1.0, 2.0], [1.0]])


def test_duplicate_column_names(data):
    X, y = data
    with pytest.raises(InputError, match=r"duplicate column names \['a'\].*unique name"):
        gk.glm_fit(pd.DataFrame(X, columns=["a", "a"]), y, family="poisson")


def test_string_weights_column(data):
    X, y = data
    df = pd.DataFrame({"y": y, "x": X[:, 0], "w": ["a"] * 40})
    with pytest.raises(InputError, match=r"weights='w' names a column of dtype str.*numeric"):
        gk.glm("y ~ x", df, family="poisson", weights="w")


def test_float_and_bool_columns_are_fitted_as_0_1(data):
    X, y = data
    b = X[:, 1] > 0
    fit = gk.glm_fit(pd.DataFrame({"f": X[:, 0], "b": b}), y, family="poisson")
    ref = gk.glm_fit(np.column_stack([X[:, 0], b.astype(float)]), y, family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy(), ref.coef.to_numpy(), rtol=1e-12)


def test_nullable_integer_without_na_is_numeric(data):
    X, y = data
    k = np.arange(40) % 5
    fit = gk.glm_fit(pd.DataFrame({"f": X[:, 0], "k": pd.array(k, dtype="Int64")}), y, family="poisson")
    ref = gk.glm_fit(np.column_stack([X[:, 0], k.astype(float)]), y, family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy(), ref.coef.to_numpy(), rtol=1e-12)


def test_nullable_integer_with_na_follows_na_action(data):
    X, y = data
    k = pd.array(np.arange(40) % 5, dtype="Int64")
    k[3] = pd.NA
    df = pd.DataFrame({"y": y, "x": X[:, 0], "k": k})
    dropped = gk.glm("y ~ x + k", df, family="poisson")  # na_action="drop": R's na.omit
    assert dropped.n_obs == 39 and dropped.n_dropped == 1
    with pytest.raises(InputError, match=r"1 row\(s\) with missing values and na_action='raise'"):
        gk.glm("y ~ x + k", df, family="poisson", na_action="raise")
    with pytest.raises(InputError, match=r"Column 'k' has 1 missing.*drop or impute"):  # arrays: complete data
        gk.glm_fit(df[["x", "k"]], y, family="poisson")


@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_extreme_column_scale_gives_the_rescaled_coefficient(data, scale):
    X, y = data
    ref = gk.glm_fit(X, y, family="poisson")
    with warnings.catch_warnings():
        warnings.simplefilter("error", gk.GLMWarning)  # not declared aliased
        fit = gk.glm_fit(X * [scale, 1.0], y, family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy() * [1.0, scale, 1.0], ref.coef.to_numpy(), rtol=1e-10)


def test_standardize_with_an_underflowing_sd_warns(data):
    X, y = data
    Xs = np.column_stack([X, 1e-300 * np.arange(40.0)])
    with pytest.warns(NumericalWarning, match=r"x3 vary but their standard deviation underflows.*Rescale"):
        gk.glm_fit(Xs, y, family="poisson", alpha=0.01, standardize=True)


@pytest.mark.parametrize("call,parts", [
    (lambda X, y: gk.glm(3, pd.DataFrame({"y": y})), ["formula must be a string", "int 3", "glm_fit"]),
    (lambda X, y: gk.glm_fit(X, y, family="poisson", start=["a", "b", "c"]), ["start must be numbers", "'a'"]),
    (lambda X, y: gk.glm_fit(X, y, family="poisson", alpha="x"), ["alpha must be a finite number ≥ 0", "'x'"]),
    (lambda X, y: gk.glm_fit(X, y, family="poisson", alpha=0.1, l1_ratio=None), ["l1_ratio", "None"]),
], ids=["formula-not-a-string", "start-strings", "alpha-string", "l1_ratio-None"])
def test_arguments_of_the_wrong_type(data, call, parts):
    X, y = data
    with pytest.raises(InputError) as err:
        call(X, y)
    for part in parts:
        assert part in str(err.value)
