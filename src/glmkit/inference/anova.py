"""Analysis of deviance: sequential tables, nested-model comparisons, drop1 and add1.

Each function reproduces the R function named in its docstring, column for column
(R's column names are kept: ``Df``, ``Deviance``, ``Resid. Df``, ``Resid. Dev``,
``Pr(>Chi)``, ``F``, ``Pr(>F)``, ``Rao``, ``AIC``, ``LRT`` / ``scaled dev.``,
``Rao score`` / ``scaled Rao sc.``, ``F value``). Every sub-model is refitted through
:func:`glmkit.fit.fit_model` (see ``_refit``).

Conventions copied from R, with their reasons kept in R's documentation:

* the dispersion of the tests is the larger model's ``summary`` dispersion (Pearson, or 1);
  the F tests of ``anova`` use it with df_resid denominator degrees of freedom, while
  ``drop1``/``add1`` F tests use deviance / df_resid instead;
* Rao's score statistic is the explained sum of squares of the working residuals of the
  smaller model regressed (working weights) on the larger model's columns, exactly as R
  computes it with ``glm.fit`` — including ``add1``'s regression of (r − offset), and
  R's null deviance around the weighted mean of r;
* the AIC column of ``drop1``/``add1`` is deviance/φ + k·df (n·log(RSS/n) for the
  Gaussian), shifted to equal the full model's AIC on the first row.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..design import DenseDesign
from ..errors import InputError, UnknownNameError
from ..fit import FittedModel
from ._require import require_fitted
from ._refit import refit, working_quantities
from .terms import Term, addable, droppable, model_terms, split_terms

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

    from .tables import AnovaTable

__all__ = ["anova", "anova_sequential", "anova_models", "drop1", "add1", "rao_sum_of_squares"]

Array = NDArray[np.floating]
TestName = Literal["Chisq", "LRT", "F", "Rao"]


# -- shared pieces ---------------------------------------------------------------------------

def rao_sum_of_squares(X: Array, r: Array, w: Array, intercept_in_null: bool,
                       offset: Array | None = None) -> float:
    """``glm.fit(X, r, w, offset=offset, intercept=...)``: null deviance − deviance (Gaussian).

    The deviance is the weighted residual sum of squares of (r − offset) on X; the null
    deviance is taken around the weighted mean of r (with intercept) or around the offset.
    """
    good = w > 0
    X, r, w = X[good], r[good], w[good]
    off = np.zeros_like(r) if offset is None else offset[good]
    z = r - off
    sw = np.sqrt(w)
    if X.shape[1]:
        coef, *_ = np.linalg.lstsq(X * sw[:, None], z * sw, rcond=None)
        resid = z - X @ coef
    else:
        resid = z
    dev = float(np.sum(w * resid * resid))
    centre = np.sum(w * r) / np.sum(w) if intercept_in_null else off
    null = float(np.sum(w * (r - centre) ** 2))
    return null - dev


def _check_test(test: str | None) -> str | None:
    if test is None:
        return None
    key = {"chisq": "Chisq", "lrt": "Chisq", "f": "F", "rao": "Rao", "none": None}.get(str(test).lower(), "?")
    if key == "?":
        raise UnknownNameError(f"Unknown test {test!r}; valid: 'Chisq' (or 'LRT'), 'F', 'Rao', or None.")
    return key


def _f_sf(f: Array, df1: Array, df2: float) -> Array:
    """pf(f, df1, df2, lower = FALSE), with df2 = ∞ giving the χ² limit."""
    from scipy import stats
    f = np.asarray(f, dtype=float)
    df1 = np.asarray(df1, dtype=float)
    out = np.full(f.shape, np.nan)
    ok = np.isfinite(f) & (df1 > 0)
    if np.isinf(df2):
        out[ok] = stats.chi2.sf(f[ok] * df1[ok], df1[ok])
    else:
        out[ok] = stats.f.sf(f[ok], df1[ok], df2)
    return out


def _chi2_sf(x: Array, df: Array) -> Array:
    from scipy import stats
    x = np.asarray(x, dtype=float)
    df = np.abs(np.asarray(df, dtype=float))
    out = np.full(x.shape, np.nan)
    ok = np.isfinite(x) & (df > 0)
    out[ok] = stats.chi2.sf(x[ok], df[ok])
    return out


def _stat_anova(table: pd.DataFrame, test: str, scale: float, df_scale: float) -> pd.DataFrame:
    """R's ``stat.anova`` for Chisq/LRT, Rao and F."""
    dfs = table["Df"].to_numpy(dtype=float)
    if test in ("Chisq", "Rao"):
        col = "Rao" if test == "Rao" else "Deviance"
        vals = table[col].to_numpy(dtype=float) / scale * np.sign(dfs)
        vals[dfs == 0] = np.nan
        vals[vals < 0] = np.nan
        table["Pr(>Chi)"] = _chi2_sf(vals, dfs)
    elif test == "F":
        with np.errstate(divide="ignore", invalid="ignore"):
            fvalue = table["Deviance"].to_numpy(dtype=float) / dfs / scale
        fvalue[dfs == 0] = np.nan
        fvalue[fvalue < 0] = np.nan
        table["F"] = fvalue
        table["Pr(>F)"] = _f_sf(fvalue, np.abs(dfs), df_scale)
    return table


