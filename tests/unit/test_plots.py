"""glmkit.plots: render with Agg to PNG and check the files and what is drawn."""

from __future__ import annotations

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

import glmkit as gk  # noqa: E402
from glmkit.plots import (  # noqa: E402
    coefficient_figure,
    convergence_figure,
    plot_coefficients,
    plot_convergence,
)
from glmkit.solvers import IterationRecord  # noqa: E402

MIN_PNG_BYTES = 10_000  # a blank figure of this size is ~5 KB; drawn panels are far larger


@pytest.fixture(scope="module")
def fits():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((300, 3))
    beta = np.array([0.3, -0.5, 0.8, 0.2])
    y = rng.poisson(np.exp(beta[0] + X @ beta[1:]))
    out = {
        "GD": gk.glm_fit(X, y, "poisson", solver="gd", solver_options={"record_history": True}),
        "IRLS": gk.glm_fit(X, y, "poisson", solver_options={"record_history": True}),
    }
    return beta, out


def _is_png(path):
    with open(path, "rb") as handle:
        return handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_coefficient_figure_renders(tmp_path, fits):
    beta, models = fits
    fig = coefficient_figure({"Poisson": (beta, models), "again": (beta, {"IRLS": models["IRLS"].coef})})
    path = tmp_path / "coefficients.png"
    fig.savefig(path, dpi=80)
    assert path.exists() and _is_png(path) and path.stat().st_size > MIN_PNG_BYTES
    ax = fig.axes[0]
    # one scatter per estimate plus the 45° line through the panel's corners
    assert len(ax.collections) == 2
    (line,) = ax.lines
    xs, ys = line.get_data()
    np.testing.assert_allclose(xs, ys)
    assert xs[0] < beta.min() and xs[-1] > beta.max()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["GD", "IRLS"] and "45°" in labels[2]
    offsets = ax.collections[1].get_offsets()
    np.testing.assert_allclose(offsets[:, 0], beta)
    np.testing.assert_allclose(offsets[:, 1], models["IRLS"].coef.to_numpy())


def test_convergence_figure_renders(tmp_path, fits):
    _, models = fits
    fig = convergence_figure({"Poisson": models, "Poisson again": {"IRLS": models["IRLS"].history}})
    path = tmp_path / "convergence.png"
    fig.savefig(path, dpi=80)
    assert path.exists() and _is_png(path) and path.stat().st_size > MIN_PNG_BYTES
    loss_ax, grad_ax = fig.axes[0], fig.axes[2]  # row-major: loss row first
    assert loss_ax.get_yscale() == "log" and loss_ax.get_xscale() == "symlog"
    gd_line = loss_ax.lines[0]
    iterations, gap = gd_line.get_data()
    history = models["GD"].history
    assert list(iterations) == [r.iteration for r in history]
    optimum = min(r.loss for m in models.values() for r in m.history)
    expected = np.array([r.loss for r in history]) - optimum
    drawn = np.isfinite(gap)
    np.testing.assert_allclose(gap[drawn], expected[drawn])
    assert np.all(expected[~drawn] <= 0)  # only non-positive gaps are left out
    np.testing.assert_allclose(grad_ax.lines[0].get_data()[1], [r.gradient_norm for r in history])
    assert f"({models['GD'].n_iter} it.)" in loss_ax.get_legend().get_texts()[0].get_text()


def test_axes_level_functions_draw_on_given_axes(tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    records = [IterationRecord(k, 10.0 * 0.5**k, 2.0 * 0.5**k, 1.0) for k in range(20)]
    assert plot_convergence({"toy": records}, quantity="gradient_norm", ax=ax1, title="t") is ax1
    assert plot_coefficients([1.0, 2.0], {"fit": [1.1, 1.9]}, ax=ax2) is ax2
    assert ax1.get_title() == "t"
    fig.savefig(tmp_path / "axes.png")
    assert (tmp_path / "axes.png").stat().st_size > 5_000


def test_pyplot_axes_when_none_given():
    import matplotlib.pyplot as plt

    ax = plot_coefficients([1.0, 2.0], {"fit": [1.1, 1.9]})
    try:
        assert ax.figure is plt.gcf()
    finally:
        plt.close(ax.figure)


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="record_history=True"):
        plot_convergence({"empty": []})
    with pytest.raises(ValueError, match="quantity"):
        plot_convergence({"x": [IterationRecord(0, 1.0, 1.0, 1.0)]}, quantity="deviance")
    with pytest.raises(ValueError, match="has 3 coefficients but true_coef has 2"):
        coefficient_figure({"p": ([1.0, 2.0], {"fit": [1.0, 2.0, 3.0]})})
    with pytest.raises(ValueError, match="at least one panel"):
        convergence_figure({})
