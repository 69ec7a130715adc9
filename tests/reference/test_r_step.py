"""glmkit's update() and step() against R's update.formula() and step() (``r/step.R``).

Each step case starts from the same model on the same CSV and runs ``gk.step`` with the
case's scope, direction and k; the path must be R's: the same changes in the same order,
the same Df and Resid. Df, and Deviance, Resid. Dev and AIC at relative 1e-6.

Term labels are compared as sets of factors (R writes ``b:a`` where formulaic writes
``a:b``); ``rename`` maps R's variable names to the case's glmkit spelling.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import glmkit as gk
from glmkit.intake.formula_update import update_formula

from conftest import load_dataset, load_reference

REFERENCE = "step"
RTOL = 1e-6


def _factors(label: str, rename: dict[str, str] | None = None) -> frozenset[str]:
    rename = rename or {}
    return frozenset(rename.get(f, f).replace(" ", "") for f in label.split(":"))


def _change(step: str, rename: dict[str, str] | None = None) -> tuple[str, frozenset[str]]:
    if not step:
        return "", frozenset()
    sign, label = step.split(" ", 1)
    return sign, _factors(label, rename)


# -- update.formula ---------------------------------------------------------------------------

UPDATE_CASES = load_reference("step")["update_formula"]


@pytest.mark.parametrize("case", UPDATE_CASES, ids=[f"{c['old']} | {c['new']}" for c in UPDATE_CASES])
def test_update_formula_matches_r(case):
    parts = update_formula(case["old"], case["new"])
    assert parts.response.replace(" ", "") == case["response"].replace(" ", "")
    assert [_factors(t) for t in parts.labels] == [_factors(t) for t in case["terms"]]
    assert parts.intercept == case["intercept"]
    assert [o.replace(" ", "") for o in parts.offsets] == [o.replace(" ", "") for o in case["offsets"]]


# -- step ---------------------------------------------------------------------------------------

_FITS: dict[str, tuple] = {}


def _fit_and_step(case):
    if case["id"] not in _FITS:
        data = load_dataset(case["dataset"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # aliasing and boundary warnings R also gives
            if case["fitter"] == "glm_nb":
                fit = gk.glm_nb(case["formula"], data)
            else:
                fit = gk.glm(case["formula"], data, family=case["family"], link=case.get("link"))
            result = gk.step(fit, scope=case.get("scope"), direction=case["direction"], k=case["k"])
        _FITS[case["id"]] = fit, result
    return _FITS[case["id"]]


def test_step_path_changes_are_rs(r_case):
    _, result = _fit_and_step(r_case)
    rename = r_case.get("rename")
    ours = [_change(p.step) for p in result.path]
    assert ours == [_change(s, rename) for s in r_case["path"]["step"]]


def test_step_path_numbers_are_rs(r_case):
    _, result = _fit_and_step(r_case)
    path, table = r_case["path"], result.anova
    assert len(table) == len(path["aic"])
    np.testing.assert_array_equal(table["Resid. Df"], path["resid_df"])
    np.testing.assert_array_equal(table["Df"].iloc[1:], np.asarray(path["df"][1:], dtype=float))
    np.testing.assert_allclose(table["Resid. Dev"], path["resid_dev"], rtol=RTOL)
    np.testing.assert_allclose(table["AIC"], path["aic"], rtol=RTOL)
    # a zero-df deletion changes the deviance by rounding only: absolute floor 1e-9 of the deviance
    np.testing.assert_allclose(table["Deviance"].iloc[1:], np.asarray(path["deviance"][1:], dtype=float),
                               rtol=RTOL, atol=1e-9 * max(path["resid_dev"]))


def test_step_final_model_is_rs(r_case):
    """R returns the last refit even when it rejected it (its AIC did not improve): glmkit's
    ``rejected``; glmkit's ``fit`` is then the path's last model."""
    _, result = _fit_and_step(r_case)
    rename = r_case.get("rename")
    r_kept_last_row = r_case["final_deviance"] == r_case["path"]["resid_dev"][-1]
    final = result.fit if r_kept_last_row else result.rejected
    assert result.fit.deviance == pytest.approx(r_case["path"]["resid_dev"][-1], rel=RTOL)
    ours = {_factors(t.label) for t in gk.inference.terms.model_terms(final)[0]}
    assert ours == {_factors(t, rename) for t in r_case["final_terms"]}
    assert final.deviance == pytest.approx(r_case["final_deviance"], rel=RTOL)
    assert final.extract_aic(r_case["k"])[1] == pytest.approx(r_case["final_extract_aic"], rel=RTOL)
    coef = final.coef.to_numpy()
    assert np.isnan(coef).sum() == sum(c is None for c in r_case["final_coef"])
    assert np.sort(coef[~np.isnan(coef)]) == pytest.approx(
        np.sort([c for c in r_case["final_coef"] if c is not None]), rel=RTOL, abs=1e-8)


def test_starting_extract_aic_and_drop1_are_rs(r_case):
    fit, _ = _fit_and_step(r_case)
    assert fit.extract_aic(r_case["k"])[1] == pytest.approx(r_case["initial_extract_aic"], rel=RTOL)
    rename = r_case.get("rename")
    expected = r_case["drop1"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = gk.drop1(fit, k=r_case["k"])
    assert [_factors(r) for r in table.index[1:]] == [_factors(r, rename) for r in expected["rows"][1:]]
    np.testing.assert_allclose(table["AIC"], expected["aic"], rtol=RTOL)
    np.testing.assert_allclose(table["Deviance"], expected["deviance"], rtol=RTOL)


def test_r_formulas_name_the_same_model(r_case):
    """The case's glmkit formula has R's starting terms (a translation slip would fail here)."""
    fit, _ = _fit_and_step(r_case)
    rename = r_case.get("rename")
    ours = [_factors(t.label) for t in gk.inference.terms.model_terms(fit)[0]]
    assert ours == [_factors(t, rename) for t in r_case["initial_terms"]]
    assert re.sub(r"\s", "", r_case["formula"].split("~")[0]) == re.sub(r"\s", "", r_case["r_fit"].split("(", 1)[1].split("~")[0])
