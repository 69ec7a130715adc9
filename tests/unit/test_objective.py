"""The objective in β: gradient and Hessians against finite differences, over designs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import glmkit as gk
from glmkit.design import DenseDesign, SparseDesign
from glmkit.loss import GLMLoss
from glmkit.objective import Objective


def _objective(family, design_kind="dense", seed=0):
    rng = np.random.default_rng(seed)
    n, p = 60, 3
    X = rng.normal(size=(n, p)) * 0.3
    if design_kind == "sparse":
        X[rng.uniform(size=X.shape) < 0.5] = 0.0
        design = SparseDesign(sp.csr_matrix(X), intercept=True)
    else:
        design = DenseDesign(X, intercept=True)
    coef = np.array([0.4, 0.3, -0.2, 0.1])
    eta = design.matvec(coef)
    mu = family.link.inverse(eta)
    if isinstance(family, gk.Binomial):
        y = rng.binomial(1, mu).astype(float)
    elif isinstance(family, gk.Poisson):
        y = rng.poisson(mu).astype(float)
    else:
        y = rng.gamma(2.0, mu / 2.0)
    w = rng.uniform(0.5, 2.0, size=n)
    off = rng.normal(scale=0.1, size=n)
    return Objective(GLMLoss(family), design, y, w, off), coef


FAMILIES = [gk.Poisson(), gk.Binomial(link="probit"), gk.Gamma(link="log"), gk.Binomial()]


@pytest.mark.parametrize("family", FAMILIES, ids=repr)
@pytest.mark.parametrize("kind", ["dense", "sparse"])
def test_gradient_and_hessians_match_finite_differences(family, kind):
    obj, coef = _objective(family, kind)
    h = 1e-6
    eye = np.eye(coef.size)
    fd_grad = np.array([(obj.value(coef + h * e) - obj.value(coef - h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(obj.gradient(coef), fd_grad, rtol=1e-6, atol=1e-7)
    fd_hess = np.array([(obj.gradient(coef + h * e) - obj.gradient(coef - h * e)) / (2 * h) for e in eye])
    np.testing.assert_allclose(obj.hessian(coef, "observed"), fd_hess, rtol=1e-5, atol=1e-6)


def test_dense_sandwich_matches_naive_product_across_blocks():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(5000, 7))
    w = rng.uniform(size=5000)
    d = DenseDesign(X, intercept=True)
    import glmkit.design.dense as dense

    old = dense._BLOCK_BYTES, dense._SMALL_ELEMENTS
    dense._BLOCK_BYTES = 7 * 8 * 333  # force many blocks, the last one partial
    dense._SMALL_ELEMENTS = 0  # and the blocked route although the data is small
    try:
        G = d.sandwich(w)
    finally:
        dense._BLOCK_BYTES, dense._SMALL_ELEMENTS = old
    Xf = d.toarray()
    np.testing.assert_allclose(G, (Xf.T * w) @ Xf, rtol=1e-12)


def test_float32_design_stays_float32():
    X = np.random.default_rng(0).normal(size=(100, 3)).astype(np.float32)
    d = DenseDesign(X)
    assert d.dtype == np.float32 and d.X is X
    assert d.sandwich(np.ones(100)).shape == (3, 3)


def test_design_row_quadratic_form_dense_and_sparse_agree():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 4))
    X[X < 0.3] = 0
    M = rng.normal(size=(5, 5))
    M = M @ M.T
    a = DenseDesign(X, intercept=True).row_quadratic_form(M)
    b = SparseDesign(sp.csr_matrix(X), intercept=True).row_quadratic_form(M)
    Xf = np.column_stack([np.ones(30), X])
    np.testing.assert_allclose(a, np.einsum("ij,jk,ik->i", Xf, M, Xf), rtol=1e-12)
    np.testing.assert_allclose(b, a, rtol=1e-12)


@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("small_elements", [0, 1 << 17], ids=["blocked", "whole arrays"])
def test_fused_sandwich_and_rmatvec(intercept, small_elements, monkeypatch):
    import glmkit.design.dense as dense

    monkeypatch.setattr(dense, "_SMALL_ELEMENTS", small_elements)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, 6))
    d = DenseDesign(X, intercept=intercept)
    w, v = rng.uniform(size=3000), rng.normal(size=3000)
    G, g = d.sandwich_and_rmatvec(w, v)
    np.testing.assert_allclose(G, d.sandwich(w), rtol=1e-13)
    np.testing.assert_allclose(g, d.rmatvec(v), rtol=1e-12, atol=1e-12)
    G2, _ = d.sandwich_and_rmatvec(w - 0.5, v)  # signed weights take the other branch
    Xf = d.toarray()
    np.testing.assert_allclose(G2, (Xf.T * (w - 0.5)) @ Xf, rtol=1e-10, atol=1e-10)


def _generic_evaluation(obj, coef, kind):
    """The same evaluation through η, the loss terms and separate products (no one-pass route)."""
    eta = obj.eta(coef)
    terms = obj.loss.terms(obj.y, eta, obj.weights, kind)
    X = obj.design.toarray().astype(np.float64)
    return float(np.sum(terms.loss)), X.T @ terms.gradient, (X.T * terms.hessian) @ X, terms.mu


@pytest.mark.parametrize("family", FAMILIES + [gk.Gaussian(link="log")], ids=repr)
@pytest.mark.parametrize("intercept", [True, False])
@pytest.mark.parametrize("kind", ["expected", "observed"])
@pytest.mark.parametrize("route", ["chunks", "whole arrays"])
def test_one_pass_evaluation_matches_separate_products_across_chunks(family, intercept, kind, route, monkeypatch):
    import glmkit.design.dense as dense

    if route == "chunks":
        monkeypatch.setattr(dense, "_SMALL_ELEMENTS", 0)  # the chunked pass even on small data
        monkeypatch.setattr(dense, "_BLOCK_BYTES", 4 * 8 * 37)  # many Gram blocks, the last partial
        monkeypatch.setattr(dense, "_CHUNK_BYTES", 4 * 8 * 37 * 3)  # many chunks of three blocks
    rng = np.random.default_rng(11)
    n = 1000
    X = rng.normal(size=(n, 4)) * 0.3
    design = DenseDesign(X, intercept=intercept)
    coef = rng.normal(size=design.shape[1]) * 0.3
    mu = family.link.inverse(design.matvec(coef))
    y = {gk.Binomial: lambda: rng.binomial(1, mu).astype(float),
         gk.Poisson: lambda: rng.poisson(mu).astype(float)}.get(type(family), lambda: rng.gamma(2.0, mu / 2.0))()
    obj = Objective(GLMLoss(family), design, y, rng.uniform(0.5, 2.0, n), rng.normal(scale=0.1, size=n))
    trial = coef + 0.1  # away from the data-generating β: observed weights of both signs
    ev = obj.evaluate(trial, hessian=kind)
    value, grad, hess, mu_ref = _generic_evaluation(obj, trial, kind)
    assert ev.value == pytest.approx(value, rel=1e-12)
    np.testing.assert_allclose(ev.gradient, grad, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ev.hessian, hess, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ev.mu, mu_ref, rtol=1e-14)
    np.testing.assert_allclose(ev.eta, obj.eta(trial), rtol=1e-14, atol=1e-14)
    assert obj.evaluate(trial, hessian=None).hessian is None


def test_one_pass_evaluation_reports_an_invalid_eta_as_infinite():
    rng = np.random.default_rng(2)
    X = rng.uniform(1.0, 2.0, size=(50, 2))
    obj = Objective(GLMLoss(gk.Gamma()), DenseDesign(X, intercept=True), rng.gamma(2.0, 1.0, 50),
                    np.ones(50), np.zeros(50))
    ev = obj.evaluate(np.array([-5.0, 0.0, 0.0]), hessian="expected")  # η = −5: inverse link needs η > 0
    assert ev.value == np.inf and ev.hessian is None and np.all(np.isnan(ev.gradient))


def test_one_pass_evaluation_keeps_the_gram_when_fisher_weights_cannot_change(monkeypatch):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 3))
    design = DenseDesign(X, intercept=True)
    obj = Objective(GLMLoss(gk.Gamma(link="log")), design, rng.gamma(2.0, 1.0, 400), rng.uniform(0.5, 2, 400),
                    np.zeros(400))
    first = obj.evaluate(np.zeros(4), hessian="expected")
    calls = []
    monkeypatch.setattr(design, "sandwich", lambda w: calls.append(1))  # must not be needed
    second = obj.evaluate(np.full(4, 0.1), hessian="expected")
    assert not calls and second.hessian is first.hessian
    Xf = design.toarray()
    np.testing.assert_allclose(second.hessian, (Xf.T * obj.weights) @ Xf, rtol=1e-12)


def test_row_sample_gram_is_the_scaled_gram_of_the_sampled_chunks(monkeypatch):
    import glmkit.design.dense as dense

    monkeypatch.setattr(dense, "_BLOCK_BYTES", 4 * 8 * 100)  # Gram blocks of 100 rows of 4 columns
    monkeypatch.setattr(dense, "_CHUNK_BYTES", 4 * 8 * 100)  # chunks of one block
    rng = np.random.default_rng(8)
    n = 1050  # 11 chunks, the last partial
    X = rng.normal(size=(n, 4))
    design = DenseDesign(X, intercept=True)
    h = rng.uniform(0.5, 2.0, n)
    out = design.evaluate_in_blocks(np.zeros(5), np.zeros(n), lambda rows, eta: (np.zeros(eta.shape), h[rows]),
                                    gram_sample=3)
    used = np.zeros(n, dtype=bool)
    for start in range(0, n, 300):  # chunks 0, 3, 6, 9
        used[start:start + 100] = True
    Xf = design.toarray()
    expected = (Xf[used].T * h[used]) @ Xf[used] * (n / used.sum())
    np.testing.assert_allclose(out[2], expected, rtol=1e-12)


def _large_poisson(n=40_000, seed=9):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = rng.poisson(np.exp(0.3 + X @ np.linspace(-0.4, 0.4, 6))).astype(float)
    return X, y


def test_irls_with_row_sample_hessians_reaches_the_same_mle_and_exact_information(monkeypatch):
    import glmkit.objective as objective_module

    import glmkit.design.dense as dense
    import glmkit.solvers.irls as irls_module

    X, y = _large_poisson()
    exact = gk.glm_fit(X, y, family="poisson")
    monkeypatch.setattr(objective_module, "ROUGH_HESSIAN_ROWS", 2_000)  # sample every 8th chunk
    monkeypatch.setattr(dense, "_BLOCK_BYTES", 6 * 8 * 1000)
    monkeypatch.setattr(dense, "_CHUNK_BYTES", 6 * 8 * 1000)  # 40 chunks of 1000 rows
    rough_steps = []
    original_solve = irls_module.solve_spd
    monkeypatch.setattr(irls_module, "solve_spd",
                        lambda m, r, fallback=True: rough_steps.append(not fallback) or original_solve(m, r, fallback))
    rough = gk.glm_fit(X, y, family="poisson")
    assert rough.converged and any(rough_steps) and not rough_steps[-1]
    np.testing.assert_allclose(rough.coef, exact.coef, rtol=1e-10)
    np.testing.assert_allclose(np.asarray(rough.cov), np.asarray(exact.cov), rtol=1e-9)


def test_a_singular_row_sample_hessian_falls_back_to_the_exact_one(monkeypatch):
    import warnings

    import glmkit.design.dense as dense
    import glmkit.objective as objective_module

    X, y = _large_poisson()
    X[:, 5] = 0.0
    X[-50:, 5] = 1.0  # non-zero only in the last rows: absent from a sample of the first chunks
    y[-50:] += 3
    exact = gk.glm_fit(X, y, family="poisson")
    monkeypatch.setattr(objective_module, "ROUGH_HESSIAN_ROWS", 2_000)  # every 8th chunk
    monkeypatch.setattr(dense, "_BLOCK_BYTES", 6 * 8 * 1000)
    monkeypatch.setattr(dense, "_CHUNK_BYTES", 6 * 8 * 1000)  # 40 chunks of 1000 rows: the last one unsampled
    import glmkit.solvers.irls as irls_module

    refused = []
    original_solve = irls_module.solve_spd

    def spy(matrix, rhs, fallback=True):
        x = original_solve(matrix, rhs, fallback)
        refused.append(x is None)
        return x

    monkeypatch.setattr(irls_module, "solve_spd", spy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "not positive definite" warning: the exact Hessian is used
        rough = gk.glm_fit(X, y, family="poisson")
    assert refused[0]  # the first (sampled) Hessian misses column 5 and is refused
    np.testing.assert_allclose(rough.coef, exact.coef, rtol=1e-10)