def _warn_f(result: Any) -> None:
    if not result.dispersion_is_estimated:
        warn(f"using an F test with a fixed dispersion ({result.family.name} family) is inappropriate; "
                      "the F statistic is referred to F(df, ∞).", UserWarning)


def _sub_fit(model: FittedModel, columns: list[int] | NDArray[np.intp], intercept: int | None,
             design: Any = None) -> FittedModel:
    cols = np.sort(np.asarray(columns, dtype=np.intp))
    pos = None if intercept is None or intercept not in cols else int(np.searchsorted(cols, intercept))
    return refit(model, cols, design=design, intercept_index=pos)


def _null_fit(model: FittedModel, intercept: int | None) -> FittedModel:
    return _sub_fit(model, [] if intercept is None else [intercept], intercept)


# -- sequential -----------------------------------------------------------------------------

def anova_sequential(result: Any, test: str | None = None, dispersion: float | None = None) -> AnovaTable:
    """Terms added sequentially (first to last), as R's ``anova.glm``.

    Returns
    -------
    AnovaTable (a DataFrame) with rows ``NULL`` and one per term; columns Df, Deviance,
    Resid. Df, Resid. Dev, then Rao (test="Rao") and Pr(>Chi), or F and Pr(>F).
    """
    require_fitted(result, "anova")
    import pandas as pd
    from .tables import anova_table, sequential_heading
    test = _check_test(test)
    model = result.model
    terms, intercept = model_terms(result)
    base = [] if intercept is None else [intercept]
    resdf = [model.df_null]
    resdev = [model.null_deviance]
    score: list[float] = []
    X = model.design.toarray() if test == "Rao" else None
    if test == "Rao":
        w, r = working_quantities(_null_fit(model, intercept))
    cols = list(base)
    for i, term in enumerate(terms):
        cols = cols + list(term.columns)
        last = i == len(terms) - 1
        if test == "Rao":
            sel = np.sort(np.asarray(cols, dtype=np.intp))
            score.append(rao_sum_of_squares(X[:, sel], r, w, intercept is not None))
        if last:
            resdf.append(model.df_resid)
            resdev.append(model.deviance)
        else:
            fit = _sub_fit(model, cols, intercept)
            resdf.append(fit.df_resid)
            resdev.append(fit.deviance)
            if test == "Rao":
                w, r = working_quantities(fit)
    table = pd.DataFrame(
        {
            "Df": [np.nan] + list(-np.diff(resdf).astype(float)),
            "Deviance": [np.nan] + list(np.maximum(0.0, -np.diff(resdev))),
            "Resid. Df": resdf,
            "Resid. Dev": resdev,
        },
        index=["NULL"] + [t.label for t in terms],
    )
    if test == "Rao":
        table["Rao"] = [np.nan] + score
    heading = sequential_heading(result)
    if test is None:
        return anova_table(table, heading)
    if dispersion is None:
        scale = result.dispersion
        df_scale = float(model.df_resid) if result.dispersion_is_estimated else np.inf
    else:
        scale, df_scale = float(dispersion), np.inf
    if test == "F" and np.isinf(df_scale):
        _warn_f(result)
    return anova_table(_stat_anova(table, test, scale, df_scale), heading)


