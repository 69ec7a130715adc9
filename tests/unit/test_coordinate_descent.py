"""The IRLS + coordinate-descent solver and the penalised fit built on it.

Checked against exactly known solutions (orthogonal lasso, Gaussian ridge, unpenalised
IRLS), against an independent bound-constrained optimiser on the quadratic sub-problem,
and through invariances (weights, duplicated rows, column scaling with standardize, dense
vs sparse, warm vs cold, screening and Hessian reuse on or off).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.optimize as so
import scipy.sparse as sp

import glmkit as gk
from glmkit.design import DenseDesign, SparseDesign
from glmkit.errors import InferenceError, InputError
from glmkit.penalties import Penalty
from glmkit.solvers.coordinate_descent import CoordinateDescent, solve_penalized_qp


def _objective(family, X, y, w=None, offset=None, intercept=True, link=None):
    n = X.shape[0]
    design = SparseDesign(X, intercept=intercept) if sp.issparse(X) else DenseDesign(X, intercept=intercept)
    return gk.Objective(gk.GLMLoss(family, link), design, np.asarray(y, float),
                        np.ones(n) if w is None else w, np.zeros(n) if offset is None else offset)


def _data(family, n=300, p=6, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, p) + rng.normal(size=p)
    beta = np.zeros(p)
    beta[:3] = [0.4, -0.3, 0.2]
    eta = 0.3 + (X - X.mean(0)) @ beta
    if family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    elif family == "gamma":
        y = rng.gamma(2.0, np.exp(eta) / 2.0)
    else:
        y = eta + rng.normal(size=n)
    return X, y


# --------------------------------------------------------------------------- the sub-problem


@pytest.mark.parametrize("seed", range(6))
def test_qp_matches_bound_constrained_optimiser(seed):
    rng = np.random.default_rng(seed)
    k = 8
    A = rng.normal(size=(20, k)) * rng.uniform(0.2, 5, k)
    H = A.T @ A
    g = rng.normal(size=k) * 10
    x0 = rng.normal(size=k) * 0.1
    l1 = rng.uniform(0, 3, k)
    l1[0] = 0.0  # a free coordinate
    l2 = rng.uniform(0, 1, k) * (rng.random(k) < 0.5)
    l2[0] = 0.0
    lower = np.where(rng.random(k) < 0.3, -0.05, -np.inf)
    upper = np.where(rng.random(k) < 0.3, 0.05, np.inf)
    lower[0], upper[0] = -np.inf, np.inf
    x0 = np.clip(x0, lower, upper)
    pen = Penalty.from_weights(l1, l2, lower, upper)
    x = solve_penalized_qp(H, g, x0, pen, tol2=1e-28)

    # reference: x = u − v with u, v ≥ 0 makes the L1 part linear (L-BFGS-B handles bounds)
    def f(z):
        u, v = z[:k], z[k:]
        d = u - v - x0
        xx = u - v
        val = g @ d + 0.5 * d @ H @ d + l1 @ (u + v) + 0.5 * l2 @ (xx * xx)
        gx = g + H @ d + l2 * xx
        return val, np.concatenate([gx + l1, -gx + l1])

    bounds = [(max(lo, 0) if np.isfinite(lo) and lo > 0 else 0, hi if hi > 0 else 0) for lo, hi in zip(lower, upper)]
    bounds += [(0, -lo if lo < 0 else 0) for lo in lower]
    bounds = [(a, None if not np.isfinite(b) else b) for a, b in bounds]
    res = so.minimize(f, np.zeros(2 * k), jac=True, method="L-BFGS-B", bounds=bounds,
                      options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000})
    ref = res.x[:k] - res.x[k:]
    val = lambda z: g @ (z - x0) + 0.5 * (z - x0) @ H @ (z - x0) + pen.value(z)  # noqa: E731
    assert val(x) <= val(ref) + 1e-9 * max(1.0, abs(val(ref)))
    np.testing.assert_allclose(x, ref, atol=1e-5)
    assert np.all(pen.kkt_violation(x, g + H @ (x - x0)) <= 1e-9 * np.sqrt(np.diag(H)) * 10)


# --------------------------------------------------------------------------- known solutions


def test_orthogonal_lasso_is_soft_thresholding():
    rng = np.random.default_rng(1)
    n, p = 200, 5
    Q, _ = np.linalg.qr(rng.normal(size=(n, p)) - rng.normal(size=(n, p)).mean(0))
    Q -= Q.mean(0)
    Q, _ = np.linalg.qr(Q)
    X = Q * np.sqrt(n)  # XᵀX / n = I, centred columns
    y = X @ np.array([2.0, -1.0, 0.3, 0.0, 0.05]) + 1.0 + rng.normal(size=n) * 0.1
    alpha = 0.25
    fit = gk.glm_fit(X, y, alpha=alpha, l1_ratio=1.0)
    z = X.T @ (y - y.mean()) / n
    np.testing.assert_allclose(fit.coef_array[1:], np.sign(z) * np.maximum(np.abs(z) - alpha, 0), atol=1e-10)
    assert fit.intercept == pytest.approx(y.mean())


def test_gaussian_ridge_closed_form():
    X, y = _data("gaussian", seed=2)
    w = np.random.default_rng(3).uniform(0.5, 2, X.shape[0])
    alpha = 0.7
    fit = gk.glm_fit(X, y, weights=w, alpha=alpha, l1_ratio=0.0)
    W = w.sum()
    A = np.column_stack([np.ones(len(y)), X])
    P = np.diag([0.0] + [alpha * W] * X.shape[1])
    ref = np.linalg.solve(A.T @ (w[:, None] * A) + P, A.T @ (w * y))
    np.testing.assert_allclose(fit.coef_array, ref, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("family,link", [("poisson", None), ("binomial", None), ("gamma", "log"),
                                         ("binomial", "probit"), ("gaussian", "log")])
def test_unpenalised_matches_irls(family, link):
    X, y = _data("gaussian" if family == "gaussian" else family, seed=4)
    if family == "gaussian":
        y = np.exp(0.5 + 0.1 * (X - X.mean(0))[:, 0]) + np.random.default_rng(0).normal(size=len(y)) * 0.1
    obj = _objective(family, X, y, link=link)
    ref = gk.glm_fit(X, y, family=family, link=link, tol=1e-13)
    res = CoordinateDescent().solve(obj, ref.coef.to_numpy() * 0.0 + np.r_[ref.coef.iloc[0], np.zeros(X.shape[1])])
    assert res.converged
    np.testing.assert_allclose(res.coef, ref.coef.to_numpy(), rtol=1e-7, atol=1e-9)


# --------------------------------------------------------------------------- optimality


@pytest.mark.parametrize("family,link", [("poisson", None), ("binomial", None), ("binomial", "cloglog"),
                                         ("gamma", "log"), ("gamma", "inverse"), ("inverse_gaussian", "log")])
@pytest.mark.parametrize("l1_ratio", [0.0, 0.5, 1.0])
def test_kkt_at_solution_every_family(family, link, l1_ratio):
    X, y = _data("gamma" if family == "inverse_gaussian" else family, seed=5)
    fit = gk.glm_fit(X, y, family=family, link=link, alpha=0.02, l1_ratio=l1_ratio)
    assert fit.converged and fit.kkt <= 1e-10
    # no nearby point is better
    rng = np.random.default_rng(0)
    base = fit.objective
    for _ in range(20):
        coef = fit.coef_array + rng.normal(size=fit.coef_array.shape) * 1e-4
        eta = fit.problem.design.matvec(coef)
        mu = fit.family.link.inverse(eta)
        if not fit.family.valid_mu(mu):
            continue
        val = 0.5 * fit.family.deviance(y, mu, fit.problem.weights) / len(y) + fit.setup.normalised(0.02).value(coef)
        assert val >= base - 1e-14 * abs(base)


def test_bounds_nonnegative_lasso():
    X, y = _data("poisson", seed=6)
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.005, l1_ratio=1.0, lower=0.0)
    assert np.all(fit.coef_array[1:] >= 0)
    assert fit.coef_array[2] == 0.0  # the true coefficient is negative
    assert fit.kkt <= 1e-10
    only_bounds = gk.glm_fit(X, y, family="poisson", lower=0.0)
    assert np.all(only_bounds.coef_array[1:] >= 0) and only_bounds.converged


# --------------------------------------------------------------------------- invariances


def test_weight_scaling_and_duplication():
    X, y = _data("poisson", n=120, seed=7)
    w = np.random.default_rng(1).integers(1, 3, len(y)).astype(float)
    a = gk.glm_fit(X, y, family="poisson", weights=w, alpha=0.03, l1_ratio=0.5)
    b = gk.glm_fit(X, y, family="poisson", weights=10 * w, alpha=0.03, l1_ratio=0.5)
    rows = np.repeat(np.arange(len(y)), w.astype(int))
    c = gk.glm_fit(X[rows], y[rows], family="poisson", alpha=0.03, l1_ratio=0.5)
    np.testing.assert_allclose(a.coef_array, b.coef_array, atol=1e-10)
    np.testing.assert_allclose(a.coef_array, c.coef_array, atol=1e-10)


def test_standardize_is_scale_invariant():
    X, y = _data("binomial", seed=8)
    scale = np.array([1.0, 10.0, 0.01, 1.0, 3.0, 1e3])
    a = gk.glm_fit(X, y, family="binomial", alpha=0.01, l1_ratio=0.7, standardize=True)
    b = gk.glm_fit(X * scale, y, family="binomial", alpha=0.01, l1_ratio=0.7, standardize=True)
    np.testing.assert_allclose(b.coef_array[1:] * scale, a.coef_array[1:], rtol=1e-8, atol=1e-10)
    assert b.intercept == pytest.approx(a.intercept, rel=1e-8)


def test_constant_column_with_standardize_is_zero():
    X, y = _data("poisson", seed=9)
    X = np.column_stack([X, np.full(len(y), 3.0)])
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.01, l1_ratio=0.5, standardize=True)
    assert fit.coef_array[-1] == 0.0 and fit.converged


def test_dense_sparse_warm_screening_reuse_agree():
    X, y = _data("poisson", n=400, p=12, seed=10)
    obj = _objective("poisson", X, y)
    obj_sp = _objective("poisson", sp.csr_matrix(X), y)
    n = len(y)
    pen = Penalty.from_weights(np.r_[0.0, np.full(12, 0.02 * n)], np.r_[0.0, np.full(12, 0.01 * n)])
    start = np.r_[np.log(y.mean()), np.zeros(12)]
    ref = CoordinateDescent().solve(obj, start, pen)
    for solver, o in [(CoordinateDescent(strong_rules=False), obj), (CoordinateDescent(reuse_hessian=False), obj),
                      (CoordinateDescent(full_gram_fraction=0.0), obj), (CoordinateDescent(), obj_sp)]:
        np.testing.assert_allclose(solver.solve(o, start, pen).coef, ref.coef, atol=1e-9)
    # warm start from a different penalty's solution
    pen2 = Penalty.from_weights(pen.l1 * 3, pen.l2 * 3)
    first = CoordinateDescent().solve(obj, start, pen2)
    warm = CoordinateDescent().solve(obj, first.coef, pen, first.state)
    np.testing.assert_allclose(warm.coef, ref.coef, atol=1e-9)


def test_penalty_factor_zero_is_unpenalised():
    X, y = _data("binomial", seed=11)
    fit = gk.glm_fit(X, y, family="binomial", alpha=10.0, l1_ratio=1.0, penalty_factor=[0, 1, 1, 1, 1, 1])
    # huge α: only the unpenalised column and the intercept remain = unpenalised fit on them
    ref = gk.glm_fit(X[:, :1], y, family="binomial", tol=1e-13)
    np.testing.assert_allclose(fit.coef_array[:2], ref.coef.to_numpy(), rtol=1e-7)
    assert np.all(fit.coef_array[2:] == 0)


# --------------------------------------------------------------------------- the result


def test_inference_refused_for_l1_and_bounds():
    X, y = _data("poisson", seed=12)
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.01, l1_ratio=0.5)
    for attr in ("std_err", "cov", "p_values"):
        with pytest.raises(InferenceError, match="L1-penalised"):
            getattr(fit, attr)
    with pytest.raises(InferenceError):
        fit.conf_int()
    bounded = gk.glm_fit(X, y, family="poisson", upper=0.0)
    with pytest.raises(InferenceError, match="bounds"):
        bounded.std_err


def test_ridge_covariance_is_the_sandwich():
    X, y = _data("poisson", seed=13)
    alpha = 0.05
    fit = gk.glm_fit(X, y, family="poisson", alpha=alpha, l1_ratio=0.0)
    A = np.column_stack([np.ones(len(y)), X])
    H = A.T @ (fit.mu[:, None] * A)
    P = np.diag([0.0] + [alpha * len(y)] * X.shape[1])
    inv = np.linalg.inv(H + P)
    np.testing.assert_allclose(fit.cov.to_numpy(), inv @ H @ inv, rtol=1e-8)
    with pytest.raises(InferenceError, match="ridge"):
        fit.p_values


def test_unpenalised_with_inactive_bounds_gives_wald_inference():
    X, y = _data("poisson", seed=14)
    fit = gk.glm_fit(X, y, family="poisson", lower=-100.0)
    ref = gk.glm_fit(X, y, family="poisson")
    np.testing.assert_allclose(fit.std_err.to_numpy(), ref.std_err.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(fit.p_values.to_numpy(), ref.p_values.to_numpy(), rtol=1e-5)


def test_predict_arrays_and_formula():
    X, y = _data("poisson", seed=15)
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.01, l1_ratio=1.0)
    np.testing.assert_allclose(fit.predict(X[:5]).to_numpy(), fit.mu[:5])
    np.testing.assert_allclose(fit.predict(X[:5], kind="link").to_numpy(), fit.eta[:5])
    df = pd.DataFrame(X, columns=[f"v{j}" for j in range(X.shape[1])])
    df["y"] = y
    f2 = gk.glm("y ~ " + " + ".join(df.columns[:-1]), df, family="poisson", alpha=0.01, l1_ratio=1.0)
    np.testing.assert_allclose(f2.coef_array, fit.coef_array, atol=1e-9)
    np.testing.assert_allclose(f2.predict(df.head()).to_numpy(), fit.mu[:5], rtol=1e-9)
    assert list(f2.coef.index[:2]) == ["Intercept", "v0"]
    pf = gk.glm("y ~ " + " + ".join(df.columns[:-1]), df, family="poisson", alpha=0.05, l1_ratio=1.0,
                penalty_factor={"v1": 0.0})
    assert pf.coef["v1"] != 0.0


def test_relaxed_fit_is_unpenalised_on_active_set():
    X, y = _data("poisson", seed=16)
    fit = gk.glm_fit(X, y, family="poisson", alpha=0.03, l1_ratio=1.0)
    active = np.flatnonzero(fit.coef_array[1:] != 0)
    rel = fit.relax()
    ref = gk.glm_fit(X[:, active], y, family="poisson", tol=1e-13)
    np.testing.assert_allclose(rel.coef_array[np.r_[0, active + 1]], ref.coef.to_numpy(), rtol=1e-7, atol=1e-9)
    with pytest.raises(InferenceError, match="relaxed"):
        rel.std_err


def test_summary_repr_and_errors():
    X, y = _data("binomial", seed=17)
    fit = gk.glm_fit(X, y, family="binomial", alpha=0.02, l1_ratio=0.5)
    assert "alpha = 0.02" in fit.summary() and "PenalizedGLMResult" in repr(fit)
    assert 0 < fit.dev_ratio < 1 and fit.df == len(fit.active)
    with pytest.raises(InputError):
        gk.glm_fit(X, y, family="binomial", alpha=-0.1)
    with pytest.raises(InputError, match="start"):
        gk.glm_fit(X, y, family="binomial", alpha=0.1, start=[0.0])


def test_no_convergence_warns():
    X, y = _data("poisson", seed=18)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = gk.glm_fit(X, y, family="poisson", alpha=1e-3, l1_ratio=0.5, max_iter=1)
    assert not fit.converged
    assert any(issubclass(w.category, gk.ConvergenceWarning) for w in caught)


# --------------------------------------------------------------------------- other solvers, designs


def test_compact_working_set_passes_agree():
    rng = np.random.default_rng(23)
    n, p = 3000, 40
    X = rng.normal(size=(n, p))
    y = rng.poisson(np.exp(0.2 + 0.4 * X[:, 0] - 0.3 * X[:, 5])).astype(float)
    obj = _objective("poisson", X, y)
    start = np.r_[np.log(y.mean()), np.zeros(p)]
    warm = {True: None, False: None}
    coefs = {True: start, False: start}
    a_max = np.max(np.abs(X.T @ (y - y.mean()))) / n / 0.5
    for alpha in a_max * np.array([0.6, 0.4, 0.3, 0.2]):  # a short path: warm starts carry the copy
        pen = Penalty.from_weights(np.r_[0.0, np.full(p, 0.5 * alpha * n)], np.r_[0.0, np.full(p, 0.5 * alpha * n)])
        out = {}
        for compact in (True, False):
            previous = warm[compact]
            res = CoordinateDescent(compact=compact).solve(obj, coefs[compact], pen, previous)
            assert res.converged
            if compact and previous is not None and previous.compact is not None:
                assert previous.compact.take() is None  # handed over: the solve took the copy
            coefs[compact], warm[compact] = res.coef, res.state
            out[compact] = res.coef
        np.testing.assert_allclose(out[True], out[False], atol=1e-10)
        assert 0 < np.count_nonzero(out[True][1:]) < p // 4
    assert warm[True].compact is not None  # the copy of the working-set columns was used
    ref = CoordinateDescent(fused=False).solve(obj, start, pen)
    np.testing.assert_allclose(coefs[True], ref.coef, atol=1e-10)
    np.testing.assert_allclose(warm[True].gradient, obj.gradient(coefs[True]), rtol=1e-9, atol=1e-8)


def test_fused_pass_agrees_with_separate_passes():
    X, y = _data("poisson", n=3000, p=15, seed=19)
    obj = _objective("poisson", X, y)
    n = len(y)
    start = np.r_[np.log(y.mean()), np.zeros(15)]
    for l1 in (0.002, 0.02):
        pen = Penalty.from_weights(np.r_[0.0, np.full(15, l1 * n)], np.r_[0.0, np.full(15, l1 * n)])
        a = CoordinateDescent(fused=True).solve(obj, start, pen)
        b = CoordinateDescent(fused=False).solve(obj, start, pen)
        assert a.converged and b.converged
        np.testing.assert_allclose(a.coef, b.coef, atol=1e-10)


@pytest.mark.parametrize("solver", ["newton_cg", "proximal"])
def test_wide_design_solvers_agree_with_cd(solver):
    X, y = _data("binomial", n=500, p=10, seed=20)
    l1_ratio = 0.0 if solver == "newton_cg" else 0.5
    ref = gk.glm_fit(X, y, family="binomial", alpha=0.01, l1_ratio=l1_ratio)
    fit = gk.glm_fit(sp.csr_matrix(X), y, family="binomial", alpha=0.01, l1_ratio=l1_ratio, solver=solver,
                     max_iter=50_000)
    assert fit.converged
    np.testing.assert_allclose(fit.coef_array, ref.coef_array, atol=1e-5)
    assert fit.objective == pytest.approx(ref.objective, rel=1e-10)


def test_newton_cg_refuses_l1():
    X, y = _data("poisson", seed=21)
    with pytest.raises(ValueError, match="smooth"):
        gk.glm_fit(X, y, family="poisson", alpha=0.01, l1_ratio=0.5, solver="newton_cg")
    with pytest.raises(gk.UnknownNameError):
        gk.glm_fit(X, y, family="poisson", alpha=0.01, solver="nope")


def test_dataframe_with_categorical_column():
    # a penalised fit keeps every level (as glum and glmnet on a full one-hot encoding)
    rng = np.random.default_rng(22)
    n = 600
    df = pd.DataFrame({"g": pd.Categorical(rng.integers(0, 8, n)), "x": rng.normal(size=n)})
    y = rng.poisson(np.exp(0.3 + 0.2 * df.x + 0.1 * (df.g.cat.codes % 3))).astype(float)
    fit = gk.glm_fit(df, y, family="poisson", alpha=1e-3, l1_ratio=0.5)
    dummies = pd.get_dummies(df, columns=["g"], drop_first=False, dtype=float)
    ref = gk.glm_fit(dummies, y, family="poisson", alpha=1e-3, l1_ratio=0.5)
    np.testing.assert_allclose(fit.coef_array, ref.coef_array, atol=1e-9)
    assert list(fit.coef.index[:3]) == ["Intercept", "x", "g[0]"] and len(fit.coef) == 10
    np.testing.assert_allclose(fit.predict(df.head(4)).to_numpy(), ref.mu[:4], rtol=1e-9)


def test_dataframe_ridge_does_not_depend_on_level_order():
    rng = np.random.default_rng(23)
    n = 800
    codes = rng.integers(0, 6, n)
    y = rng.poisson(np.exp(0.2 + 0.3 * (codes % 2))).astype(float)
    df = pd.DataFrame({"g": pd.Categorical.from_codes(codes, categories=list("abcdef"))})
    flipped = pd.DataFrame({"g": df.g.cat.reorder_categories(list("fedcba"))})
    fit = gk.glm_fit(df, y, family="poisson", alpha=1e-2)
    other = gk.glm_fit(flipped, y, family="poisson", alpha=1e-2)
    np.testing.assert_allclose(fit.coef.sort_index().to_numpy(), other.coef.sort_index().to_numpy(),
                               rtol=1e-9, atol=1e-12)


def test_dataframe_bounds_only_keeps_treatment_coding():
    # nothing penalised: all levels next to the intercept would be aliased
    rng = np.random.default_rng(24)
    n = 300
    df = pd.DataFrame({"g": pd.Categorical(rng.integers(0, 4, n)), "x": rng.normal(size=n)})
    y = rng.poisson(np.exp(0.3 + 0.2 * df.x)).astype(float)
    fit = gk.glm_fit(df, y, family="poisson", lower=-10.0)
    assert list(fit.coef.index) == ["Intercept", "x", "g[T.1]", "g[T.2]", "g[T.3]"]


def test_float32_design_converges_at_its_precision():
    X, y = _data("poisson", n=2000, p=8, seed=24)
    ref = gk.glm_fit(X, y, family="poisson", alpha=0.01, l1_ratio=0.5)
    fit = gk.glm_fit(X.astype(np.float32), y, family="poisson", alpha=0.01, l1_ratio=0.5)
    assert fit.converged and fit.kkt <= 1e-6
    np.testing.assert_allclose(fit.coef_array, ref.coef_array, atol=1e-5)
