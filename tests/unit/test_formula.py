"""The formula front end: R's na.omit, offsets in the formula and as arguments, cbind
responses, binomial trials, categorical responses and re-encoding of new data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InputError
from glmkit.intake.formula import split_offsets


@pytest.fixture
def df():
    rng = np.random.default_rng(0)
    n = 120
    d = pd.DataFrame({
        "x": rng.normal(size=n),
        "g": rng.choice(["a", "b", "c"], size=n),
        "t": rng.uniform(1, 4, size=n),
    })
    d["y"] = rng.poisson(d["t"] * np.exp(0.2 + 0.3 * d["x"] + (d["g"] == "b") * 0.4)).astype(float)
    return d


def test_split_offsets():
    assert split_offsets("x + offset(np.log(t)) + C(g)") == ("x + C(g)", ["np.log(t)"])
    assert split_offsets("offset(a) + x") == ("x", ["a"])
    assert split_offsets("offset(log(f(a, b)))") == ("1", ["log(f(a, b))"])


def test_formula_offset_equals_argument_offset(df):
    a = gk.glm("y ~ x + C(g) + offset(np.log(t))", data=df, family="poisson")
    df2 = df.assign(lt=np.log(df["t"]))
    b = gk.glm("y ~ x + C(g)", data=df2, family="poisson", offset="lt")
    c = gk.glm("y ~ x + C(g)", data=df, family="poisson", offset=np.log(df["t"].to_numpy()))
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)
    np.testing.assert_allclose(a.coef, c.coef, rtol=1e-12)
    # offsets are re-applied on new data: from the formula and from a named column
    new = df2.iloc[:5].assign(t=df2["t"].iloc[:5] * 2, lt=np.log(df2["t"].iloc[:5] * 2))
    np.testing.assert_allclose(a.predict(new), b.predict(new), rtol=1e-12)
    np.testing.assert_allclose(a.predict(new), 2 * a.predict(df.iloc[:5]), rtol=1e-12)
    with pytest.raises(InputError, match="pass offset= to predict"):
        c.predict(df.iloc[:5])
    np.testing.assert_allclose(c.predict(df.iloc[:5], offset=np.log(df["t"].iloc[:5])), a.predict(df.iloc[:5]), rtol=1e-12)


def test_missing_values_dropped_and_counted(df):
    d = df.copy()
    d.loc[[3, 10], "x"] = np.nan
    d.loc[20, "g"] = None
    d.loc[30, "t"] = np.nan
    fit = gk.glm("y ~ x + C(g) + offset(np.log(t))", data=d, family="poisson")
    assert fit.n_dropped == 4 and fit.n_obs == len(d) - 4
    assert "4 observations deleted due to missingness" in str(fit.summary())
    assert list(fit.fitted.index[:4]) == [0, 1, 2, 4]
    ref = gk.glm("y ~ x + C(g) + offset(np.log(t))", data=d.drop(index=[3, 10, 20, 30]), family="poisson")
    np.testing.assert_allclose(fit.coef, ref.coef, rtol=1e-12)
    with pytest.raises(InputError, match="missing"):
        gk.glm("y ~ x + C(g)", data=d, family="poisson", na_action="raise")


def test_weights_with_missing_values_are_dropped(df):
    w = np.ones(len(df))
    w[5] = np.nan
    fit = gk.glm("y ~ x", data=df, family="poisson", weights=w)
    assert fit.n_dropped == 1


def test_binomial_response_forms_agree():
    rng = np.random.default_rng(1)
    n = rng.integers(1, 12, size=40).astype(float)
    x = rng.normal(size=40)
    s = rng.binomial(n.astype(int), 1 / (1 + np.exp(-(0.2 + 0.8 * x)))).astype(float)
    d = pd.DataFrame({"s": s, "f": n - s, "n": n, "x": x, "p": s / n})
    a = gk.glm("cbind(s, f) ~ x", data=d, family="binomial")
    b = gk.glm("s ~ x", data=d, family="binomial", trials="n")
    c = gk.glm("p ~ x", data=d, family="binomial", weights="n")
    for other in (b, c):
        np.testing.assert_allclose(a.coef, other.coef, rtol=1e-12)
        np.testing.assert_allclose(a.std_err, other.std_err, rtol=1e-10)
        np.testing.assert_allclose(a.aic, other.aic, rtol=1e-12)
    # 0/1 rows expanded: the same MLE
    rows = pd.DataFrame({"y": np.r_[np.ones(int(s.sum())), np.zeros(int((n - s).sum()))],
                         "x": np.r_[np.repeat(x, s.astype(int)), np.repeat(x, (n - s).astype(int))]})
    e = gk.glm("y ~ x", data=rows, family="binomial")
    np.testing.assert_allclose(a.coef, e.coef, rtol=1e-9)


def test_trials_out_of_range():
    d = pd.DataFrame({"s": [1.0, 5.0], "n": [3.0, 4.0], "x": [0.0, 1.0]})
    with pytest.raises(gk.DomainError, match=r"y = 5.0, trials = 4.0"):
        gk.glm("s ~ x", data=d, family="binomial", trials="n")


def test_categorical_response_first_level_is_failure():
    rng = np.random.default_rng(2)
    x = rng.normal(size=80)
    lab = np.where(rng.uniform(size=80) < 1 / (1 + np.exp(-x)), "yes", "no")
    d = pd.DataFrame({"lab": lab, "x": x, "y": (lab == "yes").astype(float)})
    a = gk.glm("lab ~ x", data=d, family="binomial")
    b = gk.glm("y ~ x", data=d, family="binomial")
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-12)


def test_no_intercept_and_interactions(df):
    fit = gk.glm("y ~ x * C(g) - 1", data=df, family="poisson")
    assert "Intercept" not in fit.coef.index
    assert fit.df_null == fit.n_obs
    assert list(fit.coef.index) == ["x", "C(g)[a]", "C(g)[b]", "C(g)[c]", "x:C(g)[T.b]", "x:C(g)[T.c]"]


def test_predict_with_se_matches_delta_method(df):
    fit = gk.glm("y ~ x + C(g) + offset(np.log(t))", data=df, family="poisson")
    new = df.iloc[:7]
    link = fit.predict(new, kind="link", se=True)
    resp = fit.predict(new, kind="response", se=True)
    np.testing.assert_allclose(resp["fit"], np.exp(link["fit"]), rtol=1e-12)
    np.testing.assert_allclose(resp["se"], np.exp(link["fit"]) * link["se"], rtol=1e-12)
    X = np.column_stack([np.ones(7), new["x"], new["g"] == "b", new["g"] == "c"]).astype(float)
    np.testing.assert_allclose(link["se"], np.sqrt(np.einsum("ij,jk,ik->i", X, fit.cov.to_numpy(), X)), rtol=1e-10)
    np.testing.assert_allclose(fit.predict(kind="link"), fit.linear_predictor, rtol=1e-12)


def test_bare_column_formula_fast_path_matches_formulaic(df):
    fast = gk.glm("y ~ x + t", data=df, family="poisson")
    slow = gk.glm("y ~ I(x) + I(t)", data=df, family="poisson")  # forces formulaic
    np.testing.assert_allclose(fast.coef.to_numpy(), slow.coef.to_numpy(), rtol=1e-12)
    assert list(fast.coef.index) == ["Intercept", "x", "t"]
    np.testing.assert_allclose(fast.predict(df.iloc[:4], se=True), slow.predict(df.iloc[:4], se=True), rtol=1e-12)
    assert list(fast.data_spec.rhs_spec.column_names) == ["Intercept", "x", "t"]
    no_int = gk.glm("y ~ x + t - 1", data=df, family="poisson")
    assert list(no_int.coef.index) == ["x", "t"]
    table = gk.anova(fast, test="Chisq")
    assert len(table) == 3
