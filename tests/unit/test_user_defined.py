"""A user-defined link and a user-defined family work everywhere a built-in one does."""

from __future__ import annotations

import numpy as np
import pandas as pd

import glmkit as gk
from glmkit import links
from glmkit.variance import PowerVariance


class LogComplement(links.Link):
    """η = log(1 − μ): a link for probabilities written by a user (only four methods)."""

    name = "log_complement"

    def link(self, mu):
        return np.log1p(-np.asarray(mu, dtype=float))

    def inverse(self, eta):
        return -np.expm1(np.asarray(eta, dtype=float))

    def inverse_derivative(self, eta):
        return -np.exp(np.asarray(eta, dtype=float))

    def inverse_second_derivative(self, eta):
        return -np.exp(np.asarray(eta, dtype=float))


class MyPoisson(gk.Family):
    """A user family: Poisson variance, Poisson likelihood, written from the protocol."""

    name = "my_poisson"
    default_link = "log"
    dispersion_is_fixed = True

    def __init__(self, link=None):
        self.variance = PowerVariance(1.0)
        super().__init__(link)

    def starting_mu(self, y, weights):
        return y + 0.1

    def loglik(self, y, mu, weights, dispersion=1.0, *, trials=None):
        from scipy import stats

        return float(np.sum(weights * stats.poisson.logpmf(y, mu)))


def test_user_link_equals_equivalent_builtin_fit():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=300)
    # log(1 − μ) = −0.3 − 0.8 x  ⇔  cloglog-like complement; compare with a numeric check
    mu = -np.expm1(-0.3 - 0.8 * x)
    y = rng.binomial(1, mu).astype(float)
    fit = gk.glm_fit(x.reshape(-1, 1), y, family=gk.Binomial(link=LogComplement()))
    assert fit.converged
    # the score equations hold at the solution: Xᵀ (y − μ) μ′ / V(μ) = 0
    X = np.column_stack([np.ones_like(x), x])
    eta = X @ fit.coef.to_numpy()
    m = -np.expm1(eta)
    score = X.T @ ((y - m) * (-np.exp(eta)) / (m * (1 - m)))
    # score terms are O(1) each over 300 rows; convergence leaves |score| ~ 1e-7
    np.testing.assert_allclose(score, 0.0, atol=1e-6)
    pred = fit.predict(x[:3].reshape(-1, 1), se=True)
    assert np.all(pred["se"] > 0)
    assert 'family = binomial(link = "log_complement")' in str(fit.summary())


def test_user_family_matches_builtin_poisson():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=200), "g": rng.choice(list("abc"), 200)})
    df["y"] = rng.poisson(np.exp(0.3 + 0.5 * df["x"])).astype(float)
    mine = gk.glm("y ~ x + C(g)", data=df, family=MyPoisson())
    ref = gk.glm("y ~ x + C(g)", data=df, family="poisson")
    for attr in ("coef", "std_err", "p_values"):
        np.testing.assert_allclose(getattr(mine, attr), getattr(ref, attr), rtol=1e-10)
    np.testing.assert_allclose([mine.deviance, mine.aic, mine.loglik], [ref.deviance, ref.aic, ref.loglik], rtol=1e-12)
    np.testing.assert_allclose(mine.residuals("pearson"), ref.residuals("pearson"), rtol=1e-10)