# -- several models ---------------------------------------------------------------------------

def _design_array(result: Any) -> Array:
    return result.model.design.toarray()


def anova_models(results: list[Any], test: str | None = None, dispersion: float | None = None) -> AnovaTable:
    """Comparison of nested models fitted to the same data, as R's ``anova(m1, m2, ...)``."""
    for r in results:
        require_fitted(r, "anova")
    import pandas as pd
    from .tables import anova_table, models_heading
    test = _check_test(test)
    n = {r.model.y.shape[0] for r in results}
    if len(n) != 1:
        raise InputError(f"models were not all fitted to the same number of rows ({sorted(n)}).")
    resdf = np.array([r.model.df_resid for r in results], dtype=float)
    resdev = np.array([r.model.deviance for r in results], dtype=float)
    table = pd.DataFrame({"Resid. Df": resdf, "Resid. Dev": resdev,
                          "Df": np.r_[np.nan, -np.diff(resdf)], "Deviance": np.r_[np.nan, -np.diff(resdev)]},
                         index=[str(i + 1) for i in range(len(results))])
    if test == "Rao":
        score = [np.nan]
        df = -np.diff(resdf)
        for i in range(len(results) - 1):
            small, big = (results[i], results[i + 1]) if df[i] > 0 else (results[i + 1], results[i])
            w, r = working_quantities(small.model)
            s = rao_sum_of_squares(_design_array(big), r, w, small.model.intercept)
            score.append(s if df[i] >= 0 else -s)
        table["Rao"] = score
    heading = models_heading(results)
    if test is None:
        return anova_table(table, heading)
    big = results[int(np.argmin(resdf))]
    if dispersion is None:
        scale = big.dispersion
        df_scale = float(resdf.min()) if big.dispersion_is_estimated else np.inf
    else:
        scale, df_scale = float(dispersion), np.inf
    if test == "F" and np.isinf(df_scale):
        _warn_f(big)
    return anova_table(_stat_anova(table, test, scale, df_scale), heading)


def anova(*results: Any, test: str | None = None, dispersion: float | None = None) -> AnovaTable:
    """Analysis of deviance, as R's ``anova.glm``.

    Parameters
    ----------
    *results : GLMResult
        One fit: the sequential table (terms added first to last). Several: nested models
        compared in the order given (same data), as ``anova(m1, m2, ...)``.
    test : {"Chisq", "LRT", "F", "Rao"}, optional
        Add p-values: χ² on deviance/φ (likelihood ratio), F on deviance/(df·φ) with the
        largest model's residual df, or Rao's score statistic with χ².
    dispersion : float, optional
        φ for the tests; default the (largest) model's ``summary`` dispersion.

    Returns
    -------
    AnovaTable
        A DataFrame with R's columns (``Df``, ``Deviance``, ``Resid. Df``, ``Resid. Dev``,
        ``Pr(>Chi)``, …) that prints as R prints it (see :class:`glmkit.inference.tables.AnovaTable`).

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> df = load_warpbreaks()
    >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson")
    >>> gk.anova(fit, test="Chisq").index.tolist()
    ['NULL', 'wool', 'tension']
    """
    if not results:
        raise InputError("anova needs at least one fitted model.")
    if len(results) == 1:
        return anova_sequential(results[0], test, dispersion)
    return anova_models(list(results), test, dispersion)


# -- drop1 / add1 -------------------------------------------------------------------------------

def _match_terms(labels: list[str], terms: list[Term], what: str) -> list[Term]:
    by_factors = {t.factors: t for t in terms}
    by_label = {t.label: t for t in terms}
    out = []
    for lab in labels:
        t = by_label.get(lab) or by_factors.get(frozenset(s.strip() for s in lab.split(":")))
        if t is None:
            raise InputError(f"{what} term {lab!r} is not a term of the model; terms: {', '.join(by_label)}.")
        out.append(t)
    return out


def _loglik_column(result: Any, dev: Array, dispersion: float, scale: float | None, n_rows: int) -> Array:
    if result.family.aic_from_log_deviance:
        if scale:
            return dev / scale - n_rows
        return n_rows * np.log(dev / n_rows)
    return dev / dispersion


