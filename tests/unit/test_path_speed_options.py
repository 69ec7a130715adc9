"""glmnet's early stop of a path and its ``thresh`` accuracy; parallel CV folds."""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk
from glmkit.errors import InputError
from glmkit.penalized.path import tol_for_thresh


def _data(n=600, p=30, seed=0, family="poisson"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = 0.3 + X[:, :5] @ np.array([0.5, -0.4, 0.3, 0.2, -0.2])
    if family == "poisson":
        return X, rng.poisson(np.exp(eta)).astype(float)
    if family == "binomial":
        return X, (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, eta + rng.normal(size=n)


def _first_stop(dev_ratio, relative):
    for i in range(4, dev_ratio.size):
        growth = dev_ratio[i] - dev_ratio[i - 1]
        if dev_ratio[i] > 0.999 or growth < 1e-5 * (dev_ratio[i] if relative else 1.0):
            return i
    return None


@pytest.mark.parametrize("family", ["poisson", "binomial", "gaussian"])
def test_the_path_stops_where_glmnets_rule_says_and_is_a_prefix_of_the_full_path(family):
    X, y = _data(family=family)
    full = gk.glm_path(X, y, family=family, n_alphas=100, progress=False, early_stop=False)
    stopped = gk.glm_path(X, y, family=family, n_alphas=100, progress=False)
    i = _first_stop(full.dev_ratio, relative=family == "gaussian")
    assert i is not None, "the data must saturate before the end of the grid"
    assert stopped.n_alphas == i + 1 < full.n_alphas
    np.testing.assert_array_equal(stopped.alphas, full.alphas[: i + 1])
    np.testing.assert_allclose(stopped.coef_path, full.coef_path[: i + 1], rtol=0, atol=1e-12)
    assert stopped.stop_reason.startswith("deviance ratio") and f"({i + 1} of 100 alphas)" in stopped.stop_reason
    assert full.stop_reason == "end of the grid"


def test_given_alphas_are_never_cut_short():
    X, y = _data()
    grid = gk.glm_path(X, y, family="poisson", n_alphas=100, progress=False, early_stop=False).alphas
    path = gk.glm_path(X, y, family="poisson", alphas=grid, progress=False)
    assert path.n_alphas == 100 and path.stop_reason == "end of the grid"


def test_cv_folds_use_the_stopped_grid_of_the_full_data_path():
    X, y = _data(seed=3)
    cv = gk.cv_glm(X, y, family="poisson", n_folds=3, seed=0, progress=False)
    assert cv.path.n_alphas < 100 and cv.cv_folds.shape == (3, cv.path.n_alphas)


def _objective(X, y, coef, alpha):
    eta = coef[0] + X @ coef[1:]
    return np.mean(np.exp(eta) - y * eta) + alpha * np.abs(coef[1:]).sum()


@pytest.mark.parametrize("thresh, gap", [(1e-7, 1e-6), (1e-12, 1e-10)])
def test_thresh_reaches_glmnets_accuracy(thresh, gap):
    """glmnet at thresh 1e-7 ends ~1e-6 from the exact objective (relative), at 1e-12 ~1e-11."""
    X, y = _data(n=2000, p=50, seed=4)
    exact = gk.glm_path(X, y, family="poisson", n_alphas=40, progress=False, tol=1e-12)
    loose = gk.glm_path(X, y, family="poisson", alphas=exact.alphas, progress=False, thresh=thresh)
    rel = [(_objective(X, y, c, a) - _objective(X, y, e, a)) / abs(_objective(X, y, e, a))
           for c, e, a in zip(loose.coef_path, exact.coef_path, exact.alphas)]
    assert max(rel) <= gap
    assert loose.converged.all()


def test_thresh_maps_to_tol_and_is_checked():
    assert tol_for_thresh(1e-12) == pytest.approx(1e-6, rel=1e-12)
    assert tol_for_thresh(1e-7) == pytest.approx(1e-6 * 1e5 ** 0.3, rel=1e-12)
    X, y = _data()
    with pytest.raises(InputError, match="not both"):
        gk.glm_path(X, y, family="poisson", tol=1e-8, thresh=1e-7, progress=False)
    for bad in (0, -1e-7, 1.5, float("nan"), "1e-7"):
        with pytest.raises(InputError, match="thresh must be a number in"):
            gk.glm_path(X, y, family="poisson", thresh=bad, progress=False)


def test_cv_folds_in_threads_give_the_same_errors():
    X, y = _data(n=800, seed=5, family="binomial")
    one = gk.cv_glm(X, y, family="binomial", n_folds=4, seed=1, progress=False)
    two = gk.cv_glm(X, y, family="binomial", n_folds=4, seed=1, progress=False, n_jobs=2)
    np.testing.assert_array_equal(one.cv_folds, two.cv_folds)
    assert two.alpha_min == one.alpha_min
    for bad in (0, -2, 1.5, "2", True):
        with pytest.raises(InputError, match="n_jobs"):
            gk.cv_glm(X, y, family="binomial", n_folds=4, progress=False, n_jobs=bad)
