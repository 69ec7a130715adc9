"""Profile-likelihood intervals where naive refit starts leave the mean's domain (issue 15).

Binomial–cloglog on the beetle data and Poisson–identity on InsectSprays: glmkit's refits
start from the fit's linear predictor, as MASS's ``profile.glm``; the exact end points are
compared with R's ``uniroot`` roots of the same statistic at 1e-6 relative, and with
MASS's spline-interpolated ``confint.glm`` at 1e-4 of the standard error (its
interpolation error; see README.md).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import glmkit as gk

REFERENCE = "profile_links"


@pytest.fixture(scope="module")
def fitted(r_case, reference_data):
    data = reference_data(r_case["dataset"])
    kwargs = {"trials": r_case["trials"]} if r_case["trials"] else {}
    fit = gk.glm(r_case["formula"], data, family=r_case["family"], link=r_case["link"], **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error", gk.GLMWarning)  # found completely, so no warning
        interval = fit.conf_int(level=r_case["conf_level"], method="profile").to_numpy()
    return fit, interval


def test_fit_matches_r(r_case, fitted):
    fit, _ = fitted
    np.testing.assert_allclose(fit.coef.to_numpy(), r_case["coef"], rtol=1e-8)
    np.testing.assert_allclose(fit.std_err.to_numpy(), r_case["std_err"], rtol=1e-6)


def test_profile_end_points_are_r_exact_roots(r_case, fitted):
    _, interval = fitted
    np.testing.assert_allclose(interval, np.array(r_case["profile_exact"]), rtol=1e-6)


def test_profile_end_points_match_mass_confint(r_case, fitted):
    fit, interval = fitted
    se = fit.std_err.to_numpy()[:, None]
    assert np.all(np.abs(interval - np.array(r_case["profile_mass"])) <= 1e-4 * se)