def _aic_column(result: Any, loglik: Array, dfs: Array, k: float) -> Array:
    aic = loglik + k * dfs
    return aic + (result.extract_aic(k)[1] - aic[0])  # R: shifted to extractAIC(object, k)


def drop1(result: Any, scope: str | list[str] | None = None, test: str | None = None,
          scale: float | None = None, k: float = 2.0) -> AnovaTable:
    """Drop each term in turn, as R's ``drop1.glm``.

    Parameters
    ----------
    result : GLMResult
    scope : str or list of str, optional
        Terms to drop (labels as in the fit, ``"a + b"`` or a list); default every term
        not contained in another (marginality, R's ``drop.scope``).
    test : {None, "Chisq", "LRT", "F", "Rao"}
    scale : float, optional
        A known dispersion (R's ``scale``); default the fit's ``summary`` dispersion.
    k : float, default 2
        Penalty per parameter in the AIC column.

    Returns
    -------
    AnovaTable (a DataFrame) with rows ``<none>`` and one per term: Df, Deviance, AIC and the
    test columns; it prints as R prints it.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> gk.drop1(fit, test="Chisq")[["Df", "Deviance", "LRT"]].round(3)
              Df  Deviance     LRT
    <none>   NaN   210.392     NaN
    wool     1.0   226.431  16.039
    tension  2.0   281.333  70.942
    """
    require_fitted(result, "drop1")
    from .tables import anova_table, single_term_heading
    test = _check_test(test)
    model = result.model
    terms, intercept = model_terms(result)
    chosen = droppable(terms) if scope is None else _match_terms(split_terms(scope), terms, "scope")
    p = model.design.shape[1]
    X = model.design.toarray() if test == "Rao" else None
    dfs, dev, score = [model.rank], [model.deviance], [np.nan]
    for term in chosen:
        keep = np.setdiff1d(np.arange(p), term.columns)
        z = _sub_fit(model, keep, intercept)
        dfs.append(z.rank)
        dev.append(z.deviance)
        if test == "Rao":
            w, r = working_quantities(z)
            score.append(rao_sum_of_squares(X, r, w, True))
    table = _single_term_table(result, ["<none>"] + [t.label for t in chosen], np.array(dfs, float),
                               np.array(dev), np.array(score), test, scale, k, drop=True)
    return anova_table(table, single_term_heading("deletions", result, scale))


def _single_term_table(result: Any, rows: list[str], dfs: Array, dev: Array, score: Array, test: str | None,
                       scale: float | None, k: float, drop: bool) -> pd.DataFrame:
    import pandas as pd
    from scipy import stats
    model = result.model
    dispersion = result.dispersion if not scale else float(scale)
    n_rows = model.y.shape[0]
    loglik = _loglik_column(result, dev, dispersion, scale, n_rows)
    aic = _aic_column(result, loglik, dfs, k)
    df_col = (dfs[0] - dfs) if drop else (dfs - dfs[0])
    df_col = df_col.astype(float)
    df_col[0] = np.nan
    table = pd.DataFrame({"Df": df_col, "Deviance": dev, "AIC": aic}, index=rows)
    if np.all(np.isnan(aic)):
        table = table.drop(columns="AIC")
    fixed = dispersion == 1.0
    if test == "Chisq":
        lrt = np.maximum(0.0, (loglik - loglik[0]) if drop else (loglik[0] - loglik))
        lrt[0] = np.nan
        table["LRT" if fixed else "scaled dev."] = lrt
        table["Pr(>Chi)"] = _chi2_sf(lrt, df_col)
    elif test == "Rao":
        sc = np.maximum(0.0, score) / dispersion
        sc[0] = np.nan
        table["Rao score" if fixed else "scaled Rao sc."] = sc
        table["Pr(>Chi)"] = _chi2_sf(sc, df_col)
    elif test == "F":
        if model.family.quasi_counterpart is not None:
            warn(f"F test assumes '{model.family.quasi_counterpart}' family", UserWarning)
        rdf = float(model.df_resid)
        with np.errstate(divide="ignore", invalid="ignore"):
            if drop:
                rms = dev[0] / rdf
                fs = np.maximum(0.0, dev - dev[0]) / df_col / rms
                fs[~(df_col >= 1e-4)] = np.nan
                pv = np.full_like(fs, np.nan)
                ok = np.isfinite(fs)
                pv[ok] = stats.f.sf(fs[ok], df_col[ok], rdf)
            else:
                diff = np.maximum(0.0, (dev[0] - dev) / df_col)
                fs = diff / (dev / (rdf - df_col))
                fs[~(df_col >= np.finfo(float).eps)] = np.nan
                pv = np.full_like(fs, np.nan)
                ok = np.isfinite(fs)
                pv[ok] = stats.f.sf(fs[ok], df_col[ok], rdf - df_col[ok])
        table["F value"] = fs
        table["Pr(>F)"] = pv
    return table


