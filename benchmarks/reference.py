"""Tightly converged reference solutions, computed once per problem and cached.

Independent of every benchmarked library (numpy/scipy only), in float64:

* unpenalised and ridge problems with up to a few thousand columns: damped Newton with
  the exact Hessian (Jacobi-equilibrated Cholesky, least squares as a fallback) and
  Armijo backtracking, until max|gradient| <= 1e-12 or the Newton decrement reaches
  round-off (P1, P1x, P2, P3, P4, P7);
* many sparse columns (P5): the same Newton iteration with the step from
  Jacobi-preconditioned conjugate gradients on exact Hessian-vector products;
* elastic-net path (P6): proximal Newton per alpha (warm-started down the path),
  the quadratic sub-problem solved by cyclic coordinate descent on the Gram matrix,
  until the KKT violation is <= 1e-12.

The achieved gradient norm / KKT violation is stored with the solution and printed in
RESULTS.md, so the reader can see how tight "tight" was.
"""

from __future__ import annotations

import time

import numpy as np
import scipy.linalg
import scipy.sparse as sp

from benchmarks import problems as pb
from benchmarks.objective import (alpha_grid, alpha_max, linear_predictor, loss_eta,
                                  objective, penalty)

GRAD_TOL = 1e-12
MAX_NEWTON = 100
BLOCK = 200_000  # rows per block when forming dense Gram matrices


# --------------------------------------------------------------------------- building blocks


def _smooth(family, X, y, coef):
    """Mean loss (without y-constant), its gradient and the eta-curvature vector."""
    n = y.shape[0]
    loss, d1, d2 = loss_eta(family, y, linear_predictor(X, coef))
    grad = np.empty_like(coef)
    grad[0] = d1.sum() / n
    grad[1:] = np.asarray(X.T @ d1).ravel() / n
    return float(loss.mean()), grad, d2


def _gram(X, h: np.ndarray) -> np.ndarray:
    """[1 X]^T diag(h) [1 X] / N as a dense matrix."""
    n, p = X.shape
    H = np.empty((p + 1, p + 1))
    H[0, 0] = h.sum()
    if sp.issparse(X):
        Xh = X.T @ h
        H[0, 1:] = H[1:, 0] = Xh
        H[1:, 1:] = (X.T @ sp.diags(h) @ X).toarray()
    else:
        H[0, 1:] = H[1:, 0] = X.T @ h
        G = np.zeros((p, p))
        for start in range(0, n, BLOCK):
            Xb = X[start:start + BLOCK]
            G += (Xb * h[start:start + BLOCK, None]).T @ Xb
        H[1:, 1:] = G
    return H / n


def _solve_spd(H: np.ndarray, g: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.maximum(np.diag(H), 1e-300))
    Hs = H / np.outer(d, d)
    try:
        step = scipy.linalg.solve(Hs, -g / d, assume_a="pos")
    except (np.linalg.LinAlgError, scipy.linalg.LinAlgError):
        step = scipy.linalg.lstsq(Hs, -g / d)[0]
    return step / d


def _cg_step(family, X, y, coef, grad, h, alpha, rtol=1e-10, max_iter=2000):
    """Solve H step = -grad by preconditioned CG with exact Hessian-vector products."""
    n = y.shape[0]

    def hess_vec(v):
        u = h * (v[0] + np.asarray(X @ v[1:]).ravel())
        out = np.empty_like(v)
        out[0] = u.sum() / n
        out[1:] = np.asarray(X.T @ u).ravel() / n + alpha * v[1:]
        return out

    diag = np.empty_like(coef)
    diag[0] = h.sum() / n
    diag[1:] = np.asarray(X.multiply(X).T @ h).ravel() / n + alpha
    x = np.zeros_like(coef)
    r = -grad.copy()
    z = r / diag
    p = z.copy()
    rz = r @ z
    r0 = np.linalg.norm(r)
    for _ in range(max_iter):
        Ap = hess_vec(p)
        a = rz / (p @ Ap)
        x += a * p
        r -= a * Ap
        if np.linalg.norm(r) <= rtol * r0:
            break
        z = r / diag
        rz_new = r @ z
        p = z + (rz_new / rz) * p
        rz = rz_new
    return x


def newton(family, X, y, alpha=0.0, coef=None, use_cg=False):
    """Damped Newton for 1/2 mean deviance + alpha/2 |b|^2 (intercept unpenalised)."""
    p = X.shape[1]
    if coef is None:
        coef = np.zeros(p + 1)
        ybar = y.mean()
        coef[0] = np.log(ybar) if family != "binomial" else np.log(ybar / (1 - ybar))
    pen = np.ones(p + 1) * alpha
    pen[0] = 0.0

    def value_grad(c):
        loss, grad, h = _smooth(family, X, y, c)
        return loss + 0.5 * alpha * (c[1:] @ c[1:]), grad + pen * c, h

    f, g, h = value_grad(coef)
    info = {"iterations": 0}
    for it in range(1, MAX_NEWTON + 1):
        if use_cg:
            step = _cg_step(family, X, y, coef, g, h, alpha)
        else:
            H = _gram(X, h)
            H[np.diag_indices_from(H)] += pen
            step = _solve_spd(H, g)
        decrement = -(g @ step)
        t = 1.0
        while True:
            trial = coef + t * step
            f_new, g_new, h_new = value_grad(trial)
            if np.isfinite(f_new) and f_new <= f - 1e-4 * t * decrement + 1e-15 * abs(f):
                break
            t *= 0.5
            if t < 1e-10:
                break
        coef, f, g, h = trial, f_new, g_new, h_new
        info["iterations"] = it
        if np.max(np.abs(g)) <= GRAD_TOL or decrement <= 1e-28:
            break
    info["grad_inf_norm"] = float(np.max(np.abs(g)))
    return coef, info


