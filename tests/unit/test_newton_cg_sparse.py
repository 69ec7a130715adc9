"""NewtonCG on wide sparse designs: the explicit-column products (float64 and, on indicator
designs, float32), CG through them against the generic design protocol and dense algebra,
mixed precision against float64 and a tightly converged dense Newton reference, and the
deviances a penalised fit reports from the solver's loss.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import glmkit as gk
from glmkit.design import DesignBase, SparseDesign
from glmkit.penalties import Penalty
from glmkit.solvers.newton_cg import NewtonCG


def _binary(seed=0, n=3000, p=400, density=0.02, fmt="csr"):
    rng = np.random.default_rng(seed)
    X = sp.random(n, p, density=density, format=fmt, random_state=seed, data_rvs=np.ones)
    return rng, X


def _logistic_y(rng, X, scale=0.8):
    beta = rng.normal(scale=scale, size=X.shape[1])
    eta = X @ beta - 0.5
    return (rng.uniform(size=X.shape[0]) < 1.0 / (1.0 + np.exp(-eta))).astype(float)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("binary", [True, False])
def test_column_products_match_dense(fmt, binary):
    rng, X = _binary(1, n=500, p=60, density=0.05, fmt=fmt)
    if not binary:
        X = X.copy()
        X.data = rng.normal(size=X.nnz)
    design = SparseDesign(X, intercept=True)
    dense = X.toarray()
    v = rng.normal(size=60)
    h = rng.uniform(0.01, 0.25, 500)
    u = rng.normal(size=500)
    for single in (False, True):
        mv, wrmv, exact = design.column_products(single)
        assert exact == (not (single and binary))
        if exact:
            np.testing.assert_allclose(mv(v), dense @ v, rtol=1e-13, atol=1e-13)
        else:  # float32 sums of float32-rounded v: relative 1e-7 of Σ|xᵢⱼ vⱼ| per row
            assert np.all(np.abs(mv(v) - dense @ v) <= 1e-6 * (np.abs(dense) @ np.abs(v)) + 1e-12)
        expect = dense.T @ (h * u)
        got = wrmv(h, u)
        assert got.dtype == np.float64
        if single and binary:  # float32 rounding, no cancellation from X ≥ 0 beyond that of h·u
            bound = 1e-6 * (np.abs(dense).T @ np.abs(h * u)) + 1e-12
            assert np.all(np.abs(got - expect) <= bound)
        else:  # float64 (a non-indicator design ignores single)
            np.testing.assert_allclose(got, expect, rtol=1e-12, atol=1e-13)


def test_single_products_fall_back_beyond_float32_range():
    _, X = _binary(2, n=200, p=30, density=0.1)
    design = SparseDesign(X, intercept=False)
    mv, wrmv, _ = design.column_products(True)
    h = np.full(200, 1e30)
    u = np.full(200, 1e20)  # h·u = 1e50 overflows float32
    np.testing.assert_allclose(wrmv(h, u), X.T @ (h * u), rtol=1e-12)
    v = np.full(30, 1e300)  # beyond float32: X·v in float64 instead of inf
    np.testing.assert_allclose(mv(v), X @ v, rtol=1e-12)


class _Protocol(DesignBase):
    """The design protocol's core only (column_products not offered): CG's generic path."""

    def __init__(self, design):
        self._d = design
        self.intercept = design.intercept
        self.shape = design.shape

    def matvec(self, c):
        return self._d.matvec(c)

    def rmatvec(self, v):
        return self._d.rmatvec(v)


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("single", [False, True])
def test_cg_fast_path_solves_the_same_system(intercept, single):
    rng, X = _binary(3, n=1500, p=200, density=0.03)
    design = SparseDesign(X, intercept=intercept)
    dense = design.toarray()
    p = design.shape[1]
    h = rng.uniform(0.02, 0.25, X.shape[0])
    l2 = np.full(p, 0.5)
    if intercept:
        l2[0] = 0.0
    rhs = rng.normal(size=p)
    sums, norms = design.sums_and_column_norms(h)
    diag = norms + l2
    solver = NewtonCG(max_cg=2000)
    x_fast, Xx_fast, _, approx = solver._cg(design, h, l2, diag, sums, rhs, 1e-13, intercept, 0.0, single)
    x_gen, Xx_gen, _, approx_gen = solver._cg(_Protocol(design), h, l2, diag, sums, rhs, 1e-13, intercept, 0.0)
    exact = np.linalg.solve(dense.T @ (h[:, None] * dense) + np.diag(l2), rhs)
    tol = 1e-5 if single else 1e-9
    np.testing.assert_allclose(x_gen, exact, rtol=1e-9, atol=1e-9 * np.abs(exact).max())
    np.testing.assert_allclose(x_fast, exact, rtol=tol, atol=tol * np.abs(exact).max())
    # X·x summed from the products: float64-exact, or float32-accurate with float32 products
    assert approx == single and not approx_gen
    xtol = 1e-5 if single else 1e-10
    np.testing.assert_allclose(Xx_fast, dense @ x_fast, rtol=xtol, atol=xtol * np.abs(Xx_fast).max())
    np.testing.assert_allclose(Xx_gen, dense @ x_gen, rtol=1e-10, atol=1e-10 * np.abs(Xx_gen).max())
    # without accumulation: the same solution, no X·x
    x_none, Xx_none, _, approx_none = solver._cg(design, h, l2, diag, sums, rhs, 1e-13, intercept, 0.0, single,
                                                 accumulate=False)
    assert Xx_none is None and not approx_none
    np.testing.assert_array_equal(x_none, x_fast)


def _dense_newton(X, y, lam):
    """½·Σ binomial deviance + λ/2·|β₁..|², intercept unpenalised, by Newton to machine precision."""
    Z = np.column_stack([np.ones(X.shape[0]), X.toarray()])
    L = np.full(Z.shape[1], lam)
    L[0] = 0.0
    b = np.zeros(Z.shape[1])
    for _ in range(50):
        mu = 1.0 / (1.0 + np.exp(-(Z @ b)))
        g = Z.T @ (mu - y) + L * b
        H = Z.T @ ((mu * (1 - mu))[:, None] * Z) + np.diag(L)
        step = np.linalg.solve(H, g)
        b -= step
        if np.max(np.abs(step)) < 1e-15 * max(1.0, np.max(np.abs(b))):
            break
    return b


@pytest.mark.parametrize("lam", [1e-4, 1e-2])
def test_mixed_precision_newton_matches_float64_and_dense_reference(lam):
    rng, X = _binary(4)
    y = _logistic_y(rng, X)
    design = SparseDesign(X, intercept=True)
    obj = gk.Objective(gk.GLMLoss("binomial"), design, y, np.ones(y.size), np.zeros(y.size))
    p = design.shape[1]
    l2 = np.full(p, lam * y.size)
    l2[0] = 0.0
    pen = Penalty.from_weights(np.zeros(p), l2)
    start = np.zeros(p)
    start[0] = np.log(y.mean() / (1 - y.mean()))
    mixed = NewtonCG().solve(obj, start, pen)
    exact = NewtonCG(mixed_precision=False).solve(obj, start, pen)
    assert mixed.converged and exact.converged
    assert mixed.kkt <= 1e-10 and exact.kkt <= 1e-10
    ref = _dense_newton(X, y, lam * y.size)
    scale = np.max(np.abs(ref))
    assert np.max(np.abs(mixed.coef - ref)) <= 1e-7 * scale
    assert np.max(np.abs(exact.coef - ref)) <= 1e-7 * scale
    assert np.max(np.abs(mixed.coef - exact.coef)) <= 1e-7 * scale
    # η the solver hands on is X·β: float32-accurate sums of steps are replaced by exact η
    np.testing.assert_allclose(mixed.state.eta, design.matvec(mixed.coef), rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("exact_below", [0.0, 1e-4, 1.0])
def test_float32_drift_is_cleared_before_convergence(monkeypatch, exact_below):
    """Whenever the exact-η recomputation starts (never: only the final check refreshes η;
    late: a step from a drifted η is started again from the exact one; always), the solver
    reaches the float64 solution and hands on η = Xβ."""
    import glmkit.solvers.newton_cg as newton_cg

    monkeypatch.setattr(newton_cg, "_EXACT_ETA_BELOW", exact_below)
    rng, X = _binary(6, n=4000, p=600, density=0.02)
    y = _logistic_y(rng, X, scale=1.2)
    design = SparseDesign(X, intercept=True)
    obj = gk.Objective(gk.GLMLoss("binomial"), design, y, np.ones(y.size), np.zeros(y.size))
    p = design.shape[1]
    l2 = np.full(p, 1e-4 * y.size)
    l2[0] = 0.0
    pen = Penalty.from_weights(np.zeros(p), l2)
    start = np.zeros(p)
    start[0] = np.log(y.mean() / (1 - y.mean()))
    mixed = NewtonCG().solve(obj, start, pen)
    ref = NewtonCG(mixed_precision=False, tol=1e-13).solve(obj, start, pen)
    assert mixed.converged and mixed.kkt <= 1e-10
    assert np.max(np.abs(mixed.coef - ref.coef)) <= 1e-8 * np.max(np.abs(ref.coef))
    np.testing.assert_allclose(mixed.state.eta, design.matvec(mixed.coef), rtol=1e-12, atol=1e-12)
    terms = obj.terms_at(mixed.state.eta)
    np.testing.assert_allclose(mixed.state.gradient, design.rmatvec(terms.gradient), rtol=1e-12, atol=1e-12)


def test_glm_fit_wide_sparse_ridge_reports_exact_deviances():
    rng, X = _binary(5, n=2000, p=3500, density=0.004)
    y = _logistic_y(rng, X, scale=1.5)
    fit = gk.glm_fit(X, y, family="binomial", alpha=1e-3)  # > 3,000 columns: NewtonCG
    assert fit.converged
    fam = gk.Binomial()
    mu = 1.0 / (1.0 + np.exp(-(X @ fit.coef_array[1:] + fit.coef_array[0])))
    assert fit.deviance == pytest.approx(fam.deviance(y, mu, np.ones(y.size)), rel=1e-12)
    assert fit.null_deviance == pytest.approx(fam.deviance(y, np.full(y.size, y.mean()), np.ones(y.size)),
                                              rel=1e-12)
    ref = gk.glm_fit(X, y, family="binomial", alpha=1e-3, solver=NewtonCG(mixed_precision=False, tol=1e-13))
    assert np.max(np.abs(fit.coef_array - ref.coef_array)) <= 1e-7 * np.max(np.abs(ref.coef_array))


def test_no_float64_recomputation_of_eta_where_products_are_float64():
    """η is recomputed only to clear float32 drift: a non-indicator design (float64 products)
    computes η once, at the start."""
    rng, X = _binary(7, n=2000, p=300, density=0.03)
    X = X.copy()
    X.data = rng.uniform(0.5, 2.0, X.nnz)  # not an indicator design
    y = _logistic_y(rng, X, scale=0.5)
    design = SparseDesign(X, intercept=True)
    obj = gk.Objective(gk.GLMLoss("binomial"), design, y, np.ones(y.size), np.zeros(y.size))
    calls = []
    eta = obj.eta
    obj.eta = lambda coef: calls.append(1) or eta(coef)
    p = design.shape[1]
    l2 = np.full(p, 1e-3 * y.size)
    l2[0] = 0.0
    start = np.zeros(p)
    start[0] = np.log(y.mean() / (1 - y.mean()))
    res = NewtonCG().solve(obj, start, Penalty.from_weights(np.zeros(p), l2))
    assert res.converged and res.n_iter >= 3
    assert len(calls) == 1
