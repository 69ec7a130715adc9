"""glmkit on a busy machine: its default BLAS threads against one thread, with busy processes.

    python -m benchmarks.contention [--busy 2] [--repeats 3]

Starts ``--busy`` processes that spin on a core each (the "two other busy processes" of a
shared machine), then times the same fits with glmkit's default thread choice and with
``n_threads=1``, interleaved, median of ``--repeats``; then the same without the busy
processes. The issue's target: default ÷ one thread ≤ 1.2 in both situations. BLAS is not
pinned here: the default is what is measured.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from statistics import median

import numpy as np


def _spin(stop) -> None:  # type: ignore[no-untyped-def]
    x = 0
    while not stop.is_set():
        x += 1


def _fits():
    import glmkit as gk

    rng = np.random.default_rng(16)
    X = rng.normal(size=(20_000, 200))
    beta = np.zeros(200)
    beta[:15] = rng.uniform(-0.3, 0.3, 15)
    y = rng.poisson(np.exp(0.5 + X @ beta)).astype(float)
    Xp = rng.normal(size=(200_000, 50))
    yp = rng.poisson(np.exp(0.2 + Xp[:, :5] @ np.full(5, 0.1))).astype(float)
    return {
        "lasso path, Poisson 20,000 × 200": lambda n: gk.glm_path(X, y, family="poisson", n_alphas=100,
                                                                   alpha_min_ratio=1e-4, progress=False,
                                                                   n_threads=n),
        "unpenalised Poisson 200,000 × 50": lambda n: gk.glm_fit(Xp, yp, family="poisson", n_threads=n),
    }


def _time(fit, n_threads) -> float:
    t = time.perf_counter()
    fit(n_threads)
    return time.perf_counter() - t


def measure(repeats: int) -> dict:
    out = {}
    for name, fit in _fits().items():
        fit(1)  # warm-up: lazy imports
        default, single = [], []
        for _ in range(repeats):
            default.append(_time(fit, None))
            single.append(_time(fit, 1))
        out[name] = (median(default), median(single))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--busy", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    import os

    print(f"cores: {len(os.sched_getaffinity(0))}")
    print("| situation | fit | default threads (s) | 1 thread (s) | default ÷ 1 thread |")
    print("|---|---|---|---|---|")
    stop = mp.Event()
    procs = [mp.Process(target=_spin, args=(stop,), daemon=True) for _ in range(args.busy)]
    for proc in procs:
        proc.start()
    time.sleep(1.0)
    try:
        busy = measure(args.repeats)
    finally:
        stop.set()
        for proc in procs:
            proc.join()
    quiet = measure(args.repeats)
    for label, res in ((f"{args.busy} busy processes", busy), ("no busy process", quiet)):
        for name, (d, s) in res.items():
            print(f"| {label} | {name} | {d:.3f} | {s:.3f} | {d / s:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
