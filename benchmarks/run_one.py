"""One fit of one problem by one library, in this (fresh) process.

    python -m benchmarks.run_one --lib glum --problem P1 [--quick]

Prints one line ``BENCH_RESULT {json}`` on stdout (libraries may print other lines).
BLAS/OpenMP are pinned to one thread here, before numpy is imported, as well as in the
environment the parent gives us.

Measured:
* ``wall_s``: ``time.perf_counter`` around ``runner.fit`` only (estimator construction
  and fit; data loading and input preparation excluded).  For the small problems (P7)
  the fit is repeated in-process (one warm-up, then >= 20 fits and >= 1 s) and
  ``wall_s`` is the median per-fit time; likewise ``formula_wall_s``.
* ``peak_rss_mb``: the peak resident set size.  Just before the fit the kernel's
  high-water mark is reset (``/proc/self/clear_refs`` = 5); where that works
  (``hwm_reset``) the peak is VmHWM after the fit, the peak *during the fit* (data
  included); otherwise it is ``getrusage(RUSAGE_SELF).ru_maxrss``, the process peak
  (also reported as ``process_peak_rss_mb``).  ``fit_rss_mb`` = peak - RSS just before the fit (data and prepared
  inputs loaded): the memory the fit itself added.
* ``coef_error`` = max|b - b_ref| / max|b_ref| over all coefficients including the
  intercept (for a path: the maximum over the alphas); ``objective_gap`` =
  (F(b) - F(b_ref)) / |F(b_ref)| with F the common objective (benchmarks.objective).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
             "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
             "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import problems as pb  # noqa: E402
from benchmarks.objective import objective  # noqa: E402
from benchmarks.reference import ensure_reference  # noqa: E402
from benchmarks.runners.base import (MARKER, NotApplicable, NotAvailable,  # noqa: E402
                                     Skipped, get_runner)

SMALL_MIN_REPS = 20
SMALL_MIN_SECONDS = 1.0
SMALL_MAX_REPS = 5_000


def _rss_mb(field: str = "VmRSS") -> float | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def _reset_hwm() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        return False
    hwm, rss = _rss_mb("VmHWM"), _rss_mb("VmRSS")
    return hwm is not None and rss is not None and hwm <= rss + 1.0


def _blas_threads() -> dict:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return {}
    return {f"{i['user_api']}:{i['internal_api']}": i["num_threads"]
            for i in threadpool_info()}


def _timed_repeats(fn) -> tuple[float, int]:
    fn()  # warm-up: first-call costs (lazy imports, caches) are not per-fit costs
    times: list[float] = []
    total = 0.0
    while (len(times) < SMALL_MIN_REPS or total < SMALL_MIN_SECONDS) \
            and len(times) < SMALL_MAX_REPS:
        t0 = time.perf_counter()
        fn()
        dt = time.perf_counter() - t0
        times.append(dt)
        total += dt
    return float(np.median(times)), len(times)


def _errors(problem, data, reference, out) -> dict:
    X = pb.design_matrix(problem, data)
    y = data["y"]
    ref = reference["coef"]
    coef = np.asarray(out.coef, dtype=float)
    result: dict = {}
    if coef.shape != ref.shape:
        result["note_error"] = f"coefficient shape {coef.shape} != reference {ref.shape}"
        return result
    if problem.kind == "path":
        alphas = reference["alphas"]
        if out.alphas is not None and (out.alphas.shape != alphas.shape or not np.allclose(
                out.alphas, alphas, rtol=1e-6)):
            result["note_error"] = "alpha grid differs from the reference grid"
            result["alphas"] = out.alphas.tolist()
            return result
        errs = [np.max(np.abs(c - r)) / np.max(np.abs(r)) for c, r in zip(coef, ref)]
        gaps = [(objective(problem.family, X, y, c, a, problem.l1_ratio) - f) / abs(f)
                for c, a, f in zip(coef, alphas, reference["objective"])]
        result["coef_error"] = float(np.max(errs))
        result["objective_gap"] = float(np.max(gaps))
        return result
    result["coef_error"] = float(np.max(np.abs(coef - ref)) / np.max(np.abs(ref)))
    f_ref = float(reference["objective"])
    f = objective(problem.family, X, y, coef, problem.alpha, problem.l1_ratio)
    result["objective_gap"] = (f - f_ref) / abs(f_ref)
    return result


def run(lib: str, problem: pb.Problem, scale: pb.Scale) -> dict:
    runner = get_runner(lib)
    record: dict = {"lib": lib, "problem": problem.name, "scale": scale, "status": "ok"}
    runner.check(problem)
    data = pb.load(problem, scale)
    reference = ensure_reference(problem, scale, data)
    prepared = runner.prepare(problem, data, reference)
    caught: list[warnings.WarningMessage] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if problem.kind == "small":
            wall, reps = _timed_repeats(lambda: runner.fit(problem, prepared))
            fitted = runner.fit(problem, prepared)
            record.update(wall_s=wall, reps=reps)
        else:
            gc.collect()
            record["baseline_rss_mb"] = _rss_mb()
            record["hwm_reset"] = _reset_hwm()
            t0 = time.perf_counter()
            fitted = runner.fit(problem, prepared)
            record["wall_s"] = time.perf_counter() - t0
            record["reps"] = 1
    record["process_peak_rss_mb"] = (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0)
    # ru_maxrss also folds in the high-water marks of exited threads (signal->maxrss),
    # which the reset does not clear; VmHWM is the fit-only peak once reset.
    record["peak_rss_mb"] = (_rss_mb("VmHWM") if record.get("hwm_reset")
                             else record["process_peak_rss_mb"])
    if record.get("baseline_rss_mb") is not None:
        record["fit_rss_mb"] = max(0.0, record["peak_rss_mb"] - record["baseline_rss_mb"])
    out = runner.extract(problem, fitted)
    record.update(n_iter=out.n_iter, converged=out.converged, note=out.note)
    record["warnings"] = sorted({f"{w.category.__name__}: {str(w.message)[:160]}"
                                 for w in caught})
    if any("Convergence" in w.category.__name__ for w in caught) and out.converged:
        record["converged"] = False
    record.update(_errors(problem, data, reference, out))
    if problem.kind == "small":
        try:
            prepared_formula = runner.prepare_formula(problem, data)
            formula_wall, formula_reps = _timed_repeats(
                lambda: runner.fit_formula(problem, prepared_formula))
            record.update(formula_wall_s=formula_wall, formula_reps=formula_reps)
        except (NotApplicable, NotAvailable) as exc:
            record["formula_status"] = (
                f"{'n/a' if isinstance(exc, NotApplicable) else 'not available'} ({exc})")
    record["blas_threads"] = _blas_threads()
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lib", required=True)
    parser.add_argument("--problem", required=True)
    parser.add_argument("--quick", action="store_true", help="N/20 (development)")
    parser.add_argument("--mem-limit-gb", type=float, default=None,
                        help="address-space limit: a fit that needs more fails with "
                             "MemoryError (reported 'out of memory') instead of "
                             "inviting the OOM killer")
    args = parser.parse_args(argv)
    if args.mem_limit_gb:
        limit = int(args.mem_limit_gb * 1024**3)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    problem = pb.select(args.problem)[0]
    scale: pb.Scale = "quick" if args.quick else "full"
    try:
        record = run(args.lib, problem, scale)
    except NotApplicable as exc:
        record = {"status": "n/a", "reason": str(exc)}
    except Skipped as exc:
        record = {"status": "skipped", "reason": str(exc)}
    except NotAvailable as exc:
        cause = exc.__cause__
        if isinstance(cause, MemoryError):
            record = {"status": "out of memory",
                      "reason": f"MemoryError above the {args.mem_limit_gb} GB limit"}
        else:
            record = {"status": "not available", "reason": str(exc)}
    except MemoryError as exc:
        record = {"status": "out of memory",
                  "reason": f"MemoryError above the {args.mem_limit_gb} GB limit: {exc}"}
    except Exception as exc:  # a crash in a peer library: report it, do not hide it
        traceback.print_exc()
        status = "not available" if args.lib == "glmkit" else "error"
        record = {"status": status, "reason": f"{type(exc).__name__}: {exc}"}
    record.setdefault("lib", args.lib)
    record.setdefault("problem", problem.name)
    record.setdefault("scale", scale)
    sys.stdout.flush()
    print(MARKER + json.dumps(record, default=_jsonable), flush=True)
    return 0


def _jsonable(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