def add1(result: Any, scope: str | list[str], test: str | None = None, scale: float | None = None,
         k: float = 2.0) -> AnovaTable:
    """Add each term of ``scope`` in turn, as R's ``add1.glm`` (formula fits only).

    Parameters
    ----------
    result : GLMResult
        A formula fit that kept its data.
    scope : str or list of str
        Terms to consider, e.g. ``"x3 + x4 + x1:x2"`` or ``"~ . + x3"``; terms whose
        marginal terms are missing from the model are skipped (R's ``add.scope``).
    test, scale, k
        As in :func:`drop1`.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson")
    >>> gk.add1(fit, "tension", test="Chisq")[["Df", "Deviance", "LRT"]].round(3)
              Df  Deviance     LRT
    <none>   NaN   281.333     NaN
    tension  2.0   210.392  70.942
    """
    require_fitted(result, "add1")
    import pandas as pd
    from ..intake.formula import build_model_frame, split_offsets
    from .tables import anova_table, single_term_heading

    test = _check_test(test)
    if result.formula is None or result.data is None:
        raise InputError("add1 needs a formula fit that kept its data (gk.glm(formula, data, ...)).")
    model = result.model
    lhs, rhs = result.formula.split("~", 1)
    labels = split_terms(scope)
    if not labels:
        raise InputError("no terms in scope for adding to the model.")
    big_formula = f"{lhs.strip()} ~ {split_offsets(rhs)[0]} + {' + '.join(labels)}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = build_model_frame(big_formula, result.data, na_action="drop")
    rows = pd.Index(frame.index).get_indexer(result.index)
    if np.any(rows < 0):
        raise InputError("The terms in scope have missing values in rows the model used; add1 needs the same rows.")
    big_terms, intercept = _spec_terms_of(frame.spec.rhs_spec)
    design = DenseDesign(frame.X[rows])
    current, _ = model_terms(result)
    current_factors = {t.factors for t in current}
    old_cols = [c for t in big_terms if t.factors in current_factors for c in t.columns]
    if intercept is not None:
        old_cols.append(intercept)
    candidates = addable([t for t in big_terms if t.factors in current_factors], big_terms)
    wanted = {frozenset(s.strip() for s in lab.split(":")) for lab in labels} | set(labels)
    candidates = [t for t in candidates if t.factors in wanted or t.label in wanted]
    if not candidates:
        raise InputError("no terms in scope for adding to the model.")
    base = _sub_fit(model, old_cols, intercept, design=design)
    w, r = working_quantities(base)
    X = frame.X[rows]
    dfs, dev, score = [base.rank], [base.deviance], [np.nan]
    for term in candidates:
        cols = np.sort(np.r_[old_cols, term.columns].astype(np.intp))
        z = _sub_fit(model, cols, intercept, design=design)
        dfs.append(z.rank)
        dev.append(z.deviance)
        if test == "Rao":
            score.append(rao_sum_of_squares(X[:, cols], r, w, True, offset=model.offset))
    table = _single_term_table(result, ["<none>"] + [t.label for t in candidates], np.array(dfs, float),
                               np.array(dev), np.array(score), test, scale, k, drop=False)
    return anova_table(table, single_term_heading("additions", result, scale))


def _spec_terms_of(spec: Any) -> tuple[list[Term], int | None]:
    from .terms import _spec_terms

    return _spec_terms(spec)
