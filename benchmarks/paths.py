"""Paths and cross-validation side by side with R's glmnet, at glmnet's two accuracies.

    python -m benchmarks.paths [--problems path-poisson,cv-poisson,...] [--repeats 3] [--no-r]

Every problem is fitted by glmkit at its default accuracy (``tol`` 1e-10), at
``thresh=1e-7`` (glmnet's default) and ``thresh=1e-12``, and by glmnet 4.x (Rscript, when R
with glmnet is installed) at ``thresh`` 1e-7 and 1e-12. Both compute their own α grid
(n_alphas α from α_max — equal in both, checked — down to ``ratio``·α_max) and both stop
early where the deviance ratio saturates (glmnet's rule). BLAS is pinned to one thread.
Timed: the path (or CV) call only; data are loaded and glmkit imported before, and one tiny
glmkit fit warms its lazy imports (as ``library(glmnet)`` is loaded before R's clock). Runs
are interleaved (every library once, then again), medians reported.

Accuracy: the objective gap at every α a library returned, (F − F_ref)/|F_ref| maximised
over the path, against glmkit at ``tol=1e-13`` on the same grid (the grids agree to 1e-10).
Results go to ``benchmarks/.cache/paths.json`` and print as a markdown table.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from statistics import median  # noqa: E402

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402

from benchmarks.objective import objective  # noqa: E402

CACHE = Path(__file__).with_name(".cache")


@dataclass(frozen=True)
class PathProblem:
    name: str
    family: str
    n: int
    p: int
    l1_ratio: float = 1.0
    ratio: float = 1e-4
    n_alphas: int = 100
    sparse_density: float | None = None
    folds: int = 0  # > 0: cross-validation with this many folds

    def data(self) -> tuple:
        rng = np.random.default_rng(16)
        if self.sparse_density is None:
            X = rng.normal(size=(self.n, self.p))
        else:
            X = sp.random(self.n, self.p, density=self.sparse_density, format="csc", random_state=16,
                          data_rvs=rng.standard_normal)
        beta = np.zeros(self.p)
        beta[:15] = rng.uniform(-0.3, 0.3, 15) * (3.0 if self.sparse_density else 1.0)
        eta = np.asarray(X @ beta).ravel()
        if self.family == "poisson":
            y = rng.poisson(np.exp(0.5 + eta)).astype(float)
        elif self.family == "binomial":
            y = (rng.random(self.n) < 1 / (1 + np.exp(-eta))).astype(float)
        else:
            y = 0.5 + eta + rng.normal(size=self.n)
        folds = rng.permutation(np.arange(self.n) % self.folds) if self.folds else None
        return X, y, folds


PROBLEMS = {p.name: p for p in [
    PathProblem("path-poisson", "poisson", 20_000, 200),
    PathProblem("path-binomial", "binomial", 20_000, 200),
    PathProblem("path-gaussian", "gaussian", 20_000, 200),
    PathProblem("cv-poisson", "poisson", 20_000, 200, folds=5),
    PathProblem("path-wide", "binomial", 1_000, 20_000, ratio=1e-2),
    PathProblem("path-sparse", "binomial", 100_000, 20_000, l1_ratio=0.5, ratio=1e-2, sparse_density=1e-3),
]}

R_SCRIPT = r"""
suppressPackageStartupMessages({library(glmnet); library(Matrix)})
a <- commandArgs(trailingOnly = TRUE)
dir <- a[1]; n <- as.integer(a[2]); p <- as.integer(a[3]); fam <- a[4]; l1 <- as.numeric(a[5])
ratio <- as.numeric(a[6]); nlam <- as.integer(a[7]); thresh <- as.numeric(a[8]); sparse <- a[9] == "1"
nfolds <- as.integer(a[10])
if (sparse) {
  ijx <- readBin(file.path(dir, "ijx.bin"), "double", 3 * as.integer(a[11]))
  m <- matrix(ijx, ncol = 3)
  x <- sparseMatrix(i = m[, 1] + 1, j = m[, 2] + 1, x = m[, 3], dims = c(n, p))
} else x <- matrix(readBin(file.path(dir, "X.bin"), "double", n * p), n, p)
y <- readBin(file.path(dir, "y.bin"), "double", n)
if (nfolds > 0) {
  foldid <- readBin(file.path(dir, "folds.bin"), "integer", n) + 1L
  t <- system.time(fit <- cv.glmnet(x, y, family = fam, alpha = l1, nlambda = nlam, lambda.min.ratio = ratio,
                                     standardize = FALSE, thresh = thresh, foldid = foldid))[["elapsed"]]
  fit <- fit$glmnet.fit
} else {
  t <- system.time(fit <- glmnet(x, y, family = fam, alpha = l1, nlambda = nlam, lambda.min.ratio = ratio,
                                 standardize = FALSE, thresh = thresh))[["elapsed"]]
}
writeBin(as.vector(as.matrix(rbind(fit$a0, fit$beta))), file.path(dir, "coef.bin"))
writeBin(as.double(fit$lambda), file.path(dir, "lambda.bin"))
cat(sprintf("%.6f %d %s\n", t, length(fit$lambda), as.character(packageVersion("glmnet"))))
"""


def _glmkit(X, y, folds, prob: PathProblem, **accuracy):
    import glmkit as gk

    kw = dict(family=prob.family, l1_ratio=prob.l1_ratio, n_alphas=prob.n_alphas, alpha_min_ratio=prob.ratio,
              progress=False, **accuracy)
    t = time.perf_counter()
    if prob.folds:
        path = gk.cv_glm(X, y, fold_ids=folds, **kw).path
    else:
        path = gk.glm_path(X, y, **kw)
    return time.perf_counter() - t, path.coef_path, path.alphas


def _write_r_inputs(work: Path, X, y, folds) -> int:
    if sp.issparse(X):
        coo = X.tocoo()
        np.column_stack([coo.row, coo.col, coo.data]).astype(np.float64).T.ravel().tofile(work / "ijx.bin")
        nnz = coo.nnz
    else:
        np.asfortranarray(X).T.ravel().tofile(work / "X.bin")
        nnz = 0
    y.astype(np.float64).tofile(work / "y.bin")
    if folds is not None:
        folds.astype(np.int32).tofile(work / "folds.bin")
    (work / "run.R").write_text(R_SCRIPT)
    return nnz


def _glmnet(work: Path, X, prob: PathProblem, thresh: float, nnz: int):
    n, p = X.shape
    args = [str(work), str(n), str(p), prob.family, repr(prob.l1_ratio), repr(prob.ratio), str(prob.n_alphas),
            repr(thresh), "1" if sp.issparse(X) else "0", str(prob.folds), str(nnz)]
    out = subprocess.run(["Rscript", str(work / "run.R"), *args], capture_output=True, text=True, check=True)
    elapsed, n_lambda, version = out.stdout.split()
    lam = np.fromfile(work / "lambda.bin")
    coef = np.fromfile(work / "coef.bin").reshape(int(n_lambda), p + 1)
    return float(elapsed), coef, lam, version


def _gap(prob, X, y, coefs, alphas, ref_coefs, ref_alphas) -> float:
    m = coefs.shape[0]
    assert np.allclose(alphas[:m], ref_alphas[:m], rtol=1e-8), "the grids differ"
    gaps = []
    for c, r, a in zip(coefs, ref_coefs[:m], ref_alphas[:m]):
        f_ref = objective(prob.family, X, y, r, a, prob.l1_ratio)
        gaps.append((objective(prob.family, X, y, c, a, prob.l1_ratio) - f_ref) / abs(f_ref))
    return float(max(gaps))


def run_problem(prob: PathProblem, repeats: int, with_r: bool) -> dict:
    import glmkit as gk

    X, y, folds = prob.data()
    gk.glm_path(np.random.default_rng(0).normal(size=(50, 3)), np.arange(50) % 2, family="binomial",
                n_alphas=3, progress=False)  # lazy imports, outside every clock
    libs = {"glmkit (tol 1e-10)": dict(), "glmkit (thresh 1e-7)": dict(thresh=1e-7),
            "glmkit (thresh 1e-12)": dict(thresh=1e-12)}
    rows: dict = {name: {"times": []} for name in libs}
    r_ok = with_r and shutil.which("Rscript") is not None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        nnz = _write_r_inputs(work, X, y, folds) if r_ok else 0
        for thresh in ((1e-7, 1e-12) if r_ok else ()):
            rows[f"glmnet (thresh {thresh:g})"] = {"times": []}
        for _ in range(repeats):
            for name, acc in libs.items():
                t, coefs, alphas = _glmkit(X, y, folds, prob, **acc)
                rows[name].update(times=rows[name]["times"] + [t], coefs=coefs, alphas=alphas)
            for thresh in ((1e-7, 1e-12) if r_ok else ()):
                t, coefs, lam, version = _glmnet(work, X, prob, thresh, nnz)
                row = rows[f"glmnet (thresh {thresh:g})"]
                row.update(times=row["times"] + [t], coefs=coefs, alphas=lam, version=version)
    ref = gk.glm_path(X, y, family=prob.family, l1_ratio=prob.l1_ratio, n_alphas=prob.n_alphas,
                      alpha_min_ratio=prob.ratio, progress=False, tol=1e-13, early_stop=False)
    out = {}
    for name, row in rows.items():
        out[name] = {"seconds": median(row["times"]), "all": row["times"], "n_alphas": int(row["coefs"].shape[0]),
                     "gap": _gap(prob, X, y, row["coefs"], row["alphas"], ref.coef_path, ref.alphas),
                     "version": row.get("version", gk.__version__ if hasattr(gk, "__version__") else "")}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip R's glmnet")
    args = parser.parse_args(argv)
    CACHE.mkdir(exist_ok=True)
    store = CACHE / "paths.json"
    results = json.loads(store.read_text()) if store.exists() else {}
    for name in args.problems.split(","):
        prob = PROBLEMS[name]
        res = run_problem(prob, args.repeats, not args.no_r)
        results[name] = res
        store.write_text(json.dumps(results, indent=2))
        base = res.get("glmnet (thresh 1e-07)", {}).get("seconds")
        tight = res.get("glmnet (thresh 1e-12)", {}).get("seconds")
        print(f"\n### {name}: {prob.family}, n = {prob.n:,}, p = {prob.p:,}, l1_ratio {prob.l1_ratio}, "
              f"{prob.n_alphas} α to {prob.ratio:g}·α_max{f', {prob.folds}-fold CV' if prob.folds else ''}; "
              f"median of {args.repeats}")
        print("| library | time (s) | ÷ glmnet 1e-7 | ÷ glmnet 1e-12 | α fitted | max objective gap |")
        print("|---|---|---|---|---|---|")
        for lib, row in res.items():
            r1 = f"{row['seconds'] / base:.2f}" if base else "–"
            r2 = f"{row['seconds'] / tight:.2f}" if tight else "–"
            print(f"| {lib} | {row['seconds']:.3f} | {r1} | {r2} | {row['n_alphas']} | {row['gap']:.1e} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
