"""Benchmark problems: specifications, deterministic generators and the on-disk cache.

Every problem is generated from its own fixed seed with ``numpy.random.default_rng``
(never from a shared stream), so adding or changing one problem leaves the others
byte-identical.  Generated data are cached under ``benchmarks/.cache/`` as ``.npz``
(sparse designs via ``scipy.sparse.save_npz``); the file name carries
``GENERATOR_VERSION`` so a change to a generator never reuses stale data.

Coefficients are canonical: intercept first, then one coefficient per design column.
For P4 the design columns are the 2,000 one-hot level indicators (all levels, no
reference level: the ridge penalty makes the model identifiable) followed by the 10
numeric columns.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Literal

import numpy as np

GENERATOR_VERSION = 1
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
QUICK_FACTOR = 20

Family = Literal["poisson", "binomial", "gamma"]
Kind = Literal["dense", "categorical", "sparse", "path", "small"]
Scale = Literal["full", "quick"]


@dataclasses.dataclass(frozen=True)
class Problem:
    """One benchmark problem (independent of scale)."""

    name: str
    description: str
    family: Family
    kind: Kind
    n_samples: int
    n_features: int  # design columns, intercept excluded
    seed: int
    alpha: float = 0.0  # on the mean-deviance scale: 1/2 mean deviance + penalty
    l1_ratio: float = 0.0
    n_alphas: int = 1  # > 1 only for a path
    alpha_min_ratio: float = 1.0
    n_levels: int = 0  # categorical problems only
    density: float = 1.0  # sparse problems only

    @property
    def link(self) -> str:
        return "logit" if self.family == "binomial" else "log"

    @property
    def penalised(self) -> bool:
        return self.alpha > 0 or self.kind == "path"

    def n_samples_at(self, scale: Scale) -> int:
        if self.kind == "small" or scale == "full":
            return self.n_samples
        return self.n_samples // QUICK_FACTOR


PROBLEMS: dict[str, Problem] = {
    p.name: p
    for p in [
        Problem("P1", "Poisson log, 50 i.i.d. N(0,1) features + intercept, unpenalised",
                "poisson", "dense", 1_000_000, 50, seed=101),
        Problem("P2", "Bernoulli logit, 50 i.i.d. N(0,1) features + intercept, unpenalised",
                "binomial", "dense", 1_000_000, 50, seed=102),
        Problem("P3", "Gamma log, 30 i.i.d. N(0,1) features + intercept, unpenalised",
                "gamma", "dense", 500_000, 30, seed=103),
        Problem("P1x", "Poisson log, 50 correlated features (rho=0.7), scales "
                "10^-1.5..10^1.5, non-zero means, unpenalised",
                "poisson", "dense", 1_000_000, 50, seed=104),
        Problem("P4", "Poisson log, one categorical with 2,000 levels + 10 numeric, "
                "L2 alpha=1e-5", "poisson", "categorical", 1_000_000, 2_010, seed=105,
                alpha=1e-5, n_levels=2_000),
        Problem("P5", "Bernoulli logit, 20,000 sparse binary features at 0.1% density, "
                "L2 alpha=1e-4", "binomial", "sparse", 100_000, 20_000, seed=106,
                alpha=1e-4, density=1e-3),
        Problem("P6", "Poisson log, 100 dense features, elastic net l1_ratio=0.5, path of "
                "20 alphas from alpha_max to alpha_max/1000", "poisson", "path",
                200_000, 100, seed=107, l1_ratio=0.5, n_alphas=20, alpha_min_ratio=1e-3),
        Problem("P7-logit", "textbook size: Bernoulli logit, N=1,000, 9 features + "
                "intercept", "binomial", "small", 1_000, 9, seed=108),
        Problem("P7-poisson", "textbook size: Poisson log, N=1,000, 9 features + "
                "intercept", "poisson", "small", 1_000, 9, seed=109),
    ]
}

# Names accepted by --problems that stand for several problems.
GROUPS: dict[str, list[str]] = {"P7": ["P7-logit", "P7-poisson"]}


def select(names: str | None) -> list[Problem]:
    """Problems named in a comma-separated list (problem or group names), in table order."""
    if not names:
        return list(PROBLEMS.values())
    wanted: list[str] = []
    for raw in names.split(","):
        name = raw.strip()
        if not name:
            continue
        if name in GROUPS:
            wanted.extend(GROUPS[name])
        elif name in PROBLEMS:
            wanted.append(name)
        else:
            allowed = ", ".join([*PROBLEMS, *GROUPS])
            raise SystemExit(f"unknown problem {name!r}; choose from {allowed}")
    return [p for p in PROBLEMS.values() if p.name in wanted]


# ----------------------------------------------------------------------------- generators


def _sample_response(family: Family, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    mu = np.exp(eta) if family != "binomial" else 1.0 / (1.0 + np.exp(-eta))
    if family == "poisson":
        return rng.poisson(mu).astype(np.float64)
    if family == "binomial":
        return (rng.random(mu.shape) < mu).astype(np.float64)
    shape = 2.0  # dispersion 0.5
    return rng.gamma(shape, mu / shape)


def _scaled(direction: np.ndarray, norm: float) -> np.ndarray:
    return direction * (norm / np.linalg.norm(direction))


def _dense_iid(problem: Problem, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    # eta = b0 + X b with sd(X b) = |b|: the means stay moderate (Poisson mu mostly in
    # [0.5, 15], Gamma mu in [0.4, 7], Bernoulli p mostly in [0.1, 0.9]).
    norm, b0 = {"poisson": (0.5, 1.0), "binomial": (1.0, -0.5), "gamma": (0.5, 0.5)}[
        problem.family]
    p = problem.n_features
    beta = _scaled(rng.standard_normal(p), norm)
    X = rng.standard_normal((n, p))
    eta = b0 + X @ beta
    y = _sample_response(problem.family, eta, rng)
    return {"X": X, "y": y, "beta_true": np.concatenate([[b0], beta])}


def _dense_correlated(problem: Problem, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    # Z ~ N(0, Sigma) with AR(1) correlation 0.7 (columns in random order, so neighbours
    # in scale are not neighbours in correlation); X_j = m_j + s_j Z_j with s_j from
    # 10^-1.5 to 10^1.5 and |m_j| between 1 and 4 standard deviations.
    p = problem.n_features
    rho = 0.7
    order = rng.permutation(p)
    lags = np.abs(np.subtract.outer(order, order))
    chol = np.linalg.cholesky(rho ** lags)
    scales = np.logspace(-1.5, 1.5, p)
    means = scales * rng.uniform(1.0, 4.0, p) * rng.choice([-1.0, 1.0], p)
    # Standardised coefficients c with sd(Z c) = 0.5, mapped back to the raw scale.
    c = rng.standard_normal(p)
    c *= 0.5 / np.sqrt(c @ (rho ** lags) @ c)
    beta = c / scales
    b0 = 1.0 - means @ beta
    X = np.empty((n, p))
    for start in range(0, n, 100_000):  # in blocks: keeps the temporaries small
        stop = min(start + 100_000, n)
        X[start:stop] = means + (rng.standard_normal((stop - start, p)) @ chol.T) * scales
    eta = b0 + X @ beta
    y = _sample_response(problem.family, eta, rng)
    return {"X": X, "y": y, "beta_true": np.concatenate([[b0], beta])}


def _categorical(problem: Problem, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    # Level frequencies are log-normal (the largest level ~10x the median), effects
    # N(0, 0.4^2); numeric part sd 0.3; mu mostly in [0.5, 6].
    k = problem.n_levels
    n_numeric = problem.n_features - k
    probs = np.exp(rng.standard_normal(k) * 0.8)
    probs /= probs.sum()
    codes = rng.choice(k, size=n, p=probs).astype(np.int32)
    level_effects = rng.standard_normal(k) * 0.4
    beta_num = _scaled(rng.standard_normal(n_numeric), 0.3)
    X_num = rng.standard_normal((n, n_numeric))
    b0 = 0.5
    eta = b0 + level_effects[codes] + X_num @ beta_num
    y = _sample_response(problem.family, eta, rng)
    return {"codes": codes, "X_num": X_num, "y": y,
            "beta_true": np.concatenate([[b0], level_effects, beta_num])}


def _sparse(problem: Problem, n: int, rng: np.random.Generator) -> dict:
    import scipy.sparse as sp

    p = problem.n_features
    nnz = int(round(n * p * problem.density))
    rows = rng.integers(0, n, nnz)
    cols = rng.integers(0, p, nnz)
    X = sp.csr_matrix((np.ones(nnz), (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    X.data[:] = 1.0  # binary indicators, duplicates included
    beta = rng.standard_normal(p) * 0.3
    b0 = -0.5
    eta = b0 + X @ beta
    y = _sample_response(problem.family, eta, rng)
    return {"X": X, "y": y, "beta_true": np.concatenate([[b0], beta])}


def _path(problem: Problem, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    # 20 of 100 coefficients non-zero, so the path has something to select.
    p = problem.n_features
    beta = np.zeros(p)
    support = rng.choice(p, 20, replace=False)
    beta[support] = _scaled(rng.standard_normal(20), 0.5)
    X = rng.standard_normal((n, p))
    b0 = 0.5
    eta = b0 + X @ beta
    y = _sample_response(problem.family, eta, rng)
    return {"X": X, "y": y, "beta_true": np.concatenate([[b0], beta])}


_GENERATORS = {"dense": _dense_iid, "small": _dense_iid, "categorical": _categorical,
               "sparse": _sparse, "path": _path}


def generate(problem: Problem, scale: Scale) -> dict:
    """Generate a problem's data (no cache)."""
    rng = np.random.default_rng(problem.seed)
    n = problem.n_samples_at(scale)
    if problem.name == "P1x":
        return _dense_correlated(problem, n, rng)
    return _GENERATORS[problem.kind](problem, n, rng)


