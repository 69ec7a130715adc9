"""glmkit's likelihood and robust inference against R (stats, MASS, sandwich).

Cases, data and R's numbers come from ``r/inference.R`` (``expected/inference.json``);
every model is fitted once through the public API (``gk.glm``) and each test compares one
group of quantities.

Tolerance: relative 1e-6 throughout, with an absolute floor only where the R value can be
(near) zero and a relative comparison would measure rounding noise: covariance entries
(atol 1e-6 × the largest entry of the matrix), residual-like vectors (1e-7, see RESID_ATOL)
and p-values (1e-12). MASS's spline-interpolated profile intervals are compared at 1e-4 only (see
``test_profile_intervals_against_mass``); the exact R roots at 1e-6.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import glmkit as gk

REFERENCE = "inference"
RTOL = 1e-6
_HERE = Path(__file__).parent
# Residual-like vectors (order 1) get an absolute floor of 1e-7: R stops IRLS on the relative
# change of the deviance (1e-14 here), which pins the coefficients only to ~√1e-14 = 1e-7, so
# residuals that are nearly zero differ by ~1e-8 in absolute terms (seen: 2e-8 on 0.02).
RESID_ATOL = 1e-7
REF = json.loads((_HERE / "expected" / f"{REFERENCE}.json").read_text(encoding="utf-8"))


def load_dataset(name: str) -> pd.DataFrame:
    return pd.read_csv(_HERE / "data" / f"{name}.csv")


def _family(case: dict[str, Any]) -> Any:
    fam = case["family"]
    args = case.get("family_args") or {}
    if fam == "negative_binomial":
        return gk.NegativeBinomial(theta=float(args["theta"]), link=case["link"]), None
    return fam, case["link"]


def _fit(case: dict[str, Any], formula: str | None = None) -> gk.GLMResult:
    family, link = _family(case)
    data = load_dataset(case["dataset"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return gk.glm(formula or case["formula"], data=data, family=family, link=link,
                      weights=case.get("weights"))


@pytest.fixture(scope="module")
def fitted(r_case: dict[str, Any]) -> gk.GLMResult:
    return _fit(r_case)


def _arr(values: Any) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in np.ravel(values)], dtype=float).reshape(np.shape(values))


def _close(actual: Any, expected: Any, rtol: float = RTOL, atol: float = 0.0, what: str = "") -> None:
    a = np.asarray(actual, dtype=float)
    e = _arr(expected) if not isinstance(expected, np.ndarray) else expected
    tol = rtol * np.abs(e) + atol
    bad = ~(np.abs(a - e) <= tol) & ~(np.isnan(a) & np.isnan(e))
    if np.any(bad):
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.nanmax(np.abs(a - e)[bad] / np.abs(e)[bad])
        idx = np.argwhere(bad)[:5].tolist()
        raise AssertionError(f"{what}: {int(bad.sum())} of {e.size} differ (max rel {rel:.3g}); "
                             f"at {idx}: glmkit {a[bad][:5]}, R {e[bad][:5]}")


def _cov_close(actual: pd.DataFrame | np.ndarray, expected: Any, what: str) -> None:
    e = _arr(expected)
    _close(np.asarray(actual), e, atol=1e-6 * np.nanmax(np.abs(e)), what=what)


def _cluster(case: dict[str, Any]) -> Any:
    return case["cluster_column"] if case.get("cluster_column") else np.asarray(case["cluster"])


# ---- fits agree (sanity: everything below builds on the same estimates) ---------------------

def test_coefficients(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    _close(fitted.coef, r_case["coef"], what="coef")
    _close(fitted.deviance, r_case["deviance"], what="deviance")


# ---- robust covariance ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["HC0", "HC1", "HC2", "HC3"])
def test_vcov_hc(fitted: gk.GLMResult, r_case: dict[str, Any], kind: str) -> None:
    _cov_close(fitted.cov_robust(kind), r_case["vcov_hc"][kind], f"vcovHC {kind}")


def test_vcov_hc_default_is_hc3(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    _cov_close(fitted.cov_robust(), r_case["vcov_hc"]["HC3"], "vcovHC default")


def test_vcov_cluster(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    cl = _cluster(r_case)
    _cov_close(fitted.cov_robust(cluster=cl), r_case["vcov_cl"]["default"], "vcovCL default")
    _cov_close(fitted.cov_robust("CR1", cluster=cl), r_case["vcov_cl"]["HC1"], "vcovCL HC1")
    _cov_close(fitted.cov_robust("CR0", cluster=cl, cadjust=False), r_case["vcov_cl"]["HC0_noadj"],
               "vcovCL HC0 cadjust=FALSE")


def test_vcov_cluster_twoway(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    cl = _cluster(r_case)
    if isinstance(cl, str):
        cl = load_dataset(r_case["dataset"])[cl].to_numpy()
    both = np.column_stack([cl, np.asarray(r_case["cluster2"])])
    _cov_close(fitted.cov_robust(cluster=both), r_case["vcov_cl"]["twoway"], "vcovCL two-way")


# ---- influence -------------------------------------------------------------------------------

def test_influence_vectors(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    _close(fitted.hat_values(), r_case["hat"], atol=1e-12, what="hatvalues")
    # Cook's distance is ∝ r_P²: where y ≈ μ the Pearson residual is a cancellation, so
    # tiny distances are compared on the scale of the largest one.
    cooks = _arr(r_case["cooks"])
    _close(fitted.cooks_distance(), cooks, atol=1e-8 * np.nanmax(cooks), what="cooks.distance")
    _close(fitted.standardized_residuals(), r_case["rstandard_deviance"], atol=RESID_ATOL, what="rstandard")
    _close(fitted.standardized_residuals("pearson"), r_case["rstandard_pearson"], atol=RESID_ATOL,
           what="rstandard pearson")
    _close(fitted.studentized_residuals(), r_case["rstudent"], atol=RESID_ATOL, what="rstudent")
    table = fitted.influence()
    _close(table["dffit"], r_case["dffit"], atol=RESID_ATOL, what="dffits")
    _close(table["cov_r"], r_case["cov_r"], what="covratio")


def test_dfbeta(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    # Compared column by column at 1e-6 of the column's largest entry: R builds dfbeta from
    # the QR of the *last IRLS step* (weights one iteration before convergence), so for
    # non-canonical links its small entries carry errors of the size of that last step
    # (seen: 2e-9 absolute on a column of size 0.2, probit).
    for name, kind in (("dfbeta", fitted.dfbeta()), ("dfbetas", fitted.dfbetas())):
        e = _arr(r_case[name])
        _close(kind, e, atol=1e-6 * np.nanmax(np.abs(e), axis=0), what=name)


# ---- analysis of deviance ------------------------------------------------------------------

def _table_close(actual: pd.DataFrame, expected: dict[str, Any], what: str) -> None:
    cols = [c for c in expected if c != "rows"]
    assert len(actual) == len(expected["rows"]), f"{what}: {len(actual)} rows, R has {len(expected['rows'])}"
    assert set(actual.columns) == set(cols), f"{what}: columns {list(actual.columns)}, R {cols}"
    for col in cols:
        e = _arr(expected[col])
        atol = 1e-14 if col.startswith("Pr(") else 0.0
        _close(actual[col].to_numpy(dtype=float), e, atol=atol, what=f"{what} [{col}]")


@pytest.mark.parametrize("test", ["Chisq", "F", "Rao"])
def test_anova_sequential(fitted: gk.GLMResult, r_case: dict[str, Any], test: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gk.anova(fitted, test=test, dispersion=r_case.get("dispersion_argument"))
    _table_close(table, r_case["anova"][test], f"anova {test}")


@pytest.mark.parametrize("test", ["none", "Chisq", "F", "Rao"])
def test_drop1(fitted: gk.GLMResult, r_case: dict[str, Any], test: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gk.drop1(fitted, test=None if test == "none" else test, scale=r_case.get("dispersion_argument"))
    _table_close(table, r_case["drop1"][test], f"drop1 {test}")


@pytest.mark.parametrize("test", ["none", "Chisq", "F", "Rao"])
def test_add1(fitted: gk.GLMResult, r_case: dict[str, Any], test: str) -> None:
    if "add1" not in r_case:
        pytest.skip("no add1 scope for this case")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gk.add1(fitted, r_case["add_scope"], test=None if test == "none" else test,
                        scale=r_case.get("dispersion_argument"))
    _table_close(table, r_case["add1"][test], f"add1 {test}")


@pytest.mark.parametrize("test", ["Chisq", "F", "Rao"])
def test_anova_nested(fitted: gk.GLMResult, r_case: dict[str, Any], test: str) -> None:
    if "nested" not in r_case:
        pytest.skip("no nested model for this case")
    small = _fit(r_case, r_case["small_formula"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gk.anova(small, fitted, test=test, dispersion=r_case.get("dispersion_argument"))
    _table_close(table, r_case["nested"][test], f"anova(small, big) {test}")


def test_score_test(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    if "nested" not in r_case:
        pytest.skip("no nested model for this case")
    small = _fit(r_case, r_case["small_formula"])
    res = gk.score_test(small, fitted, dispersion=r_case.get("dispersion_argument"))
    rao = r_case["nested"]["Rao"]
    _close(res.statistic, rao["Rao"][1] / r_case["dispersion"], what="score statistic")
    _close(res.p_value, rao["Pr(>Chi)"][1], atol=1e-14, what="score p-value")


def test_wald_term(fitted: gk.GLMResult, r_case: dict[str, Any]) -> None:
    ref = r_case["wald"]
    res = gk.wald_test(fitted, terms=r_case["wald_term"])
    if ref["dispersion_estimated"]:
        assert res.test == "F"
        _close(res.statistic, ref["statistic_f"], what="Wald F")
        _close(res.p_value, ref["p_f"], atol=1e-14, what="Wald F p")
    else:
        assert res.test == "Chisq"
        _close(res.statistic, ref["statistic_chisq"], what="Wald chi2")
        _close(res.p_value, ref["p_chisq"], atol=1e-14, what="Wald p")
    assert res.df == ref["df"]
    chisq = gk.wald_test(fitted, terms=r_case["wald_term"], test="Chisq")
    _close(chisq.statistic, ref["statistic_chisq"], what="Wald chi2")


# ---- extra parameters by maximum likelihood -----------------------------------------------------

NB_CASES = REF["glm_nb"]


@pytest.mark.parametrize("case", NB_CASES, ids=[c["id"] for c in NB_CASES])
def test_glm_nb(case: dict[str, Any]) -> None:
    data = load_dataset(case["dataset"])
    fit = gk.glm(case["formula"], data, family="negative_binomial")
    exact = case["exact"]
    _close(fit.theta, exact["theta"], what="theta")
    _close(fit.theta_se, exact["se_theta"], what="SE(theta)")
    _close(fit.twologlik, exact["twologlik"], what="2 loglik")
    _close(fit.aic, exact["aic"], what="AIC")
    _close(fit.coef, exact["coef"], what="coef")
    _close(fit.std_err, exact["se"], what="std_err")
    _close(fit.deviance, exact["deviance"], what="deviance")
    _close(fit.null_deviance, exact["null_deviance"], what="null deviance")
    # MASS::glm.nb itself: theta.ml stops at |step| < epsilon^(1/4), and its SE(theta) is the
    # information one Newton step before the end, so compare at 1e-4 (seen: 3e-6 on the SE).
    mass = case["glm_nb"]
    _close(fit.theta, mass["theta"], rtol=1e-8, what="theta vs glm.nb")
    _close(fit.theta_se, mass["se_theta"], rtol=1e-4, what="SE(theta) vs glm.nb")
    _close(fit.twologlik, mass["twologlik"], rtol=1e-10, what="2 loglik vs glm.nb")
    _close(fit.coef, mass["coef"], rtol=1e-6, what="coef vs glm.nb")
    api = gk.glm_nb(case["formula"], data)
    _close(api.theta, fit.theta, rtol=1e-12, what="glm_nb == glm(family='negative_binomial')")


GS_CASES = REF["gamma_shape"]


@pytest.mark.parametrize("case", GS_CASES, ids=[c["id"] for c in GS_CASES])
def test_gamma_shape(case: dict[str, Any]) -> None:
    fit = gk.glm(case["formula"], load_dataset(case["dataset"]), family="gamma", link=case["link"])
    shape = gk.gamma_shape(fit)
    _close(shape.alpha, case["alpha"], what="alpha")
    _close(shape.se, case["se"], what="SE(alpha)")


# ---- profile-likelihood intervals ------------------------------------------------------------

@pytest.fixture(scope="module")
def profile_ci(fitted: gk.GLMResult) -> pd.DataFrame:
    return fitted.conf_int(method="profile")


def test_profile_intervals_exact(profile_ci: pd.DataFrame, r_case: dict[str, Any]) -> None:
    # R's roots come from uniroot on the same signed-root statistic at tolerance 1e-13.
    _close(profile_ci.to_numpy(), r_case["profile_exact"], what="profile CI vs exact R roots")


def test_profile_intervals_against_mass(profile_ci: pd.DataFrame, r_case: dict[str, Any],
                                       fitted: gk.GLMResult) -> None:
    # MASS::confint.glm interpolates a spline through z on a grid of SE/5 steps; its end
    # points are off the exact roots by its interpolation error, which scales with the grid
    # step: seen up to 1.6e-5 absolute (2e-4 relative, SE 0.17). Compared at 1e-3 of the
    # standard error, or 1e-4 relative.
    if r_case.get("profile_mass") is None:
        pytest.skip("MASS's profile uses summary()'s dispersion, not the one glmkit uses for this case")
    atol = 1e-3 * fitted.std_err.to_numpy()[:, None]
    _close(profile_ci.to_numpy(), r_case["profile_mass"], rtol=1e-4, atol=atol, what="profile CI vs MASS")
