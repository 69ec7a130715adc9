"""glmkit._rformat against R's format() and format.pval() (tests/reference/expected/rformat.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from glmkit._rformat import format_pval, format_real

REF = json.loads((Path(__file__).resolve().parents[1] / "reference" / "expected" / "rformat.json").read_text())


def _values(xs):
    return [np.nan if v is None else float(v) for v in xs]


@pytest.mark.parametrize("case", REF["format"], ids=lambda c: f"{c['x']}-{c['digits'][0]}")
def test_format_real_is_rs_format(case) -> None:
    assert format_real(_values(case["x"]), case["digits"][0]) == case["out"]


@pytest.mark.parametrize("case", REF["format_pval"], ids=lambda c: f"{c['p']}-{c['digits'][0]}")
def test_format_pval_is_rs(case) -> None:
    assert format_pval(_values(case["p"]), case["digits"][0]) == case["out"]
