"""Model files (``fit.save``/``gk.load``) and data-free pickles: bit-exact round trips, clear refusals."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pytest

import glmkit as gk
from glmkit.errors import (AliasingWarning, CorruptModelFileError, InferenceError, ModelFileVersionError,
                           NoTrainingDataError, UnsavableModelError)
from glmkit.links import Link, Power
from glmkit.persist import decode_value, encode_value

pytestmark = pytest.mark.filterwarnings("ignore::glmkit.errors.AliasingWarning")


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(7)
    n = 400
    d = pd.DataFrame({"x": rng.normal(size=n), "g": rng.choice(["b", "a", "c"], n), "z": rng.uniform(1, 2, n),
                      "e": rng.uniform(1, 3, n)})
    d["count"] = rng.poisson(np.exp(0.2 + 0.3 * d.x + np.log(d.e)))
    d["pos"] = rng.gamma(2.0, np.exp(0.1 * d.x) / 2.0)
    d["succ"] = rng.binomial(5, 1 / (1 + np.exp(-0.4 * d.x)))
    d["fail"] = 5 - d["succ"]
    d["bin"] = (rng.uniform(size=n) < 1 / (1 + np.exp(-d.x))).astype(float)
    return d, d.sample(60, random_state=1)


FORMULA_FITS = {
    "poisson-transforms-offset": lambda d: gk.glm("count ~ x + C(g, Sum) + center(z) + bs(z, df=3) + offset(np.log(e))",
                                                  d, family="poisson"),
    "poisson-offset-column": lambda d: gk.glm("count ~ x * g", d, family="poisson", offset="e"),
    "gamma-interaction-scale": lambda d: gk.glm("pos ~ x:g + scale(z) + poly(x, 2)", d, family=gk.Gamma("log")),
    "tweedie-no-intercept": lambda d: gk.glm("pos ~ 0 + g + x", d, family=gk.Tweedie(1.4)),
    "gaussian-bare-columns": lambda d: gk.glm("pos ~ x + z", d),
    "gaussian-power-link": lambda d: gk.glm("pos ~ x + z", d, family=gk.Gaussian(link=Power(0.5))),
    "inverse-gaussian": lambda d: gk.glm("pos ~ x + g", d, family=gk.InverseGaussian("log")),
    "binomial-cbind-probit": lambda d: gk.glm("cbind(succ, fail) ~ x + g", d, family=gk.Binomial("probit")),
    "binomial-levels": lambda d: gk.glm("bin ~ C(g, levels=['c', 'a', 'b']) + x", d, family="binomial"),
    "quasipoisson": lambda d: gk.glm("count ~ x + g", d, family="quasipoisson"),
    "quasi-mu2": lambda d: gk.glm("pos ~ x + g", d, family=gk.Quasi(link="log", variance="mu^2")),
    "negbin-fixed-theta": lambda d: gk.glm("count ~ x + g", d, family=gk.NegativeBinomial(theta=3.0)),
    "negbin-estimated-theta": lambda d: gk.glm_nb("count ~ x + g", d),
    "dispersion-override": lambda d: gk.glm("pos ~ x", d, family="gamma", dispersion=0.7),
    "gamma-r-spellings": lambda d: gk.glm("pos ~ factor(g) * x + I(x^2) + ns(z, df = 3) + bs(x, df = 4) + poly(e, 2) "
                                          "+ log(e) + offset(log(z))", d, family=gk.Gamma("log")),
}


def _same_inference(a, b, newdata, **kw):
    for interval in (None, "confidence"):
        for kind in ("response", "link"):
            pa = a.predict(newdata, kind=kind, se=True, interval=interval, **kw)
            pb = b.predict(newdata, kind=kind, se=True, interval=interval, **kw)
            pd.testing.assert_frame_equal(pa, pb, check_exact=True)
    assert str(a.summary()) == str(b.summary())
    for name in ("coef", "std_err", "p_values", "statistic", "aliased"):
        pd.testing.assert_series_equal(getattr(a, name), getattr(b, name), check_exact=True)
    pd.testing.assert_frame_equal(a.cov, b.cov, check_exact=True)
    pd.testing.assert_frame_equal(a.conf_int(0.9), b.conf_int(0.9), check_exact=True)
    for name in ("deviance", "null_deviance", "aic", "bic", "loglik", "dispersion", "df_resid", "df_null", "n_obs"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


@pytest.mark.parametrize("name", sorted(FORMULA_FITS))
def test_formula_fits_round_trip_bit_for_bit(name, data, tmp_path):
    d, new = data
    fit = FORMULA_FITS[name](d)
    path = tmp_path / "model.json"
    fit.save(path)
    loaded = gk.load(path)
    assert type(loaded) is type(fit) and not loaded.holds_training_data
    _same_inference(fit, loaded, new)
    unpickled = pickle.loads(pickle.dumps(fit))
    assert not unpickled.holds_training_data
    _same_inference(fit, unpickled, new)
    if isinstance(fit, gk.GLMResult) and hasattr(fit, "theta"):
        assert (loaded.theta, loaded.theta_se) == (fit.theta, fit.theta_se)


def test_the_file_is_readable_json_without_training_data(data, tmp_path):
    d, _ = data
    fit = FORMULA_FITS["poisson-transforms-offset"](d)
    fit.save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    assert doc["format"] == "glmkit-model" and doc["format_version"] == 1 and doc["class"] == "GLMResult"
    model = doc["model"]
    assert model["family"] == {"name": "poisson", "link": {"name": "log"}}
    assert model["coefficients"]["names"] == fit.names
    assert model["encoding"]["offset_terms"] == ["np.log(e)"]
    assert "center(z)" in model["encoding"]["model_spec"]["transform_state"]
    assert (tmp_path / "m.json").stat().st_size < 20_000  # 400 rows of data are not in it


def test_array_and_frame_fits_round_trip(data, tmp_path):
    d, new = data
    X = d[["x", "z"]].to_numpy()
    for fit, newdata, kw in [
        (gk.glm_fit(X, d["pos"], family="gamma", offset=np.zeros(len(d))), new[["x", "z"]].to_numpy(),
         {"offset": np.full(len(new), 0.1)}),
        (gk.glm_fit(d[["x", "g"]], d["count"], family="poisson"), new[["x", "g"]], {}),
    ]:
        fit.save(tmp_path / "a.json")
        _same_inference(fit, gk.load(tmp_path / "a.json"), newdata, **kw)


def test_aliased_coefficients_round_trip(data, tmp_path):
    d, new = data
    d2 = d.assign(x2=2 * d.x)
    with pytest.warns(AliasingWarning):
        fit = gk.glm("pos ~ x + x2 + g", d2, family="gamma")
    fit.save(tmp_path / "al.json")
    _same_inference(fit, gk.load(tmp_path / "al.json"), new.assign(x2=2 * new.x))


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0])
def test_penalised_fits_round_trip(data, tmp_path, l1_ratio):
    d, new = data
    fit = gk.glm("count ~ x + g + z", d, family="poisson", alpha=0.02, l1_ratio=l1_ratio)
    fit.save(tmp_path / "p.json")
    loaded = gk.load(tmp_path / "p.json")
    assert isinstance(loaded, gk.PenalizedGLMResult)
    pd.testing.assert_series_equal(fit.coef, loaded.coef, check_exact=True)
    pd.testing.assert_series_equal(fit.predict(new), loaded.predict(new), check_exact=True)
    assert loaded.summary() == fit.summary()
    with pytest.raises(InferenceError if l1_ratio else NoTrainingDataError):
        loaded.std_err


def test_data_needing_methods_say_the_data_is_missing(data, tmp_path):
    d, _ = data
    fit = FORMULA_FITS["quasipoisson"](d)
    fit.save(tmp_path / "q.json")
    for result in (gk.load(tmp_path / "q.json"), pickle.loads(pickle.dumps(fit))):
        for call in (lambda r: r.residuals(), lambda r: r.fitted, lambda r: r.hat_values(),
                     lambda r: r.cov_robust("HC1"), lambda r: r.conf_int(method="profile"), lambda r: r.predict(),
                     lambda r: gk.anova(r), lambda r: gk.drop1(r)):
            with pytest.raises(NoTrainingDataError, match="training data"):
                call(result)


def test_pickle_of_a_200k_row_fit_is_small_and_keep_data_keeps_it():
    rng = np.random.default_rng(0)
    n = 200_000
    d = pd.DataFrame(rng.normal(size=(n, 3)), columns=["a", "b", "c"])
    d["y"] = rng.poisson(np.exp(0.1 + 0.2 * d.a))
    fit = gk.glm("y ~ a + b + c", d, family="poisson")
    small = pickle.dumps(fit)
    assert len(small) < 50_000
    new = d.iloc[:100]
    _same_inference(fit, pickle.loads(small), new)
    kept = pickle.loads(pickle.dumps(fit.keep_data()))
    assert kept.holds_training_data
    pd.testing.assert_series_equal(kept.residuals(), fit.residuals(), check_exact=True)
    assert fit.holds_training_data  # pickling did not change the original


def test_newer_format_version_is_refused(data, tmp_path):
    d, _ = data
    FORMULA_FITS["gaussian-bare-columns"](d).save(tmp_path / "m.json")
    doc = json.loads((tmp_path / "m.json").read_text())
    doc["format_version"] = 99
    (tmp_path / "m.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileVersionError, match="version 99"):
        gk.load(tmp_path / "m.json")


@pytest.mark.parametrize("damage", ["truncate", "edit", "not-model", "garbage"])
def test_corrupt_files_are_refused(data, tmp_path, damage):
    d, _ = data
    path = tmp_path / "m.json"
    FORMULA_FITS["gaussian-bare-columns"](d).save(path)
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[: len(text) // 2])
    elif damage == "edit":
        doc = json.loads(text)
        doc["model"]["deviance"] = 1.0
        path.write_text(json.dumps(doc))
    elif damage == "not-model":
        path.write_text(json.dumps({"hello": 1}))
    else:
        path.write_bytes(b"\x80\x04\x95 pickle bytes")
    with pytest.raises(CorruptModelFileError):
        gk.load(path)


def test_user_defined_family_or_link_is_refused_at_save(data, tmp_path):
    d, _ = data

    class MyLog(Link):
        name = "mylog"

        def link(self, mu):
            return np.log(mu)

        def inverse(self, eta):
            return np.exp(eta)

        def derivative(self, mu):
            return 1 / np.asarray(mu)

        def inverse_derivative(self, eta):
            return np.exp(eta)

        def inverse_second_derivative(self, eta):
            return np.exp(eta)

    fit = gk.glm("count ~ x", d, family=gk.Poisson(link=MyLog()))
    with pytest.raises(UnsavableModelError, match="cannot name it"):
        fit.save(tmp_path / "u.json")
    assert not (tmp_path / "u.json").exists()


def test_values_round_trip_exactly():
    from formulaic.transforms.contrasts import ContrastsState, TreatmentContrasts

    value = {"a": [0.1, float("nan"), -np.inf, "NaN"], 1: ("x", 2), "s": ContrastsState(TreatmentContrasts("b"), ["a", "b"]),
             "arr": np.linspace(0, 1, 5000)}
    back = decode_value(json.loads(json.dumps(encode_value(value))))
    assert back["a"][0] == 0.1 and np.isnan(back["a"][1]) and back["a"][2] == -np.inf and back["a"][3] == "NaN"
    assert back[1] == ("x", 2) and back["s"] == value["s"]
    np.testing.assert_array_equal(back["arr"], value["arr"])
    with pytest.raises(UnsavableModelError):
        encode_value(object())


def test_a_pickled_penalised_fit_drops_the_training_data_unless_asked():
    import pickle

    rng = np.random.default_rng(11)
    n = 200_000
    X = rng.normal(size=(n, 3))
    y = rng.poisson(np.exp(0.3 + X @ [0.2, -0.1, 0.05]))
    fit = gk.glm_fit(X, y, "poisson", alpha=1e-3, l1_ratio=0.5)
    data = pickle.dumps(fit)
    assert len(data) < 50_000
    slim = pickle.loads(data)
    assert not slim.holds_training_data and fit.holds_training_data
    np.testing.assert_array_equal(slim.predict(X[:50]).to_numpy(), fit.predict(X[:50]).to_numpy())
    assert slim.summary() == fit.summary() and slim.coef.equals(fit.coef)
    with pytest.raises(gk.errors.NoTrainingDataError):
        slim.fitted
    kept = pickle.loads(pickle.dumps(fit.keep_data()))
    assert kept.holds_training_data
    np.testing.assert_array_equal(kept.fitted.to_numpy(), fit.fitted.to_numpy())
