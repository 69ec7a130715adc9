"""The diagnostic panel renders (Agg backend) and labels the right points."""

from __future__ import annotations

import pytest

import glmkit as gk
from glmkit.datasets import load_warpbreaks

matplotlib = pytest.importorskip("matplotlib")


def test_diagnostic_figure_renders_to_png(tmp_path):
    from glmkit.plots import diagnostic_figure

    fit = gk.glm("breaks ~ wool + tension", load_warpbreaks(), family="poisson")
    fig = diagnostic_figure(fit)
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Residuals vs Fitted", "Normal Q-Q", "Scale-Location", "Residuals vs Leverage"]
    path = tmp_path / "diag.png"
    fig.savefig(path, dpi=50)
    assert path.stat().st_size > 1000


def test_plot_diagnostics_on_pyplot_axes():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from glmkit.plots import plot_diagnostics

    fit = gk.glm("breaks ~ wool", load_warpbreaks(), family="gamma", link="log")
    axes = plot_diagnostics(fit)
    assert axes.shape == (2, 2)
    plt.close("all")


# -- what is drawn: R's smoother, labels that do not overlap, Cook's contours and their legend --

import json
from pathlib import Path

import numpy as np
import pandas as pd

REFERENCE = Path(__file__).resolve().parents[1] / "reference"
PANELS = ("residuals_vs_fitted", None, "scale_location", "residuals_vs_leverage")


def _case_fits():
    data = REFERENCE / "data"
    return {
        "poisson_warpbreaks": gk.glm("breaks ~ wool + tension", pd.read_csv(data / "warpbreaks.csv"),
                                     family="poisson"),
        "gamma_log_mtcars": gk.glm("mpg ~ wt + hp", pd.read_csv(data / "mtcars.csv", index_col="model"),
                                   family="gamma", link="log"),
    }


@pytest.fixture(scope="module")
def drawn():
    pytest.importorskip("statsmodels", reason="the lowess smoother needs statsmodels (the [plot] extra)")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from glmkit.plots import diagnostic_figure

    out = {}
    for case, fit in _case_fits().items():
        fig = diagnostic_figure(fit)
        FigureCanvasAgg(fig).draw()  # lay out and render, so text extents are real
        out[case] = (fit, fig)
    return out


def _lines(ax, gid):
    return [ln for ln in ax.get_lines() if ln.get_gid() == gid]


def test_smoothers_are_rs_lowess(drawn):
    expected = json.loads((REFERENCE / "expected" / "diagnostic_plots.json").read_text())
    for case in expected["cases"]:
        fit, fig = drawn[case["id"]]
        for ax, panel in zip(fig.axes, PANELS):
            if panel is None:
                assert _lines(ax, "lowess") == []  # R draws no smoother on the Q-Q panel
                continue
            (line,) = _lines(ax, "lowess")
            ref = case[panel]
            np.testing.assert_allclose(line.get_xdata(), ref["x"], rtol=1e-9)
            # lowess is a weighted local regression of the residuals: 1e-6 of their scale
            scale = np.max(np.abs(ref["y"]))
            np.testing.assert_allclose(line.get_ydata(), ref["y"], rtol=1e-6, atol=1e-6 * scale)


def test_labels_name_rs_points_and_do_not_overlap(drawn):
    expected = {c["id"]: c for c in json.loads((REFERENCE / "expected" / "diagnostic_plots.json").read_text())["cases"]}
    for case, (fit, fig) in drawn.items():
        renderer = fig.canvas.get_renderer()
        index = [str(i) for i in fit.index]
        for ax, key in zip(fig.axes, ("residuals", "standardized", "standardized", "cooks")):
            texts = [t for t in ax.texts if t.get_gid() == "point_label"]
            assert len(texts) == 3
            assert {t.get_text() for t in texts} == {index[i] for i in expected[case]["labelled"][key]}
            boxes = [t.get_window_extent(renderer) for t in texts]
            for i in range(3):
                for j in range(i + 1, 3):
                    assert not boxes[i].overlaps(boxes[j]), (case, ax.get_title(), texts[i], texts[j])
            fig_box = fig.bbox
            for b in boxes:  # every label is on the figure
                assert b.x0 >= fig_box.x0 - 1 and b.x1 <= fig_box.x1 + 1


def test_cook_contours_drawn_where_they_reach_the_panel_and_legend_matches(drawn):
    for case, (fit, fig) in drawn.items():
        ax = fig.axes[3]
        lo, hi = ax.get_ylim()
        x_end = ax.get_xlim()[1]
        hat = fit.hat_values().to_numpy()
        h = np.linspace(hat.min(), x_end, 200)
        drawn_levels = []
        for level in (0.5, 1.0):
            reaches = np.any(np.sqrt(level * fit.rank * (1 - h) / h) < hi)  # the curve falls from +∞ at h = 0
            lines = _lines(ax, f"cook_{level:g}")
            assert len(lines) == (2 if reaches else 0), (case, level)
            if reaches:
                drawn_levels.append(level)
        legend = ax.get_legend()
        if drawn_levels:
            assert [t.get_text() for t in legend.get_texts()] == ["Cook's distance"]
        else:
            assert legend is None
    # on warpbreaks (leverages near 4/54) only the 0.5 contour reaches the panel; on mtcars both do
    assert [ln.get_gid() for ln in drawn["poisson_warpbreaks"][1].axes[3].get_lines()].count("cook_1") == 0
    assert [ln.get_gid() for ln in drawn["gamma_log_mtcars"][1].axes[3].get_lines()].count("cook_1") == 2
