"""pyfixest reference values for glmkit's absorbed fixed effects (issue 18).

Run with pyfixest's own virtual environment (kept apart from glmkit's, whose formulaic it
would change), from the repository root:

    python3 -m venv /work/venv-pyfixest && /work/venv-pyfixest/bin/pip install pyfixest
    /work/venv-pyfixest/bin/python tests/reference/pyfixest/make_refs.py

It reads tests/reference/data/fixed_effects.csv (written by tests/reference/r/fixed_effects.R
or, if absent, by this script from a fixed seed) and writes
tests/reference/expected/pyfixest.json: coefficients, observations used and standard
errors (iid, hetero, one- and two-way clustered) under pyfixest's default small-sample
correction and under named alternatives, with pyfixest's version.
"""

from __future__ import annotations

import json
import pathlib
import sys
import warnings

import numpy as np
import pandas as pd
import pyfixest as pf

ROOT = pathlib.Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "fixed_effects.csv"
OUT = ROOT / "expected" / "pyfixest.json"


def make_data(seed: int = 18) -> pd.DataFrame:
    """2,000 rows, 60 firms in 6 regions, 8 years; outcomes for Poisson (3 firms all zero),
    binary (one firm all 1), negative binomial, Gamma and Gaussian fits."""
    rng = np.random.default_rng(seed)
    n, g1, g2 = 2000, 60, 8
    firm, year = rng.integers(0, g1, n), rng.integers(0, g2, n)
    x1, x2 = rng.normal(size=n), rng.normal(size=n)
    eta = 0.3 * x1 - 0.2 * x2 + 0.5 * rng.normal(size=g1)[firm] + 0.3 * rng.normal(size=g2)[year]
    count = rng.poisson(np.exp(eta)).astype(float)
    count[np.isin(firm, [3, 17, 42])] = 0.0
    binary = rng.binomial(1, 1 / (1 + np.exp(-eta))).astype(float)
    binary[firm == 9] = 1.0
    overdispersed = rng.poisson(np.exp(eta) * rng.gamma(2.0, 0.5, n)).astype(float)
    amount = rng.gamma(3.0, np.exp(eta) / 3.0)
    level = eta + rng.normal(size=n)
    return pd.DataFrame({
        "count": count, "binary": binary, "overdispersed": overdispersed, "amount": amount, "level": level, "x1": x1, "x2": x2, "firm": [f"f{k:02d}" for k in firm],
        "year": [f"y{k}" for k in year], "region": [f"r{k % 6}" for k in firm],
        "exposure": rng.uniform(0.5, 2.0, n), "w": rng.uniform(0.5, 2.0, n),
    })


VCOVS = {"iid": "iid", "hetero": "hetero", "CRV1_firm": {"CRV1": "firm"}, "CRV1_region": {"CRV1": "region"},
         "CRV1_firm_year": {"CRV1": "firm+year"}}
SSCS = {"default": pf.ssc(), "none": pf.ssc(k_adj=False, G_adj=False),
        "k_fixef_full": pf.ssc(k_fixef="full"), "k_fixef_none": pf.ssc(k_fixef="none"),
        "G_df_conventional": pf.ssc(G_df="conventional")}
MODELS = {
    "pois_two_way": ("fepois", "count ~ x1 + x2 | firm + year", {}),
    "pois_offset": ("fepois", "count ~ x1 + x2 | firm + year", {"offset": "log_exposure"}),
    "pois_combined": ("fepois", "count ~ x1 + x2 | firm^year", {}),
    "logit_two_way": ("feglm", "binary ~ x1 + x2 | firm + year", {"family": "logit"}),
}
# pyfixest's feglm does not drop the groups whose outcome is all 0 or all 1 (fepois does drop
# the all-zero ones): its logit reference is fitted without them; glmkit drops them itself.
WITHOUT = {"logit_two_way": ("firm", "f09")}


def _fit(kind: str, fml: str, df: pd.DataFrame, extra: dict, vcov, ssc):  # type: ignore[no-untyped-def]
    fun = pf.fepois if kind == "fepois" else pf.feglm
    return fun(fml, data=df, vcov=vcov, ssc=ssc, fixef_rm="none", iwls_tol=1e-12, iwls_maxiter=100,
               fixef_tol=1e-12, **extra)


def main() -> None:
    warnings.simplefilter("ignore", DeprecationWarning)
    if not DATA.exists():
        make_data().to_csv(DATA, index=False)
    df = pd.read_csv(DATA)
    df["log_exposure"] = np.log(df["exposure"])
    cases = {}
    for name, (kind, fml, extra) in MODELS.items():
        data = df[df[WITHOUT[name][0]] != WITHOUT[name][1]] if name in WITHOUT else df
        base = _fit(kind, fml, data, extra, "iid", pf.ssc())
        case = {"function": kind, "formula": fml, **{k: v for k, v in extra.items()},
                "fitted_without": list(WITHOUT.get(name, ())),
                "coef": base.coef().to_dict(), "nobs": int(base._N), "se": {}}
        for vname, vcov in VCOVS.items():
            for sname, ssc in SSCS.items():
                fit = _fit(kind, fml, data, extra, vcov, ssc)
                case["se"][f"{vname}/{sname}"] = fit.se().to_dict()
        cases[name] = case
    out = {"pyfixest_version": pf.__version__, "python": sys.version.split()[0],
           "fixef_rm": "none (glmkit drops the groups without an MLE itself; pyfixest drops them too)",
           "ssc": {k: v for k, v in SSCS.items()}, "cases": cases}
    OUT.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
