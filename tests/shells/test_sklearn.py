"""glmkit.sklearn: scikit-learn's own estimator checks, metadata routing of offset and
sample_weight through Pipelines and model selection, and agreement with glmkit's functions."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

sklearn = pytest.importorskip("sklearn", reason="scikit-learn (the [sklearn] extra) is not installed")

from sklearn import config_context  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, PredefinedSplit, cross_val_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import glmkit as gk  # noqa: E402
from glmkit.sklearn import GLMClassifier, GLMClassifierCV, GLMRegressor, GLMRegressorCV  # noqa: E402

_NO_MLE = ("with alpha=0 (an unpenalised maximum-likelihood fit) the check's data, 15 rows and 30 columns, are "
           "separable and rank-deficient: no binomial MLE exists, and the diverging iterates of the weighted and "
           "the repeated fits differ; the same check passes with alpha > 0 (GLMClassifier(alpha=0.1) below)")


def _expected_failures(estimator):
    if isinstance(estimator, GLMClassifier) and estimator.alpha == 0:
        return {"check_sample_weight_equivalence_on_dense_data": _NO_MLE,
                "check_sample_weight_equivalence_on_sparse_data": _NO_MLE}
    return {}


@parametrize_with_checks(
    [GLMRegressor(), GLMRegressor(family="poisson"), GLMRegressor(alpha=0.1, l1_ratio=0.5),
     GLMClassifier(), GLMClassifier(alpha=0.1), GLMClassifier(link="cloglog"), GLMClassifier(link="probit", alpha=0.05),
     GLMRegressorCV(n_alphas=8, random_state=0), GLMClassifierCV(n_alphas=5, random_state=0)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


@pytest.fixture
def routing():
    """scikit-learn's metadata routing switched on (``set_fit_request`` and the like need it)."""
    with config_context(enable_metadata_routing=True):
        yield


# -- data --------------------------------------------------------------------------------------
def _poisson_data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    exposure = rng.uniform(0.5, 3.0, size=n)
    y = rng.poisson(exposure * np.exp(0.2 + X @ [0.5, -0.3, 0.0, 0.2]))
    w = rng.integers(1, 4, size=n).astype(float)
    return X, y, np.log(exposure), w


# -- Pipeline + GridSearchCV with an offset (the "done when") ------------------------
def test_grid_search_over_alpha_with_routed_offset_matches_the_direct_fit(routing):
    X, y, offset, _ = _poisson_data()
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    glm = (GLMRegressor(family="poisson", l1_ratio=0.5)
           .set_fit_request(offset=True).set_score_request(offset=True))
    pipe = Pipeline([("columns", ColumnTransformer([("keep", "passthrough", ["a", "b", "c", "d"])])), ("glm", glm)])
    grid = {"glm__alpha": [0.3, 0.03, 0.003]}
    search = GridSearchCV(pipe, grid, cv=KFold(3, shuffle=True, random_state=0)).fit(frame, y, offset=offset)
    best = search.best_params_["glm__alpha"]
    direct = gk.glm_fit(X, y, "poisson", offset=offset, alpha=best, l1_ratio=0.5)
    fitted = search.best_estimator_[-1]
    # Equal up to rounding (the pipeline's array is laid out differently in memory).
    np.testing.assert_allclose(np.r_[fitted.intercept_, fitted.coef_], direct.coef.to_numpy(), rtol=1e-12, atol=1e-15)
    # The offset reached fit and score of every split: the grid's scores are the held-out D²s
    # computed by hand with the offset.
    for i, alpha in enumerate(grid["glm__alpha"]):
        scores = []
        for train, test in KFold(3, shuffle=True, random_state=0).split(X):
            m = GLMRegressor(family="poisson", l1_ratio=0.5, alpha=alpha).fit(X[train], y[train], offset=offset[train])
            scores.append(m.score(X[test], y[test], offset=offset[test]))
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(np.mean(scores), rel=1e-12)


