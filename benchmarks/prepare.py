"""Generate (and cache) a problem's data and its reference solution.

    python -m benchmarks.prepare --problem P1 [--quick]

Run by ``benchmarks.run`` in a subprocess before the timed runs, so the parent process
stays small and no timed child pays for generation.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks import problems as pb
from benchmarks.reference import ensure_reference


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problem", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    scale: pb.Scale = "quick" if args.quick else "full"
    for problem in pb.select(args.problem):
        t0 = time.perf_counter()
        had_data = pb.cache_path(problem, scale).exists()
        had_ref = pb.cache_path(problem, scale, "reference").exists()
        data = pb.load(problem, scale)
        ref = ensure_reference(problem, scale, data)
        print(json.dumps({
            "problem": problem.name, "scale": scale,
            "data": "cached" if had_data else "generated",
            "reference": "cached" if had_ref else "computed",
            "reference_accuracy": float(ref["accuracy"]),
            "accuracy_kind": str(ref["accuracy_kind"]),
            "seconds": round(time.perf_counter() - t0, 2)}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
