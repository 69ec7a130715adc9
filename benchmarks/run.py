"""Run the benchmark: every (problem, library) fit in its own process, interleaved.

    python -m benchmarks.run [--problems P1,P7] [--libs glmkit,glum] [--repeats 3] [--quick]

For each problem: data and reference are prepared (cached) in a subprocess, then
``for rep in range(repeats): for lib in libs`` runs ``benchmarks.run_one`` in a fresh
process (the library order rotates by one each repetition), with BLAS/OpenMP at one
thread and a per-run timeout.  A library that cannot or does not run a problem (n/a,
skipped, not available, error, timeout, out of memory) is not retried.  Medians over the
repetitions go to a JSON store and are rendered to ``benchmarks/RESULTS.md`` (full size)
or ``benchmarks/.cache/RESULTS-quick.md`` (``--quick``); a partial run replaces only the
problems (and libraries) it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from statistics import median

from benchmarks import machine
from benchmarks import problems as pb
from benchmarks.report import render
from benchmarks.runners.base import MARKER, LIBRARIES, NotApplicable, Skipped, get_runner

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
               "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS",
               "NUMBA_NUM_THREADS")


def child_env(threads: int | None = 1) -> dict[str, str]:
    env = dict(os.environ)
    if threads is not None:
        env.update({var: str(threads) for var in THREAD_VARS})
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    return env


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> tuple[int | None, str, str]:
    """Run a command in its own process group; on timeout kill the whole group."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        return None, out, err
    except BaseException:  # e.g. Ctrl-C: the child is in its own session, end it too
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    return proc.returncode, out, err


def prepare(problem: pb.Problem, scale: pb.Scale, timeout: float) -> None:
    cmd = [sys.executable, "-m", "benchmarks.prepare", "--problem", problem.name]
    if scale == "quick":
        cmd.append("--quick")
    rc, out, err = _run(cmd, timeout, child_env(threads=None))
    if rc != 0:
        raise SystemExit(f"preparing {problem.name} failed (rc={rc}):\n{err[-3000:]}")
    for line in out.splitlines():
        print(f"  prepare {line}", flush=True)


def run_child(lib: str, problem: pb.Problem, scale: pb.Scale, timeout: float,
              mem_limit_gb: float | None) -> dict:
    cmd = [sys.executable, "-m", "benchmarks.run_one", "--lib", lib,
           "--problem", problem.name]
    if scale == "quick":
        cmd.append("--quick")
    if mem_limit_gb:
        cmd += ["--mem-limit-gb", f"{mem_limit_gb:.1f}"]
    rc, out, err = _run(cmd, timeout, child_env())
    base = {"lib": lib, "problem": problem.name, "scale": scale}
    if rc is None:
        return {**base, "status": "timeout", "reason": f"no result within {timeout:.0f} s"}
    lines = [ln for ln in out.splitlines() if ln.startswith(MARKER)]
    if not lines:
        how = (f"killed by signal {-rc}" + (" (likely out of memory)" if rc == -9 else "")
               if rc < 0 else f"exit code {rc}")
        tail = err.strip().splitlines()[-1:] or [""]
        return {**base, "status": "crashed", "reason": f"{how}; {tail[0][:200]}"}
    return json.loads(lines[-1][len(MARKER):])


def _static_status(lib: str, problem: pb.Problem) -> dict | None:
    try:
        get_runner(lib).check(problem)
    except NotApplicable as exc:
        return {"status": "n/a", "reason": str(exc)}
    except Skipped as exc:
        return {"status": "skipped", "reason": str(exc)}
    return None


def summarise(lib: str, runs: list[dict], final: dict | None) -> dict:
    """Medians over the successful runs of one library on one problem."""
    ok = [r for r in runs if r.get("status") == "ok"]
    if not ok:
        record = final or {"status": "not run", "reason": ""}
        return {"lib": lib, "status": record["status"], "reason": record.get("reason", "")}

    def med(key):
        values = [r[key] for r in ok if r.get(key) is not None]
        return median(values) if values else None

    first = ok[0]
    iters = sorted({r.get("n_iter") for r in ok}, key=lambda v: (v is None, v))
    return {
        "lib": lib, "status": "ok", "runs": len(ok),
        "wall_s": med("wall_s"),
        "wall_min_s": min(r["wall_s"] for r in ok),
        "wall_max_s": max(r["wall_s"] for r in ok),
        "reps_in_process": first.get("reps"),
        "formula_wall_s": med("formula_wall_s"),
        "formula_status": first.get("formula_status"),
        "peak_rss_mb": med("peak_rss_mb"),
        "fit_rss_mb": med("fit_rss_mb"),
        "hwm_reset": all(r.get("hwm_reset", False) for r in ok),
        "n_iter": iters[0] if len(iters) == 1 else iters,
        "converged": first.get("converged"),
        "coef_error": first.get("coef_error"),
        "objective_gap": first.get("objective_gap"),
        "note": "; ".join(filter(None, [first.get("note"), first.get("note_error")])),
        "warnings": sorted({w for r in ok for w in r.get("warnings", [])}),
        "blas_threads": first.get("blas_threads"),
        "failed_runs": [f"{r['status']} ({r.get('reason', '')})" for r in runs
                        if r.get("status") != "ok"],
    }


