"""Fixed-effects benchmarks (issue 18): glmkit's absorbed fits against pyfixest and glum.

Each fit runs in a fresh process with BLAS at one thread; data are generated from a fixed
seed and cached as .npz in benchmarks/.cache/ (outside the clock, as the library imports).
A warm-up fit on 2,000 rows precedes the timed one (numba compiles pyfixest's kernels on
first use). The clock covers the fit and the standard errors of the covariates (model-based for
glmkit and glum — glum's ``covariance_matrix(robust=False)``; the committed glum run used
its robust default —, pyfixest's default ``fepois``/``feglm`` vcov). Peak memory is the process's peak resident set (``ru_maxrss``) minus its resident
set once the data and the library were loaded.

pyfixest must not share glmkit's virtual environment (it changes formulaic); it runs from
its own (``--pyfixest-python``, default /work/venv-pyfixest/bin/python), and this module
imports nothing of glmkit at the top so that environment can run it.

    python -m benchmarks.fixed_effects --problems FE1,FE3 --libs glmkit,pyfixest
    python -m benchmarks.fixed_effects --worker glmkit FE1      # one fit, a JSON line
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
STORE = Path(__file__).resolve().parent / "fixed_effects.json"
RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"
GENERATOR_VERSION = 1

# name: (family, rows, firm levels, year levels, share of firms all zero, seed, formula style)
PROBLEMS = {
    "FE1": ("poisson", 500_000, 10_000, 20, 0.0, 181, "absorbed"),
    "FE1c": ("poisson", 500_000, 10_000, 20, 0.0, 181, "C(firm)"),
    "FE2": ("poisson", 2_000_000, 100_000, 30, 0.0, 182, "absorbed"),
    "FE3": ("binomial", 300_000, 3_000, 10, 0.0, 183, "absorbed"),
    "FE4": ("poisson", 300_000, 5_000, 10, 0.02, 184, "absorbed"),
}
DESCRIPTIONS = {
    "FE1": "Poisson, 500,000 rows, firm 10,000 + year 20, 3 covariates (`| firm + year`)",
    "FE1c": "FE1 written `C(firm) + C(year)`",
    "FE2": "Poisson, 2,000,000 rows, firm 100,000 + year 30, 3 covariates",
    "FE3": "logit, 300,000 rows, firm 3,000 + year 10, 3 covariates",
    "FE4": "Poisson, 300,000 rows, firm 5,000 + year 10, 2% of firms all zero",
}


def data_path(name: str) -> Path:
    family, n, g1, g2, zero, seed, _ = PROBLEMS[name]
    return CACHE / f"fe_{family}_{n}_{g1}_{g2}_{zero}_{seed}_v{GENERATOR_VERSION}.npz"


def generate(name: str) -> Path:
    """The problem's data (cached): y, X (n × 3), firm and year codes."""
    path = data_path(name)
    if path.exists():
        return path
    family, n, g1, g2, zero, seed, _ = PROBLEMS[name]
    rng = np.random.default_rng(seed)
    firm, year = rng.integers(0, g1, n), rng.integers(0, g2, n)
    X = rng.normal(size=(n, 3))
    eta = X @ np.array([0.1, -0.05, 0.02]) + 0.5 * rng.normal(size=g1)[firm] + 0.3 * rng.normal(size=g2)[year]
    if family == "binomial":
        y = rng.binomial(1, 1.0 / (1.0 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    if zero:
        y[np.isin(firm, rng.choice(g1, int(zero * g1), replace=False))] = 0.0
    CACHE.mkdir(exist_ok=True)
    np.savez(path, y=y, X=X, firm=firm, year=year)
    return path


def _frame(name: str):  # type: ignore[no-untyped-def]
    import pandas as pd
    d = np.load(generate(name))
    return pd.DataFrame({"y": d["y"], "x1": d["X"][:, 0], "x2": d["X"][:, 1], "x3": d["X"][:, 2],
                         "firm": d["firm"], "year": d["year"]})


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _glmkit(name: str, df):  # type: ignore[no-untyped-def]
    import warnings
    import glmkit as gk
    import scipy.sparse  # noqa: F401  (loaded with glmkit, outside the clock)
    family = PROBLEMS[name][0]
    formula = ("y ~ x1 + x2 + x3 | firm + year" if PROBLEMS[name][6] == "absorbed"
               else "y ~ x1 + x2 + x3 + C(firm) + C(year)")

    def run():  # type: ignore[no-untyped-def]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = gk.glm(formula, df, family)
        names = ["x1", "x2", "x3"]
        return fit.coef[names].to_numpy(), fit.std_err[names].to_numpy(), fit.n_obs, gk.__version__
    return run


def _pyfixest(name: str, df):  # type: ignore[no-untyped-def]
    import pyfixest as pf
    family = PROBLEMS[name][0]

    def run():  # type: ignore[no-untyped-def]
        fml = "y ~ x1 + x2 + x3 | firm + year"
        fit = pf.fepois(fml, data=df) if family == "poisson" else pf.feglm(fml, data=df, family="logit")
        names = ["x1", "x2", "x3"]
        return fit.coef()[names].to_numpy(), fit.se()[names].to_numpy(), int(fit._N), pf.__version__
    return run


def _glum(name: str, df):  # type: ignore[no-untyped-def]
    import glum
    import pandas as pd
    from glum import GeneralizedLinearRegressor
    family = PROBLEMS[name][0]
    X = df[["x1", "x2", "x3"]].assign(firm=pd.Categorical(df.firm), year=pd.Categorical(df.year))

    def run():  # type: ignore[no-untyped-def]
        model = GeneralizedLinearRegressor(family=family, alpha=0, drop_first=True).fit(X, df.y)
        se = np.sqrt(np.diag(model.covariance_matrix(X, df.y, robust=False)))[1:4]
        return model.coef_[:3], se, int(len(df)), glum.__version__
    return run


def worker(lib: str, name: str) -> None:
    """One timed fit in this process, after a warm-up fit on 2,000 rows (imports, numba's
    compilation and formula machinery outside the clock); prints a JSON line."""
    df = _frame(name)
    make = {"glmkit": _glmkit, "pyfixest": _pyfixest, "glum": _glum}[lib]
    small = df.iloc[:2000].copy()
    small["firm"] = small["firm"] % 50
    make(name, small)()
    run = make(name, df)
    base = _rss_mb()
    start = time.perf_counter()
    coef, se, n_obs, version = run()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"lib": lib, "problem": name, "seconds": seconds, "peak_mb": peak - base,
                      "coef": list(map(float, coef)), "se": list(map(float, se)), "n_obs": n_obs,
                      "version": version}))


