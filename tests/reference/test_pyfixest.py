"""glmkit's absorbed fits against pyfixest (itself tested against R's fixest).

The JSON is written by tests/reference/pyfixest/make_refs.py, run in pyfixest's own
virtual environment; it records pyfixest's version. Checked: the observations used (groups
whose outcome makes the MLE not exist dropped), the coefficients, and the standard errors
for iid, hetero, one- and two-way clustered covariances under fixest's small-sample
corrections by name (:class:`glmkit.inference.fixest.SmallSample`).
"""

from __future__ import annotations

import json
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.inference.fixest import SmallSample

HERE = pathlib.Path(__file__).parent
REFS = json.loads((HERE / "expected" / "pyfixest.json").read_text())
SSC = {"default": SmallSample(), "none": SmallSample(adj=False, cluster_adj=False),
       "k_fixef_full": SmallSample(fixef_k="full"), "k_fixef_none": SmallSample(fixef_k="none"),
       "G_df_conventional": SmallSample(cluster_df="conventional")}
VCOV = {"iid": ("iid", None), "hetero": ("hetero", None), "CRV1_firm": ("cluster", "firm"),
        "CRV1_region": ("cluster", "region"), "CRV1_firm_year": ("cluster", "firm+year")}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    df = pd.read_csv(HERE / "data" / "fixed_effects.csv")
    return df.assign(log_exposure=np.log(df["exposure"]))


def _fit(case: dict, data: pd.DataFrame):  # type: ignore[no-untyped-def]
    family = "poisson" if case["function"] == "fepois" else "binomial"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gk.errors.DataWarning)
        return gk.glm(case["formula"], data, family, **({"offset": case["offset"]} if "offset" in case else {}))


@pytest.mark.parametrize("name", sorted(REFS["cases"]))
def test_observations_and_coefficients(name, data):
    case = REFS["cases"][name]
    fit = _fit(case, data)
    assert fit.n_obs == case["nobs"]
    names = list(case["coef"])
    np.testing.assert_allclose(fit.coef[names].to_numpy(), [case["coef"][k] for k in names], rtol=1e-7)


@pytest.mark.parametrize("name", sorted(REFS["cases"]))
def test_standard_errors_with_fixest_corrections(name, data):
    case = REFS["cases"][name]
    fit = _fit(case, data)
    for key, expected in case["se"].items():
        vcov, ssc = key.split("/")
        kind, cluster = VCOV[vcov]
        names = list(expected)
        got = np.sqrt(np.diag(fit.cov_fixest(kind, cluster, SSC[ssc]).loc[names, names].to_numpy()))
        # V₁ + V₂ − V₁₂ may have a negative diagonal: NaN standard errors on both sides
        want = np.array([np.nan if v is None else v for v in expected.values()], dtype=float)
        np.testing.assert_allclose(got, want, rtol=1e-6, err_msg=key)