def _reference_info(problem: pb.Problem, scale: pb.Scale) -> dict:
    import numpy as np

    with np.load(pb.cache_path(problem, scale, "reference")) as ref:
        return {"accuracy": float(ref["accuracy"]), "accuracy_kind": str(ref["accuracy_kind"]),
                "seconds": float(ref["seconds"]),
                "n_samples": problem.n_samples_at(scale)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default=None,
                        help=f"comma-separated, from {', '.join([*pb.PROBLEMS, *pb.GROUPS])}"
                             " (default: all)")
    parser.add_argument("--libs", default=",".join(LIBRARIES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help=f"N/{pb.QUICK_FACTOR} for development (P7 unchanged)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per run (default 600; 120 with --quick)")
    parser.add_argument("--prepare-timeout", type=float, default=3600.0)
    parser.add_argument("--mem-limit-gb", type=float, default=None,
                        help="per-run address-space limit (default: 50%% of RAM)")
    parser.add_argument("--output", type=Path, default=None,
                        help="markdown file to write; a path ending in .json is the JSON store "
                             "instead (its markdown next to it, .md), so that a development run "
                             "leaves benchmarks/results.json and RESULTS.md alone")
    args = parser.parse_args(argv)

    scale: pb.Scale = "quick" if args.quick else "full"
    if args.timeout is None:
        args.timeout = 120.0 if args.quick else 600.0
    libs = [lib.strip() for lib in args.libs.split(",") if lib.strip()]
    for lib in libs:
        get_runner(lib)
    selected = pb.select(args.problems)
    info = machine.describe()
    mem_limit = args.mem_limit_gb or (0.5 * info["memory_gb"] if info["memory_gb"] else None)
    if args.output is not None and args.output.suffix == ".json":
        store_path, output = args.output, args.output.with_suffix(".md")
    elif scale == "full":
        store_path, output = HERE / "results.json", args.output or HERE / "RESULTS.md"
    else:
        store_path = pb.CACHE_DIR / "results-quick.json"
        output = args.output or pb.CACHE_DIR / "RESULTS-quick.md"
    store = json.loads(store_path.read_text()) if store_path.exists() else {"problems": {}}
    loadavg_start = info["loadavg"]

    print(f"{machine.fingerprint(info)}; scale={scale}; repeats={args.repeats}; "
          f"libs={','.join(libs)}", flush=True)
    for problem in selected:
        print(f"{problem.name}: {problem.description} "
              f"(N={problem.n_samples_at(scale):,})", flush=True)
        prepare(problem, scale, args.prepare_timeout)
        runs: dict[str, list[dict]] = {lib: [] for lib in libs}
        final: dict[str, dict] = {}
        for lib in libs:
            status = _static_status(lib, problem)
            if status is not None:
                final[lib] = status
                print(f"  {lib:12s} {status['status']} ({status['reason']})", flush=True)
        for rep in range(args.repeats):
            order = libs[rep % len(libs):] + libs[:rep % len(libs)]
            for lib in order:
                if lib in final:
                    continue
                record = run_child(lib, problem, scale, args.timeout, mem_limit)
                runs[lib].append(record)
                if record.get("status") == "ok":
                    print(f"  {lib:12s} rep {rep + 1}: {record['wall_s']:.4g} s, "
                          f"peak {record.get('peak_rss_mb', 0):.0f} MB, "
                          f"iter {record.get('n_iter')}, "
                          f"coef err {record.get('coef_error', float('nan')):.1e}",
                          flush=True)
                else:
                    final[lib] = record
                    print(f"  {lib:12s} rep {rep + 1}: {record.get('status')} "
                          f"({record.get('reason', '')})", flush=True)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        fresh = {lib: {**summarise(lib, runs[lib], final.get(lib)), "timestamp": stamp}
                 for lib in libs}
        # Libraries not run this time keep their earlier result (marked with its date).
        kept = store["problems"].get(problem.name, {}).get("libs", {})
        merged = {**kept, **fresh}
        store["problems"][problem.name] = {
            "timestamp": stamp,
            "machine": machine.fingerprint(info),
            "scale": scale, "repeats": args.repeats, "timeout_s": args.timeout,
            "mem_limit_gb": mem_limit,
            "reference": _reference_info(problem, scale),
            "libs": {lib: merged[lib] for lib in LIBRARIES if lib in merged},
        }
    info["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    info["loadavg"] = loadavg_start
    store["machine"] = info
    store["scale"] = scale
    store_path.parent.mkdir(parents=True, exist_ok=True)
    store_path.write_text(json.dumps(store, indent=1, default=str) + "\n")
    output.write_text(render(store))
    def shown(path: Path) -> Path:
        return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path

    print(f"wrote {shown(output)} and {shown(store_path)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
