"""The scikit-learn estimators and the command line: the unseen-level policy; glm_nb's
non-convergence is never silent."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import glmkit as gk

sklearn = pytest.importorskip("sklearn", reason="the scikit-learn estimators need scikit-learn ([sklearn] extra)")


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"g": pd.Categorical(rng.choice(list("ab"), 80)), "x": rng.normal(size=80)})
    new = pd.DataFrame({"g": pd.Categorical(["a", "z", "b"]), "x": [0.0, 1.0, -1.0]})
    return X, rng.poisson(2.0, 80), (rng.random(80) < 0.5).astype(int), new


@pytest.mark.parametrize("name", ["GLMRegressor", "GLMClassifier", "GLMRegressorCV", "GLMClassifierCV"])
def test_estimators_unseen_policy(frames, name):
    from glmkit import sklearn as gks

    X, counts, labels, new = frames
    cls = getattr(gks, name)
    classifier = "Classifier" in name
    extra = {} if classifier else {"family": "poisson"}
    if name.endswith("CV"):
        extra["n_alphas"] = 5
    y = labels if classifier else counts
    strict = cls(**extra).fit(X, y)
    with pytest.raises(gk.UnseenLevelError, match=r"'z'"):
        strict.predict(new)
    lenient = cls(unseen="nan", **extra).fit(X, y)
    got = lenient.predict_proba(new)[:, 1] if classifier else lenient.predict(new)
    ref = lenient.predict_proba(new.iloc[[0, 2]])[:, 1] if classifier else lenient.predict(new.iloc[[0, 2]])
    assert np.isnan(got[1])
    np.testing.assert_allclose(got[[0, 2]], ref, rtol=1e-12)
    if classifier:
        with pytest.raises(gk.UnseenLevelError, match="no class"):
            lenient.predict(new)


def test_cli_predict_unseen(tmp_path):
    rng = np.random.default_rng(1)
    d = pd.DataFrame({"x": rng.normal(size=50), "g": rng.choice(["a", "b"], 50)})
    d["y"] = rng.poisson(2.0, 50)
    d.to_csv(tmp_path / "d.csv", index=False)
    pd.DataFrame({"x": [0.0, 1.0], "g": ["a", "zz"]}).to_csv(tmp_path / "new.csv", index=False)
    src = str(Path(gk.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "glmkit.cli", *args], capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=120)

    assert run("fit", "d.csv", "--formula", "y ~ x + g", "--family", "poisson", "--output", "m.json").returncode == 0
    refused = run("predict", "m.json", "new.csv", "--output", "p.csv")
    assert refused.returncode != 0 and "zz" in refused.stderr
    ok = run("predict", "m.json", "new.csv", "--unseen", "nan", "--se", "--output", "p.csv")
    assert ok.returncode == 0, ok.stderr
    out = pd.read_csv(tmp_path / "p.csv")
    assert out.loc[1].isna().all() and out.loc[0].notna().all()


def test_glm_nb_reports_non_convergence_with_a_warning():
    """converged=False if and only if a ConvergenceWarning says so (counts ~1e9 were silent)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=40)
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + 1e9 * np.exp(0.3 * x))).astype(float)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = gk.glm_nb("y ~ x", pd.DataFrame({"y": y, "x": x}))
    if not fit.converged:  # never silent: converged=False comes with a ConvergenceWarning
        assert any(issubclass(w.category, gk.ConvergenceWarning) for w in caught)
    else:
        assert not any(issubclass(w.category, gk.ConvergenceWarning) for w in caught)
