"""Every design representation agrees with the dense matrix it stands for."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

import glmkit as gk
from glmkit.design import CategoricalDesign, DenseDesign, MixedDesign, SparseDesign


def _mixed(seed=0, intercept=True):
    rng = np.random.default_rng(seed)
    n = 300
    Xd = rng.normal(size=(n, 3))
    S = sp.random(n, 4, density=0.2, random_state=seed, format="csr")
    c1 = rng.integers(0, 5, size=n)
    c2 = rng.integers(0, 3, size=n)
    blocks = [DenseDesign(Xd), CategoricalDesign(c1, 5, columns=np.arange(1, 5)), SparseDesign(S),
              CategoricalDesign(c2, 3, columns=np.array([0, 2]))]
    return MixedDesign(blocks, intercept=intercept)


@pytest.mark.parametrize("intercept", [True, False])
def test_mixed_design_matches_dense(intercept):
    d = _mixed(intercept=intercept)
    X = d.toarray()
    rng = np.random.default_rng(1)
    coef, v, w = rng.normal(size=X.shape[1]), rng.normal(size=X.shape[0]), rng.uniform(size=X.shape[0])
    np.testing.assert_allclose(d.matvec(coef), X @ coef, rtol=1e-12)
    np.testing.assert_allclose(d.rmatvec(v), X.T @ v, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.sandwich(w), (X.T * w) @ X, rtol=1e-12, atol=1e-12)
    M = rng.normal(size=(X.shape[1], X.shape[1]))
    M = M @ M.T
    np.testing.assert_allclose(d.row_quadratic_form(M), np.einsum("ij,jk,ik->i", X, M, X), rtol=1e-10)
    cols = np.array([0, 2, 4, 7, 9, 10]) if intercept else np.array([0, 3, 5, 8, 9])
    np.testing.assert_allclose(d.select_columns(cols).toarray(), X[:, cols])


def test_categorical_glm_equals_one_hot_glm():
    rng = np.random.default_rng(3)
    n, L = 2000, 40
    codes = rng.integers(0, L, size=n)
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(0.2 + 0.3 * x + rng.normal(scale=0.3, size=L)[codes])).astype(float)
    import pandas as pd

    df = pd.DataFrame({"x": x, "g": pd.Categorical(codes)})
    a = gk.glm_fit(df, y, family="poisson")
    assert isinstance(a.model.design, MixedDesign)
    onehot = np.column_stack([x] + [(codes == k).astype(float) for k in range(1, L)])
    b = gk.glm_fit(onehot, y, family="poisson")
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(a.std_err.to_numpy(), b.std_err.to_numpy(), rtol=1e-9)
    assert a.coef.index[2] == "g[T.1]"
    new = df.iloc[:5]
    np.testing.assert_allclose(a.predict(new, se=True).to_numpy(), b.predict(onehot[:5], se=True).to_numpy(), rtol=1e-9)


def test_formula_on_large_data_keeps_big_factors_as_codes():
    import pandas as pd

    rng = np.random.default_rng(4)
    n, L = 60_000, 60
    codes = rng.integers(0, L, size=n)
    df = pd.DataFrame({"x": rng.normal(size=n), "g": pd.Categorical([f"l{c:02d}" for c in codes])})
    df["y"] = rng.poisson(np.exp(0.1 + 0.2 * df["x"] + rng.normal(scale=0.3, size=L)[codes])).astype(float)
    fit = gk.glm("y ~ x + C(g)", data=df, family="poisson")
    assert isinstance(fit.model.design, MixedDesign)
    assert any(isinstance(b, CategoricalDesign) for b in fit.model.design.blocks)
    small = gk.glm("y ~ x + C(g)", data=df.iloc[:40_000], family="poisson")
    assert isinstance(small.model.design, DenseDesign)
    dense_ref = gk.glm_fit(
        np.column_stack([df["x"]] + [(codes == k).astype(float) for k in range(1, L)]), df["y"], family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy(), dense_ref.coef.to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(fit.std_err.to_numpy(), dense_ref.std_err.to_numpy(), rtol=1e-9)
    pred = fit.predict(df.iloc[:4], se=True)
    np.testing.assert_allclose(pred.to_numpy(), dense_ref.predict(dense_ref.model.design.X[:4], se=True).to_numpy(), rtol=1e-9)


def test_wide_sparse_fit_uses_matvecs_only():
    rng = np.random.default_rng(5)
    n, p = 20000, 2100
    S = sp.random(n, p, density=0.01, random_state=5, format="csr")  # ~200 ones a column
    S.data[:] = 1.0
    beta = rng.normal(scale=0.05, size=p)
    y = rng.poisson(np.exp(S @ beta + 0.5)).astype(float)
    S = sp.hstack([S, sp.csr_matrix(rng.normal(size=(n, 1)))]).tocsr()  # one dense-ish column
    fit = gk.glm_fit(S, y, family="poisson", tol=1e-9)
    assert fit.model.solver == "lbfgs" and fit.converged
    # the gradient of the log-likelihood vanishes at the solution (no p × p matrix was needed)
    from glmkit.loss import GLMLoss
    from glmkit.objective import Objective

    obj = Objective(GLMLoss("poisson"), fit.model.design, fit.model.y, fit.model.weights, fit.model.offset)
    assert np.max(np.abs(obj.gradient(fit.coef.to_numpy()))) / n < 1e-8
