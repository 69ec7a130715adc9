"""The design protocol: a new design type implementing only its core runs every solver."""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk
from glmkit.design import Design, DenseDesign, DesignBase
from glmkit.penalties import Penalty
from glmkit.solvers import REGISTRY, get_solver


class CoreOnly(DesignBase):
    """The eight core members over a dense array, every optional capability left default."""

    def __init__(self, X, intercept=False):
        self._d = DenseDesign(X, intercept=intercept)
        self.intercept = intercept

    shape = property(lambda self: self._d.shape)
    dtype = property(lambda self: self._d.dtype)

    def matvec(self, coef):
        return self._d.matvec(coef)

    def rmatvec(self, v):
        return self._d.rmatvec(v)

    def sandwich(self, weights):
        return self._d.toarray().T @ (np.asarray(weights)[:, None] * self._d.toarray())

    def select_columns(self, columns):
        return CoreOnly(self._d.toarray()[:, columns])

    def toarray(self):
        return self._d.toarray()

    def row_quadratic_form(self, matrix):
        A = self._d.toarray()
        return np.einsum("ij,jk,ik->i", A, matrix, A)


def _problem(seed=0, n=400, p=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = rng.poisson(np.exp(0.2 + X @ rng.normal(scale=0.3, size=p))).astype(float)
    return X, y


def test_defaults_are_the_generic_answers():
    X, _ = _problem()
    core, dense = CoreOnly(X, intercept=True), DenseDesign(X, intercept=True)
    assert isinstance(core, Design) and isinstance(dense, Design)
    w = np.linspace(0.5, 2.0, X.shape[0])
    np.testing.assert_allclose(core.weighted_column_norms(w), dense.weighted_column_norms(w), rtol=1e-12)
    np.testing.assert_allclose(core.sandwich_columns(w, np.array([0, 2, 3])),
                               dense.sandwich_columns(w, np.array([0, 2, 3])), rtol=1e-12)
    sums, norms = core.sums_and_column_norms(w)
    np.testing.assert_allclose(sums, dense.rmatvec(w), rtol=1e-12)
    np.testing.assert_allclose(norms, dense.weighted_column_norms(w), rtol=1e-12)
    assert core.sampled_sandwich_and_rmatvec(w, w, 4) is None
    assert core.whole_array() is None and core.column_products(True) is None
    assert core.arrow_sandwich(w) is None and core.step_in_blocks(np.zeros(6), w, None) is None
    assert not (core.binary or core.one_pass_evaluation or core.one_pass_steps or core.structured_gram)


@pytest.mark.parametrize("name", ["irls", "newton", "lbfgs", "coordinate_descent", "newton_cg", "proximal"])
def test_every_solver_runs_on_a_core_only_design(name):
    X, y = _problem(1)
    n, p = X.shape
    loss = gk.GLMLoss("poisson")
    objs = [gk.Objective(loss, d, y, np.ones(n), np.zeros(n)) for d in (CoreOnly(X, True), DenseDesign(X, True))]
    start = np.r_[np.log(y.mean()), np.zeros(p)]
    solver = get_solver(name)
    if solver.accepts_penalty:
        pen = Penalty.from_weights(np.r_[0.0, np.full(p, 2.0)]) if name != "newton_cg" else \
            Penalty.from_weights(np.zeros(p + 1), np.r_[0.0, np.full(p, 2.0)])
        a, b = (solver.solve(o, start, pen) for o in objs)
        assert a.state is not None and np.isfinite(a.kkt)
    else:
        a, b = (solver.solve(o, start) for o in objs)
    assert a.converged and b.converged
    tol = 1e-4 if name == "proximal" else 1e-7  # FISTA stops at a looser KKT tolerance
    np.testing.assert_allclose(a.coef, b.coef, rtol=tol, atol=tol)


def test_registry_and_options():
    assert {"irls", "newton", "lbfgs", "gd", "closed_form", "coordinate_descent", "newton_cg", "proximal"} <= set(REGISTRY)
    assert get_solver("cd", {"tol": 1e-9, "max_iter": None}).tol == 1e-9
    assert get_solver("fista").name == "proximal" and get_solver("Gradient-Descent").name == "gd"
    assert get_solver("irls", max_iter=7).max_iter == 7  # the old keyword form
    assert [REGISTRY[k].accepts_penalty for k in ("irls", "coordinate_descent", "newton_cg", "proximal")] == \
        [False, True, True, True]
    with pytest.raises(gk.UnknownNameError, match="newton_cg solver has no option\\(s\\) bogus; its options are"):
        get_solver("newton_cg", {"bogus": 1})
    with pytest.raises(gk.UnknownNameError, match="chosen by the fit"):
        get_solver("auto")
