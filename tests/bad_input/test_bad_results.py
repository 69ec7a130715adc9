"""GLMResult: levels, prediction inputs, unseen levels, saturated likelihoods, invalid information."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InputError, NumericalWarning, UnseenLevelError


@pytest.fixture(scope="module")
def poisson_fit():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    return gk.glm_fit(X, rng.poisson(np.exp(0.3 + X @ [0.4, -0.3])), family="poisson"), X


@pytest.mark.parametrize("call", [
    lambda f, X: f.conf_int(level=2),
    lambda f, X: f.conf_int(level=float("nan")),
    lambda f, X: f.conf_int(level=95),
    lambda f, X: f.conf_int(level=1.0, method="profile"),
    lambda f, X: f.predict(X, interval="confidence", level=1.5),
    lambda f, X: f.predict(X, interval="prediction", level=-0.1),
], ids=["conf_int-2", "conf_int-nan", "conf_int-95", "profile-1", "predict-confidence-1.5", "predict-prediction-neg"])
def test_levels(poisson_fit, call):
    fit, X = poisson_fit
    with pytest.raises(InputError, match=r"level must be a number in \(0, 1\).*got"):
        call(fit, X)


def test_percentage_level_gets_a_hint(poisson_fit):
    with pytest.raises(InputError, match="divide it by 100"):
        poisson_fit[0].conf_int(level=95)


@pytest.mark.parametrize("trials,parts", [
    (-np.ones(40), ["trials of new observations must be 40 whole numbers ≥ 0", "-1.0"]),
    (np.full(40, 2.5), ["whole numbers", "2.5"]),
], ids=["negative-trials", "fractional-trials"])
def test_prediction_interval_trials(trials, parts):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 1))
    fit = gk.glm_fit(X, rng.binomial(5, 0.4, 40), family="binomial", trials=np.full(40, 5))
    with pytest.raises(InputError) as err:
        fit.predict(X, interval="prediction", trials=trials)
    for part in parts:
        assert part in str(err.value)


def test_prediction_interval_nonpositive_weights(poisson_fit):
    fit, X = poisson_fit
    with pytest.raises(InputError, match="weights of new observations must be 40 positive finite numbers"):
        fit.predict(X, interval="prediction", weights=np.zeros(40))


@pytest.fixture(scope="module")
def factor_fit():
    df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7, 6, 9], "g": list("abab" * 2), "x": np.arange(8.0)})
    return gk.glm("y ~ g + x", df, family="poisson")


def test_unseen_level_error_does_not_contradict_itself(factor_fit):
    with pytest.raises(UnseenLevelError) as err:
        factor_fit.predict(pd.DataFrame({"g": ["c"], "x": [1.0]}))
    text = str(err.value)
    assert "{'c'}" in text and "unseen='nan'" in text and "cast to nan" not in text


def _unseen_paths(fit, new):
    """Every prediction a GLMResult offers, with unseen='nan'."""
    yield "response", fit.predict(new, unseen="nan").to_numpy()
    yield "link", fit.predict(new, kind="link", unseen="nan").to_numpy()
    frame = fit.predict(new, se=True, interval="confidence", unseen="nan")
    for column in frame.columns:
        yield f"confidence-{column}", frame[column].to_numpy()
    frame = fit.predict(new, interval="prediction", unseen="nan")
    for column in frame.columns:
        yield f"prediction-{column}", frame[column].to_numpy()


@pytest.mark.parametrize("source", ["fitted", "loaded", "array-door"])
def test_unseen_nan_policy_on_every_glmresult_path(factor_fit, source):
    fit = factor_fit
    if source == "loaded":
        path = os.path.join(tempfile.mkdtemp(), "model.json")
        fit.save(path)
        fit = gk.load(path)
    elif source == "array-door":
        data = fit.data
        fit = gk.glm_fit(data[["g", "x"]], data["y"], family="poisson")
    new = pd.DataFrame({"g": ["a", "zz", "b", "c"], "x": [1.0, 2.0, 3.0, 4.0]})
    seen = new.iloc[[0, 2]]
    for (name, values), (_, expected) in zip(_unseen_paths(fit, new), _unseen_paths(fit, seen)):
        assert np.isnan(values[[1, 3]]).all(), name
        np.testing.assert_allclose(values[[0, 2]], expected, rtol=1e-12, err_msg=name)
    only_unseen = fit.predict(new.iloc[[1, 3]], se=True, unseen="nan")
    assert only_unseen.isna().all().all()


@pytest.mark.parametrize("family", ["gamma", "inverse_gaussian", "gaussian", "tweedie"])
def test_saturated_likelihood_is_nan_with_a_warning(family):
    fam = gk.Tweedie(power=1.5) if family == "tweedie" else family
    fit = gk.glm_fit(np.eye(5)[:, 1:], [1.0, 2.0, 3.0, 4.0, 5.0], family=fam)
    with pytest.warns(NumericalWarning, match=r"saturated \(residual df 0"):
        assert np.isnan(fit.aic)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        assert "AIC: NA" in str(fit.summary())


def test_information_with_nan_gives_nan_covariance_with_a_warning(poisson_fit):
    fit, _ = poisson_fit
    p = fit.model.fisher_information.shape[0]
    broken = gk.GLMResult(dataclasses.replace(fit.model, information_at_solution=np.full((p, p), np.nan)))
    with pytest.warns(NumericalWarning, match="information matrix holds NaN"):
        assert broken.std_err.isna().all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NumericalWarning)
        assert "Std. Error" in str(broken.summary())


@pytest.mark.parametrize("n_draws", [10, "many", 1000.5], ids=["too-few", "string", "fraction"])
def test_prediction_interval_n_draws(poisson_fit, n_draws):
    fit, X = poisson_fit
    with pytest.raises(InputError, match=r"n_draws must be a whole number ≥ 100.*got"):
        fit.predict(X, interval="prediction", n_draws=n_draws)
