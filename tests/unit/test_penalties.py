"""Penalties: values, proximal and coordinate maps, KKT conditions, user-level validation."""

from __future__ import annotations

import numpy as np
import pytest

from glmkit.errors import InputError
from glmkit.penalties import (
    ElasticNet,
    Penalty,
    elastic_net,
    glmnet_to_glmkit,
    lasso,
    no_penalty,
    ridge,
    soft_threshold,
)

GRID = np.linspace(-6.0, 6.0, 240_001)  # step 5e-5


def _brute_1d(objective) -> float:
    values = objective(GRID)
    return float(GRID[np.argmin(values)])


def test_soft_threshold():
    np.testing.assert_array_equal(soft_threshold(np.array([-3.0, -1.0, 0.0, 0.5, 2.0]), 1.0),
                                  [-2.0, 0.0, 0.0, 0.0, 1.0])


def test_value_and_bounds():
    pen = Penalty.from_weights([0.0, 1.0, 2.0], [0.0, 2.0, 0.0], lower=[-np.inf, -1.0, 0.0])
    coef = np.array([5.0, -0.5, 1.5])
    assert pen.value(coef) == pytest.approx(1.0 * 0.5 + 2.0 * 1.5 + 0.5 * 2.0 * 0.25)
    assert pen.value(np.array([0.0, -2.0, 0.0])) == np.inf  # below the lower bound
    np.testing.assert_array_equal(pen.project(np.array([1.0, -3.0, -1.0])), [1.0, -1.0, 0.0])


@pytest.mark.parametrize("u,h,l1,l2,lo,hi", [
    (3.0, 1.0, 1.0, 0.0, -np.inf, np.inf),
    (-3.0, 2.0, 1.0, 0.5, -np.inf, np.inf),
    (0.5, 1.0, 1.0, 0.0, -np.inf, np.inf),
    (3.0, 1.0, 1.0, 0.0, -np.inf, 1.5),
    (-3.0, 1.0, 0.5, 1.0, -0.2, np.inf),
    (0.1, 1.0, 1.0, 0.0, 0.5, 2.0),   # zero not feasible
    (-4.0, 0.5, 0.0, 0.0, -1.0, 1.0),  # no penalty, bound
])
def test_coordinate_minimizer_matches_brute_force(u, h, l1, l2, lo, hi):
    pen = Penalty.from_weights([l1], [l2], [lo], [hi])
    x = pen.coordinate_minimizer(np.array([u]), np.array([h]))[0]

    def obj(t):
        val = 0.5 * h * t * t - u * t + l1 * np.abs(t) + 0.5 * l2 * t * t
        return np.where((t < lo) | (t > hi), np.inf, val)

    assert x == pytest.approx(_brute_1d(obj), abs=1e-4)


@pytest.mark.parametrize("step", [0.1, 1.0, 3.0])
def test_prox_matches_brute_force(step):
    pen = Penalty.from_weights([0.7, 0.0, 1.2], [0.3, 0.5, 0.0], lower=[-np.inf, -np.inf, -0.5], upper=[np.inf, 1.0, np.inf])
    v = np.array([2.0, 3.0, -4.0])
    x = pen.prox(v, step)
    for j in range(3):
        def obj(t, j=j):
            val = (t - v[j]) ** 2 / (2 * step) + pen.l1[j] * np.abs(t) + 0.5 * pen.l2[j] * t * t
            return np.where((t < pen.lower[j]) | (t > pen.upper[j]), np.inf, val)

        assert x[j] == pytest.approx(_brute_1d(obj), abs=1e-4)


def test_kkt_violation():
    pen = Penalty.from_weights([0.0, 1.0, 1.0, 1.0, 1.0], lower=[-np.inf, -np.inf, -np.inf, 0.0, -np.inf],
                               upper=[np.inf, np.inf, np.inf, np.inf, 2.0])
    coef = np.array([1.0, 0.0, 0.5, 0.0, 2.0])
    # free: |g|; zero: max(|g| − l1, 0); non-zero: |g + l1 sign|; at a bound: one-sided
    grad = np.array([0.3, 0.8, -1.0, 5.0, -7.0])
    np.testing.assert_allclose(pen.kkt_violation(coef, grad), [0.3, 0.0, 0.0, 0.0, 0.0], atol=1e-15)
    grad = np.array([0.0, 1.5, -0.5, -2.0, 3.0])
    np.testing.assert_allclose(pen.kkt_violation(coef, grad), [0.0, 0.5, 0.5, 1.0, 4.0], atol=1e-15)


