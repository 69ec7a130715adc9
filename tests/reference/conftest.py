"""Shared plumbing for the R reference comparisons.

A reference test module names its JSON file in a module-level ``REFERENCE`` (the stem of a
file in ``expected/``) and asks for the ``r_case`` fixture; this hook parametrises it over
the cases in that file, one module-scoped parameter per case, so each glmkit fit is made
once per case and shared by that case's tests. The JSON and the CSVs are written by the R
scripts in ``r/``; CI never runs R, it only reads what developers committed.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REFERENCE_DIR = Path(__file__).parent
DATA_DIR = REFERENCE_DIR / "data"
EXPECTED_DIR = REFERENCE_DIR / "expected"


@functools.cache
def load_reference(stem: str) -> dict[str, Any]:
    """Parsed ``expected/<stem>.json``."""
    with open(EXPECTED_DIR / f"{stem}.json", encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def _read_dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / f"{name}.csv")


def load_dataset(name: str) -> pd.DataFrame:
    """A fresh copy of ``data/<name>.csv`` (copies, so no test can alter another's data)."""
    return _read_dataset(name).copy()


@pytest.fixture(scope="session")
def reference_data():
    """The loader ``load_dataset(name) -> DataFrame`` for ``data/<name>.csv``."""
    return load_dataset


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "r_case" not in metafunc.fixturenames:
        return
    stem = getattr(metafunc.module, "REFERENCE", None)
    if stem is None:
        raise pytest.UsageError(
            f"{metafunc.module.__name__} uses r_case but defines no REFERENCE "
            "(the stem of a JSON file in tests/reference/expected/)"
        )
    cases = load_reference(stem)["cases"]
    metafunc.parametrize("r_case", cases, ids=[case["id"] for case in cases], scope="module")
