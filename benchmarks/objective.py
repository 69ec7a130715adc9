"""The objective every library is asked to minimise, written once for the harness.

    F(b0, b) = 1/2 * mean unit deviance(y, mu) + alpha * (l1_ratio * |b|_1
               + (1 - l1_ratio) / 2 * |b|_2^2),      mu = h(b0 + X b)

with the intercept b0 unpenalised.  This is glum's objective and scikit-learn's
(PoissonRegressor, GammaRegressor, and LogisticRegression with C = 1 / (alpha * N)).

The per-observation loss is written in eta-space up to a y-only constant
(``loss_eta``), with first and second derivatives in eta, so the reference solvers need
no link functions.  ``half_mean_deviance`` adds the constant back, so objective values
are true half mean deviances.  Binomial uses log1p(exp(.)) in its stable form.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, xlogy


def loss_eta(family: str, y: np.ndarray, eta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-observation loss l(eta) (half deviance minus a y-only constant), l', l''."""
    if family == "poisson":
        mu = np.exp(eta)
        return mu - y * eta, mu - y, mu
    if family == "binomial":
        p = expit(eta)
        log1pexp = np.where(eta > 0, eta + np.log1p(np.exp(-np.abs(eta))),
                            np.log1p(np.exp(-np.abs(eta))))
        return log1pexp - y * eta, p - y, p * (1.0 - p)
    if family == "gamma":
        y_over_mu = y * np.exp(-eta)
        return eta + y_over_mu, 1.0 - y_over_mu, y_over_mu
    if family == "gaussian":
        r = eta - y
        return 0.5 * r * r, r, np.ones_like(r)
    raise ValueError(f"unknown family {family!r}")


def loss_constant(family: str, y: np.ndarray) -> float:
    """mean(half unit deviance - l(eta)), which depends on y only."""
    if family == "poisson":
        return float(np.mean(xlogy(y, y) - y))
    if family in ("binomial", "gaussian"):
        return 0.0
    if family == "gamma":
        return float(np.mean(-np.log(y) - 1.0))
    raise ValueError(f"unknown family {family!r}")


def linear_predictor(X, coef: np.ndarray) -> np.ndarray:
    """b0 + X b for dense or sparse X; ``coef`` is intercept first."""
    return coef[0] + np.asarray(X @ coef[1:]).ravel()


def penalty(coef: np.ndarray, alpha: float, l1_ratio: float) -> float:
    b = coef[1:]
    return alpha * (l1_ratio * np.abs(b).sum() + 0.5 * (1.0 - l1_ratio) * (b @ b))


def objective(family: str, X, y: np.ndarray, coef: np.ndarray, alpha: float = 0.0,
              l1_ratio: float = 0.0) -> float:
    """F(coef) as in the module docstring: a true half mean deviance plus penalty."""
    coef = np.asarray(coef, dtype=np.float64)
    if not np.all(np.isfinite(coef)):
        return float("nan")
    loss, _, _ = loss_eta(family, y, linear_predictor(X, coef))
    return float(np.mean(loss)) + loss_constant(family, y) + penalty(coef, alpha, l1_ratio)


def alpha_max(family: str, X, y: np.ndarray, l1_ratio: float) -> float:
    """Smallest alpha at which every non-intercept coefficient is zero (as glum computes it).

    At b = 0 the intercept-only fit has mu = mean(y) for log and logit links, so the
    smooth gradient is X^T (dl/deta) / N evaluated there.
    """
    ybar = float(np.mean(y))
    eta0 = np.log(ybar) if family != "binomial" else np.log(ybar / (1.0 - ybar))
    _, d1, _ = loss_eta(family, y, np.full_like(y, eta0))
    grad = np.asarray(X.T @ d1).ravel() / y.shape[0]
    return float(np.max(np.abs(grad)) / l1_ratio)


def alpha_grid(a_max: float, n_alphas: int, min_ratio: float) -> np.ndarray:
    return np.geomspace(a_max, a_max * min_ratio, n_alphas)
