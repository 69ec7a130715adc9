"""glmkit's core GLM fits against R's glm(), case by case.

The cases, the data and R's numbers come from ``r/core_glm.R`` (see README.md). Each case is
fitted once through the public API, ``gk.glm(formula, data=..., family=..., ...)``, and each
test below compares one group of quantities, so a failure names the quantity that is off.

Tolerance: relative 1e-6 throughout. An absolute term is added only where the R value can be
(close to) zero, where a relative comparison measures rounding noise rather than agreement;
each such place says why. Arrays are compared by position (glmkit's term names are
formulaic's, R's are R's; both are shown in failure messages).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
import pytest

try:
    import glmkit as gk
except ImportError as exc:  # keep the formula check below runnable while glmkit is built
    gk = None
    _GLMKIT_IMPORT_ERROR: ImportError | None = exc
else:
    _GLMKIT_IMPORT_ERROR = None

REFERENCE = "core_glm"
RTOL = 1e-6

QUASI_FAMILIES = {"quasi", "quasipoisson", "quasibinomial"}


# --------------------------------------------------------------------------------------
# Building the glmkit call from a case
# --------------------------------------------------------------------------------------


def _link_argument(link: str | dict[str, float]) -> Any:
    """A case's link as glmkit takes it: a name, or ``gk.links.Power`` for {"power": l}."""
    if isinstance(link, dict):
        return gk.links.Power(link["power"])
    return link


def _family_and_link(case: dict[str, Any]) -> tuple[Any, Any]:
    """(family, link) for gk.glm; link is None when the family object carries it."""
    family = case["family"]
    args = case["family_args"] or {}
    link = _link_argument(case["link"])
    if family == "negative_binomial":
        return gk.NegativeBinomial(theta=float(args["theta"]), link=link), None
    if family == "tweedie":
        return gk.Tweedie(power=float(args["power"]), link=link), None
    if family == "quasi":
        return gk.Quasi(link=link, variance=args["variance"]), None
    return family, link


def fit_case(case: dict[str, Any], data: pd.DataFrame) -> Any:
    family, link = _family_and_link(case)
    kwargs: dict[str, Any] = {"data": data, "family": family}
    if link is not None:
        kwargs["link"] = link
    for name in ("weights", "offset", "trials"):
        if case[name] is not None:
            kwargs[name] = case[name]
    return gk.glm(case["formula"], **kwargs)


@pytest.fixture(scope="module")
def fit(r_case: dict[str, Any], reference_data) -> Any:
    if gk is None:
        pytest.fail(f"glmkit is not importable: {_GLMKIT_IMPORT_ERROR!r}")
    return fit_case(r_case, reference_data(r_case["dataset"]))


@pytest.fixture(scope="module")
def newdata(r_case: dict[str, Any], reference_data) -> pd.DataFrame:
    return reference_data(r_case["dataset"]).iloc[r_case["newdata_rows"]]


# --------------------------------------------------------------------------------------
# Comparison helpers
# --------------------------------------------------------------------------------------


def _r_array(values: Any) -> np.ndarray:
    """R's JSON values as float64, null (R's NA) as NaN."""
    if isinstance(values, list):
        return np.array([_r_array(v) for v in values], dtype=float)
    return np.array(np.nan if values is None else values, dtype=float)


def _as_numpy(value: Any) -> np.ndarray:
    if hasattr(value, "to_numpy"):
        value = value.to_numpy()
    return np.asarray(value, dtype=float)


def _labels(case: dict[str, Any], fit: Any, n: int) -> list[str]:
    """Row labels for failure messages: glmkit's term name / R's term name."""
    r_names = case["coef_names"]
    try:
        gk_names = [str(name) for name in fit.coef.index]
    except Exception:  # the message must not fail because coef does
        gk_names = ["?"] * n
    if len(r_names) == n and len(gk_names) == n:
        return [f"{g} / R {r}" for g, r in zip(gk_names, r_names)]
    return [f"[{i}]" for i in range(n)]