def _soft(z: float, t: float) -> float:
    return np.sign(z) * max(abs(z) - t, 0.0)


def _kkt_violation(grad, coef, alpha, l1_ratio) -> float:
    """max over coefficients of the distance of -grad(smooth part) to the subdifferential."""
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)
    g = grad[1:] + l2 * coef[1:]
    b = coef[1:]
    viol = np.where(b != 0, np.abs(g + l1 * np.sign(b)), np.maximum(np.abs(g) - l1, 0.0))
    return float(max(abs(grad[0]), viol.max(initial=0.0)))


def proximal_newton(family, X, y, alpha, l1_ratio, coef, tol=GRAD_TOL, max_outer=200):
    """Elastic net at one alpha by proximal Newton with coordinate descent on the Gram."""
    l1, l2 = alpha * l1_ratio, alpha * (1 - l1_ratio)

    def full(c):
        loss, grad, h = _smooth(family, X, y, c)
        return loss + penalty(c, alpha, l1_ratio), grad, h

    f, g, h = full(coef)
    outer = 0
    for outer in range(1, max_outer + 1):
        if _kkt_violation(g, coef, alpha, l1_ratio) <= tol:
            break
        H = _gram(X, h)
        # Minimise q(d) = g.d + 1/2 d.H.d + P(coef + d) over d by CD on z = coef + d.
        z = coef.copy()
        Hz = H @ coef  # kept equal to H z as z changes
        lin = g - H @ coef  # q as a function of z: lin.z + 1/2 z.H.z + P(z)
        diagH = np.diag(H)
        for _sweep in range(10_000):
            max_change = 0.0
            for j in range(z.shape[0]):
                gj = lin[j] + Hz[j] - diagH[j] * z[j]
                if j == 0:
                    new = -gj / diagH[0]
                else:
                    new = _soft(-gj, l1) / (diagH[j] + l2)
                delta = new - z[j]
                if delta != 0.0:
                    Hz += delta * H[:, j]
                    z[j] = new
                    max_change = max(max_change, abs(delta) * np.sqrt(diagH[j]))
            if max_change <= 1e-15:
                break
        step = z - coef
        decrease = g @ step + penalty(z, alpha, l1_ratio) - penalty(coef, alpha, l1_ratio)
        t = 1.0
        while True:
            trial = coef + t * step
            f_new, g_new, h_new = full(trial)
            if f_new <= f + 1e-4 * t * decrease + 1e-15 * abs(f) or t < 1e-10:
                break
            t *= 0.5
        if np.array_equal(trial, coef):
            break
        coef, f, g, h = trial, f_new, g_new, h_new
    return coef, {"iterations": outer, "kkt": _kkt_violation(g, coef, alpha, l1_ratio)}


# --------------------------------------------------------------------------- per problem


def solve(problem: pb.Problem, data: dict) -> dict:
    """Reference solution of one problem: coefficients (or path) and diagnostics."""
    X = pb.design_matrix(problem, data)
    y = data["y"]
    start = time.perf_counter()
    if problem.kind == "path":
        a_max = alpha_max(problem.family, X, y, problem.l1_ratio)
        alphas = alpha_grid(a_max, problem.n_alphas, problem.alpha_min_ratio)
        coef = np.zeros(X.shape[1] + 1)
        coef[0] = np.log(y.mean())
        path, kkts = [], []
        for a in alphas:
            coef, info = proximal_newton(problem.family, X, y, a, problem.l1_ratio, coef)
            path.append(coef.copy())
            kkts.append(info["kkt"])
        path = np.array(path)
        objectives = np.array([objective(problem.family, X, y, c, a, problem.l1_ratio)
                               for c, a in zip(path, alphas)])
        return {"coef": path, "alphas": alphas, "objective": objectives,
                "accuracy": float(max(kkts)), "accuracy_kind": "max KKT violation",
                "seconds": time.perf_counter() - start}
    coef, info = newton(problem.family, X, y, problem.alpha,
                        use_cg=problem.kind == "sparse")
    return {"coef": coef, "objective": np.array(objective(problem.family, X, y, coef,
                                                          problem.alpha)),
            "accuracy": info["grad_inf_norm"], "accuracy_kind": "max |gradient|",
            "newton_iterations": info["iterations"],
            "seconds": time.perf_counter() - start}


def ensure_reference(problem: pb.Problem, scale: pb.Scale, data: dict | None = None) -> dict:
    """Load the cached reference, computing and caching it first if needed."""
    path = pb.cache_path(problem, scale, "reference")
    if not path.exists():
        if data is None:
            data = pb.load(problem, scale)
        ref = solve(problem, data)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, **{k: np.asarray(v) for k, v in ref.items()})
        tmp.replace(path)
    with np.load(path) as archive:
        return {k: archive[k] for k in archive.files}
