"""Any DataFrame in, the same numbers out: polars (eager, lazy), pyarrow, pandas with pyarrow or
nullable dtypes give the coefficients and predictions of the pandas route, bit for bit, and
predictions come back in the input's kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import InputError, UnseenLevelError

pl = pytest.importorskip("polars", reason="polars is not installed (test extra)")
pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed (test extra)")

N = 400


def _data(family: str, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=N)
    g = rng.choice(["b", "a", "c"], N)
    eta = 0.3 + 0.4 * x + np.where(g == "a", 0.3, np.where(g == "c", -0.2, 0.0))
    t = rng.integers(1, 6, N)
    if family == "gaussian":
        y = eta + rng.normal(size=N)
    elif family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    elif family == "binomial":
        y = rng.binomial(t, 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.gamma(2.0, np.exp(eta) / 2.0)
    return {"y": y, "x": x, "g": g, "w": rng.uniform(0.5, 2.0, N), "off": rng.uniform(-0.2, 0.2, N),
            "t": t.astype(np.int64), "unused": rng.normal(size=N)}


KINDS = {
    "polars": lambda d: pl.DataFrame(d),
    "polars_lazy": lambda d: pl.DataFrame(d).lazy(),
    "pyarrow": lambda d: pa.table(d),
    "pandas_arrow": lambda d: pd.DataFrame(d).convert_dtypes(dtype_backend="pyarrow"),
    "pandas_nullable": lambda d: pd.DataFrame(d).convert_dtypes(),
}
SERIES_TYPE = {"polars": pl.Series, "polars_lazy": pl.Series, "pyarrow": pa.ChunkedArray,
               "pandas_arrow": pd.Series, "pandas_nullable": pd.Series}


def _fit(family: str, data) -> gk.GLMResult:
    kw = {"trials": "t"} if family == "binomial" else {}
    return gk.glm("y ~ x + g + offset(off)", data, family, weights="w", **kw)


@pytest.mark.filterwarnings("ignore:non-integer #successes")  # binomial weights × trials are not whole
@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("family", ["gaussian", "poisson", "binomial", "gamma"])
def test_formula_route_matches_pandas(family, kind):
    d = _data(family)
    ref = _fit(family, pd.DataFrame(d))
    fit = _fit(family, KINDS[kind](d))
    assert list(fit.coef.index) == list(ref.coef.index)
    np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())
    np.testing.assert_array_equal(fit.std_err.to_numpy(), ref.std_err.to_numpy())
    assert fit.deviance == ref.deviance
    new = _data(family, seed=1)
    pred = fit.predict(KINDS[kind](new))
    assert isinstance(pred, SERIES_TYPE[kind])
    np.testing.assert_array_equal(np.asarray(pred), ref.predict(pd.DataFrame(new)).to_numpy())
    own = fit.predict()  # the training rows, in the training data's kind
    assert isinstance(own, SERIES_TYPE[kind])
    np.testing.assert_array_equal(np.asarray(own), ref.predict().to_numpy())


@pytest.mark.parametrize("kind", list(KINDS))
def test_predict_with_se_and_intervals_in_the_input_kind(kind):
    d = _data("poisson")
    ref = _fit("poisson", pd.DataFrame(d))
    fit = _fit("poisson", KINDS[kind](d))
    out = fit.predict(KINDS[kind](d), se=True, interval="confidence")
    expected = ref.predict(pd.DataFrame(d), se=True, interval="confidence")
    frame = pl.DataFrame(out) if isinstance(out, (pl.DataFrame, pa.Table)) else out
    if kind.startswith("polars"):
        assert isinstance(out, pl.DataFrame)
    elif kind == "pyarrow":
        assert isinstance(out, pa.Table)
    for col in ("fit", "se", "lower", "upper"):
        np.testing.assert_array_equal(np.asarray(frame[col]), expected[col].to_numpy())


def test_pandas_newdata_keeps_its_index_and_arrays_give_pandas():
    d = _data("poisson")
    fit = _fit("poisson", pl.DataFrame(d))
    pdf = pd.DataFrame(d, index=np.arange(N) * 2)
    pred = fit.predict(pdf)
    assert isinstance(pred, pd.Series) and pred.index.equals(pdf.index)
    array_fit = gk.glm_fit(np.column_stack([d["x"]]), d["y"], "poisson")
    assert isinstance(array_fit.predict(np.ones((2, 1))), pd.Series)
    assert isinstance(array_fit.predict(pl.DataFrame({"x": [1.0, 2.0]})), pl.Series)


def _factor_frames(levels: list[str]) -> dict:
    rng = np.random.default_rng(3)
    g = rng.choice(levels, N)
    x = rng.normal(size=N)
    y = rng.poisson(np.exp(0.2 + 0.3 * x + (g == levels[1]) * 0.5)).astype(float)
    return {
        "pandas_categorical": pd.DataFrame({"x": x, "g": pd.Categorical(g, categories=levels), "y": y}),
        "polars_enum": pl.DataFrame({"x": x, "g": pl.Series(g, dtype=pl.Enum(levels)), "y": y}),
        "arrow_dictionary": pa.table({"x": x, "g": pa.DictionaryArray.from_arrays(
            pa.array([levels.index(v) for v in g], pa.int32()), pa.array(levels)), "y": y}),
    }


@pytest.mark.parametrize("door", ["formula", "glm_fit"])
def test_declared_level_order_is_kept(door):
    levels = ["c", "a", "b"]  # not sorted: the first (baseline) is "c"
    frames = _factor_frames(levels)
    fits = {}
    for name, frame in frames.items():
        if door == "formula":
            fits[name] = gk.glm("y ~ x + g", frame, "poisson")
        else:
            X = frame.drop(columns="y") if isinstance(frame, pd.DataFrame) else (
                frame.drop("y") if isinstance(frame, pl.DataFrame) else frame.drop_columns(["y"]))
            fits[name] = gk.glm_fit(X, frames["pandas_categorical"]["y"], "poisson")
    ref = fits["pandas_categorical"]
    assert [n for n in ref.coef.index if n.startswith("g")] == ["g[T.a]", "g[T.b]"]
    for name, fit in fits.items():
        assert list(fit.coef.index) == list(ref.coef.index), name
        np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())


def test_strings_sorted_booleans_numeric_nullable_ints_numeric():
    rng = np.random.default_rng(4)
    g = rng.choice(["z", "m", "a"], N)
    b = rng.random(N) > 0.5
    k = rng.integers(0, 4, N)
    y = rng.poisson(1 + b + k * 0.2).astype(float)
    X_pd = pd.DataFrame({"g": g, "b": b, "k": k})
    ref = gk.glm_fit(X_pd, y, "poisson")
    assert list(ref.coef.index) == ["Intercept", "b", "k", "g[T.m]", "g[T.z]"]
    for X in (pl.DataFrame(X_pd), pa.Table.from_pandas(X_pd), X_pd.convert_dtypes(),
              X_pd.convert_dtypes(dtype_backend="pyarrow")):
        fit = gk.glm_fit(X, pl.Series(y), "poisson")
        assert list(fit.coef.index) == list(ref.coef.index)
        np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "pandas_arrow", "pandas_nullable"])
def test_nulls_follow_na_action(kind):
    d = _data("poisson")
    pdf = pd.DataFrame(d)
    pdf.loc[[3, 10], "x"] = np.nan
    pdf.loc[[5], "g"] = None
    pdf.loc[[7], "w"] = np.nan
    native = {"polars": lambda: pl.from_pandas(pdf), "pyarrow": lambda: pa.Table.from_pandas(pdf, preserve_index=False),
              "pandas_arrow": lambda: pdf.convert_dtypes(dtype_backend="pyarrow"),
              "pandas_nullable": lambda: pdf.convert_dtypes()}[kind]()
    ref = gk.glm("y ~ x + g", pdf, "poisson", weights="w", na_action="drop")
    fit = gk.glm("y ~ x + g", native, "poisson", weights="w", na_action="drop")
    assert fit.n_dropped == ref.n_dropped == 4
    np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())
    with pytest.raises(InputError, match="na_action='raise'"):
        gk.glm("y ~ x + g", native, "poisson", weights="w", na_action="raise")


def test_lazy_frame_is_collected_once(monkeypatch):
    calls = []
    original = pl.LazyFrame.collect

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pl.LazyFrame, "collect", counting)
    d = _data("poisson")
    fit = gk.glm("y ~ x + g", pl.DataFrame(d).lazy(), "poisson", weights="w")
    assert len(calls) == 1
    fit.predict(), fit.cov_robust("HC0", cluster="g")
    assert len(calls) == 1
    gk.glm_fit(pl.DataFrame(d).select("x", "g").lazy(), d["y"], "poisson")
    assert len(calls) == 2


def test_cluster_column_of_a_polars_frame():
    d = _data("poisson")
    pdf = pd.DataFrame(d)
    pdf.loc[[2, 9], "x"] = np.nan  # rows dropped: the cluster labels must follow the rows used
    ref = gk.glm("y ~ x + g", pdf, "poisson").cov_robust("HC0", cluster="g")
    got = gk.glm("y ~ x + g", pl.from_pandas(pdf), "poisson").cov_robust("HC0", cluster="g")
    np.testing.assert_allclose(got.to_numpy(), ref.to_numpy(), rtol=1e-14, atol=0)


def test_penalized_path_and_cv_in_both_doors():
    d = _data("poisson")
    pdf, plf = pd.DataFrame(d), pl.DataFrame(d)
    ref = gk.glm("y ~ x + g", pdf, "poisson", alpha=0.01)
    fit = gk.glm("y ~ x + g", plf, "poisson", alpha=0.01)
    np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())
    assert isinstance(fit.predict(plf), pl.Series)
    np.testing.assert_array_equal(fit.predict(plf).to_numpy(), ref.predict(pdf).to_numpy())
    path_ref = gk.glm_path("y ~ x + g", pdf, "poisson", n_alphas=5)
    path = gk.glm_path("y ~ x + g", plf, "poisson", n_alphas=5)
    np.testing.assert_array_equal(path.coef_path, path_ref.coef_path)
    out = path.predict(plf)
    assert isinstance(out, pl.DataFrame) and out.width == 5
    np.testing.assert_array_equal(out.to_numpy(), path_ref.predict(pdf).to_numpy())
    X_pd, X_pl = pdf[["x", "g"]], plf.select("x", "g")
    path_arr = gk.glm_path(X_pl, plf["y"], "poisson", n_alphas=5)
    np.testing.assert_array_equal(path_arr.coef_path, gk.glm_path(X_pd, pdf["y"], "poisson", n_alphas=5).coef_path)
    cv_ref = gk.cv_glm(X_pd, pdf["y"], "poisson", n_alphas=5, n_folds=3, seed=0)
    cv = gk.cv_glm(X_pl, plf["y"], "poisson", n_alphas=5, n_folds=3, seed=0)
    np.testing.assert_array_equal(cv.cv_mean, cv_ref.cv_mean)
    cv_f = gk.cv_glm("y ~ x + g", plf, "poisson", n_alphas=5, n_folds=3, seed=0)
    np.testing.assert_array_equal(cv_f.cv_mean, gk.cv_glm("y ~ x + g", pdf, "poisson", n_alphas=5, n_folds=3, seed=0).cv_mean)


def test_glm_fit_predict_on_new_frames_of_each_kind():
    d = _data("gamma")
    X_pd = pd.DataFrame({"x": d["x"], "g": d["g"]})
    fit = gk.glm_fit(pl.from_pandas(X_pd), d["y"], "gamma", offset=d["off"])
    ref = gk.glm_fit(X_pd, d["y"], "gamma", offset=d["off"])
    np.testing.assert_array_equal(fit.coef.to_numpy(), ref.coef.to_numpy())
    expected = ref.predict(X_pd, offset=d["off"]).to_numpy()
    for new, kind in ((pl.from_pandas(X_pd), pl.Series), (pa.Table.from_pandas(X_pd), pa.ChunkedArray),
                      (X_pd, pd.Series)):
        pred = fit.predict(new, offset=pl.Series(d["off"]))
        assert isinstance(pred, kind)
        np.testing.assert_array_equal(np.asarray(pred), expected)


def test_errors_name_the_column_and_the_fix():
    d = _data("poisson")
    plf = pl.DataFrame(d)
    fit = gk.glm_fit(plf.select("x", "g"), d["y"], "poisson")
    with pytest.raises(InputError, match=r"lacks the columns \['g'\]"):
        fit.predict(plf.select("x"))
    with pytest.raises(UnseenLevelError, match="'g'.*not seen"):
        fit.predict(pl.DataFrame({"x": [0.0], "g": ["new"]}))
    with pytest.raises(InputError, match="duplicate column names"):
        gk.glm("y ~ x", pd.DataFrame([[1.0, 2.0, 3.0]] * 3, columns=["y", "x", "x"]))
    with pytest.raises(InputError, match="weights='g'.*must be numeric"):
        gk.glm("y ~ x", plf, "poisson", weights="g")
    dated = plf.select("x").with_columns(when=pl.date(2020, 1, 1))
    with pytest.raises(InputError, match="Column 'when'.*must be numeric"):
        gk.glm_fit(dated, d["y"], "poisson")
    with pytest.raises(InputError, match="Column 'x' has 1 missing"):
        gk.glm_fit(plf.select("x", "g").with_columns(x=pl.when(pl.int_range(N) == 3).then(None).otherwise("x")),
                   d["y"], "poisson")
    with pytest.raises(gk.errors.FormulaError, match="Columns available: y, x, g"):
        gk.glm("y ~ nothere", plf, "poisson")
