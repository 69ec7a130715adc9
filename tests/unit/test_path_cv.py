"""Regularisation paths, cross-validation, plots and the progress bar."""

from __future__ import annotations

import io
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import glmkit as gk  # noqa: E402
from glmkit._progress import Progress  # noqa: E402
from glmkit.penalized.cv import score  # noqa: E402
from glmkit.errors import InputError  # noqa: E402


def _data(n=400, p=8, seed=0, family="poisson"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = 0.2 + X[:, 0] * 0.6 - 0.4 * X[:, 1] + 0.2 * X[:, 2]
    if family == "poisson":
        y = rng.poisson(np.exp(eta)).astype(float)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


# --------------------------------------------------------------------------- paths


def test_path_grid_and_alpha_max():
    X, y = _data()
    path = gk.glm_path(X, y, family="poisson", l1_ratio=0.5, n_alphas=12, alpha_min_ratio=1e-3, progress=False)
    a = path.alphas
    assert a.shape == (12,) and np.all(np.diff(a) < 0)
    np.testing.assert_allclose(a[-1] / a[0], 1e-3)
    # α_max: all penalised coefficients 0 there, and some non-zero just below it
    assert path.df[0] == 0
    assert np.all(path.coef_path[0, 1:] == 0)
    just_below = gk.glm_fit(X, y, family="poisson", alpha=a[0] * 0.99, l1_ratio=0.5)
    assert just_below.df >= 1
    # benchmark-style α_max: max |Xᵀ(y − ȳ)| / (n · l1_ratio)
    np.testing.assert_allclose(a[0], np.max(np.abs(X.T @ (y - y.mean()))) / (len(y) * 0.5), rtol=1e-12)
    assert np.all(np.diff(path.dev_ratio) >= -1e-12)
    assert path.converged.all() and np.all(path.kkt <= 1e-10)


def test_path_equals_single_fits():
    X, y = _data(family="binomial", seed=1)
    path = gk.glm_path(X, y, family="binomial", l1_ratio=0.8, n_alphas=8, standardize=True, progress=False,
                       early_stop=False)
    for i in (1, 4, 7):
        fit = gk.glm_fit(X, y, family="binomial", alpha=path.alphas[i], l1_ratio=0.8, standardize=True)
        np.testing.assert_allclose(path.coef_path[i], fit.coef_array, atol=1e-9)
        at = path.fit_at(path.alphas[i])
        assert at.deviance == pytest.approx(fit.deviance, rel=1e-10)
        assert at.objective == pytest.approx(path.objective[i], rel=1e-12)


def test_path_user_alphas_formula_and_predict():
    X, y = _data(seed=2)
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(X.shape[1])])
    df["y"] = y
    formula = "y ~ " + " + ".join(df.columns[:-1])
    path = gk.glm_path(formula, df, family="poisson", alphas=[0.01, 0.1, 0.05], progress=False)
    np.testing.assert_array_equal(path.alphas, [0.1, 0.05, 0.01])
    arr = gk.glm_path(X, y, family="poisson", alphas=[0.01, 0.1, 0.05], progress=False)
    np.testing.assert_allclose(path.coef_path, arr.coef_path, atol=1e-9)
    pred = path.predict(df.head(3))
    assert pred.shape == (3, 3)
    np.testing.assert_allclose(pred.iloc[:, 2].to_numpy(), path.fit_at(index=2).mu[:3], rtol=1e-10)
    assert list(path.coefs.columns[:2]) == ["Intercept", "x1"]
    with pytest.raises(InputError, match="not on the path"):
        path.fit_at(0.02)


def test_relaxed_path():
    X, y = _data(seed=3)
    path = gk.glm_path(X, y, family="poisson", n_alphas=6, relax=True, progress=False)
    i = 3
    active = np.flatnonzero(path.coef_path[i, 1:] != 0)
    ref = gk.glm_fit(X[:, active], y, family="poisson", tol=1e-13)
    np.testing.assert_allclose(path.relaxed_coef_path[i, np.r_[0, active + 1]], ref.coef.to_numpy(), rtol=1e-7)
    rel = path.fit_at(index=i, relaxed=True)
    assert rel.relaxed and rel.deviance <= path.deviance[i]


def test_ridge_path_and_errors():
    X, y = _data(seed=4)
    path = gk.glm_path(X, y, family="poisson", l1_ratio=0.0, n_alphas=5, progress=False)
    assert np.all(path.df == X.shape[1])  # ridge keeps every coefficient
    with pytest.raises(InputError):
        gk.glm_path(X, y, family="poisson", n_alphas=0)
    with pytest.raises(InputError):
        gk.glm_path(X)


# --------------------------------------------------------------------------- cross-validation


