"""glmkit.margins against R's emmeans and marginaleffects' definitions computed by hand in R.

The JSON is written by ``tests/reference/r/emmeans.R``. Tolerance: relative 1e-6, with
absolute floors where R's value can be near zero (1e-9, or 1e-8 of the standard error for
interval end points). P-values: relative 1e-6 with an absolute floor of 1e-12 (see ``_p_close``). One looser
comparison, for a stated reason: ``dunnettx`` interval end points (emmeans stops its
quantile's root finder at 5e-4; glmkit solves it exactly), compared at 1e-3 of the SE.
"""

from __future__ import annotations

import numpy as np
import pytest

import glmkit as gk



REFERENCE = "emmeans"


def _values(xs):
    return np.array([float(x) if x is not None else np.nan for x in xs], dtype=float)


def _close(ours, theirs, rtol=1e-6, atol=1e-9, what=""):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), _values(theirs), rtol=rtol, atol=atol, err_msg=what)


def _p_close(ours, theirs, what=""):
    """Relative 1e-6, absolute 1e-12: R's tiny p-values are not relatively accurate (ptukey's
    tail is good to about 1e-13 absolute, and emmeans' Šidák 1 − (1 − p)^k cancels)."""
    np.testing.assert_allclose(np.asarray(ours, dtype=float), _values(theirs), rtol=1e-6, atol=1e-12, err_msg=what)


def _label(value):
    try:
        return repr(float(value))
    except (TypeError, ValueError):
        return str(value)


@pytest.fixture(scope="module")
def fit(r_case, reference_data):
    return gk.glm(r_case["formula"], reference_data(r_case["dataset"]), family=r_case["family"], link=r_case["link"])


def _emm(fit, record):
    return gk.emmeans(fit, record["specs"], by=np.atleast_1d(record["by"]).tolist() or None, type=record["type"], at=record["at"],
                      cov=record["cov"], weights=record["weights"])


def _compare_table(frame, record, what, interval_atol=1e-8):
    _close(frame["estimate"], record["estimate"], what=f"{what} estimate")
    _close(frame["std_err"], record["std_err"], what=f"{what} SE")
    _close(frame["df"], record["df"], what=f"{what} df")
    se = frame["std_err"].to_numpy()
    for end in ("lower", "upper"):
        theirs = _values(record[end])
        error = np.abs(frame[end].to_numpy() - theirs)
        assert np.all(error <= np.maximum(1e-6 * np.abs(theirs), interval_atol * se)), f"{what} {end}: {error}"


def test_emmeans_match_r(fit, r_case):
    for record in r_case["emmeans"]:
        frame = _emm(fit, record).to_frame()
        names = np.atleast_1d(record["specs"]).tolist() + np.atleast_1d(record["by"]).tolist()
        for name, labels in zip(names, record["means"]["labels"]):
            assert [_label(v) for v in frame[name]] == [_label(v) for v in labels], name
        _compare_table(frame, record["means"], f"{r_case['id']} means of {names}")


def test_contrasts_match_r(fit, r_case):
    for record in r_case["emmeans"]:
        emm = _emm(fit, record)
        for k in record["contrasts"]:
            frame = emm.contrast(k["method"], k["adjust"], ref=k["ref"], type=k["type"], regrid=k["regrid"]).to_frame()
            what = f"{r_case['id']} {k['method']} {k['adjust']} {k['type']} regrid={k['regrid']}"
            assert len(frame) == len(k["estimate"]), what
            if not any(_label(v) != str(v) for labels in record["means"]["labels"] for v in labels):
                assert frame["contrast"].tolist() == np.atleast_1d(k["labels"]).tolist(), what  # R names numeric levels differently
            _compare_table(frame, k, what, interval_atol=1e-3 if k["adjust"] == "dunnettx" else 1e-8)
            _close(frame["statistic"], k["statistic"], atol=1e-8, what=f"{what} statistic")
            _p_close(frame["p_value"], k["p_value"], what=f"{what} p")


def test_link_scale_slopes_match_emtrends(fit, r_case):
    for record in r_case["emtrends"]:
        frame = gk.slopes(fit, record["var"], by=record["specs"], type="link").to_frame()
        assert [_label(v) for v in frame[record["specs"]]] == [_label(v) for v in record["labels"]]
        _close(frame["estimate"], record["estimate"], what="emtrends estimate")
        _close(frame["std_err"], record["std_err"], what="emtrends SE")


def test_average_effects_match_r_by_hand(fit, r_case):
    for record in r_case["effects"]:
        function = getattr(gk, record["kind"])
        args = dict(record["args"])
        frame = function(fit, **args).to_frame()
        what = f"{r_case['id']} {record['kind']} {args}"
        _close(frame["estimate"], record["estimate"], atol=1e-10, what=f"{what} estimate")
        _close(frame["std_err"], record["std_err"], atol=1e-10, what=f"{what} SE")
        _close(frame["lower"], record["lower"], atol=1e-9, what=f"{what} lower")
        _close(frame["upper"], record["upper"], atol=1e-9, what=f"{what} upper")