# ----------------------------------------------------------------------------- cache


def cache_path(problem: Problem, scale: Scale, what: str = "data") -> Path:
    scale_key = "full" if problem.kind == "small" else scale  # same data at both scales
    return CACHE_DIR / f"{problem.name}-{scale_key}-v{GENERATOR_VERSION}-{what}.npz"


def ensure_data(problem: Problem, scale: Scale) -> Path:
    """Generate and cache the data unless already cached; return the cache file."""
    path = cache_path(problem, scale)
    if path.exists():
        return path
    data = generate(problem, scale)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    if problem.kind == "sparse":
        import scipy.sparse as sp

        sp.save_npz(cache_path(problem, scale, "X").with_suffix(".tmp.npz"), data["X"],
                    compressed=False)
        cache_path(problem, scale, "X").with_suffix(".tmp.npz").replace(
            cache_path(problem, scale, "X"))
        data = {k: v for k, v in data.items() if k != "X"}
    np.savez(tmp, **data)  # uncompressed: loading adds no transient copy
    tmp.replace(path)
    return path


def load(problem: Problem, scale: Scale) -> dict:
    """Load cached data (generating it first if needed)."""
    path = ensure_data(problem, scale)
    with np.load(path) as archive:
        data = {k: archive[k] for k in archive.files}
    if problem.kind == "sparse":
        import scipy.sparse as sp

        data["X"] = sp.load_npz(cache_path(problem, scale, "X")).tocsr()
    return data


def design_matrix(problem: Problem, data: dict):
    """The design without intercept column: ndarray, or CSR for categorical/sparse."""
    if problem.kind == "categorical":
        import scipy.sparse as sp

        codes = data["codes"]
        n = codes.shape[0]
        onehot = sp.csr_matrix((np.ones(n), (np.arange(n), codes)),
                               shape=(n, problem.n_levels))
        return sp.hstack([onehot, sp.csr_matrix(data["X_num"])], format="csr")
    return data["X"]


def column_names(problem: Problem) -> list[str]:
    """Canonical coefficient names, intercept first."""
    if problem.kind == "categorical":
        n_numeric = problem.n_features - problem.n_levels
        return (["(Intercept)"] + [f"cat[{k}]" for k in range(problem.n_levels)]
                + [f"x{j + 1}" for j in range(n_numeric)])
    return ["(Intercept)"] + [f"x{j + 1}" for j in range(problem.n_features)]