def test_predict_offset_is_routed_through_a_pipeline(routing):
    X, y, offset, _ = _poisson_data()
    glm = GLMRegressor(family="poisson").set_fit_request(offset=True).set_predict_request(offset=True)
    pipe = Pipeline([("columns", ColumnTransformer([("keep", "passthrough", [0, 1, 2, 3])])), ("glm", glm)])
    pipe.fit(X, y, offset=offset)
    got = pipe.predict(X, offset=offset)
    direct = gk.glm_fit(X, y, "poisson", offset=offset)
    np.testing.assert_allclose(got, direct.fitted.to_numpy(), rtol=1e-12)


def test_a_model_fitted_with_an_offset_refuses_to_predict_without_one():
    X, y, offset, _ = _poisson_data()
    model = GLMRegressor(family="poisson").fit(X, y, offset=offset)
    with pytest.raises(gk.InputError, match="offset"):
        model.predict(X)


def test_cross_val_score_with_routed_sample_weight_equals_the_manual_loop(routing):
    X, y, _, w = _poisson_data()
    est = GLMRegressor(family="poisson").set_fit_request(sample_weight=True).set_score_request(sample_weight=True)
    cv = KFold(4, shuffle=True, random_state=1)
    got = cross_val_score(est, X, y, cv=cv, params={"sample_weight": w})
    manual = [GLMRegressor(family="poisson").fit(X[tr], y[tr], sample_weight=w[tr]).score(X[te], y[te], sample_weight=w[te])
              for tr, te in cv.split(X)]
    np.testing.assert_allclose(got, manual, rtol=1e-12)
    unweighted = [GLMRegressor(family="poisson").fit(X[tr], y[tr]).score(X[te], y[te]) for tr, te in cv.split(X)]
    assert not np.allclose(got, unweighted)  # the weights made a difference


# -- agreement with glmkit -----------------------------------------------------------------------
def test_classifier_with_string_labels_and_probit_link_equals_glm_fit():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 3))
    positive = rng.random(400) < gk.get_link("probit").inverse(0.3 + X @ [1.0, -0.5, 0.0])
    labels = np.where(positive, "yes", "no")
    clf = GLMClassifier(link="probit").fit(X, labels)
    direct = gk.glm_fit(X, positive.astype(float), "binomial", link="probit")
    assert clf.classes_.tolist() == ["no", "yes"]
    np.testing.assert_array_equal(np.r_[clf.intercept_, clf.coef_.ravel()], direct.coef.to_numpy())
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba[:, 1], direct.fitted.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), np.where(proba[:, 1] > 0.5, "yes", "no"))
    assert np.all((clf.decision_function(X) > 0) == (clf.predict(X) == "yes"))
    assert clf.score(X, labels) == pytest.approx(np.mean(clf.predict(X) == labels))


def test_classifier_refuses_more_than_two_classes():
    X = np.arange(9.0).reshape(-1, 1)
    with pytest.raises(gk.InputError, match="Only binary classification is supported.*3 class"):
        GLMClassifier().fit(X, np.arange(9) % 3)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_score_on_training_data_is_one_minus_deviance_over_null_deviance(fit_intercept):
    X, y, offset, w = _poisson_data()
    model = GLMRegressor(family="poisson", fit_intercept=fit_intercept).fit(X, y, sample_weight=w, offset=offset)
    res = model.result_
    assert model.score(X, y, sample_weight=w, offset=offset) == pytest.approx(1 - res.deviance / res.null_deviance,
                                                                               rel=1e-10)


def test_score_on_new_data_uses_the_null_model_with_the_offset():
    X, y, offset, w = _poisson_data(seed=5)
    model = GLMRegressor(family="poisson").fit(X[:200], y[:200], offset=offset[:200])
    Xt, yt, ot, wt = X[200:], y[200:], offset[200:], w[200:]
    fam = gk.Poisson()
    deviance = fam.deviance(yt, model.predict(Xt, offset=ot), wt)
    null = gk.glm_fit(np.empty((100, 0)), yt, "poisson", offset=ot, weights=wt).deviance
    assert model.score(Xt, yt, sample_weight=wt, offset=ot) == pytest.approx(1 - deviance / null, rel=1e-10)


