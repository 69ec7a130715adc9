"""glmkit.margins: identities the estimates must satisfy, the SE conventions, and bad input.

(R's numbers are in tests/reference/test_r_emmeans.py; these tests check the mathematics
with exact identities that hold whatever the data.)
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import glmkit as gk
from glmkit.errors import InputError, UnknownNameError


@pytest.fixture(scope="module")
def warpbreaks():
    return gk.datasets.load_warpbreaks()


@pytest.fixture(scope="module")
def saturated(warpbreaks):
    return gk.glm("breaks ~ wool * tension", warpbreaks, family="poisson")


@pytest.fixture(scope="module")
def numeric_data():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"x": rng.normal(size=n), "z": rng.uniform(0, 2, size=n), "g": rng.choice(["a", "b", "c"], n)})
    eta = 0.2 + 0.4 * frame["x"] - 0.3 * frame["z"] + frame["g"].map({"a": 0.0, "b": 0.5, "c": -0.4})
    frame["y"] = rng.poisson(np.exp(eta))
    frame["w"] = eta + rng.normal(size=n)
    return frame


def test_saturated_poisson_means_are_cell_means(saturated, warpbreaks):
    emm = gk.emmeans(saturated, ["wool", "tension"], type="response").to_frame()
    cells = warpbreaks.groupby(["wool", "tension"], observed=True)["breaks"].mean()
    expected = [cells[(w, t)] for w, t in zip(emm["wool"], emm["tension"])]
    np.testing.assert_allclose(emm["estimate"], expected, rtol=1e-9)


def test_means_average_cells_with_equal_weights_on_the_link_scale(saturated):
    cells = gk.emmeans(saturated, ["wool", "tension"]).to_frame()
    by_wool = gk.emmeans(saturated, "wool").to_frame()
    expected = cells.groupby("wool", observed=True)["estimate"].mean()
    np.testing.assert_allclose(by_wool["estimate"], expected.loc[by_wool["wool"]].to_numpy(), rtol=1e-12)


def test_contrasts_are_differences_with_the_adjustments_ordered(saturated):
    emm = gk.emmeans(saturated, "tension", by="wool")
    means = emm.to_frame()
    raw = emm.contrast("pairwise", "none").to_frame()
    first = means[means["wool"] == "A"]["estimate"].to_numpy()
    np.testing.assert_allclose(raw["estimate"].to_numpy()[:3], [first[0] - first[1], first[0] - first[2],
                                                                first[1] - first[2]], rtol=1e-12)
    p = raw["p_value"].to_numpy()
    np.testing.assert_allclose(p, 2 * stats.norm.sf(np.abs(raw["statistic"])), rtol=1e-12)
    bonferroni = emm.contrast("pairwise", "bonferroni").to_frame()["p_value"].to_numpy()
    holm = emm.contrast("pairwise", "holm").to_frame()["p_value"].to_numpy()
    sidak = emm.contrast("pairwise", "sidak").to_frame()["p_value"].to_numpy()
    np.testing.assert_allclose(bonferroni, np.minimum(1, 3 * p), rtol=1e-12)
    assert np.all(p <= sidak + 1e-15) and np.all(sidak <= bonferroni + 1e-15) and np.all(holm <= bonferroni + 1e-15)


def test_ratios_on_the_response_scale_exponentiate_link_contrasts(saturated):
    emm = gk.emmeans(saturated, "tension", by="wool", type="response")
    link = emm.contrast("revpairwise", type="link").to_frame()
    ratio = emm.contrast("revpairwise").to_frame()
    np.testing.assert_allclose(ratio["estimate"], np.exp(link["estimate"]), rtol=1e-12)
    np.testing.assert_allclose(ratio["p_value"], link["p_value"], rtol=1e-12)
    np.testing.assert_allclose(ratio["std_err"], ratio["estimate"] * link["std_err"], rtol=1e-12)


def test_tukey_on_a_method_not_pairwise_becomes_sidak(saturated):
    emm = gk.emmeans(saturated, "tension")
    table = emm.contrast("consec", "tukey")
    np.testing.assert_allclose(table.to_frame()["p_value"], emm.contrast("consec", "sidak").to_frame()["p_value"])
    assert any("sidak" in note for note in table.notes)


def test_link_slope_of_a_linear_term_is_its_coefficient(numeric_data):
    fit = gk.glm("y ~ x + z + g", numeric_data, family="poisson")
    table = gk.slopes(fit, ["x", "z"], type="link").to_frame()
    np.testing.assert_allclose(table["estimate"], fit.coef[["x", "z"]], rtol=1e-8)
    np.testing.assert_allclose(table["std_err"], fit.std_err[["x", "z"]], rtol=1e-6)


def test_response_slope_of_a_log_link_is_beta_times_mean_mu(numeric_data):
    fit = gk.glm("y ~ x + z + g", numeric_data, family="poisson")
    ame = gk.slopes(fit, "x").to_frame()["estimate"].iloc[0]
    np.testing.assert_allclose(ame, fit.coef["x"] * fit.fitted.mean(), rtol=1e-7)


def test_average_prediction_of_a_canonical_poisson_fit_is_the_mean_response(numeric_data):
    fit = gk.glm("y ~ x + z + g", numeric_data, family="poisson")
    np.testing.assert_allclose(gk.predictions(fit).to_frame()["estimate"], numeric_data["y"].mean(), rtol=1e-8)
    by = gk.predictions(fit, by="g").to_frame()
    np.testing.assert_allclose(by["estimate"], numeric_data.groupby("g")["y"].mean().loc[by["g"]], rtol=1e-8)


def test_gaussian_factor_comparison_is_the_coefficient(numeric_data):
    fit = gk.glm("w ~ x + z + g", numeric_data, family="gaussian")
    table = gk.comparisons(fit, "g").to_frame()
    np.testing.assert_allclose(table["estimate"], fit.coef[["g[T.b]", "g[T.c]"]], rtol=1e-10)
    np.testing.assert_allclose(table["std_err"], fit.std_err[["g[T.b]", "g[T.c]"]], rtol=1e-10)
    step = gk.comparisons(fit, {"x": 2.0}).to_frame()["estimate"].iloc[0]
    np.testing.assert_allclose(step, 2 * fit.coef["x"], rtol=1e-10)


def test_emmeans_df_follows_the_dispersion(numeric_data):
    gaussian = gk.glm("w ~ x + g", numeric_data, family="gaussian")
    poisson = gk.glm("y ~ x + g", numeric_data, family="poisson")
    assert gk.emmeans(gaussian, "g").df == gaussian.df_resid
    assert np.isinf(gk.emmeans(poisson, "g").df)
    assert np.isinf(gk.emmeans(gaussian, "g", df=np.inf).df)


def test_robust_covariance_by_name_or_matrix(numeric_data):
    fit = gk.glm("y ~ x + z + g", numeric_data, family="poisson")
    by_name = gk.emmeans(fit, "g", cov="HC0").to_frame()["std_err"]
    by_matrix = gk.emmeans(fit, "g", cov=fit.cov_robust("HC0")).to_frame()["std_err"]
    model = gk.emmeans(fit, "g").to_frame()["std_err"]
    np.testing.assert_allclose(by_name, by_matrix, rtol=1e-12)
    assert not np.allclose(by_name, model)
    slopes = gk.slopes(fit, "x", type="link", cov="HC1").to_frame()["std_err"].iloc[0]
    np.testing.assert_allclose(slopes, np.sqrt(fit.cov_robust("HC1").loc["x", "x"]), rtol=1e-6)


def test_at_sets_covariates_and_typical_newdata(numeric_data):
    fit = gk.glm("y ~ x + z + g", numeric_data, family="poisson")
    at = gk.emmeans(fit, "g", at={"x": 1.0, "z": 0.5}, type="link").to_frame()
    b = fit.coef
    expected = b["Intercept"] + b["x"] + 0.5 * b["z"] + np.array([0.0, b["g[T.b]"], b["g[T.c]"]])
    np.testing.assert_allclose(at["estimate"], expected, rtol=1e-12)
    typical = gk.predictions(fit, newdata="mean", at={"x": [0.0]}, type="link").to_frame()
    mode = numeric_data["g"].value_counts().index[0]
    expected = b["Intercept"] + numeric_data["z"].mean() * b["z"] + (b[f"g[T.{mode}]"] if mode != "a" else 0.0)
    np.testing.assert_allclose(typical["estimate"], expected, rtol=1e-12)


def test_results_are_frozen_copies_and_print(saturated, warpbreaks):
    before = warpbreaks.copy()
    emm = gk.emmeans(saturated, "tension", by="wool", type="response")
    pd.testing.assert_frame_equal(warpbreaks, before)
    with pytest.raises(dataclasses.FrozenInstanceError):
        emm.title = "x"  # type: ignore[misc]
    frame = emm.to_frame()
    frame.loc[0, "estimate"] = -1.0
    assert emm.to_frame().loc[0, "estimate"] > 0
    text = str(emm.contrast())
    assert "Contrasts (pairwise)" in text and "tukey" in text and "<.0001" in text


def test_bad_input_is_refused_with_a_message(saturated, warpbreaks):
    with pytest.raises(InputError, match="does not use"):
        gk.emmeans(saturated, "colour")
    with pytest.raises(InputError, match="levels"):
        gk.emmeans(saturated, "tension", at={"tension": ["X"]})
    with pytest.raises(UnknownNameError, match="pairwise"):
        gk.emmeans(saturated, "tension").contrast("all")
    with pytest.raises(UnknownNameError, match="tukey"):
        gk.emmeans(saturated, "tension").contrast("pairwise", "scheffe")
    with pytest.raises(UnknownNameError, match="response"):
        gk.predictions(saturated, type="mu")
    with pytest.raises(InputError, match="factors"):
        gk.slopes(saturated, "wool")
    with pytest.raises(UnknownNameError, match="ratioavg"):
        gk.comparisons(saturated, "wool", comparison="odds")
    with pytest.raises(InputError, match="4×4|6×6"):
        gk.emmeans(saturated, "wool", cov=np.eye(2))
    arrays = gk.glm_fit(np.arange(8.0)[:, None], [1, 1, 2, 3, 5, 8, 9, 12], family="poisson")
    with pytest.raises(InputError, match="formula fit"):
        gk.slopes(arrays)


def test_unit_level_predictions_match_predict_with_intervals():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=200), "g": rng.choice(["a", "b"], 200)})
    frame["y"] = rng.binomial(1, 1 / (1 + np.exp(-(0.3 + frame["x"]))))
    fit = gk.glm("y ~ x + g", frame, family="binomial")
    ours = gk.predictions(fit, average=False).to_frame()
    theirs = fit.predict(interval="confidence", se=True)
    for ours_name, their_name in (("estimate", "fit"), ("std_err", "se"), ("lower", "lower"), ("upper", "upper")):
        np.testing.assert_allclose(ours[ours_name], theirs[their_name], rtol=1e-10)


def test_polars_data_and_dropped_rows_give_the_pandas_answer(numeric_data):
    polars = pytest.importorskip("polars")
    data = numeric_data.copy()
    data.loc[[3, 10], "x"] = np.nan
    on_pandas = gk.glm("y ~ x + z + g", data, family="poisson")
    on_polars = gk.glm("y ~ x + z + g", polars.from_pandas(data), family="poisson")
    for table in (lambda f: gk.slopes(f, by="g"), lambda f: gk.emmeans(f, "g", type="response"),
                  lambda f: gk.comparisons(f, "g", comparison="ratioavg")):
        np.testing.assert_allclose(table(on_polars).to_frame()["estimate"], table(on_pandas).to_frame()["estimate"],
                                   rtol=1e-10)
    assert gk.predictions(on_pandas).to_frame()["estimate"].iloc[0] == pytest.approx(data["y"][data["x"].notna()].mean())