def _run_one(lib: str, name: str, python: str, timeout: float) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "NUMBA_NUM_THREADS": "1", "POLARS_MAX_THREADS": "1", "RAYON_NUM_THREADS": "1"}
    cmd = [python, "-m", "benchmarks.fixed_effects", "--worker", lib, name]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                             cwd=Path(__file__).resolve().parents[1])
    except subprocess.TimeoutExpired:
        return {"lib": lib, "problem": name, "error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        return {"lib": lib, "problem": name, "error": (out.stderr.strip().splitlines() or ["failed"])[-1][:200]}
    return json.loads(lines[-1])


def render(records: list[dict], note: str) -> str:
    """The markdown section of RESULTS.md."""
    rows = ["| problem | library | fit + SEs (s) | peak memory (MB) | n_obs | max rel. coef diff vs glmkit |",
            "|---|---|---|---|---|---|"]
    ref = {r["problem"]: r for r in records if r["lib"] == "glmkit" and "error" not in r}
    for r in records:
        if "error" in r:
            rows.append(f"| {r['problem']} | {r['lib']} | {r['error']} | | | |")
            continue
        base = ref.get(r["problem"].rstrip("c"))  # FE1c against glmkit's FE1
        diff = (np.max(np.abs(np.subtract(r["coef"], base["coef"])) / np.abs(base["coef"])) if base else float("nan"))
        rows.append(f"| {r['problem']} | {r['lib']} {r['version']} | {r['seconds']:.2f} | {r['peak_mb']:.0f} | "
                    f"{r['n_obs']:,} | {diff:.1e} |")
    problems = "\n".join(f"- **{k}**: {v}" for k, v in DESCRIPTIONS.items())
    return f"## Fixed effects (issue 18)\n\n{note}\n\n{problems}\n\n" + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", nargs=2, metavar=("LIB", "PROBLEM"))
    parser.add_argument("--problems", default=",".join(PROBLEMS))
    parser.add_argument("--libs", default="glmkit,pyfixest,glum")
    parser.add_argument("--pyfixest-python", default="/work/venv-pyfixest/bin/python")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--note", default="")
    args = parser.parse_args(argv)
    if args.worker:
        worker(*args.worker)
        return
    store = json.loads(STORE.read_text()) if STORE.exists() else {"note": "", "records": []}
    records = store["records"]
    for name in args.problems.split(","):
        generate(name)
        for lib in args.libs.split(","):
            if lib != "glmkit" and PROBLEMS[name][6] != "absorbed":
                continue  # the C(firm) spelling is glmkit's own route; the peers are timed on FE1
            python = args.pyfixest_python if lib == "pyfixest" else sys.executable
            record = _run_one(lib, name, python, args.timeout)
            print(json.dumps(record), flush=True)
            records = [r for r in records if (r["lib"], r["problem"]) != (lib, name)] + [record]
    records.sort(key=lambda r: (list(PROBLEMS).index(r["problem"]), r["lib"]))
    STORE.write_text(json.dumps({"note": args.note or store["note"], "records": records}, indent=1) + "\n")
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else ""
    head = text.split("## Fixed effects (issue 18)")[0].rstrip() + "\n\n"
    RESULTS_MD.write_text(head + section())


def section() -> str:
    """The fixed-effects section of RESULTS.md from the store ("" when there is none);
    ``benchmarks.report`` appends it too, so a re-render keeps it."""
    if not STORE.exists():
        return ""
    store = json.loads(STORE.read_text())
    return render(store["records"], store["note"])


if __name__ == "__main__":
    main()
