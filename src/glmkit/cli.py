"""The ``glmkit`` command line: a thin shell over the library.

``glmkit demo [--output-dir DIR]`` runs :func:`glmkit.demo.run_demo`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``glmkit`` command."""
    parser = argparse.ArgumentParser(
        prog="glmkit",
        description="glmkit: generalized linear models built from their parts.",
    )
    parser.add_argument("--version", action="version", version=f"glmkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="reproduce the textbook GLM experiments (tables, figures, a real dataset)",
        description=(
            "Simulate linear, logistic and Poisson regressions (seed 123, N = 1000, D = 10), "
            "fit them by the textbook's methods and by glmkit, print the comparison tables and "
            "a real dataset's summary, and write PNG figures."
        ),
    )
    from .demo import DEFAULT_OUTPUT_DIR

    demo.add_argument(
        "--output-dir", default=DEFAULT_OUTPUT_DIR, metavar="DIR",
        help=f"where to write the figures (default: ./{DEFAULT_OUTPUT_DIR}, created if needed)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        try:
            from .demo import run_demo
        except ImportError as exc:  # pragma: no cover - only without matplotlib
            print(f"glmkit demo: {exc}", file=sys.stderr)
            return 1
        try:
            run_demo(args.output_dir)
        except BrokenPipeError:
            # output piped into a reader that stopped early (e.g. `| head`): end quietly,
            # as the Python documentation recommends, instead of a traceback at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 0
        return 0
    parser.error(f"unknown command {args.command!r}")  # pragma: no cover - argparse stops first
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