def assert_close(
    got: Any,
    want: Any,
    *,
    case: dict[str, Any],
    quantity: str,
    rtol: float = RTOL,
    atol: float | np.ndarray = 0.0,
    labels: list[str] | None = None,
) -> None:
    """assert_allclose with NaN == NaN, and a message naming case, quantity and entries."""
    got_arr = _as_numpy(got)
    want_arr = _r_array(want) if not isinstance(want, np.ndarray) else want
    where = f"{case['id']}: {quantity}"
    assert got_arr.shape == want_arr.shape, (
        f"{where}: glmkit shape {got_arr.shape}, R shape {want_arr.shape}"
    )
    nan_got, nan_want = np.isnan(got_arr), np.isnan(want_arr)
    tol = atol + rtol * np.abs(want_arr)
    with np.errstate(invalid="ignore"):
        bad = (nan_got != nan_want) | (~nan_want & ~(np.abs(got_arr - want_arr) <= tol))
    if not bad.any():
        return
    flat = [tuple(int(i) for i in idx) for idx in zip(*np.nonzero(bad))]
    lines = []
    for idx in flat[:8]:
        g, w = float(got_arr[idx]), float(want_arr[idx])
        rel = abs(g - w) / abs(w) if w not in (0.0,) and np.isfinite(w) else float("nan")
        name = ""
        if labels is not None and len(idx) >= 1 and idx[0] < len(labels):
            name = f" ({labels[idx[0]]})"
        lines.append(f"  {list(idx)}{name}: glmkit {g!r}, R {w!r}, rel err {rel:.3g}")
    more = f"\n  ... and {len(flat) - 8} more" if len(flat) > 8 else ""
    raise AssertionError(
        f"{where}: {len(flat)} of {want_arr.size} entries differ "
        f"(rtol {rtol:g}, atol {np.max(atol):.3g})\n" + "\n".join(lines) + more
    )


def assert_scalar(got: Any, want: Any, *, case: dict[str, Any], quantity: str,
                  rtol: float = RTOL) -> None:
    assert_close(np.atleast_1d(_as_numpy(got)), np.atleast_1d(_r_array(want)),
                 case=case, quantity=quantity, rtol=rtol)


def _scale_atol(want: Any, factor: float = 1e-9) -> float:
    values = np.abs(_r_array(want))
    values = values[np.isfinite(values)]
    return factor * float(values.max()) if values.size else 0.0


# --------------------------------------------------------------------------------------
# Coefficients and their inference
# --------------------------------------------------------------------------------------


def test_coef(r_case, fit):
    coef = fit.coef
    assert isinstance(coef, pd.Series), f"fit.coef is {type(coef).__name__}, not a Series"
    assert len(coef) == len(r_case["coef"]), (
        f"{r_case['id']}: glmkit has {len(coef)} coefficients {list(coef.index)}, "
        f"R has {len(r_case['coef'])} {r_case['coef_names']}"
    )
    assert_close(coef, r_case["coef"], case=r_case, quantity="coef",
                 labels=_labels(r_case, fit, len(coef)))
    assert int(np.sum(~np.isnan(_as_numpy(coef)))) == r_case["rank"], (
        f"{r_case['id']}: glmkit estimates {int(np.sum(~np.isnan(_as_numpy(coef))))} "
        f"coefficients, R's rank is {r_case['rank']}"
    )


def test_std_err(r_case, fit):
    assert_close(fit.std_err, r_case["std_err"], case=r_case, quantity="std_err",
                 labels=_labels(r_case, fit, len(r_case["coef"])))


def test_statistic(r_case, fit):
    # statistic = coef / std_err: a coefficient near zero makes the relative error of the
    # ratio meaningless, so differences below 1e-8 (in units of standard errors) pass.
    assert_close(fit.statistic, r_case["statistic"], case=r_case, quantity="statistic",
                 atol=1e-8, labels=_labels(r_case, fit, len(r_case["coef"])))


def test_p_values(r_case, fit):
    got = _as_numpy(fit.p_values)
    want = _r_array(r_case["p_values"])
    labels = _labels(r_case, fit, len(want))
    assert got.shape == want.shape, f"{r_case['id']}: p_values shape {got.shape} vs {want.shape}"
    # A p-value is an extreme tail area: a relative error e in the statistic z becomes
    # about z**2 * e in p, so p < 1e-3 is compared as log(p), whose relative error is
    # about 2e. R's p == 0 is underflow (|z| > ~38); glmkit must underflow too, or be
    # below the smallest normal double.
    small = want < 1e-3
    zero = want == 0
    assert_close(np.where(small, np.nan, got), np.where(small, np.nan, want),
                 case=r_case, quantity="p_values", labels=labels)
    nonzero_small = small & ~zero
    with np.errstate(divide="ignore"):
        assert_close(np.where(nonzero_small, np.log(got), np.nan),
                     np.where(nonzero_small, np.log(want), np.nan),
                     case=r_case, quantity="log(p_values) for p < 1e-3", labels=labels)
    if zero.any():
        assert np.all(got[zero] < 2.2250738585072014e-308), (
            f"{r_case['id']}: p_values where R underflows to 0: glmkit {got[zero]}"
        )