def test_cv_by_hand_for_given_folds():
    X, y = _data(seed=5)
    folds = np.arange(len(y)) % 4
    cv = gk.cv_glm(X, y, family="poisson", n_alphas=10, fold_ids=folds, progress=False)
    assert cv.n_folds == 4
    i = 6
    errs, ws = [], []
    for k in range(4):
        tr, te = folds != k, folds == k
        fit = gk.glm_fit(X[tr], y[tr], family="poisson", alpha=cv.alphas[i], l1_ratio=1.0)
        mu = fit.predict(X[te]).to_numpy()
        errs.append(np.mean(gk.Poisson().unit_deviance(y[te], mu)))
        ws.append(te.sum())
    errs, ws = np.array(errs), np.array(ws) / np.sum(ws)
    mean = np.sum(ws * errs)
    assert cv.cv_mean[i] == pytest.approx(mean, rel=1e-8)
    assert cv.cv_se[i] == pytest.approx(np.sqrt(np.sum(ws * (errs - mean) ** 2) / 3), rel=1e-6)
    assert cv.alpha_1se >= cv.alpha_min
    assert cv.cv_mean[cv.index_1se] <= cv.cv_mean[cv.index_min] + cv.cv_se[cv.index_min]
    np.testing.assert_allclose(cv.best.coef_array, cv.path.coef_path[cv.index_min])
    assert cv.refit("1se").alpha == cv.alpha_1se


def test_cv_seed_measures_and_formula_fold_column():
    X, y = _data(family="binomial", seed=6)
    a = gk.cv_glm(X, y, family="binomial", n_alphas=8, n_folds=5, seed=3, measure="auc", progress=False)
    b = gk.cv_glm(X, y, family="binomial", n_alphas=8, n_folds=5, seed=3, measure="auc", progress=False)
    np.testing.assert_array_equal(a.fold_ids, b.fold_ids)
    assert a.cv_mean[a.index_min] == np.max(a.cv_mean)  # AUC is maximised
    for m in ("class", "mse", "mae", "deviance"):
        c = gk.cv_glm(X, y, family="binomial", n_alphas=5, n_folds=3, seed=0, measure=m, progress=False)
        assert np.all(np.isfinite(c.cv_mean))
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    df["y"], df["fold"] = y, np.arange(len(y)) % 3
    c = gk.cv_glm("y ~ x0 + x1 + x2", df, family="binomial", n_alphas=5, fold_ids="fold", relax=True,
                  progress=False)
    assert c.n_folds == 3 and c.cv_mean_relaxed is not None
    assert "cv_mean_relaxed" in c.table().columns
    with pytest.raises(InputError, match="binomial"):
        gk.cv_glm(X, np.round(np.abs(y) * 3), family="poisson", n_alphas=3, n_folds=3, measure="auc",
                  progress=False)


def test_weighted_auc():
    y = np.array([0.0, 1.0, 0.0, 1.0])
    s = np.array([0.1, 0.9, 0.9, 0.2])
    # pairs (pos, neg): (0.9 vs 0.1) win, (0.9 vs 0.9) tie, (0.2 vs 0.1) win, (0.2 vs 0.9) loss
    assert score("auc", gk.Binomial(), y, s, np.ones(4)) == pytest.approx(2.5 / 4)


# --------------------------------------------------------------------------- plots and progress


def test_plots_render_to_png(tmp_path):
    import matplotlib.pyplot as plt

    X, y = _data(seed=7)
    cv = gk.cv_glm(X, y, family="poisson", n_alphas=10, n_folds=3, seed=0, progress=False)
    for xvar in ("alpha", "l1_norm", "dev_ratio"):
        ax = cv.path.plot(xvar=xvar)
        out = tmp_path / f"path_{xvar}.png"
        ax.figure.savefig(out)
        assert out.stat().st_size > 1000
        plt.close(ax.figure)
    ax = cv.plot()
    out = tmp_path / "cv.png"
    ax.figure.savefig(out)
    assert out.stat().st_size > 1000
    plt.close("all")


def test_progress_bar():
    buf = io.StringIO()
    with Progress(4, "x", enabled=True, stream=buf, min_interval=0) as bar:
        for _ in range(4):
            bar.update(note="n")
    assert "4/4" in buf.getvalue() and buf.getvalue().endswith("\n")
    quiet = io.StringIO()
    with Progress(4, "x", stream=quiet) as bar:  # StringIO is not a TTY: off
        bar.update()
    assert quiet.getvalue() == ""


def test_progress_option_writes_to_stderr(capsys):
    X, y = _data(n=100, seed=8)
    gk.glm_path(X, y, family="poisson", n_alphas=4, progress=True)
    assert "glm_path" in capsys.readouterr().err
    gk.glm_path(X, y, family="poisson", n_alphas=4, progress=False)
    assert capsys.readouterr().err == ""


def test_user_guide_examples_run():
    """docs/penalized.md runs as written."""
    import doctest
    from pathlib import Path

    guide = Path(__file__).resolve().parents[2] / "docs" / "penalized.md"
    result = doctest.testfile(str(guide), module_relative=False, verbose=False, report=True,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= 15


def test_an_infinite_fold_error_gives_an_infinite_mean_without_numpy_warnings():
    from glmkit.penalized.cv import _summarise

    errs = np.array([[0.5, np.inf], [0.7, 0.2]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean, se = _summarise(errs, np.array([1.0, 1.0]))
    assert mean[0] == pytest.approx(0.6) and np.isinf(mean[1]) and not np.isfinite(se[1])
