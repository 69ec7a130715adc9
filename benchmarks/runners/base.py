"""The runner protocol: how one library fits one problem.

A runner splits a fit into what is timed and what is not:

``check(problem)``            cheap, imports nothing heavy; raises ``NotApplicable``
                              (the library cannot express the problem) or ``Skipped``
                              (it can, but we do not run it, e.g. it would take too long)
``prepare(problem, data)``    library-specific input preparation (adding a constant
                              column, building a DataFrame or a one-hot matrix) and the
                              library import — NOT timed, part of the memory baseline
``fit(problem, prepared)``    estimator construction and the fit call — timed
``extract(problem, fitted)``  coefficients in canonical order (intercept first),
                              iterations, convergence — NOT timed

Small problems may also be fitted from a formula and a DataFrame
(``prepare_formula`` / ``fit_formula``); runners without formulas raise
``NotApplicable`` there.
"""

from __future__ import annotations

import dataclasses
import importlib
from typing import Any

import numpy as np

from benchmarks.problems import Problem

LIBRARIES = ["glmkit", "glmkit-tol1e-4", "statsmodels", "glum", "glum-lbfgs", "sklearn", "sklearn-newton"]
# library name -> module under benchmarks.runners (default: "<name>_runner")
_MODULES = {"glum-lbfgs": "glum_runner", "sklearn-newton": "sklearn_runner", "glmkit-tol1e-4": "glmkit_runner"}
MARKER = "BENCH_RESULT "  # prefixes the one JSON line a run prints on stdout


class NotApplicable(Exception):
    """The library cannot solve this problem (reported as "n/a (reason)")."""


class Skipped(Exception):
    """The library could, but the benchmark does not run it (reported as "skipped")."""


class NotAvailable(Exception):
    """The library lacks a needed feature at run time ("not available (error)")."""


@dataclasses.dataclass
class FitOutput:
    coef: np.ndarray  # (n_features + 1,), or (n_alphas, n_features + 1) for a path
    n_iter: int | None
    converged: bool | None
    alphas: np.ndarray | None = None  # the path's alphas as the library used them
    note: str = ""


class Runner:
    """Base class; subclasses implement the methods documented in the module docstring."""

    name = "?"
    distribution = "?"  # the PyPI name, for version reporting

    def check(self, problem: Problem) -> None:
        return None

    def prepare(self, problem: Problem, data: dict, reference: dict) -> Any:
        raise NotImplementedError

    def fit(self, problem: Problem, prepared: Any) -> Any:
        raise NotImplementedError

    def extract(self, problem: Problem, fitted: Any) -> FitOutput:
        raise NotImplementedError

    def prepare_formula(self, problem: Problem, data: dict) -> Any:
        raise NotApplicable(f"{self.name} has no formula interface")

    def fit_formula(self, problem: Problem, prepared: Any) -> Any:
        raise NotApplicable(f"{self.name} has no formula interface")


def get_runner(name: str) -> Runner:
    if name not in LIBRARIES:
        raise SystemExit(f"unknown library {name!r}; choose from {', '.join(LIBRARIES)}")
    module = importlib.import_module(f"benchmarks.runners.{_MODULES.get(name, name + '_runner')}")
    return module.RUNNERS[name] if hasattr(module, "RUNNERS") else module.RUNNER


def small_frame(problem: Problem, data: dict):
    """The DataFrame and formula used for formula fits of the small problems."""
    import pandas as pd

    names = [f"x{j + 1}" for j in range(problem.n_features)]
    frame = pd.DataFrame(data["X"], columns=names)
    frame["y"] = data["y"]
    return frame, "y ~ " + " + ".join(names)


def categorical_frame(problem: Problem, data: dict):
    """P4 as a DataFrame: a pandas Categorical 'cat' (all 2,000 levels) + x1..x10."""
    import pandas as pd

    cat = pd.Categorical.from_codes(data["codes"], categories=list(range(problem.n_levels)))
    frame = pd.DataFrame({"cat": cat})
    for j in range(data["X_num"].shape[1]):
        frame[f"x{j + 1}"] = data["X_num"][:, j]
    return frame
