"""fit.update (R's update) and gk.step (R's step) beyond the R paths of tests/reference:
an update is the fit its arguments describe; step's rules and refusals."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InferenceError, InputError, NoTrainingDataError, UnknownNameError


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    n = 120
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n), "g": rng.choice(["a", "b", "c"], n),
                       "t": rng.uniform(1, 3, size=n), "w": rng.integers(1, 4, size=n).astype(float)})
    df["y"] = rng.poisson(df["t"] * np.exp(0.3 + 0.5 * df["x"] - 0.2 * (df["g"] == "b")))
    return df


def _same_fit(a, b):
    assert a.formula == b.formula
    assert a.names == b.names
    np.testing.assert_allclose(a.coef.to_numpy(), b.coef.to_numpy(), rtol=1e-10, atol=1e-12)
    assert a.deviance == pytest.approx(b.deviance, rel=1e-12)


@pytest.mark.parametrize("change, direct", [
    (". ~ . - x + z", "y ~ g + z + offset(np.log(t))"),
    ("~ . + x:g", "y ~ x + g + x:g + offset(np.log(t))"),
    ("~ .^2", "y ~ x + g + x:g + offset(np.log(t))"),
    ("~ . - 1", "y ~ x + g + offset(np.log(t)) - 1"),
    ("~ z", "y ~ z"),  # no '.': the old right-hand side, offset included, is replaced (R)
    ("np.sqrt(.) ~ .", "np.sqrt(y) ~ x + g + offset(np.log(t))"),
])
def test_update_formula_is_the_direct_fit(data, change, direct):
    fit = gk.glm("y ~ x + g + offset(np.log(t))", data, family="poisson")
    family = "gaussian" if change.startswith("np.sqrt") else "poisson"
    updated = fit.update(change, family=family)
    _same_fit(updated, gk.glm(direct, data, family=family))


def test_update_changes_any_argument(data):
    fit = gk.glm("y ~ x + g", data, family="poisson")
    _same_fit(fit.update(weights="w"), gk.glm("y ~ x + g", data, family="poisson", weights="w"))
    _same_fit(fit.update(offset=np.log(data["t"].to_numpy())),
              gk.glm("y ~ x + g", data, family="poisson", offset=np.log(data["t"].to_numpy())))
    _same_fit(fit.update(data=data.iloc[:80]), gk.glm("y ~ x + g", data.iloc[:80], family="poisson"))
    quasi = fit.update(family="quasipoisson")
    assert quasi.family.name == "quasipoisson" and quasi.dispersion_is_estimated
    assert fit.update(weights="w").update(weights=None).deviance == pytest.approx(fit.deviance, rel=1e-12)
    assert fit.family.name == "poisson"  # the original is untouched
    with pytest.raises(TypeError, match="famly"):
        fit.update(famly="gaussian")
    with pytest.raises(TypeError, match="twice"):
        fit.update("~ .", formula="y ~ x")


def test_update_of_an_array_fit_changes_arguments_only(data):
    X = data[["x", "z"]].to_numpy()
    fit = gk.glm_fit(X, data["y"], family="poisson")
    w = data["w"].to_numpy()
    _same_fit(fit.update(weights=w), gk.glm_fit(X, data["y"], family="poisson", weights=w))
    _same_fit(fit.update(X=X[:, :1]), gk.glm_fit(X[:, :1], data["y"], family="poisson"))
    with pytest.raises(InputError, match="from arrays"):
        fit.update("~ . - x1")


def test_update_of_glm_nb_estimates_theta_again(data):
    fit = gk.glm_nb("y ~ x + g", data)
    smaller = fit.update(". ~ . - g")
    direct = gk.glm_nb("y ~ x", data)
    assert smaller.theta == pytest.approx(direct.theta, rel=1e-10)
    assert smaller.theta != pytest.approx(fit.theta, rel=1e-6)


def test_update_after_a_data_free_pickle_asks_for_the_data(data):
    fit = gk.glm("y ~ x + g", data, family="poisson")
    slim = pickle.loads(pickle.dumps(fit))
    with pytest.raises(NoTrainingDataError, match="data"):
        slim.update(". ~ . - g")
    _same_fit(slim.update(". ~ . - g", data=data), gk.glm("y ~ x", data, family="poisson"))
    kept = pickle.loads(pickle.dumps(fit.keep_data()))
    _same_fit(kept.update(". ~ . - g"), gk.glm("y ~ x", data, family="poisson"))


def test_update_of_a_loaded_model_is_refused(data, tmp_path):
    fit = gk.glm("y ~ x + g", data, family="poisson")
    fit.save(tmp_path / "m.json")
    loaded = gk.load(tmp_path / "m.json")
    assert loaded.call is None
    with pytest.raises(InputError, match="does not record"):
        loaded.update(". ~ . - g")


# -- step ------------------------------------------------------------------------------------

def test_step_with_k_log_n_is_bic(data):
    fit = gk.glm("y ~ x + z + g", data, family="poisson")
    result = gk.step(fit, k=np.log(len(data)))
    assert result.path[0].aic == pytest.approx(fit.bic, rel=1e-12)
    assert result.path[-1].aic == pytest.approx(result.fit.bic, rel=1e-12)
    assert result.k == np.log(len(data))


def test_step_respects_marginality_and_the_lower_scope(data):
    fit = gk.glm("y ~ x * g + z", data, family="poisson")
    result = gk.step(fit, scope={"lower": "~ z"}, direction="backward")
    dropped = [p.step for p in result.path[1:]]
    # x and g are not dropped while x:g is in the model; z is in the lower scope
    if "- x:g" in dropped:
        assert dropped.index("- x:g") < min((dropped.index(s) for s in ("- x", "- g") if s in dropped), default=99)
    else:
        assert "- x" not in dropped and "- g" not in dropped
    assert "- z" not in dropped
    assert "z" in result.fit.formula


def test_step_forward_adds_main_effects_before_their_interaction(data):
    fit = gk.glm("y ~ 1", data, family="poisson")
    result = gk.step(fit, scope="~ x * g", direction="forward")
    steps = [p.step for p in result.path[1:]]
    assert steps[:2] in (["+ x", "+ g"], ["+ g", "+ x"])
    assert all(b <= a + 1e-7 for a, b in zip(result.anova["AIC"], result.anova["AIC"].iloc[1:]))


def test_step_refuses_a_change_of_rows(data):
    df = data.copy()
    df["u"] = np.random.default_rng(4).normal(size=len(df))  # noise: dropping it lowers the AIC (checked)
    df.loc[:9, "u"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = gk.glm("y ~ x + u", df, family="poisson")
    assert fit.n_obs == len(df) - 10
    table = gk.drop1(fit)
    assert table.loc["u", "AIC"] < table.loc["<none>", "AIC"]
    with pytest.raises(InputError, match="rows in use has changed"):
        gk.step(fit)  # without u the refit would use the 10 rows u lacks


def test_step_refusals(data):
    fit = gk.glm("y ~ x + g", data, family="poisson")
    with pytest.raises(UnknownNameError, match="sideways"):
        gk.step(fit, direction="sideways")
    with pytest.raises(InputError, match="lower scope"):
        gk.step(fit, scope={"lower": "~ z"})
    with pytest.raises(InputError, match="upper scope"):
        gk.step(fit, scope="~ x + z")
    with pytest.raises(InputError, match="keys"):
        gk.step(fit, scope={"upper": "~ .", "middle": "~ x"})
    with pytest.raises(InferenceError, match="AIC is not defined"):
        gk.step(fit.update(family="quasipoisson"))
    with pytest.raises(InputError, match="from arrays"):
        gk.step(gk.glm_fit(data[["x", "z"]].to_numpy(), data["y"], family="poisson"))


def test_step_result_prints_r_s_table(data):
    result = gk.step(gk.glm("y ~ x + z + g", data, family="poisson"))
    text = str(result)
    assert text.startswith("Stepwise Model Path")
    assert "Initial Model:\ny ~ x + z + g" in text
    assert list(result.anova.columns) == ["Step", "Df", "Deviance", "Resid. Df", "Resid. Dev", "AIC"]
    assert result.anova["Step"].iloc[0] == ""


def test_step_keeps_offsets_and_arguments(data):
    fit = gk.glm("y ~ x + z + g + offset(np.log(t))", data, family="poisson", weights="w")
    result = gk.step(fit, scope="~ . + x:g")
    final = result.fit
    assert "offset(np.log(t))" in final.formula and final.call.arguments["weights"] == "w"
    direct = gk.glm(final.formula, data, family="poisson", weights="w")
    assert final.deviance == pytest.approx(direct.deviance, rel=1e-12)
    assert result.path[-1].resid_dev == pytest.approx(final.deviance, rel=1e-12)
    assert result.path[-1].aic == pytest.approx(final.aic, rel=1e-12)