def test_validation_messages():
    with pytest.raises(InputError, match="alpha"):
        ElasticNet(alpha=-1.0)
    with pytest.raises(InputError, match="l1_ratio"):
        ElasticNet(alpha=1.0, l1_ratio=1.5)
    with pytest.raises(InputError, match="penalty_factor"):
        ElasticNet(1.0, 0.5, penalty_factor=[1.0, -1.0]).resolve(3, intercept_index=0)
    with pytest.raises(InputError, match="one value per penalised column"):
        ElasticNet(1.0, 0.5, penalty_factor=[1.0, 1.0, 1.0]).resolve(3, intercept_index=0)
    with pytest.raises(InputError, match="lower"):
        ElasticNet(1.0, 0.5, lower=1.0, upper=0.0).resolve(2, intercept_index=None)
    with pytest.raises(InputError, match="unknown columns"):
        ElasticNet(1.0, 0.5, penalty_factor={"zz": 0}).resolve(3, intercept_index=0, names=["a", "b"])
    with pytest.raises(InputError):
        Penalty.from_weights([-1.0])


def test_resolve_intercept_scale_names():
    spec = ElasticNet(0.2, 0.25, penalty_factor={"b": 0.0, "c": 2.0}, lower={"a": 0.0})
    pen = spec.resolve(4, intercept_index=0, scale=np.array([9.0, 1.0, 2.0, 3.0]), names=["a", "b", "c"])
    np.testing.assert_allclose(pen.l1, [0.0, 0.2 * 0.25, 0.0, 0.2 * 0.25 * 2 * 3])
    np.testing.assert_allclose(pen.l2, [0.0, 0.2 * 0.75, 0.0, 0.2 * 0.75 * 2 * 9])
    assert pen.lower[0] == -np.inf and pen.lower[1] == 0.0
    np.testing.assert_array_equal(pen.free, [True, False, True, False])


def test_series_by_name():
    import pandas as pd

    pen = ElasticNet(1.0, 1.0, penalty_factor=pd.Series({"c": 0.0, "a": 2.0})).resolve(
        4, intercept_index=0, names=["a", "b", "c"])
    np.testing.assert_array_equal(pen.l1, [0.0, 2.0, 1.0, 0.0])


def test_shortcuts():
    assert no_penalty().alpha == 0 and not no_penalty().is_active
    assert ridge(0.5).l1_ratio == 0.0 and lasso(0.5).l1_ratio == 1.0
    assert elastic_net(0.5, 0.3, upper=1.0).has_bounds


def test_scaled_and_subset_keep_bounds():
    pen = Penalty.from_weights([0.0, 1.0, 2.0], [1.0, 0.0, 3.0], upper=[np.inf, 1.0, np.inf])
    s = pen.scaled(2.0)
    np.testing.assert_array_equal(s.l1, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(s.upper, pen.upper)
    sub = pen.subset([0, 2])
    assert not sub.has_bounds and sub.l2.tolist() == [1.0, 3.0]
    assert pen.subset([1]).has_bounds


def test_glmnet_mapping():
    assert glmnet_to_glmkit(0.3, 0.7, "binomial") == (0.3, 0.7)
    a, r = glmnet_to_glmkit(0.3, 0.5, "gaussian", y_scale=4.0)
    # L1 part λ·a, L2 part λ·(1 − a)/ys
    assert a * r == pytest.approx(0.3 * 0.5)
    assert a * (1 - r) == pytest.approx(0.3 * 0.5 / 4.0)
    with pytest.raises(InputError):
        glmnet_to_glmkit(0.3, 0.5, "gaussian")
