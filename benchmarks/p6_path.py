"""P6 side by side: glmkit's path, glum's path and R glmnet's path on the same alphas.

    python -m benchmarks.p6_path [--quick] [--repeats 3] [--no-r]

``python -m benchmarks.run --problems P6`` times glmkit and glum in the harness (fresh
processes, interleaved); this script adds R's glmnet, which the harness does not run, and
prints the three next to each other. Every library gets the same 20 alphas (from alpha_max
down to alpha_max/1000; for Poisson glmnet's lambda is glmkit's alpha, see
``glmkit.penalties``) with l1_ratio = glmnet's alpha = 0.5, no standardisation, an
intercept; BLAS is pinned to one thread. glmnet is run twice: with its default
``thresh = 1e-7`` and with ``thresh = 1e-12``, because its default stopping point is
visibly less accurate (see the objective gaps). Timed: the path call only (R: around
``glmnet()``; the data are read before). Objective gaps are against the harness's
reference solution (``benchmarks.reference``), (F − F_ref)/|F_ref| maximised over the path.
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
from pathlib import Path  # noqa: E402
from statistics import median  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import problems as pb  # noqa: E402
from benchmarks.objective import objective  # noqa: E402
from benchmarks.reference import ensure_reference  # noqa: E402

R_SCRIPT = r"""
suppressPackageStartupMessages(library(glmnet))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]; n <- as.integer(args[2]); p <- as.integer(args[3]); thresh <- as.numeric(args[4])
x <- matrix(readBin(file.path(dir, "X.bin"), "double", n * p), n, p)
y <- readBin(file.path(dir, "y.bin"), "double", n)
lambda <- readBin(file.path(dir, "alphas.bin"), "double", 20)
t <- system.time(fit <- glmnet(x, y, family = "poisson", alpha = 0.5, lambda = lambda,
                               standardize = FALSE, thresh = thresh))[["elapsed"]]
coef <- as.matrix(rbind(fit$a0, fit$beta))
writeBin(as.vector(coef), file.path(dir, paste0("coef_", thresh, ".bin")))
cat(sprintf("%.6f %s\n", t, as.character(packageVersion("glmnet"))))
"""


def _gap(X, y, coefs, alphas, ref) -> float:
    return max((objective("poisson", X, y, c, a, 0.5) - f) / abs(f)
               for c, a, f in zip(coefs, alphas, ref["objective"]))


def _glmkit(X, y, problem):
    import glmkit as gk

    t = time.perf_counter()
    path = gk.glm_path(X, y, family="poisson", l1_ratio=problem.l1_ratio, n_alphas=problem.n_alphas,
                       alpha_min_ratio=problem.alpha_min_ratio, progress=False)
    return time.perf_counter() - t, path.coef_path, path.alphas


def _glum(X, y, problem):
    from glum import GeneralizedLinearRegressor

    t = time.perf_counter()
    model = GeneralizedLinearRegressor(family="poisson", link="log", alpha=None, alpha_search=True,
                                       n_alphas=problem.n_alphas, min_alpha_ratio=problem.alpha_min_ratio,
                                       l1_ratio=problem.l1_ratio, fit_intercept=True).fit(X, y)
    elapsed = time.perf_counter() - t
    return elapsed, np.column_stack([model.intercept_path_, model.coef_path_]), np.asarray(model._alphas)


def _glmnet(X, y, alphas, thresh: float, workdir: Path):
    n, p = X.shape
    (workdir / "run.R").write_text(R_SCRIPT)
    out = subprocess.run(["Rscript", str(workdir / "run.R"), str(workdir), str(n), str(p), repr(thresh)],
                         capture_output=True, text=True, check=True)
    elapsed, version = out.stdout.split()
    coef = np.fromfile(workdir / f"coef_{thresh!r}.bin", dtype=np.float64).reshape(len(alphas), p + 1)
    return float(elapsed), coef, version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N/20 (development only)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-r", action="store_true", help="skip R glmnet")
    args = parser.parse_args(argv)
    scale = "quick" if args.quick else "full"
    problem = pb.PROBLEMS["P6"]
    data = pb.load(problem, scale)
    ref = ensure_reference(problem, scale, data)
    X, y = data["X"], data["y"]
    alphas = np.asarray(ref["alphas"])
    rows = {}
    for name, run in (("glmkit", _glmkit), ("glum", _glum)):
        times, coefs = [], None
        for _ in range(args.repeats):
            elapsed, coefs, lib_alphas = run(X, y, problem)
            times.append(elapsed)
        assert np.allclose(lib_alphas, alphas, rtol=1e-10), name
        rows[name] = {"seconds": median(times), "all": times, "gap": _gap(X, y, coefs, alphas, ref)}
    if not args.no_r and shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            work = Path(tmp)
            np.asfortranarray(X).T.ravel().tofile(work / "X.bin")  # column-major for R
            y.astype(np.float64).tofile(work / "y.bin")
            alphas.astype(np.float64).tofile(work / "alphas.bin")
            for thresh in (1e-7, 1e-12):
                times, coefs = [], None
                for _ in range(args.repeats):
                    elapsed, coefs, version = _glmnet(X, y, alphas, thresh, work)
                    times.append(elapsed)
                rows[f"glmnet {version} (thresh {thresh:g})"] = {
                    "seconds": median(times), "all": times, "gap": _gap(X, y, coefs, alphas, ref)}
    base = rows["glmkit"]["seconds"]
    print(f"P6 ({scale}: N = {X.shape[0]:,}, {X.shape[1]} features, 20 alphas), median of {args.repeats}")
    print("| library | time (s) | glmkit ÷ library | max objective gap vs reference |")
    print("|---|---|---|---|")
    for name, row in rows.items():
        print(f"| {name} | {row['seconds']:.3f} | {base / row['seconds']:.2f} | {row['gap']:.1e} |")
    out = pb.CACHE_DIR / f"p6_path-{scale}.json"
    out.write_text(json.dumps(rows, indent=2))
    print(f"(written to {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
