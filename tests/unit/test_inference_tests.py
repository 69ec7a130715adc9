"""Analysis of deviance, Wald and score tests, profile intervals: internal identities."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import stats

import glmkit as gk
from glmkit.datasets import load_warpbreaks


@pytest.fixture(scope="module")
def breaks():
    return load_warpbreaks()


@pytest.fixture(scope="module")
def poisson_fit(breaks):
    return gk.glm("breaks ~ wool + tension", breaks, family="poisson")


def test_sequential_deviances_add_up(poisson_fit):
    table = gk.anova(poisson_fit)
    assert table["Deviance"].sum() == pytest.approx(poisson_fit.null_deviance - poisson_fit.deviance, rel=1e-10)
    assert table["Df"].sum() == poisson_fit.df_null - poisson_fit.df_resid
    assert table.index.tolist() == ["NULL", "wool", "tension"]


def test_nested_anova_equals_last_sequential_step(breaks, poisson_fit):
    small = gk.glm("breaks ~ wool", breaks, family="poisson")
    nested = gk.anova(small, poisson_fit, test="Chisq")
    seq = gk.anova(poisson_fit, test="Chisq")
    assert nested["Deviance"].iloc[1] == pytest.approx(seq["Deviance"].iloc[2], rel=1e-10)
    assert nested["Pr(>Chi)"].iloc[1] == pytest.approx(seq["Pr(>Chi)"].iloc[2], rel=1e-8)


def test_array_fits_have_one_term_per_column():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = rng.poisson(np.exp(0.2 + X @ [0.4, 0.0, -0.3]))
    fit = gk.glm_fit(X, y, family="poisson")
    assert gk.anova(fit).index.tolist() == ["NULL", "x1", "x2", "x3"]
    table = gk.drop1(fit, test="Chisq")
    assert table.index.tolist() == ["<none>", "x1", "x2", "x3"]
    # one coefficient: the LRT is close to, and the Wald test exactly, z².
    z = fit.statistic["x1"]
    wald = gk.wald_test(fit, terms="x1")
    assert wald.statistic == pytest.approx(z**2, rel=1e-12)
    assert wald.p_value == pytest.approx(fit.p_values["x1"], rel=1e-10)


def test_wald_test_by_matrix_and_rhs(poisson_fit):
    names = list(poisson_fit.names)
    L = np.zeros((1, len(names)))
    L[0, names.index("wool[T.B]")] = 1.0
    b = poisson_fit.coef["wool[T.B]"]
    se = poisson_fit.std_err["wool[T.B]"]
    res = gk.wald_test(poisson_fit, L, rhs=[-0.1])
    assert res.statistic == pytest.approx(((b + 0.1) / se) ** 2, rel=1e-12)
    assert res.df == 1 and res.test == "Chisq"
    with pytest.raises(ValueError):
        gk.wald_test(poisson_fit)
    with pytest.raises(ValueError, match="not a term|neither"):
        gk.wald_test(poisson_fit, terms="nonexistent")


def test_wald_f_when_dispersion_estimated(breaks):
    fit = gk.glm("breaks ~ wool + tension", breaks, family="quasipoisson")
    res = gk.wald_test(fit, terms="tension")
    assert res.test == "F" and res.df == 2 and res.df_denom == fit.df_resid
    chi = gk.wald_test(fit, terms="tension", test="Chisq")
    assert res.statistic == pytest.approx(chi.statistic / 2, rel=1e-12)


def test_score_test_is_close_to_lrt(breaks, poisson_fit):
    small = gk.glm("breaks ~ wool", breaks, family="poisson")
    score = gk.score_test(small, poisson_fit)
    lrt = poisson_fit.deviance - small.deviance
    assert score.df == 2
    assert score.statistic == pytest.approx(-lrt, rel=0.1)
    with pytest.raises(ValueError):
        gk.score_test(poisson_fit, small)


def test_drop1_respects_marginality(breaks):
    fit = gk.glm("breaks ~ wool * tension", breaks, family="poisson")
    assert gk.drop1(fit).index.tolist() == ["<none>", "wool:tension"]
    assert gk.drop1(fit, scope=["wool:tension"]).shape[0] == 2


def test_add1_needs_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1))
    fit = gk.glm_fit(X, rng.poisson(2.0, 20), family="poisson")
    with pytest.raises(ValueError, match="formula fit"):
        gk.add1(fit, "x2")


def test_unknown_test_is_refused(poisson_fit):
    with pytest.raises(ValueError, match="Chisq"):
        gk.anova(poisson_fit, test="Wilks")


def test_f_test_with_fixed_dispersion_warns(poisson_fit):
    with pytest.warns(UserWarning, match="inappropriate"):
        gk.anova(poisson_fit, test="F")


def test_profile_equals_wald_for_gaussian_identity():
    # D(b) − D = (b − b̂)²/v exactly, so z(b) = (b − b̂)/SE and the profile interval is Wald's.
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40, 2))
    y = 0.5 + X @ [1.0, -2.0] + rng.normal(size=40)
    fit = gk.glm_fit(X, y)
    np.testing.assert_allclose(fit.conf_int(method="profile").to_numpy(), fit.conf_int().to_numpy(),
                               rtol=1e-9)


def test_profile_end_points_are_roots(poisson_fit):
    from glmkit.inference.profile import profile_statistic

    ci = poisson_fit.conf_int(level=0.9, method="profile")
    j = list(poisson_fit.names).index("wool[T.B]")
    z = profile_statistic(poisson_fit.model, j, ci.iloc[j].to_numpy(), 1.0, list(poisson_fit.names))
    np.testing.assert_allclose(z, stats.norm.ppf([0.05, 0.95]), rtol=1e-9)


def test_profile_under_separation_is_unbounded():
    x = np.array([0.0, 1, 2, 3, 4, 5, 6, 7])
    y = np.array([0.0, 0, 0, 1, 0, 1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = gk.glm_fit(x[:, None], y, family="binomial")
        ci = fit.conf_int(method="profile")
    assert np.all(np.isfinite(ci.to_numpy()))
    xs = np.array([0.0, 1, 2, 3, 4, 5])
    ys = np.array([0.0, 0, 0, 1, 1, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sep = gk.glm_fit(xs[:, None], ys, family="binomial")
        ci = sep.conf_int(method="profile")
    assert ci.loc["x1", "upper"] == np.inf or ci.loc["x1", "upper"] > 10
