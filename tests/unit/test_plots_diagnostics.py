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
