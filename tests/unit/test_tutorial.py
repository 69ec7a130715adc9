"""docs/tutorial.md ("GLMs from their parts") runs as written: every example is a doctest."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

TUTORIAL = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def test_tutorial_examples_run():
    pytest.importorskip("matplotlib").use("Agg")
    result = doctest.testfile(
        str(TUTORIAL), module_relative=False, verbose=False, report=True,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert result.failed == 0, f"{result.failed} of {result.attempted} tutorial examples failed (see output)"
    assert result.attempted >= 50  # the file really was executed, not silently skipped


def test_tutorial_covers_the_four_steps_for_the_three_models():
    text = TUTORIAL.read_text(encoding="utf-8")
    for heading in ("## Step 1: the random component", "## Step 2: the link",
                    "## Step 3: the loss, in η and then in β", "## Step 4: the solver"):
        assert heading in text
    for model in ("### Linear regression", "### Logistic regression", "### Poisson regression"):
        assert model in text
