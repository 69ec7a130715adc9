"""Forest and effect plots: render with Agg to PNG and check what is drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import glmkit as gk  # noqa: E402
from glmkit.plots import effect_figure, forest_figure, plot_forest  # noqa: E402

MIN_PNG_BYTES = 10_000


@pytest.fixture(scope="module")
def fit():
    return gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")


@pytest.fixture(scope="module")
def logistic():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.uniform(0, 10, 300), "g": rng.choice(["u", "v"], 300)})
    frame["y"] = rng.binomial(1, 1 / (1 + np.exp(-(-2 + 0.4 * frame["x"]))))
    return gk.glm("y ~ x * g", frame, family="binomial")


def test_forest_of_a_fit_exponentiated(fit, tmp_path):
    fig = forest_figure(fit, exponentiate=True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == fit.names[1:]
    assert ax.get_xscale() == "log"
    line = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"][0]
    assert line.get_xdata()[0] == 1.0
    points = [ln for ln in ax.get_lines() if ln.get_marker() == "o"][0]
    np.testing.assert_allclose(points.get_xdata(), np.exp(fit.coef.to_numpy()[1:]))
    path = tmp_path / "forest.png"
    fig.savefig(path)
    assert path.stat().st_size > MIN_PNG_BYTES


def test_forest_of_a_margins_table_keeps_its_intervals(fit):
    table = gk.emmeans(fit, "tension", by="wool", type="response").contrast()
    ax = forest_figure(table, reference=1.0).axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "L / M (wool=A)" and len(labels) == 6
    segments = ax.collections[0].get_segments()
    frame = table.to_frame()
    np.testing.assert_allclose([s[0][0] for s in segments], frame["lower"])
    np.testing.assert_allclose([s[1][0] for s in segments], frame["upper"])


def test_forest_refuses_a_frame_without_intervals():
    with pytest.raises(ValueError, match="lower"):
        plot_forest(pd.DataFrame({"estimate": [1.0]}))


def test_effect_plot_of_a_numeric_variable_has_bands_in_range(logistic, tmp_path):
    fig = effect_figure(logistic, "x", by="g")
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 2
    for band in ax.collections:
        y = band.get_paths()[0].vertices[:, 1]
        assert np.all((y >= 0) & (y <= 1))
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["u", "v"]
    path = tmp_path / "effect.png"
    fig.savefig(path)
    assert path.stat().st_size > MIN_PNG_BYTES


def test_effect_plot_of_a_factor_matches_emmeans_of_the_saturated_model(fit):
    ax = effect_figure(fit, "tension", by="wool").axes[0]
    emm = gk.emmeans(fit, "tension", by="wool", type="response").to_frame()
    drawn = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    heights = np.concatenate([ln.get_ydata() for ln in drawn])
    np.testing.assert_allclose(heights, emm["estimate"], rtol=1e-10)