def test_penalised_regressor_equals_glm_fit_and_keeps_the_glmkit_result():
    X, y, _, w = _poisson_data()
    model = GLMRegressor(family="poisson", alpha=0.05, l1_ratio=1.0).fit(X, y, sample_weight=w)
    direct = gk.glm_fit(X, y, "poisson", weights=w, alpha=0.05, l1_ratio=1.0)
    np.testing.assert_array_equal(np.r_[model.intercept_, model.coef_], direct.coef.to_numpy())
    assert isinstance(model.result_, gk.PenalizedGLMResult)
    assert model.n_iter_ >= 1 and model.n_features_in_ == 4


def test_result_summary_and_inference_are_available():
    X, y, offset, _ = _poisson_data()
    frame = pd.DataFrame(X, columns=["age", "dose", "c", "d"])
    model = GLMRegressor(family="poisson").fit(frame, y, offset=offset)
    text = str(model.result_.summary())
    assert "age" in text and "dose" in text
    assert model.feature_names_in_.tolist() == ["age", "dose", "c", "d"]
    assert model.result_.conf_int().shape == (5, 2)


def test_categorical_dataframe_columns_are_factors_with_one_coefficient_per_design_column():
    rng = np.random.default_rng(7)
    frame = pd.DataFrame({"x": rng.normal(size=200),
                          "g": pd.Categorical(rng.choice(["lo", "mid", "hi"], 200), categories=["lo", "mid", "hi"])})
    y = rng.poisson(np.exp(0.1 + 0.3 * frame["x"] + (frame["g"] == "hi") * 0.5))
    model = GLMRegressor(family="poisson").fit(frame, y)
    direct = gk.glm_fit(frame, y, "poisson")
    assert model.feature_names_in_.tolist() == ["x", "g"]
    assert model.feature_names_out_.tolist() == ["x", "g[T.mid]", "g[T.hi]"]
    np.testing.assert_array_equal(np.r_[model.intercept_, model.coef_], direct.coef.to_numpy())
    new = frame.iloc[:5]
    np.testing.assert_allclose(model.predict(new), direct.predict(new).to_numpy(), rtol=1e-12)


def test_column_transformer_output_with_pandas_set_output():
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"x": rng.normal(size=150), "g": rng.choice(["a", "b", "c"], 150)})
    y = rng.normal(size=150) + (frame["g"] == "b")
    encode = ColumnTransformer([("onehot", OneHotEncoder(drop="first", sparse_output=False), ["g"]),
                                ("keep", "passthrough", ["x"])]).set_output(transform="pandas")
    pipe = Pipeline([("encode", encode), ("glm", GLMRegressor())]).fit(frame, y)
    glm = pipe[-1]
    assert glm.feature_names_in_.tolist() == ["onehot__g_b", "onehot__g_c", "keep__x"]
    assert glm.result_.coef.index.tolist() == ["Intercept", "onehot__g_b", "onehot__g_c", "keep__x"]
    direct = gk.glm_fit(encode.fit_transform(frame).to_numpy(), y)
    np.testing.assert_allclose(np.r_[glm.intercept_, glm.coef_], direct.coef.to_numpy(), rtol=1e-12)


def test_sparse_one_hot_output_is_accepted():
    rng = np.random.default_rng(9)
    g = rng.choice(["a", "b", "c"], (120, 1))
    y = rng.poisson(np.where(g[:, 0] == "a", 1.0, 3.0))
    pipe = Pipeline([("onehot", OneHotEncoder(drop="first")), ("glm", GLMRegressor(family="poisson"))]).fit(g, y)
    dense = gk.glm_fit(OneHotEncoder(drop="first").fit_transform(g).toarray(), y, "poisson")
    np.testing.assert_allclose(pipe.predict(g), dense.fitted.to_numpy(), rtol=1e-9)


