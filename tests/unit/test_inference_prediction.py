"""Prediction intervals: the Gaussian case is exact, the others are checked for coverage.

The coverage check runs a small version of ``benchmarks/prediction_coverage.py``: for each
of Poisson, binomial (40 trials), Gamma and negative binomial (θ estimated), 12 replications
of n_train = 200 with 100 new rows each (1,200 new outcomes per family, seeds fixed). The
full study's Monte Carlo SE of the mean coverage at 400 replications is ≈0.1 point, so at 12
replications it is ≈0.6 point; the assertion allows 3.5 points around 95% — more than five
standard errors, so a correct method fails by chance with probability < 1e-6 — while the
known excess from discreteness (oracle coverage ≈ 96.3% for these count designs) stays inside.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import glmkit as gk

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "prediction_coverage.py"


def _study():
    spec = importlib.util.spec_from_file_location("prediction_coverage", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_gaussian_prediction_interval_is_the_t_interval():
    # Flat-prior predictive of the normal linear model: μ̂ ± t·√(σ̂² + se²), as predict.lm.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 2))
    y = 1 + X @ [0.5, -1.0] + rng.normal(size=30)
    fit = gk.glm_fit(X, y)
    new = rng.normal(size=(4, 2))
    pred = fit.predict(new, interval="prediction", n_draws=200_000, seed=1, se=True)
    t = stats.t.ppf(0.975, fit.df_resid)
    half = t * np.sqrt(fit.dispersion + pred["se"] ** 2)
    np.testing.assert_allclose(pred["upper"] - pred["fit"], half, rtol=0.01)
    np.testing.assert_allclose(pred["fit"] - pred["lower"], half, rtol=0.01)


def test_confidence_interval_for_the_mean():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(50, 1))
    y = rng.poisson(np.exp(1 + 0.5 * X[:, 0]))
    fit = gk.glm_fit(X, y, family="poisson")
    link = fit.predict(X[:3], kind="link", interval="confidence", se=True)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(link["upper"], link["fit"] + z * link["se"], rtol=1e-12)
    resp = fit.predict(X[:3], interval="confidence")
    np.testing.assert_allclose(resp["lower"], np.exp(link["lower"]), rtol=1e-12)
    np.testing.assert_allclose(resp["upper"], np.exp(link["upper"]), rtol=1e-12)


def test_prediction_interval_options():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(60, 1))
    trials = np.full(60, 10.0)
    y = rng.binomial(10, 1 / (1 + np.exp(-X[:, 0])))
    fit = gk.glm_fit(X, y, family="binomial", trials=trials)
    pred = fit.predict(X[:5], interval="prediction", trials=np.full(5, 10.0))
    assert np.all(np.isclose(pred[["lower", "upper"]].to_numpy() * 10, np.round(pred[["lower", "upper"]] * 10)))
    assert np.all(pred["lower"] <= pred["fit"]) and np.all(pred["fit"] <= pred["upper"])
    again = fit.predict(X[:5], interval="prediction", trials=np.full(5, 10.0))
    pd.testing.assert_frame_equal(pred, again)  # fixed default seed: reproducible
    with pytest.raises(ValueError, match="response"):
        fit.predict(X[:5], kind="link", interval="prediction")
    with pytest.raises(ValueError, match="interval"):
        fit.predict(X[:5], interval="tolerance")


@pytest.mark.parametrize("family", ["quasipoisson", "inverse_gaussian", "tweedie"])
def test_prediction_interval_every_family_runs(family):
    rng = np.random.default_rng(1)
    X = rng.uniform(size=(80, 1))
    mu = np.exp(1 + X[:, 0])
    y = rng.gamma(4.0, mu / 4.0)
    fam = gk.Tweedie(1.5) if family == "tweedie" else family
    with pytest.warns(UserWarning) if family == "quasipoisson" else _nullcontext():
        pred = gk.glm_fit(X, y, family=fam, link="log" if family != "tweedie" else None).predict(
            X[:3], interval="prediction", n_draws=1000)
    assert np.all(pred["lower"] < pred["upper"])


class _nullcontext:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_coverage_small_study():
    study = _study()
    for scenario in study.SCENARIOS:
        res = study.coverage(scenario, reps=12, seed=7, n_train=200, n_new=100, n_draws=1000)
        assert abs(res["coverage"] - 0.95) < 0.035, (scenario.name, res)
