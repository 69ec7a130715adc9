"""Bad arguments to families, links, fit options and glm_nb: glmkit errors that say what to do."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import DomainError, InputError, UnknownNameError

X = np.arange(8.0)[:, None]
Y = np.array([1.0, 1, 2, 3, 5, 8, 9, 12])


@pytest.mark.parametrize("make,error,parts", [
    (lambda: gk.NegativeBinomial(theta=0), DomainError, ["θ must be positive", "got 0.0", "theta=2.0"]),
    (lambda: gk.NegativeBinomial(theta=-1.5), DomainError, ["got -1.5", "glm_nb"]),
    (lambda: gk.NegativeBinomial(theta="x"), DomainError, ["must be a number", "'x'"]),
    (lambda: gk.Tweedie(power=0.5), DomainError, ["p = 0 or p >= 1", "got p = 0.5", "power=1.5"]),
    (lambda: gk.Tweedie(power=float("nan")), DomainError, ["got p = nan"]),
    (lambda: gk.links.Power(float("nan")), DomainError, ["finite exponent", "got nan", "Power(0.5)"]),
    (lambda: gk.links.Power("half"), DomainError, ["needs a number", "'half'"]),
], ids=["nb-theta-0", "nb-theta-negative", "nb-theta-string", "tweedie-power-0.5", "tweedie-power-nan",
        "power-link-nan", "power-link-string"])
def test_family_and_link_parameters(make, error, parts):
    with pytest.raises(error) as err:
        make()
    for part in parts:
        assert part in str(err.value)


@pytest.mark.parametrize("kwargs,parts", [
    ({"tol": -1}, ["tol must be a positive finite number", "got -1"]),
    ({"tol": float("nan")}, ["tol must be", "got nan"]),
    ({"max_iter": -5}, ["max_iter must be a whole number", "got -5"]),
    ({"max_iter": 0}, ["max_iter", "got 0"]),
    ({"n_threads": 0}, ["n_threads must be a whole number", "got 0"]),
    ({"dispersion": -1}, ["dispersion must be a positive finite number", "got -1", "dispersion='pearson'"]),
    ({"dispersion": float("nan")}, ["dispersion", "got nan"]),
    ({"dispersion": "deviance"}, ["dispersion", "'deviance'", "'pearson'"]),
    ({"alpha": 0.0, "l1_ratio": 1.5}, ["l1_ratio must lie in [0, 1]", "got 1.5"]),
], ids=["tol-negative", "tol-nan", "max_iter-negative", "max_iter-0", "n_threads-0", "dispersion-negative",
        "dispersion-nan", "dispersion-unknown-name", "l1_ratio-1.5-alpha-0"])
def test_fit_options(kwargs, parts):
    with pytest.raises(InputError) as err:
        gk.glm_fit(X, Y, family="poisson", **kwargs)
    for part in parts:
        assert part in str(err.value)


def test_glm_nb_negative_init_theta():
    with pytest.raises(DomainError, match=r"θ must be positive and finite; got -2.0"):
        gk.glm_nb("y ~ x", pd.DataFrame({"y": Y, "x": X[:, 0]}), init_theta=-2)


def test_unknown_unseen_policy():
    fit = gk.glm("y ~ g", pd.DataFrame({"y": [1.0, 2, 3, 4], "g": list("abab")}))
    with pytest.raises(UnknownNameError, match=r"'drop'.*valid: 'error'.*'nan'"):
        fit.predict(pd.DataFrame({"g": ["a"]}), unseen="drop")