def test_cov(r_case, fit):
    cov = fit.cov
    assert isinstance(cov, pd.DataFrame), f"fit.cov is {type(cov).__name__}, not a DataFrame"
    want = _r_array(r_case["cov"])
    # Off-diagonal covariances can be ~0 next to their variances: compare on the scale of
    # sqrt(var_i * var_j), i.e. correlations to 1e-8 absolute.
    scale = np.sqrt(np.abs(np.outer(np.diag(want), np.diag(want))))
    atol = np.where(np.isnan(scale), 0.0, 1e-8 * scale)
    assert_close(cov, want, case=r_case, quantity="cov", atol=atol,
                 labels=_labels(r_case, fit, len(want)))


def test_conf_int(r_case, fit):
    ci = fit.conf_int()
    assert isinstance(ci, pd.DataFrame), f"conf_int() is {type(ci).__name__}, not a DataFrame"
    assert ci.shape[1] == 2, f"conf_int() has columns {list(ci.columns)}, expected lower, upper"
    # An endpoint near zero is the difference of two O(std_err) numbers; allow 1e-8 of
    # that coefficient's standard error.
    se = _r_array(r_case["std_err"])
    atol = np.where(np.isnan(se), 0.0, 1e-8 * se)[:, None] * np.ones((1, 2))
    assert_close(ci, r_case["conf_int"], case=r_case, quantity="conf_int (Wald, 95%)",
                 atol=atol, labels=_labels(r_case, fit, len(se)))


# --------------------------------------------------------------------------------------
# Fit statistics
# --------------------------------------------------------------------------------------


def test_deviance(r_case, fit):
    assert_scalar(fit.deviance, r_case["deviance"], case=r_case, quantity="deviance")
    assert_scalar(fit.null_deviance, r_case["null_deviance"], case=r_case,
                  quantity="null_deviance")


def test_degrees_of_freedom(r_case, fit):
    assert fit.df_resid == r_case["df_resid"], (
        f"{r_case['id']}: df_resid glmkit {fit.df_resid}, R {r_case['df_resid']}"
    )
    assert fit.df_null == r_case["df_null"], (
        f"{r_case['id']}: df_null glmkit {fit.df_null}, R {r_case['df_null']}"
    )


def test_dispersion(r_case, fit):
    assert_scalar(fit.dispersion, r_case["dispersion"], case=r_case, quantity="dispersion")


def _check_likelihood_quantity(r_case: dict[str, Any], fit: Any, quantity: str) -> None:
    quirks = r_case.get("r_quirks") or {}
    alternative = r_case.get("r_quirks_alternative") or {}
    got = getattr(fit, quantity)
    if quantity in quirks:
        if quantity in alternative:
            # R's own value is degenerate (e.g. AIC = Inf from log(0) with a zero prior
            # weight); compare with R's value on the rows that carry weight instead.
            assert_scalar(got, alternative[quantity], case=r_case,
                          quantity=f"{quantity} ({alternative['description']})")
            return
        pytest.skip(f"R's {quantity} is not comparable here: {quirks[quantity]}")
    if r_case["family"] in QUASI_FAMILIES:
        assert np.isnan(float(got)), (
            f"{r_case['id']}: {quantity} of a quasi family should be NaN (R: NA), glmkit {got!r}"
        )
        return
    assert_scalar(got, r_case[quantity], case=r_case, quantity=quantity)


def test_loglik(r_case, fit):
    _check_likelihood_quantity(r_case, fit, "loglik")


def test_aic(r_case, fit):
    _check_likelihood_quantity(r_case, fit, "aic")


def test_bic(r_case, fit):
    _check_likelihood_quantity(r_case, fit, "bic")


# --------------------------------------------------------------------------------------
# Per-observation quantities
# --------------------------------------------------------------------------------------


def test_fitted(r_case, fit):
    assert_close(fit.fitted, r_case["fitted"], case=r_case, quantity="fitted")


def test_linear_predictor(r_case, fit):
    # eta = X @ coef crosses zero (logit, cloglog, identity links), and an entry near zero
    # is a cancelling sum: compare such entries absolutely, to 1e-7 of the largest |eta|.
    want = r_case["linear_predictor"]
    assert_close(fit.linear_predictor, want, case=r_case, quantity="linear_predictor",
                 atol=_scale_atol(want, 1e-7))