# -- CV estimators ---------------------------------------------------------------------------------
def test_regressor_cv_agrees_with_cv_glm_given_the_same_folds():
    X, y, offset, w = _poisson_data()
    folds = np.arange(len(y)) % 4
    model = GLMRegressorCV(family="poisson", n_alphas=15, cv=PredefinedSplit(folds)).fit(
        X, y, sample_weight=w, offset=offset)
    cv = gk.cv_glm(X, y, "poisson", n_alphas=15, fold_ids=folds, weights=w, offset=offset, progress=False)
    assert model.alpha_ == cv.alpha_min
    np.testing.assert_array_equal(model.cv_result_.cv_mean, cv.cv_mean)
    np.testing.assert_array_equal(np.r_[model.intercept_, model.coef_], cv.best.coef.to_numpy())
    one_se = GLMRegressorCV(family="poisson", n_alphas=15, cv=PredefinedSplit(folds), alpha_choice="1se").fit(
        X, y, sample_weight=w, offset=offset)
    assert one_se.alpha_ == cv.alpha_1se


def test_integer_cv_uses_glmkit_folds_seeded_by_random_state():
    X, y, _, _ = _poisson_data()
    model = GLMRegressorCV(family="poisson", n_alphas=10, cv=5, random_state=3).fit(X, y)
    cv = gk.cv_glm(X, y, "poisson", n_alphas=10, n_folds=5, seed=3, progress=False)
    np.testing.assert_array_equal(model.cv_result_.fold_ids, cv.fold_ids)
    assert model.alpha_ == cv.alpha_min


def test_classifier_cv_agrees_with_cv_glm_given_the_same_folds():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(300, 5))
    y01 = (rng.random(300) < 1 / (1 + np.exp(-(X[:, 0] - 0.5 * X[:, 1])))).astype(float)
    labels = np.where(y01 == 1, "spam", "ham")
    folds = np.arange(300) % 5
    clf = GLMClassifierCV(link="cloglog", n_alphas=12, measure="class", cv=PredefinedSplit(folds)).fit(X, labels)
    cv = gk.cv_glm(X, y01, "binomial", link="cloglog", n_alphas=12, measure="class", fold_ids=folds, progress=False)
    assert clf.alpha_ == cv.alpha_min and clf.classes_.tolist() == ["ham", "spam"]
    np.testing.assert_allclose(clf.predict_proba(X)[:, 1], cv.best.fitted.to_numpy(), rtol=1e-12)


def test_cv_splitter_that_does_not_partition_the_rows_is_refused():
    from sklearn.model_selection import ShuffleSplit

    X, y, _, _ = _poisson_data(n=60)
    with pytest.raises(gk.InputError, match="partition"):
        GLMRegressorCV(family="poisson", cv=ShuffleSplit(3, test_size=0.2, random_state=0)).fit(X, y)


# -- packaging -------------------------------------------------------------------------------------
def test_unfitted_estimator_raises_sklearn_not_fitted_error():
    with pytest.raises(NotFittedError):
        GLMRegressor().predict(np.ones((2, 2)))


def test_import_glmkit_does_not_import_the_sklearn_module():
    code = "import sys, glmkit; print('glmkit.sklearn' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_without_scikit_learn_the_import_error_names_the_extra():
    code = ("import sys; sys.modules['sklearn'] = None\n"
            "try:\n    import glmkit.sklearn\nexcept ImportError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pip install 'glmkit[sklearn]'" in out.stdout


def test_a_polars_frame_with_a_factor_goes_to_glmkit_unchanged():
    pl = pytest.importorskip("polars", reason="polars is not installed")
    from glmkit.sklearn import GLMRegressor

    rng = np.random.default_rng(5)
    n = 200
    x = rng.normal(size=n)
    g = rng.choice(["a", "b", "c"], n)
    y = rng.poisson(np.exp(0.3 + x + (g == "b")))
    frame = pl.DataFrame({"x": x, "g": pl.Series(g).cast(pl.Enum(["c", "a", "b"]))})
    model = GLMRegressor(family="poisson").fit(frame, y)
    direct = gk.glm_fit(frame, y, family="poisson")
    assert list(model.feature_names_out_) == ["x", "g[T.a]", "g[T.b]"]  # the Enum's level order
    np.testing.assert_array_equal(model.coef_, direct.coef.to_numpy()[1:])
    np.testing.assert_array_equal(model.predict(frame), direct.predict(frame).to_numpy())
