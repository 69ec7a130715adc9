"""The ``glmkit`` command line: a thin shell over the library.

``glmkit fit`` fits a CSV or Parquet file and writes a model file, ``glmkit predict``
predicts from one, ``glmkit summary`` prints one, ``glmkit anova`` compares nested saved
models, and ``glmkit demo`` reproduces the textbook experiments. Every error exits with
status 2 and one line on stderr naming the problem.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from . import __version__
from .errors import GLMError

__all__ = ["main", "build_parser"]


class _OneLineParser(argparse.ArgumentParser):
    """argparse with usage errors on one line (exit status 2, no usage dump)."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _CommandError(Exception):
    """A problem with the command's inputs, reported on one line."""


_EPILOG = {
    "fit": "example:\n  glmkit fit claims.csv --formula 'n ~ age + C(region)' --family poisson "
           "--offset log_exposure --output model.json",
    "predict": "example:\n  glmkit predict model.json new.parquet --se --interval 0.95 --output predictions.csv",
    "summary": "example:\n  glmkit summary model.json",
    "anova": "example:\n  glmkit anova small.json large.json",
    "demo": "example:\n  glmkit demo --output-dir figures",
}


def _add(commands: Any, name: str, help: str, description: str) -> argparse.ArgumentParser:
    return commands.add_parser(name, help=help, description=description, epilog=_EPILOG[name],
                               formatter_class=argparse.RawDescriptionHelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``glmkit`` command."""
    parser = _OneLineParser(prog="glmkit", description="glmkit: generalized linear models built from their parts.",
                            epilog="example:\n  glmkit fit data.csv --formula 'y ~ x' --family poisson --output m.json",
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"glmkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_OneLineParser)
    fit = _add(commands, "fit", "fit a GLM to a CSV or Parquet file and write a model file",
               "Fit a GLM (penalised with --alpha), print its summary and write the model file (--output).")
    fit.add_argument("data", metavar="DATA", help="a .csv or .parquet file")
    fit.add_argument("--formula", required=True, help="an R-like formula, e.g. 'y ~ x + C(g)'")
    fit.add_argument("--family", default="gaussian", help="gaussian, binomial, poisson, gamma, inverse_gaussian, "
                     "negative_binomial (θ estimated), tweedie, quasipoisson, quasibinomial (default gaussian)")
    fit.add_argument("--link", help="a link name (default: the family's)")
    fit.add_argument("--power", type=float, help="Tweedie's variance power (default 1.5)")
    fit.add_argument("--weights", metavar="COL", help="a column of prior weights")
    fit.add_argument("--offset", metavar="COL", help="a column holding the offset (on the link scale)")
    fit.add_argument("--alpha", type=float, default=0.0, help="elastic-net strength (default 0: no penalty)")
    fit.add_argument("--l1-ratio", type=float, default=0.0, help="lasso share of the penalty (0 ridge … 1 lasso)")
    fit.add_argument("--robust", metavar="KIND", help="print robust standard errors: HC0, HC1, HC2 or HC3 "
                     "(the model file keeps the model-based covariance)")
    fit.add_argument("--output", "-o", metavar="MODEL", help="where to write the model file (.json)")
    predict = _add(commands, "predict", "predict from a model file for a CSV or Parquet file",
                   "Predict for each row of DATA; write CSV or Parquet (by OUT's extension).")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA")
    predict.add_argument("--kind", choices=("response", "link"), default="response")
    predict.add_argument("--se", action="store_true", help="add standard errors (column se)")
    predict.add_argument("--interval", type=float, metavar="LEVEL", help="add confidence limits (lower, upper)")
    predict.add_argument("--offset", metavar="COL", help="the offset column, where the fit took one as an array")
    predict.add_argument("--unseen", choices=("error", "nan"), default="error",
                         help="rows with a factor level not seen when fitting: refuse them (default) or predict NaN")
    predict.add_argument("--output", "-o", required=True, metavar="OUT", help="a .csv or .parquet file")
    summary = _add(commands, "summary", "print the summary of a model file", "Print a saved model's summary.")
    summary.add_argument("model", metavar="MODEL")
    anova = _add(commands, "anova", "analysis of deviance between nested saved models",
                 "Compare nested models from their files (deviances and degrees of freedom stored there): "
                 "likelihood-ratio χ² tests, or F tests where the dispersion is estimated, against the largest "
                 "model. It cannot check that the models were fitted on the same rows (the files hold no data), "
                 "and it cannot refit, so term-by-term (sequential) tables of one model need the data: use "
                 "gk.anova in Python.")
    anova.add_argument("models", metavar="MODEL", nargs="+")
    demo = _add(commands, "demo", "reproduce the textbook GLM experiments (tables, figures, a real dataset)",
                "Simulate linear, logistic and Poisson regressions (seed 123, N = 1000, D = 10), fit them by the "
                "textbook's methods and by glmkit, print the comparison tables and a real dataset's summary, "
                "and write PNG figures.")
    demo.add_argument("--output-dir", default="glmkit-demo-output", metavar="DIR",
                      help="where to write the figures (default: ./glmkit-demo-output, created if needed)")
    return parser


def _read_table(path: str) -> Any:
    import pandas as pd

    ext = os.path.splitext(path)[1].lower()
    if ext not in (".csv", ".parquet", ".pq"):
        raise _CommandError(f"{path!r}: data must be a .csv or .parquet file; got extension {ext or '(none)'!r}")
    if not os.path.exists(path):
        raise _CommandError(f"{path!r}: no such file")
    try:
        return pd.read_csv(path) if ext == ".csv" else pd.read_parquet(path)
    except (ValueError, OSError, ImportError) as exc:
        raise _CommandError(f"{path!r}: could not read it as {ext[1:]}: {str(exc).splitlines()[0]}") from exc


def _write_table(frame: Any, path: str) -> None:
    ext = os.path.splitext(path)[1].lower()
    if ext == ".csv":
        frame.to_csv(path, index=False, float_format="%.17g")
    elif ext in (".parquet", ".pq"):
        frame.to_parquet(path, index=False)
    else:
        raise _CommandError(f"--output {path!r} must end in .csv or .parquet")


def _family(args: argparse.Namespace) -> Any:
    from .families import get_family

    params = {} if args.power is None else {"power": args.power}
    return get_family(args.family, link=args.link, **params)


def _run_fit(args: argparse.Namespace) -> None:
    import glmkit as gk

    data = _read_table(args.data)
    if args.family.replace(".", "_") in ("negative_binomial", "negbin") and args.alpha == 0:
        fit = gk.glm_nb(args.formula, data, link=args.link or "log", weights=args.weights, offset=args.offset)
    else:
        penalty = {"alpha": args.alpha, "l1_ratio": args.l1_ratio} if args.alpha > 0 else {}
        fit = gk.glm(args.formula, data, family=_family(args), weights=args.weights, offset=args.offset, **penalty)
    if args.robust is not None and args.alpha > 0:
        raise _CommandError("--robust applies to unpenalised fits only")
    text = str(fit.summary(cov=args.robust.upper()) if args.robust else fit.summary())
    if args.output:  # written before printing, so a closed pipe cannot lose it
        fit.save(args.output)
    print(text + (f"\n\nModel written to {args.output}" if args.output else ""))


def _run_predict(args: argparse.Namespace) -> None:
    import glmkit as gk

    model = gk.load(args.model)
    data = _read_table(args.data)
    offset = args.offset
    if isinstance(model, gk.PenalizedGLMResult):
        if args.se or args.interval is not None:
            raise _CommandError("standard errors and intervals are not available for a penalised model")
        out = model.predict(data, kind=args.kind, offset=offset, unseen=args.unseen).to_frame("fit")
    else:
        interval = None if args.interval is None else "confidence"
        level = 0.95 if args.interval is None else args.interval
        out = model.predict(data, kind=args.kind, se=args.se, offset=offset, interval=interval, level=level,
                            unseen=args.unseen)
        out = out.to_frame("fit") if args.se is False and interval is None else out
    _write_table(out.reset_index(drop=True), args.output)


def _run_summary(args: argparse.Namespace) -> None:
    import glmkit as gk

    print(gk.load(args.model).summary())


def _run_anova(args: argparse.Namespace) -> None:
    import glmkit as gk
    from .model_files import deviance_table

    if len(args.models) < 2:
        raise _CommandError("anova compares at least two nested models; give two or more model files")
    models = [gk.load(path) for path in args.models]
    print(deviance_table(models, args.models))


_RUN = {"fit": _run_fit, "predict": _run_predict, "summary": _run_summary, "anova": _run_anova}


def _run_demo(output_dir: str) -> int:
    try:
        from .demo import run_demo
    except ImportError as exc:  # pragma: no cover - only without matplotlib
        print(f"glmkit demo: {exc}", file=sys.stderr)
        return 1
    try:
        run_demo(output_dir)
    except BrokenPipeError:
        # output piped into a reader that stopped early (e.g. `| head`): end quietly,
        # as the Python documentation recommends, instead of a traceback at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for any error, with one line on stderr)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    if args.command == "demo":
        return _run_demo(args.output_dir)
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("default")
            _RUN[args.command](args)
    except (_CommandError, GLMError, OSError, KeyError, TypeError, ValueError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"glmkit {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