def _residual_atol(r_case: dict[str, Any], kind: str) -> np.ndarray:
    """Absolute tolerance per observation for residuals of the given kind.

    A residual is a function of y and the fitted mean; where y is close to mu the residual
    is close to zero and its relative error is the fitted mean's relative error magnified
    by |mu / (y - mu)|. So allow what a relative error of RTOL in mu produces in the
    residual: RTOL * |mu| * |d residual / d mu|, with the derivative read off R's own
    residuals (pearson / response = sqrt(w / V(mu)), working / response = 1 / mu_eta; for
    deviance residuals the Pearson factor, which they equal near y = mu). A floor of 1e-12
    of the largest |residual| covers rows where R's residual is exactly zero (zero prior
    weight: deviance and Pearson residuals are 0).
    """
    res = r_case["residuals"]
    mu = np.abs(_r_array(r_case["fitted"]))
    response = _r_array(res["response"])
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = {
            "response": np.ones_like(mu),
            "pearson": np.abs(_r_array(res["pearson"]) / response),
            "deviance": np.abs(_r_array(res["pearson"]) / response),
            "working": np.abs(_r_array(res["working"]) / response),
        }[kind]
    factor = np.where(np.isfinite(factor), factor, 0.0)
    return RTOL * mu * factor + _scale_atol(res[kind], 1e-12)


@pytest.mark.parametrize("kind", ["deviance", "pearson", "response", "working"])
def test_residuals(r_case, fit, kind):
    assert_close(fit.residuals(kind), r_case["residuals"][kind], case=r_case,
                 quantity=f"residuals({kind!r})", atol=_residual_atol(r_case, kind))


# --------------------------------------------------------------------------------------
# Prediction on new data (offsets re-applied from the new rows)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["link", "response"])
def test_predict(r_case, fit, newdata, kind):
    pred = fit.predict(newdata, kind=kind, se=True)
    assert isinstance(pred, pd.DataFrame), f"predict(se=True) is {type(pred).__name__}"
    assert {"fit", "se"} <= set(pred.columns), f"predict columns {list(pred.columns)}"
    want_fit = r_case[f"predict_{kind}"]
    atol = _scale_atol(want_fit, 1e-7) if kind == "link" else 0.0  # eta can be ~0, as above
    assert_close(pred["fit"], want_fit, case=r_case, quantity=f"predict({kind!r}).fit",
                 atol=atol)
    assert_close(pred["se"], r_case[f"predict_{kind}_se"], case=r_case,
                 quantity=f"predict({kind!r}).se")


# --------------------------------------------------------------------------------------
# The reference suite itself: the Python formula must build R's design matrix
# --------------------------------------------------------------------------------------


def _strip_offset_terms(formula: str) -> str:
    """Remove ``+ offset(...)`` terms (glmkit's formula layer handles them, formulaic not)."""
    out, i = [], 0
    pattern = re.compile(r"\+\s*offset\(")
    while True:
        match = pattern.search(formula, i)
        if match is None:
            out.append(formula[i:])
            return "".join(out)
        out.append(formula[i:match.start()])
        depth, j = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(formula[j], 0)
            j += 1
        i = j


def test_formula_translation_matches_r_design(r_case, reference_data):
    """formulaic builds R's model matrix from the case's formula (a check of this suite)."""
    formulaic = pytest.importorskip("formulaic")
    data = reference_data(r_case["dataset"])
    spec = _strip_offset_terms(r_case["formula"])
    design = formulaic.model_matrix(spec, data, context={"np": np}).rhs
    assert design.shape[1] == len(r_case["design_colnames"]), (
        f"{r_case['id']}: formulaic columns {list(design.columns)}, "
        f"R columns {r_case['design_colnames']}"
    )
    x = design.to_numpy(dtype=float)
    labels = [f"{f} / R {r}" for f, r in zip(design.columns, r_case["design_colnames"])]
    assert_close(x.sum(axis=0), r_case["design_colsums"], case=r_case,
                 quantity="design column sums", rtol=1e-12, labels=labels)
    rows = np.arange(1, x.shape[0] + 1, dtype=float)
    assert_close((x * rows[:, None]).sum(axis=0), r_case["design_rowindex_colsums"],
                 case=r_case, quantity="design row-index-weighted column sums", rtol=1e-12,
                 labels=labels)
