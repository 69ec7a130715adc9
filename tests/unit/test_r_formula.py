"""Formulas as R users write them: '.', factor(), I(x^2), R's names, and R's refusals (issues 14 and 15).

The model matrices themselves are compared with R's in tests/reference/test_r_model_matrix.py;
these tests check the rules around them: what '.' excludes on every kind of DataFrame, the
integer-to-double rule, unused and single levels, incomplete formulas, R's deparsed names.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import FormulaError, UnseenLevelError
from glmkit.intake.formula import build_model_frame
from glmkit.intake.r_formula import r_deparse, translate_calls
from glmkit.intake.r_transforms import r_level_label


@pytest.fixture
def data():
    rng = np.random.default_rng(3)
    n = 40
    return pd.DataFrame({
        "y": rng.poisson(3.0, n).astype(float), "x": rng.normal(size=n), "z": rng.uniform(1, 2, n),
        "g": rng.choice(["a", "b", "c"], n), "w": rng.uniform(0.5, 2, n), "e": rng.uniform(1, 3, n),
        "n": rng.integers(5, 10, n).astype(float),
    })


def _kinds(frame: pd.DataFrame):
    pl = pytest.importorskip("polars", reason="polars is not installed")
    pa = pytest.importorskip("pyarrow", reason="pyarrow is not installed")
    return {"pandas": frame, "polars": pl.from_pandas(frame), "lazy": pl.from_pandas(frame).lazy(),
            "arrow": pa.Table.from_pandas(frame, preserve_index=False)}


@pytest.mark.parametrize("kind", ["pandas", "polars", "lazy", "arrow"])
def test_dot_excludes_response_weights_offset_and_trials_on_every_frame_kind(data, kind):
    frame = _kinds(data)[kind]
    fit = gk.glm("y ~ .", frame, family="poisson", weights="w", offset="e")
    assert list(fit.coef.index) == ["Intercept", "x", "z", "g[T.b]", "g[T.c]", "n"]
    explicit = gk.glm("y ~ x + z + g + n", data, family="poisson", weights="w", offset="e")
    np.testing.assert_allclose(fit.coef.to_numpy(), explicit.coef.to_numpy(), rtol=1e-12)
    binom = build_model_frame("y ~ . - g", _kinds(data.assign(y=np.minimum(data.y, data.n)))[kind], trials="n",
                              weights="w")
    assert binom.column_names == ["Intercept", "x", "z", "e"]


def test_dot_with_interactions_and_offset_terms(data):
    small = data[["y", "x", "z", "e"]]
    frame = build_model_frame("y ~ (.)^2 + offset(log(e))", small)
    assert frame.column_names == ["Intercept", "x", "z", "x:z"]
    np.testing.assert_allclose(frame.offset, np.log(small.e.to_numpy()))
    assert build_model_frame("log(y + 1) ~ . - g - w", data).column_names == ["Intercept", "x", "z", "e", "n"]


def test_dot_that_leaves_nothing_is_refused(data):
    with pytest.raises(FormulaError, match="'.' stands for no column"):
        build_model_frame("y ~ .", data[["y", "w"]], weights="w")


def test_integer_columns_are_doubles_before_formula_arithmetic():
    k = np.array([100, 120, 127, -100, 5, 6], dtype=np.int8)
    d = pd.DataFrame({"y": np.arange(6.0), "k": k})
    frame = build_model_frame("y ~ I(k**2) + I(k^3)", d)
    expected = k.astype(float)
    np.testing.assert_array_equal(frame.X[:, 1], expected**2)
    np.testing.assert_array_equal(frame.X[:, 2], expected**3)
    fit = gk.glm("y ~ I(k^2)", d)
    new = pd.DataFrame({"k": np.array([127, -128], dtype=np.int8)})
    np.testing.assert_allclose(fit.predict(new, kind="link").to_numpy(),
                               fit.coef.to_numpy()[0] + fit.coef.to_numpy()[1] * np.array([127.0, -128.0]) ** 2)


@pytest.mark.parametrize("dtype", ["int64", "float64", "int8"])
def test_integer_valued_levels_keep_integer_names(dtype):
    d = pd.DataFrame({"y": np.arange(8.0), "cyl": np.array([4, 6, 8, 4, 6, 8, 4, 6]).astype(dtype)})
    assert build_model_frame("y ~ factor(cyl)", d).column_names == ["Intercept", "factor(cyl)6", "factor(cyl)8"]
    assert build_model_frame("y ~ C(cyl)", d).column_names == ["Intercept", "C(cyl)[T.6]", "C(cyl)[T.8]"]


def test_factor_levels_follow_r_order_and_labels():
    d = pd.DataFrame({"y": np.arange(6.0), "v": [10.0, 9.0, 0.5, 10.0, 9.0, 0.5], "b": [True, False] * 3})
    assert build_model_frame("y ~ factor(v)", d).column_names == ["Intercept", "factor(v)9", "factor(v)10"]
    assert build_model_frame("y ~ factor(b) - 1", d).column_names == ["factor(b)FALSE", "factor(b)TRUE"]
    assert [r_level_label(v) for v in (1e5, 123456.0, 0.1, 1e-20)] == ["1e+05", "123456", "0.1", "1e-20"]


def test_factor_prediction_refuses_unseen_levels():
    d = pd.DataFrame({"y": np.arange(6.0), "cyl": [4, 6, 8, 4, 6, 8]})
    fit = gk.glm("y ~ factor(cyl)", d)
    np.testing.assert_allclose(fit.predict(pd.DataFrame({"cyl": [6.0]})).to_numpy(),
                               fit.coef.to_numpy()[0] + fit.coef.to_numpy()[1])
    with pytest.raises(UnseenLevelError):
        fit.predict(pd.DataFrame({"cyl": [5]}))


@pytest.mark.parametrize("formula", ["y ~ x +", "y ~ x + offset(e) +", "y ~ x *", "y ~ x:", "y ~ "])
def test_incomplete_formula_is_refused(data, formula):
    with pytest.raises(FormulaError, match="ends with|nothing on the right"):
        gk.glm(formula, data)


@pytest.mark.parametrize("term", ["g", "C(g)", "factor(g)", "factor(k)"])
def test_one_level_factor_is_refused_naming_it(term):
    d = pd.DataFrame({"y": np.arange(6.0), "x": np.arange(6.0) ** 0.5, "g": ["a"] * 6, "k": [3.0] * 6})
    with pytest.raises(FormulaError, match=r"2 or more levels.*Remove it") as info:
        gk.glm(f"y ~ x + {term}", d)
    assert repr(term) in str(info.value)


def test_factor_left_with_one_level_after_missing_rows_is_refused():
    d = pd.DataFrame({"y": np.arange(6.0), "x": [1.0, 2, 3, 4, np.nan, np.nan], "g": ["a"] * 4 + ["b"] * 2})
    with pytest.raises(FormulaError, match="only the level 'a'"):
        gk.glm("y ~ x + g", d)


@pytest.mark.parametrize("term", ["g", "C(g)", "factor(g)"])
def test_unused_levels_are_dropped_as_r_does(term):
    rng = np.random.default_rng(0)
    g = pd.Categorical(rng.choice(["a", "c"], 30), categories=["a", "b", "c", "d"])
    d = pd.DataFrame({"y": rng.poisson(2.0, 30).astype(float), "x": rng.normal(size=30), "g": g})
    fit = gk.glm(f"y ~ x + {term}", d, family="poisson")
    assert len(fit.coef) == 3 and np.all(np.isfinite(fit.coef.to_numpy()))
    strings = gk.glm("y ~ x + g", d.assign(g=d.g.astype(str)), family="poisson")
    np.testing.assert_allclose(fit.coef.to_numpy(), strings.coef.to_numpy(), rtol=1e-12)


def test_levels_seen_only_in_dropped_rows_are_dropped():
    d = pd.DataFrame({"y": np.arange(8.0), "x": [1.0, 2, np.nan, 4, 5, 6, 7, 9],
                      "g": pd.Categorical(["a", "b", "c", "a", "b", "a", "b", "a"])})
    for term in ("g", "C(g)", "factor(g)"):
        assert len(build_model_frame(f"y ~ x + {term}", d).column_names) == 3


def test_r_spellings_fit_like_their_python_spellings(data):
    r_fit = gk.glm("y ~ log(z) + sqrt(e) + exp(x/4) + I(x^2) + log(n, 2)", data, family="poisson")
    py_fit = gk.glm("y ~ np.log(z) + np.sqrt(e) + np.exp(x/4) + I(x**2) + np.log2(n)", data, family="poisson")
    np.testing.assert_allclose(r_fit.coef.to_numpy(), py_fit.coef.to_numpy(), rtol=1e-12)
    assert list(r_fit.coef.index)[1:] == ["log(z)", "sqrt(e)", "exp(x/4)", "I(x^2)", "log(n, 2)"]


def test_spline_arguments_as_r_writes_them(data):
    frame = build_model_frame("y ~ ns(x, knots = c(-0.5, 0.5), Boundary.knots = c(-3, 3)) + bs(z, df = 4)", data)
    assert frame.column_names[1:4] == ["ns(x, knots = c(-0.5, 0.5), Boundary.knots = c(-3, 3))1",
                                       "ns(x, knots = c(-0.5, 0.5), Boundary.knots = c(-3, 3))2",
                                       "ns(x, knots = c(-0.5, 0.5), Boundary.knots = c(-3, 3))3"]
    with pytest.raises(FormulaError, match="'df' = 2 is too small"):
        build_model_frame("y ~ bs(z, df = 2)", data)
    with pytest.raises(FormulaError, match="less than the number of unique points"):
        build_model_frame("y ~ poly(n, 8)", data)


def test_translation_and_deparse_helpers():
    assert translate_calls("(a + b)^2 + I(x^2)") == "(a + b)^2 + I(x**2)"
    assert translate_calls("C(g, levels=['^'])") == "C(g, levels=['^'])"
    assert r_deparse("I(-x ** 2)") == "I(-x^2)"
    assert r_deparse("I((-x) ** 2)") == "I((-x)^2)"
    assert r_deparse("I(x - (y - z))") == "I(x - (y - z))"
    assert r_deparse("I(x > 2.50)") == "I(x > 2.5)"
    assert r_deparse("poly(x, 2, raw=TRUE)") == "poly(x, 2, raw = TRUE)"


def test_logical_terms_are_factors_and_logical_responses_are_zero_one():
    d = pd.DataFrame({"y": np.arange(8.0), "hp": [50.0, 120, 90, 200, 130, 80, 160, 70]})
    frame = build_model_frame("y ~ I(hp > 100)", d)
    assert frame.column_names == ["Intercept", "I(hp > 100)TRUE"]
    np.testing.assert_array_equal(frame.X[:, 1], (d.hp > 100).to_numpy(dtype=float))
    np.testing.assert_array_equal(build_model_frame("hp > 100 ~ y", d).y, (d.hp > 100).to_numpy(dtype=float))


def test_specs_saved_with_formulaics_own_bs_still_encode_new_data(data):
    import formulaic

    from glmkit.intake.r_formula import formula_context

    old = formulaic.model_matrix("bs(z, df=3)", data)  # formulaic's bs, as model files before R's bs hold it
    new = data.iloc[::3]
    expected = formulaic.model_matrix(old.model_spec, new).to_numpy()
    got = old.model_spec.get_model_matrix(new, context=formula_context()).to_numpy()
    np.testing.assert_array_equal(got, expected)
