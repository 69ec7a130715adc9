"""The public surface is curated: pin the names, and run every docstring example."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

import glmkit as gk

CORE_NAMES = {
    "glm", "glm_fit", "GLMResult", "GLMLoss", "Loss", "Objective", "Family", "Gaussian", "Binomial",
    "Poisson", "Gamma", "InverseGaussian", "NegativeBinomial", "Tweedie", "Quasi", "QuasiPoisson",
    "QuasiBinomial", "get_family", "get_link", "links", "families", "variance", "solvers", "design",
    "GLMError", "InputError", "DomainError", "UnknownNameError", "FormulaError", "UnseenLevelError",
    "GLMWarning", "ConvergenceWarning", "SeparationWarning", "AliasingWarning", "NumericalWarning",
    "DataWarning", "__version__",
}


def test_core_public_names_are_exported():
    missing = CORE_NAMES - set(gk.__all__)
    assert not missing, f"public names lost: {missing}"
    for name in gk.__all__:
        assert hasattr(gk, name), name


def test_errors_subclass_builtins():
    assert issubclass(gk.InputError, ValueError)
    assert issubclass(gk.UnknownNameError, ValueError)
    assert issubclass(gk.ConvergenceWarning, UserWarning)


MODULES = sorted(m.name for m in pkgutil.walk_packages(gk.__path__, prefix="glmkit.")
                 if not m.name.split(".")[-1].startswith("__"))


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_run(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:  # an optional extra (matplotlib, dask, ...) that is not installed
        pytest.skip(f"{module_name} needs an optional dependency: {exc}")
    # Examples may assume ``import numpy as np`` and ``import glmkit as gk`` (as numpy's do).
    result = doctest.testmod(module, extraglobs={"np": np, "gk": gk},
                             optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
