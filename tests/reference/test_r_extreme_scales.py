"""A column × 1e∓300 (and 1e∓150): R's coefficients and standard errors (issue 15).

R's QR works on the columns themselves; glmkit fits such columns in scaled units
(``glmkit.fit.scaling``) and reports them in the user's. Coefficients at relative 1e-8;
standard errors at 1e-6, with R's Inf (variance ~1e600) and 0 (~1e-600) matched exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk

REFERENCE = "extreme_scales"


def _values(xs):
    return np.array([np.inf if v == "Inf" else v for v in xs], dtype=float)


@pytest.fixture(scope="module")
def fitted(r_case, reference_data):
    data = reference_data("extreme_scales")
    data["a"] = data["a"] * r_case["scale"]
    return gk.glm(f"{r_case['response']} ~ a + b", data, family=r_case["family"])


def test_coefficients_are_rs(r_case, fitted):
    assert fitted.converged and not fitted.aliased.any()
    np.testing.assert_allclose(fitted.coef.to_numpy(), r_case["coef"], rtol=1e-8)


def test_standard_errors_are_rs(r_case, fitted):
    se, ref = fitted.std_err.to_numpy(), _values(r_case["std_err"])
    finite = np.isfinite(ref) & (ref > 0)
    np.testing.assert_allclose(se[finite], ref[finite], rtol=1e-6)
    assert np.array_equal(se[~finite], ref[~finite])


def test_array_door_agrees(r_case, reference_data, fitted):
    data = reference_data("extreme_scales")
    X = np.column_stack([data["a"] * r_case["scale"], data["b"]])
    fit = gk.glm_fit(X, data[r_case["response"]], family=r_case["family"])
    np.testing.assert_allclose(fit.coef.to_numpy(), fitted.coef.to_numpy(), rtol=1e-10)
