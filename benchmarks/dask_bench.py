"""Dask benchmarks (not timed tests): the engine's overhead, and a fit out of core.

    python -m benchmarks.dask_bench [--n-overhead 200000] [--n-ooc 3000000] [--out benchmarks/DASK.md]

1. Overhead: an n × 50 Poisson GLM on a LocalCluster of 2 single-threaded worker processes with
   the data persisted, against in-memory glmkit on one thread (BLAS at one thread in both).
   Reported: wall times, their ratio, IRLS iterations, and the engine's cost per pass.
2. Out of core: an n × 20 Poisson data set written as Parquet, read by 2 workers whose memory
   limit (together) is at most half its size; the fit re-reads it on every pass. Reported: the
   fit's time, one bare read pass (a sum of every column), the number of passes, the workers'
   peak memory.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def _poisson(n: int, p: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) / np.sqrt(p)
    y = rng.poisson(np.exp(0.3 + X @ rng.normal(0, 0.5, p))).astype(float)
    return X, y


def overhead(n: int) -> dict:
    import dask.array as da
    import distributed

    import glmkit as gk

    X, y = _poisson(n, 50)
    start = time.perf_counter()
    mem = gk.glm_fit(X, y, "poisson")
    t_mem = time.perf_counter() - start
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        Xd = da.from_array(X, chunks=(max(1, n // 8), 50)).persist()
        yd = da.from_array(y, chunks=max(1, n // 8)).persist()
        distributed.wait([Xd, yd])
        start = time.perf_counter()
        fit = gk.glm_fit(Xd, yd, "poisson")
        t_dask = time.perf_counter() - start
        client.cancel([Xd, yd])
    err = float(np.max(np.abs(fit.coef.to_numpy() - mem.coef.to_numpy()) / np.abs(mem.coef.to_numpy())))
    return {"n": n, "p": 50, "t_mem": t_mem, "t_dask": t_dask, "ratio": t_dask / t_mem, "iterations": fit.n_iter,
            "per_iteration": (t_dask - t_mem) / max(1, fit.n_iter), "coef_rel_err": err}


def out_of_core(n: int, folder: Path) -> dict:
    import dask
    import dask.dataframe as dd
    import distributed
    import pandas as pd

    import glmkit as gk

    p, rows = 20, 100_000
    names = [f"x{j}" for j in range(p)]
    for i, first in enumerate(range(0, n, rows)):
        X, y = _poisson(min(rows, n - first), p, seed=i)
        frame = pd.DataFrame(X, columns=names)
        frame["y"] = y
        frame.to_parquet(folder / f"part-{i:04d}.parquet")
    size = sum(f.stat().st_size for f in folder.iterdir())
    in_memory = n * (p + 1) * 8
    limit = min(size, in_memory) // 4  # per worker: the two together hold at most half the data
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=limit,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        df = dd.read_parquet(str(folder))
        start = time.perf_counter()
        dask.compute(df.sum())
        t_read = time.perf_counter() - start
        counter = {"passes": 0}
        import glmkit.design.dask as engine
        tree_sum = engine.tree_sum

        def counted(parts):  # noqa: ANN001, ANN202
            counter["passes"] += 1
            return tree_sum(parts)

        engine.tree_sum = counted
        start = time.perf_counter()
        fit = gk.glm_fit(df[names], df["y"], "poisson")
        t_fit = time.perf_counter() - start
        engine.tree_sum = tree_sum
        peak = max(client.run(lambda: __import__("psutil").Process().memory_info().rss).values())
    return {"n": n, "p": p, "parquet_bytes": size, "float64_bytes": in_memory, "worker_limit_total": 2 * limit,
            "t_read": t_read, "t_fit": t_fit, "passes": counter["passes"], "iterations": fit.n_iter,
            "bound": 1.5 * counter["passes"] * t_read, "peak_rss_worker": peak}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n-overhead", type=int, default=200_000)
    parser.add_argument("--n-ooc", type=int, default=3_000_000)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("DASK.md"))
    args = parser.parse_args()
    print(overhead(args.n_overhead), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        print(out_of_core(args.n_ooc, Path(tmp)), flush=True)


if __name__ == "__main__":
    main()
