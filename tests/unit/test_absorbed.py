"""Absorbed fixed effects equal the dummy-variable fit (glmkit's own C(g) fit), every family.

The dummy-variable fit goes through glmkit's ordinary route (IRLS on the full design, whose
equality with R's glm is tested in tests/reference); the absorbed fit must give the same
coefficients, standard errors (model-based, HC and clustered), deviance, AIC and degrees
of freedom, to 1e-8.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.design import FixedEffects
from glmkit.errors import DataWarning, FormulaError, InputError

RTOL = 1e-8


def _data(family: str, seed: int = 0, n: int = 1200, g1: int = 30, g2: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    firm, year = rng.integers(0, g1, n), rng.integers(0, g2, n)
    x = rng.normal(size=(n, 2))
    eta = 0.3 * x[:, 0] - 0.2 * x[:, 1] + 0.4 * rng.normal(size=g1)[firm] + 0.3 * rng.normal(size=g2)[year]
    if family == "binomial":
        y = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    elif family in ("poisson", "negative_binomial"):
        y = rng.poisson(np.exp(eta) * (rng.gamma(2.0, 0.5, n) if family == "negative_binomial" else 1.0)).astype(float)
    elif family == "gamma":
        y = rng.gamma(3.0, np.exp(eta) / 3.0)
    else:
        y = eta + rng.normal(size=n)
    return pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1], "firm": firm, "year": year,
                         "w": rng.uniform(0.5, 2.0, n), "t": rng.uniform(0.5, 2.0, n)})


CASES = [
    ("poisson", None), ("binomial", "logit"), ("binomial", "probit"), ("binomial", "cloglog"),
    ("gaussian", None), ("gamma", "log"), ("negative_binomial", None),
]


def _compare(absorbed, dummy, names=("x1", "x2"), null: bool = True) -> None:
    names = list(names)
    np.testing.assert_allclose(absorbed.coef[names], dummy.coef[names], rtol=RTOL, atol=1e-12)
    np.testing.assert_allclose(absorbed.std_err[names], dummy.std_err[names], rtol=RTOL)
    np.testing.assert_allclose(absorbed.deviance, dummy.deviance, rtol=1e-10)
    assert absorbed.df_resid == dummy.df_resid and absorbed.n_obs == dummy.n_obs
    np.testing.assert_allclose(absorbed.aic, dummy.aic, rtol=1e-10)
    if null:
        np.testing.assert_allclose(absorbed.null_deviance, dummy.null_deviance, rtol=1e-8)


@pytest.mark.parametrize("family,link", CASES)
def test_two_way_equals_dummies_with_weights_and_offset(family, link):
    df = _data(family)
    kw = dict(link=link, weights="w") if family != "negative_binomial" else dict(weights="w")
    off = "offset(np.log(t))" if family in ("poisson", "negative_binomial", "gamma") else "t"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        absorbed = gk.glm(f"y ~ x1 + x2 + {off} | firm + year", df, family, **kw)
    kept = df.loc[absorbed.index]
    dummy = gk.glm(f"y ~ x1 + x2 + {off} + C(firm) + C(year)", kept, family, **kw)
    # (glm.nb's null deviance is refitted at the final θ by its own route: not compared here)
    _compare(absorbed, dummy, null=family != "negative_binomial")
    if family == "negative_binomial":
        np.testing.assert_allclose(absorbed.theta, dummy.theta, rtol=1e-7)


@pytest.mark.parametrize("family", ["poisson", "gaussian"])
def test_combined_effects_equal_interaction_dummies(family):
    df = _data(family, seed=1, n=1500, g1=12, g2=4)
    absorbed = gk.glm("y ~ x1 + x2 | firm^year + year", df, family)
    dummy = gk.glm("y ~ x1 + x2 + C(firm):C(year)", df.loc[absorbed.index], family)
    _compare(absorbed, dummy)


def test_robust_and_clustered_standard_errors_equal_dummies():
    df = _data("poisson", seed=2)
    absorbed = gk.glm("y ~ x1 + x2 | firm + year", df, "poisson")
    dummy = gk.glm("y ~ x1 + x2 + C(firm) + C(year)", df.loc[absorbed.index], "poisson")
    for kind in ("HC0", "HC1"):
        np.testing.assert_allclose(absorbed.cov_robust(kind).loc[["x1", "x2"], ["x1", "x2"]],
                                   dummy.cov_robust(kind).loc[["x1", "x2"], ["x1", "x2"]], rtol=1e-7)
    for cluster in (df.loc[absorbed.index, "firm"], df.loc[absorbed.index, ["firm", "year"]]):
        np.testing.assert_allclose(absorbed.cov_robust("CR1", cluster=cluster).loc[["x1", "x2"], ["x1", "x2"]],
                                   dummy.cov_robust("CR1", cluster=cluster).loc[["x1", "x2"], ["x1", "x2"]], rtol=1e-7)


def test_poisson_groups_all_zero_are_dropped_and_counted():
    df = _data("poisson", seed=3)
    df.loc[df.firm.isin([2, 5]), "y"] = 0.0
    with pytest.warns(DataWarning, match=r"rows dropped \(2 groups of firm\)"):
        absorbed = gk.glm("y ~ x1 + x2 | firm + year", df, "poisson")
    assert absorbed.n_obs == int((~df.firm.isin([2, 5])).sum())
    dummy = gk.glm("y ~ x1 + x2 + C(firm) + C(year)", df[~df.firm.isin([2, 5])], "poisson")
    _compare(absorbed, dummy)


def test_binomial_groups_all_one_are_dropped():
    df = _data("binomial", seed=4)
    df.loc[df.firm == 7, "y"] = 1.0
    with pytest.warns(DataWarning, match="all 0 or all 1"):
        absorbed = gk.glm("y ~ x1 + x2 | firm", df, "binomial")
    assert absorbed.n_obs == int((df.firm != 7).sum())


def test_covariate_constant_within_groups_is_aliased():
    df = _data("poisson", seed=5)
    df["size"] = np.random.default_rng(0).normal(size=30)[df.firm]
    with pytest.warns(gk.errors.AliasingWarning, match="size"):
        absorbed = gk.glm("y ~ x1 + size + x2 | firm + year", df, "poisson")
    assert np.isnan(absorbed.coef["size"]) and np.isfinite(absorbed.coef["x1"])


@pytest.mark.parametrize("levels", [(20, 7), (20, 7, 5)])  # exact two-way; accelerated projections
def test_demeaning_is_the_weighted_projection(levels):
    rng = np.random.default_rng(6)
    n = 400
    codes = tuple(rng.integers(0, g, n) for g in levels)
    M, w = rng.normal(size=(n, 3)), rng.uniform(0.2, 3.0, n)
    D = np.column_stack([np.eye(g)[c] for g, c in zip(levels, codes)])
    sw = np.sqrt(w)[:, None]
    expected = M - D @ np.linalg.lstsq(sw * D, sw * M, rcond=None)[0]
    demeaned = FixedEffects(codes, levels, tuple("abc"[:len(levels)])).demean(M, w)
    assert demeaned.converged
    np.testing.assert_allclose(demeaned.residual, expected, atol=1e-10)


def test_bad_input_names_the_column():
    df = _data("poisson")
    with pytest.raises(InputError, match="'plant'"):
        gk.glm("y ~ x1 | plant", df, "poisson")
    with pytest.raises(FormulaError, match="firm\\[x1\\]"):
        gk.glm("y ~ x1 | firm[x1]", df, "poisson")
    bad = df.astype({"firm": float})
    bad.loc[0, "firm"] = np.nan
    with pytest.raises(InputError, match="firm"):
        gk.glm("y ~ x1 | firm", bad, "poisson", na_action="raise")
    zero = df.assign(y=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        with pytest.raises(InputError, match="Every row was dropped"):
            gk.glm("y ~ x1 | firm", zero, "poisson")
    with pytest.raises(InputError, match="absorbed"):
        gk.glm("y ~ x1 | firm", df, "poisson", solver="lbfgs")
    explained = df.assign(y=df.firm * 0.5 + 1.0)
    with pytest.raises(InputError, match="constant within every level of the absorbed factor firm"):
        gk.glm("y ~ x1 | firm + year", explained, "gaussian")


def test_array_door_absorb_equals_formula():
    df = _data("poisson", seed=7)
    formula = gk.glm("y ~ x1 + x2 | firm + year", df, "poisson")
    arrays = gk.glm_fit(df[["x1", "x2"]].to_numpy(), df.y.to_numpy(), "poisson", absorb=df[["firm", "year"]],
                        feature_names=["x1", "x2"])
    np.testing.assert_allclose(arrays.coef.to_numpy(), formula.coef.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(arrays.std_err.to_numpy(), formula.std_err.to_numpy(), rtol=1e-12)
    with pytest.raises(InputError, match="penalised"):
        gk.glm_fit(df[["x1"]].to_numpy(), df.y.to_numpy(), "poisson", absorb=df.firm.to_numpy(), alpha=0.1)


def test_fixef_and_predict_reproduce_the_linear_predictor():
    df = _data("poisson", seed=8)
    fit = gk.glm("y ~ x1 + x2 + offset(np.log(t)) | firm + year", df, "poisson")
    effects = fit.fixef()
    assert effects["year"].iloc[0] == 0.0  # fixest's reference: the first level of the second factor
    eta = (df.x1 * fit.coef["x1"] + df.x2 * fit.coef["x2"] + np.log(df.t)
           + effects["firm"].loc[df.firm].to_numpy() + effects["year"].loc[df.year].to_numpy())
    np.testing.assert_allclose(eta.to_numpy(), fit.linear_predictor.to_numpy(), rtol=1e-10)
    np.testing.assert_allclose(fit.predict(df.iloc[:50], kind="link").to_numpy(), eta.iloc[:50], rtol=1e-10)
    unseen = df.iloc[:3].assign(firm=999)
    with pytest.raises(gk.errors.UnseenLevelError, match="firm"):
        fit.predict(unseen)


def test_refits_are_refused_but_nested_fits_compare():
    df = _data("poisson", seed=9)
    small = gk.glm("y ~ x1 | firm + year", df, "poisson")
    large = gk.glm("y ~ x1 + x2 | firm + year", df, "poisson")
    table = gk.anova(small, large)
    dummy = gk.anova(gk.glm("y ~ x1 + C(firm) + C(year)", df, "poisson"),
                     gk.glm("y ~ x1 + x2 + C(firm) + C(year)", df, "poisson"))
    np.testing.assert_allclose(table.to_numpy(dtype=float), dummy.to_numpy(dtype=float), rtol=1e-9)
    for refit in (lambda: gk.anova(large), lambda: large.conf_int(method="profile")):
        with pytest.raises(InputError, match="absorbs factors"):
            refit()


def test_many_level_factor_terms_take_the_absorbed_route():
    df = _data("poisson", seed=10, n=3000, g1=250, g2=6)
    auto = gk.glm("y ~ x1 + x2 + C(year) + C(firm)", df, "poisson")
    assert "C(firm)[T.1]" not in auto.names and "C(year)[T.1]" in auto.names
    assert auto.model.problem.design.absorbed.names == ("firm",)
    dummies = [pd.get_dummies(df[c].astype("category"), prefix=c, drop_first=True, dtype=float) for c in ("year", "firm")]
    X = pd.concat([df[["x1", "x2"]], *dummies], axis=1)
    dummy = gk.glm_fit(X.to_numpy(), df.y.to_numpy(), "poisson")  # arrays: no automatic absorption
    names = ["x1", "x2"] + [f"C(year)[T.{k}]" for k in range(1, 6)]
    np.testing.assert_allclose(auto.coef[names].to_numpy(), dummy.coef.iloc[1:8].to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(auto.std_err[names].to_numpy(), dummy.std_err.iloc[1:8].to_numpy(), rtol=RTOL)
    np.testing.assert_allclose(auto.predict(df.iloc[:20], kind="link").to_numpy(),
                               auto.linear_predictor.iloc[:20].to_numpy(), rtol=1e-10)
    assert list(auto.fixef()) == ["firm"]
    penalised = gk.glm("y ~ x1 + C(firm)", df, "poisson", alpha=1e-3)
    assert "C(firm)[T.1]" in penalised.names


def test_separation_by_a_covariate_is_reported():
    df = _data("binomial", seed=11)
    df["sep"] = (df.x1 > 0).astype(float) + 0.01 * np.random.default_rng(1).normal(size=len(df))
    df["y"] = (df.x1 > 0).astype(float)
    with pytest.warns(gk.errors.SeparationWarning, match="sep"):
        gk.glm("y ~ sep + x2 | firm", df, "binomial")
