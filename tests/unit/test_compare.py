"""gk.compare: the cells are the fits' own numbers, in every format; maketables reads the same columns."""

from __future__ import annotations

import re

import numpy as np
import pytest

import glmkit as gk
from glmkit.errors import InputError, UnknownNameError


@pytest.fixture(scope="module")
def fits():
    df = gk.datasets.load_warpbreaks()
    return {
        "small": gk.glm("breaks ~ wool", df, family="poisson"),
        "big": gk.glm("breaks ~ wool + tension", df, family="poisson"),
        "nb": gk.glm_nb("breaks ~ wool + tension", df),
        "quasi": gk.glm("breaks ~ wool + tension", df, family="quasipoisson"),
        "lasso": gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.05, l1_ratio=1.0),
        "data": df,
    }


def test_cells_are_the_fits_numbers(fits) -> None:
    models = [fits["small"], fits["big"], fits["nb"], fits["quasi"]]
    table = gk.compare(*models, digits=4)
    frame = table.to_frame()
    assert list(table.terms) == list(fits["big"].coef.index)
    for j, fit in enumerate(models):
        for term in fit.coef.index:
            i = table.terms.index(term)
            assert frame.iloc[2 * i, j] == f"{fit.coef[term]:.4f}"
            assert frame.iloc[2 * i + 1, j] == f"({fit.std_err[term]:.4f})"
        stats = frame.iloc[table.n_coef_rows:, j]
        assert stats["Observations"] == str(fit.n_obs)
        assert stats["Deviance"] == f"{fit.deviance:.4f}"
        assert stats["Dispersion"] == f"{fit.dispersion:.4f}"
        assert stats["AIC"] == ("" if not np.isfinite(fit.aic) else f"{fit.aic:.4f}")  # quasi: no AIC
        assert stats["BIC"] == ("" if not np.isfinite(fit.bic) else f"{fit.bic:.4f}")
    # a term a model lacks is blank
    assert frame.iloc[2 * table.terms.index("tension[T.M]"), 0] == ""


def test_intervals_and_stars(fits) -> None:
    big = fits["big"]
    for level in (0.95, 0.90):
        frame = gk.compare(big, se="ci", level=level).to_frame()
        ci = big.conf_int(level)
        for i, term in enumerate(big.coef.index):
            assert frame.iloc[2 * i + 1, 0] == f"[{ci.loc[term, 'lower']:.3f}, {ci.loc[term, 'upper']:.3f}]"
    table = gk.compare(fits["nb"], stars=True)
    for i, term in enumerate(table.terms):
        p = fits["nb"].p_values[term]
        stars = table.to_frame().iloc[2 * i, 0].count("*")
        assert stars == int(p < 0.05) + int(p < 0.01) + int(p < 0.001)
    assert "p<0.001" in table.note


def test_penalised_fit_shows_estimates_without_refused_inference(fits) -> None:
    lasso = fits["lasso"]
    frame = gk.compare(fits["big"], lasso, names=["ML", "lasso"]).to_frame()
    for i, term in enumerate(lasso.coef.index):
        assert frame.iloc[2 * i, 1] == f"{lasso.coef[term]:.3f}"
        assert frame.iloc[2 * i + 1, 1] == ""  # a lasso's standard errors are refused, so blank
    assert frame.loc["AIC", "lasso"] == "" and frame.loc["Observations", "lasso"] == "54"


def test_every_format_renders_the_same_cells(fits) -> None:
    table = gk.compare(fits["small"], fits["nb"], names=["Poisson & co", "NB <2>"], stars=True)
    text, md, tex, html = table.to_text(), table.to_markdown(), table.to_latex(), table.to_html()
    for row in table.cells:
        for cell in row:
            number = cell.rstrip("*")
            if number and number[0] in "-([0123456789":
                assert number in text and number in md and number in tex and number in html
    assert str(table) == text
    # escaping: LaTeX specials, HTML markup, Markdown emphasis
    assert r"Poisson \& co" in tex and r"negative\_binomial(log)" in tex and "$^{***}$" in tex
    assert r"NB \textless{}2\textgreater{}" in tex and "NB &lt;2&gt;" in html and "<tfoot>" in html
    assert r"\*\*\*" in md and "|:--|--:|--:|" in md
    # text: the decimal points of estimates line up in a column
    lines = [ln for ln in text.splitlines() if ln.startswith(("Intercept", "wool"))]
    assert len({ln.index(".", 12) for ln in lines}) == 1


def test_bad_arguments_say_what_to_do(fits) -> None:
    with pytest.raises(UnknownNameError, match="'se'"):
        gk.compare(fits["big"], se="sd")
    with pytest.raises(InputError, match="0.95 or 0.90"):
        gk.compare(fits["big"], se="ci", level=0.8)
    with pytest.raises(InputError, match="one name per model"):
        gk.compare(fits["big"], fits["small"], names=["a"])
    with pytest.raises(InputError, match="fitted models"):
        gk.compare(np.ones(3))
    with pytest.raises(InputError, match="at least one"):
        gk.compare()


def test_maketables_renders_glmkit_next_to_statsmodels(fits) -> None:
    mt = pytest.importorskip("maketables", reason="maketables (the [test] extra) is not installed")
    sm = pytest.importorskip("statsmodels.api", reason="statsmodels (the [test] extra) is not installed")
    smf = pytest.importorskip("statsmodels.formula.api", reason="statsmodels is not installed")
    big = fits["big"]
    ref = smf.glm("breaks ~ wool + tension", fits["data"], family=sm.families.Poisson()).fit()
    table = mt.ETable([big, ref], model_stats=["N", "aic", "deviance"])
    frame = table.df
    # the same model fitted by both: maketables shows identical cells in the two columns
    assert frame.shape[1] == 2
    assert (frame.iloc[:, 0].astype(str) == frame.iloc[:, 1].astype(str)).all()
    cells = " ".join(frame.iloc[:, 0].astype(str))
    for term in big.coef.index:
        assert f"{big.coef[term]:.3f}" in cells and f"({big.std_err[term]:.3f})" in cells
    assert f"{big.aic:.3f}" in cells and str(big.n_obs) in cells
    for kind in ("tex", "html"):
        out = table.make(type=kind)
        assert f"{big.coef['wool[T.B]']:.3f}" in str(out if isinstance(out, str) else out.as_raw_html())
    assert re.search(r"breaks", table.make(type="tex"))
