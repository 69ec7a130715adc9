"""glmkit's printed summary and anova/drop1/add1 tables against R's printed text.

``r/printed.R`` writes what R prints (``printed/<case>.txt``, R 4.2.2, fits at
``epsilon = 1e-14`` so that every printed digit is determined). Row names differ between
R and glmkit (``woolB`` / ``wool[T.B]``), so a table line is compared from the end of the
row-name column on, character for character: the numbers, their decimals, the column
widths, the blanks where R has NA, ``< 2.2e-16`` and the stars. Heading lines are compared
as text, except the parts that name R objects (formulas, the response, the family's
capitalisation). Not compared: R 4.2's "Deviance Residuals" block (R 4.3 dropped it) and
the number of iterations (glmkit's IRLS stopping rule is not R's).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import glmkit as gk

PRINTED = Path(__file__).parent / "printed"


@pytest.fixture(scope="module")
def fits(reference_data) -> dict[str, object]:
    w = reference_data("warpbreaks")
    e = reference_data("esoph").assign(n=lambda d: d.ncases + d.ncontrols)
    c = reference_data("clotting")
    m = reference_data("mtcars")
    return {
        "warp": gk.glm("breaks ~ wool + tension", w, family="poisson"),
        "warp1": gk.glm("breaks ~ wool", w, family="poisson"),
        "esoph": gk.glm("ncases ~ agegp + alcgp + tobgp", e, family="binomial", trials="n"),
        "clot": gk.glm("time ~ np.log(u) * lot", c, family="gamma", link="inverse"),
        "mtcars": gk.glm("mpg ~ wt + hp + C(cyl)", m, family="gaussian"),
    }


def _r_text(case: str) -> list[str]:
    lines = (PRINTED / f"{case}.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# R version")
    return [ln.rstrip() for ln in lines[1:]]


def _table(lines: list[str], start: int) -> tuple[list[str], int]:
    """The table lines from the header at ``start`` to the line before ``---`` or a blank."""
    end = start
    while end < len(lines) and lines[end] and lines[end] != "---":
        end += 1
    return lines[start:end], end


def _same_table(r_lines: list[str], gk_lines: list[str]) -> None:
    assert len(r_lines) == len(gk_lines), (r_lines, gk_lines)
    r_name = len(r_lines[0]) - len(r_lines[0].lstrip(" "))
    g_name = len(gk_lines[0]) - len(gk_lines[0].lstrip(" "))
    for r, g in zip(r_lines, gk_lines):
        assert g[g_name:].rstrip() == r[r_name:].rstrip(), f"\nR:      {r}\nglmkit: {g}"


TABLES = [
    ("poisson_warpbreaks_anova", lambda f: gk.anova(f["warp"], test="Chisq")),
    ("poisson_warpbreaks_drop1", lambda f: gk.drop1(f["warp"], test="Chisq")),
    ("poisson_warpbreaks_add1", lambda f: gk.add1(f["warp1"], "tension", test="Chisq")),
    ("poisson_warpbreaks_anova_models", lambda f: gk.anova(f["warp1"], f["warp"], test="Chisq")),
    ("binomial_esoph_anova", lambda f: gk.anova(f["esoph"], test="Chisq")),
    ("binomial_esoph_drop1", lambda f: gk.drop1(f["esoph"], test="Rao")),
    ("gamma_clotting_anova", lambda f: gk.anova(f["clot"], test="F")),
    ("gaussian_mtcars_drop1", lambda f: gk.drop1(f["mtcars"], test="F")),
]


@pytest.mark.parametrize("case,make", TABLES, ids=[c for c, _ in TABLES])
def test_anova_tables_print_as_r(fits, case, make) -> None:
    r = _r_text(case)
    g = str(make(fits)).splitlines()
    r_head = next(i for i, ln in enumerate(r) if "Df" in ln and ("Deviance" in ln or "Resid" in ln))
    g_head = next(i for i, ln in enumerate(g) if "Df" in ln and ("Deviance" in ln or "Resid" in ln))
    # the heading: same number of lines, same text where no R object is named
    assert r_head == g_head
    for rl, gl in zip(r[:r_head], g[:g_head]):
        if "~" in rl:  # R's and glmkit's spellings of the formula differ (factor(x) / C(x), cbind)
            assert "~" in gl
        elif rl.startswith("Response:"):
            assert gl.startswith("Response: ")
        elif rl.startswith("Model"):
            if rl.startswith("Model:"):
                assert gl.lower().replace(" ", "") == rl.lower().replace(" ", "")  # family, link
        else:
            assert gl == rl
    r_tab, r_end = _table(r, r_head)
    g_tab, g_end = _table(g, g_head)
    _same_table(r_tab, g_tab)
    assert g[g_end:] == r[r_end:]  # the significance legend


SUMMARIES = [
    ("poisson_warpbreaks_summary", "warp"),
    ("binomial_esoph_summary", "esoph"),
    ("gamma_clotting_summary", "clot"),
    ("gaussian_mtcars_summary", "mtcars"),
]


@pytest.mark.parametrize("case,key", SUMMARIES, ids=[c for c, _ in SUMMARIES])
def test_summary_prints_as_r(fits, case, key) -> None:
    r = _r_text(case)
    g = str(fits[key].summary()).splitlines()
    assert g[:2] == ["", "Call:"] and g[2].startswith("glm(formula = ")
    r_tab, r_end = _table(r, r.index("Coefficients:") + 1)
    g_tab, g_end = _table(g, g.index("Coefficients:") + 1)
    _same_table(r_tab, g_tab)
    # print() ends glmkit's text with the blank line R ends its own with
    r_rest = [ln for ln in r[r_end:] if not ln.startswith("Number of")]
    g_rest = [ln for ln in g[g_end:] + [""] if not ln.startswith("Number of")]
    assert [ln.lower() for ln in g_rest] == [ln.lower() for ln in r_rest]  # "Gamma" is glmkit's "gamma"


def test_tables_are_dataframes_with_the_numbers(fits) -> None:
    table = gk.anova(fits["warp"], test="Chisq")
    assert table.loc["wool", "Df"] == 1.0 and np.isnan(table.loc["NULL", "Df"])
    plain = table.to_frame()
    assert type(plain).__name__ == "DataFrame" and "NaN" in plain.to_string()
    assert type(table[["Df"]]).__name__ == "DataFrame"  # operations give plain frames
    assert "NaN" not in str(table) and "< 2.2e-16" in str(gk.anova(fits["esoph"], test="Chisq"))
