"""Render the results store (benchmarks/results.json) as RESULTS.md.

    python -m benchmarks.report [--quick]     # re-render without running anything
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from benchmarks import problems as pb

GLMKIT = "glmkit"
P7_TARGETS = {"wall_s": 2e-3, "formula_wall_s": 10e-3}  # the issue's glmkit targets


def _seconds(value) -> str:
    if value is None:
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1.0:
        return f"{value * 1e3:.3g} ms"
    return f"{value:.3g} s"


def _num(value, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def _ratio(mine, theirs) -> str:
    if mine is None or theirs is None or theirs == 0:
        return "—"
    return f"{mine / theirs:.2f}"


def _converged(value) -> str:
    return {True: "yes", False: "**no**", None: "—"}[value]


def _iters(value) -> str:
    if value is None:
        return "—"
    return "/".join(map(str, value)) if isinstance(value, list) else str(value)


def _machine(info: dict) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in info.get("versions", {}).items())
    load = info.get("loadavg")
    load_end = info.get("loadavg_end")
    lines = [
        "## Machine", "",
        f"- CPU: {info.get('cpu')}; {info.get('logical_cpus')} logical CPUs "
        f"({info.get('cpus_available')} available to this process)",
        f"- Memory: {_num(info.get('memory_gb'), '.1f')} GB; OS: {info.get('os')}; "
        f"Python {info.get('python')}",
        f"- BLAS: {'; '.join(info.get('blas', []))} — every timed run pinned to 1 thread "
        "(OMP/OPENBLAS/MKL_NUM_THREADS=1; checked in each run with threadpoolctl)",
        f"- Versions: {versions}",
    ]
    if load:
        lines.append(f"- Load average (1/5/15 min) at start: "
                     f"{', '.join(f'{x:.2f}' for x in load)}"
                     + (f"; at end: {', '.join(f'{x:.2f}' for x in load_end)}"
                        if load_end else ""))
        cpus = info.get("cpus_available") or info.get("logical_cpus") or 1
        busiest = max(load[0], load_end[0] if load_end else 0.0)
        if busiest > cpus - 0.5:
            lines.append(f"- **The machine was busy (1-minute load {busiest:.1f} on {cpus} "
                         "CPUs, other work included): timings are inflated and noisy, "
                         "the millisecond-scale P7 timings most of all.  Compare ratios "
                         "within a table, not absolute times across runs.**")
    return lines


def _table_large(entry: dict) -> list[str]:
    libs = entry["libs"]
    mine = libs.get(GLMKIT, {})
    lines = [
        "| library | status | wall, median (min–max) | peak RSS | RSS added by fit "
        "| iterations | converged | coef error | objective gap "
        "| glmkit ÷ peer, time | glmkit ÷ peer, peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for lib, s in libs.items():
        if s["status"] != "ok":
            lines.append(f"| {lib} | {s['status']} ({s.get('reason', '')}) "
                         "| — | — | — | — | — | — | — | — | — |")
            continue
        wall = (f"{_seconds(s['wall_s'])} ({_seconds(s['wall_min_s'])}–"
                f"{_seconds(s['wall_max_s'])})")
        is_me = lib == GLMKIT
        lines.append(
            f"| {lib} | ok ({s['runs']} runs) | {wall} | {_num(s['peak_rss_mb'], '.0f')} MB "
            f"| {_num(s['fit_rss_mb'], '.0f')} MB | {_iters(s['n_iter'])} "
            f"| {_converged(s['converged'])} | {_num(s['coef_error'], '.1e')} "
            f"| {_num(s['objective_gap'], '.1e')} "
            f"| {'—' if is_me else _ratio(mine.get('wall_s'), s['wall_s'])} "
            f"| {'—' if is_me else _ratio(mine.get('peak_rss_mb'), s['peak_rss_mb'])} |")
    return lines


def _table_small(entry: dict) -> list[str]:
    libs = entry["libs"]
    mine = libs.get(GLMKIT, {})
    lines = [
        "| library | status | array fit, per fit | formula fit, per fit | iterations "
        "| converged | coef error | glmkit ÷ peer, array | glmkit ÷ peer, formula |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for lib, s in libs.items():
        if s["status"] != "ok":
            lines.append(f"| {lib} | {s['status']} ({s.get('reason', '')}) "
                         "| — | — | — | — | — | — | — |")
            continue
        formula = (_seconds(s["formula_wall_s"]) if s.get("formula_wall_s") is not None
                   else (s.get("formula_status") or "—"))
        is_me = lib == GLMKIT
        lines.append(
            f"| {lib} | ok ({s['runs']} processes × {s.get('reps_in_process')} fits) "
            f"| {_seconds(s['wall_s'])} | {formula} | {_iters(s['n_iter'])} "
            f"| {_converged(s['converged'])} | {_num(s['coef_error'], '.1e')} "
            f"| {'—' if is_me else _ratio(mine.get('wall_s'), s['wall_s'])} "
            f"| {'—' if is_me else _ratio(mine.get('formula_wall_s'), s.get('formula_wall_s'))} |")
    if mine.get("status") == "ok":
        checks = []
        for key, target in P7_TARGETS.items():
            value = mine.get(key)
            label = "array fit" if key == "wall_s" else "formula fit"
            if value is None:
                checks.append(f"{label}: not measured")
            else:
                verdict = "meets" if value <= target else "**misses**"
                checks.append(f"{label} {_seconds(value)} {verdict} the ≤ {_seconds(target)} "
                              "target")
        lines += ["", "glmkit targets: " + "; ".join(checks) + "."]
    return lines


def _notes(entry: dict, problem: pb.Problem) -> list[str]:
    out = []
    for lib, s in entry["libs"].items():
        if s.get("timestamp") and s["timestamp"] != entry["timestamp"]:
            out.append(f"- {lib}: from an earlier run ({s['timestamp']}), possibly with "
                       "other limits or load")
        if s.get("status") != "ok":
            continue
        if s.get("note"):
            out.append(f"- {lib}: {s['note']}")
        if s.get("warnings"):
            out.append(f"- {lib} warned: " + "; ".join(w.replace("|", "/").replace("\n", " ")
                                                       for w in s["warnings"][:3]))
        if s.get("failed_runs"):
            out.append(f"- {lib}: some runs failed: {'; '.join(s['failed_runs'])}")
        if s.get("hwm_reset") is False and problem.kind != "small":
            out.append(f"- {lib}: peak RSS is the process peak (high-water mark reset "
                       "unavailable)")
    return out


def render(store: dict) -> str:
    scale = store.get("scale", "full")
    lines = ["# glmkit benchmark results", ""]
    if scale == "quick":
        lines += ["**QUICK RUN (N/20, development only) — not for citation.**", ""]
    lines += [
        "Generated by `python -m benchmarks.run` (`make bench`); see `benchmarks/README.md`"
        " for the method.  Each library runs each problem in its own fresh process, BLAS "
        "at 1 thread; runs are interleaved across libraries and the table gives the "
        "median over the repetitions.",
        "",
        "- **wall**: the fit call only (estimator construction + fit; data loading and "
        "input preparation excluded).  P7: median per-fit time of many fits inside one "
        "process (after a warm-up fit), then the median over processes.",
        "- **peak RSS**: peak resident memory during the fit, data included; **RSS added "
        "by fit**: peak minus the resident memory just before the fit.",
        "- **coef error**: max |β − β_ref| / max |β_ref| over all coefficients including "
        "the intercept (P6: the maximum over the 20 alphas), against a reference "
        "converged to the stated gradient norm / KKT violation by an independent "
        "Newton solver (`benchmarks/reference.py`).",
        "- **objective gap**: (F(β) − F(β_ref)) / |F(β_ref)|, F = ½ mean deviance + "
        "penalty (P6: the maximum over the alphas).",
        "- **glmkit ÷ peer**: below 1 means glmkit is faster / smaller.",
        "",
    ]
    lines += _machine(store.get("machine", {})) + [""]
    current = store.get("machine", {})
    for name, problem in pb.PROBLEMS.items():
        entry = store["problems"].get(name)
        if entry is None:
            continue
        ref = entry["reference"]
        lines += [f"## {name}: {problem.description}", "",
                  f"N = {ref['n_samples']:,}; {entry['repeats']} interleaved repetitions; "
                  f"limits per run: {_num(entry.get('timeout_s'), '.0f')} s, "
                  f"{_num(entry.get('mem_limit_gb'), '.1f')} GB address space; "
                  f"run {entry['timestamp']} on {entry['machine']}."
                  + ("" if current and entry["machine"] == _fp(current)
                     else " **(a different machine from the one above)**"),
                  f"Reference: {ref['accuracy_kind']} = {ref['accuracy']:.1e} "
                  f"(solved in {ref['seconds']:.1f} s).", ""]
        lines += _table_small(entry) if problem.kind == "small" else _table_large(entry)
        notes = _notes(entry, problem)
        if notes:
            lines += ["", *notes]
        lines.append("")
    missing = [n for n in pb.PROBLEMS if n not in store["problems"]]
    if missing:
        quick = " --quick" if scale == "quick" else ""
        lines += ["## Not yet run", "", ", ".join(missing) + " — run "
                  f"`python -m benchmarks.run{quick} --problems {','.join(missing)}`.", ""]
    dask = Path(__file__).with_name("DASK.md")  # the Dask benchmarks (benchmarks/dask_bench.py), kept by hand
    if dask.exists():
        lines += ["", dask.read_text().rstrip()]
    return "\n".join(lines)


def _fp(info: dict) -> str:
    from benchmarks.machine import fingerprint

    return fingerprint(info)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    here = Path(__file__).resolve().parent
    if args.quick:
        store_path = pb.CACHE_DIR / "results-quick.json"
        output = pb.CACHE_DIR / "RESULTS-quick.md"
    else:
        store_path, output = here / "results.json", here / "RESULTS.md"
    text = render(json.loads(store_path.read_text()))
    if not args.quick:  # the fixed-effects benchmarks (issue 18) have their own store
        from benchmarks.fixed_effects import section
        text = text.rstrip() + "\n\n" + section() if section() else text
    output.write_text(text)
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
