"""Newton's method for smooth penalties: the arrow (factor) Gram, CG with the intercept
eliminated, column norms of sparse / categorical / mixed designs.

Every path is checked against an independent, tightly converged fit of the same objective
on a plain one-hot (dense) design with coordinate descent, and the linear algebra against
dense matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import glmkit as gk
from glmkit.design import CategoricalDesign, DenseDesign, MixedDesign, SparseDesign
from glmkit.penalties import Penalty
from glmkit.solvers.coordinate_descent import CoordinateDescent
from glmkit.solvers.newton_cg import NewtonCG


def _mixed(seed=0, n=600, levels=9, all_levels=True):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, levels, n)
    X = rng.normal(size=(n, 3))
    cols = None if all_levels else np.arange(1, levels)
    cat = CategoricalDesign(codes, levels, columns=cols)
    return rng, codes, X, cat


@pytest.mark.parametrize("all_levels", [True, False])
@pytest.mark.parametrize("intercept", [True, False])
def test_arrow_gram_matches_dense(all_levels, intercept):
    rng, codes, X, cat = _mixed(1, all_levels=all_levels)
    second = CategoricalDesign(rng.integers(0, 3, codes.size), 3)
    for blocks in ([DenseDesign(X), cat], [cat], [cat, DenseDesign(X), second]):
        design = MixedDesign(blocks, intercept=intercept)
        w = rng.uniform(0.2, 3.0, codes.size)
        dense = design.toarray()
        H = dense.T @ (w[:, None] * dense)
        np.testing.assert_allclose(design.sandwich(w), H, rtol=1e-12, atol=1e-10)
        np.testing.assert_allclose(design.weighted_column_norms(w), np.diag(H), rtol=1e-12)
        arrow = design.arrow_sandwich(w)
        np.testing.assert_allclose(arrow.diag(), np.diag(H), rtol=1e-12)
        l2 = np.full(H.shape[0], 0.7)
        if intercept:
            l2[0] = 0.0
        rhs = rng.normal(size=H.shape[0])
        x = arrow.solve(l2, rhs)
        np.testing.assert_allclose(x, np.linalg.solve(H + np.diag(l2), rhs), rtol=1e-9, atol=1e-12)


def test_arrow_solve_refuses_singular_systems():
    _, codes, X, cat = _mixed(2)
    design = MixedDesign([DenseDesign(X), cat], intercept=True)
    w = np.ones(codes.size)
    arrow = design.arrow_sandwich(w)
    # no ridge anywhere: all levels next to the intercept are aliased
    assert arrow.solve(np.zeros(design.shape[1]), np.ones(design.shape[1])) is None
    assert MixedDesign([DenseDesign(X)], intercept=True).arrow_sandwich(w) is None


def test_sparse_column_norms_binary_and_general():
    rng = np.random.default_rng(3)
    X = sp.random(300, 40, density=0.1, random_state=4, format="csr")
    B = X.copy()
    B.data[:] = 1.0
    w = rng.uniform(0.5, 2.0, 300)
    for M in (X, B):
        for icpt in (True, False):
            d = SparseDesign(M, intercept=icpt)
            dense = d.toarray()
            expect = np.einsum("ij,ij,i->j", dense, dense, w)
            np.testing.assert_allclose(d.weighted_column_norms(w), expect, rtol=1e-12)
            np.testing.assert_allclose(d.weighted_column_norms(w, np.arange(3, 9)), expect[3:9], rtol=1e-12)
            sums, norms = d.sums_and_column_norms(w)
            np.testing.assert_allclose(sums, dense.T @ w, rtol=1e-12)
            np.testing.assert_allclose(norms, expect, rtol=1e-12)
    assert SparseDesign(B).binary and not SparseDesign(X).binary


def _tight_reference(design_dense, y, family, l2):
    n = y.size
    obj = gk.Objective(gk.GLMLoss(family), DenseDesign(design_dense, intercept=True), y, np.ones(n), np.zeros(n))
    pen = Penalty.from_weights(np.zeros(l2.size), l2)
    res = CoordinateDescent(tol=1e-13).solve(obj, np.zeros(l2.size), pen)
    assert res.converged
    return res.coef


@pytest.mark.parametrize("family", ["poisson", "binomial", "gamma"])
def test_structured_newton_matches_one_hot_reference(family):
    rng = np.random.default_rng(5)
    n, levels = 1500, 40
    codes = rng.integers(0, levels, n)
    X = rng.normal(size=(n, 2))
    effect = rng.normal(scale=0.5, size=levels)
    eta = 0.2 + effect[codes] + 0.3 * X[:, 0]
    if family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif family == "binomial":
        y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.gamma(2.0, np.exp(eta) / 2.0)
    alpha = 1e-3
    link = "log" if family == "gamma" else None
    df = pd.DataFrame({"g": pd.Categorical.from_codes(codes, categories=[f"l{j}" for j in range(levels)]),
                       "x1": X[:, 0], "x2": X[:, 1]})
    fit = gk.glm_fit(df, y, family=family, link=link, alpha=alpha)
    assert fit.converged
    one_hot = np.column_stack([X, np.eye(levels)[codes]])
    l2 = np.r_[0.0, np.full(levels + 2, alpha * n)]
    if family == "gamma":
        ref = gk.glm_fit(one_hot, y, family=family, link=link, alpha=alpha, tol=1e-13).coef_array
    else:
        ref = _tight_reference(one_hot, y, family, l2)
    np.testing.assert_allclose(fit.coef_array, ref, rtol=0, atol=1e-8 * np.max(np.abs(ref)))


def test_structured_newton_is_chosen_and_agrees_with_cd():
    rng, codes, X, cat = _mixed(6, n=2000, levels=25)
    design = MixedDesign([DenseDesign(X), cat], intercept=True)
    y = rng.poisson(np.exp(0.3 + 0.2 * X[:, 0] + 0.1 * (codes % 4))).astype(float)
    obj = gk.Objective(gk.GLMLoss("poisson"), design, y, np.ones(y.size), np.zeros(y.size))
    pen = Penalty.from_weights(np.zeros(design.shape[1]), np.r_[0.0, np.full(design.shape[1] - 1, 5.0)])
    a = NewtonCG().solve(obj, np.zeros(design.shape[1]), pen)
    b = NewtonCG(structured=False).solve(obj, np.zeros(design.shape[1]), pen)  # CG instead
    c = CoordinateDescent(tol=1e-13).solve(obj, np.zeros(design.shape[1]), pen)
    assert a.converged and b.converged and c.converged
    assert "CG" not in a.message and "CG" in b.message
    for res in (a, b):
        np.testing.assert_allclose(res.coef, c.coef, atol=1e-9)


@pytest.mark.parametrize("intercept", [True, False])
def test_newton_cg_with_and_without_intercept_elimination(intercept):
    rng = np.random.default_rng(7)
    n, p = 3000, 400
    X = sp.random(n, p, density=0.02, random_state=8, format="csr")
    X.data[:] = 1.0
    beta = rng.normal(scale=0.5, size=p)
    y = rng.binomial(1, 1 / (1 + np.exp(-(X @ beta - 0.5)))).astype(float)
    design = SparseDesign(X, intercept=intercept)
    obj = gk.Objective(gk.GLMLoss("binomial"), design, y, np.ones(n), np.zeros(n))
    k = design.shape[1]
    l2 = np.full(k, 0.5)
    if intercept:
        l2[0] = 0.0
    pen = Penalty.from_weights(np.zeros(k), l2)
    res = NewtonCG().solve(obj, np.zeros(k), pen)
    ref = CoordinateDescent(tol=1e-13).solve(obj, np.zeros(k), pen)
    assert res.converged and ref.converged and res.kkt <= 1e-10
    np.testing.assert_allclose(res.coef, ref.coef, atol=1e-8)


def test_ridge_path_on_factor_design_agrees_with_single_fits():
    # warm starts hand value and Fisher weights along the path (no loss evaluation repeated)
    rng = np.random.default_rng(9)
    n = 2500
    df = pd.DataFrame({"g": pd.Categorical(rng.integers(0, 30, n)), "x": rng.normal(size=n)})
    y = rng.poisson(np.exp(0.2 + 0.3 * df.x + 0.04 * df.g.cat.codes)).astype(float)
    path = gk.glm_path(df, y, family="poisson", l1_ratio=0.0, n_alphas=6, alpha_min_ratio=1e-3)
    assert np.all(path.converged)
    for k in (1, 3, 5):
        single = gk.glm_fit(df, y, family="poisson", alpha=float(path.alphas[k]), solver="cd", tol=1e-13)
        np.testing.assert_allclose(path.coef_path[k], single.coef_array, rtol=0,
                                   atol=1e-8 * np.max(np.abs(single.coef_array)))


def test_chord_steps_keep_full_accuracy():
    rng, codes, X, cat = _mixed(10, n=20_000, levels=300)
    design = MixedDesign([DenseDesign(X), cat], intercept=True)
    y = rng.poisson(np.exp(0.5 + 0.3 * X[:, 0] + rng.normal(scale=0.7, size=300)[codes])).astype(float)
    obj = gk.Objective(gk.GLMLoss("poisson"), design, y, np.ones(y.size), np.zeros(y.size))
    pen = Penalty.from_weights(np.zeros(design.shape[1]), np.r_[0.0, np.full(design.shape[1] - 1, 0.2)])
    res = NewtonCG(tol=1e-12).solve(obj, np.zeros(design.shape[1]), pen)
    ref = CoordinateDescent(tol=1e-13).solve(obj, np.zeros(design.shape[1]), pen)
    assert res.converged and res.kkt <= 1e-12
    np.testing.assert_allclose(res.coef, ref.coef, atol=1e-10)
