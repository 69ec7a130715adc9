"""Joint Wald tests of linear hypotheses and Rao's score test between nested models.

Wald: for H₀: Lβ = c with q rows, W = (Lβ̂ − c)ᵀ (L V Lᵀ)⁻¹ (Lβ̂ − c). Referred to χ²_q
when the dispersion is fixed (or a robust covariance is used), and as F = W/q to
F(q, df_resid) when the dispersion is estimated (the GLM analogue of R's
``car::linearHypothesis(test = "F")`` and of ``anova(..., test = "F")``).

Score: Rao's statistic for a smaller model inside a larger one — the explained sum of
squares of the smaller model's working residuals regressed on the larger design (working
weights), divided by the larger model's dispersion — as ``anova(small, big, test = "Rao")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from ._require import require_fitted
from ..errors import InputError
from .terms import model_terms

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

__all__ = ["TestResult", "wald_test", "score_test"]


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its reference distribution.

    Attributes
    ----------
    statistic : float
        χ² (Wald W, Rao score) or F value.
    df : int
        Numerator degrees of freedom q.
    df_denom : float
        Denominator degrees of freedom of an F test (∞ for χ²).
    p_value : float
    test : {"Chisq", "F"}
    method : str
    """

    statistic: float
    df: int
    df_denom: float
    p_value: float
    test: Literal["Chisq", "F"]
    method: str

    def __repr__(self) -> str:
        den = "" if np.isinf(self.df_denom) else f", {self.df_denom:g}"
        return (f"<{self.method}: {'F' if self.test == 'F' else 'chi2'}({self.df}{den}) = {self.statistic:.6g}, "
                f"p = {self.p_value:.4g}>")


def _term_rows(result: Any, terms: str | list[str]) -> np.ndarray:
    names = list(result.names)
    all_terms, _ = model_terms(result)
    labels = [terms] if isinstance(terms, str) else list(terms)
    cols: list[int] = []
    for lab in labels:
        match = [t for t in all_terms if t.label == lab or t.factors == frozenset(s.strip() for s in lab.split(":"))]
        if not match:
            if lab in names:
                cols.append(names.index(lab))
                continue
            raise InputError(f"{lab!r} is neither a term nor a coefficient of the model; terms: "
                             f"{', '.join(t.label for t in all_terms)}.")
        cols.extend(int(c) for c in match[0].columns)
    cols = [c for c in cols if not result.model.aliased[c]]
    L = np.zeros((len(cols), len(names)))
    L[np.arange(len(cols)), cols] = 1.0
    return L


def _covariance(result: Any, cov: Any, cluster: Any) -> tuple[np.ndarray, bool]:
    """(the covariance a Wald test uses, whether it is a robust / user-given one)."""
    import pandas as pd
    if cov is None and cluster is None:
        return result.cov.to_numpy(), False
    if isinstance(cov, pd.DataFrame):
        return cov.to_numpy(dtype=float), True
    if cov is None or isinstance(cov, str):
        return result.cov_robust(cov, cluster).to_numpy(), True
    return np.asarray(cov, dtype=float), True


def wald_test(
    result: Any,
    hypothesis: ArrayLike | None = None,
    rhs: ArrayLike | None = None,
    *,
    terms: str | list[str] | None = None,
    cov: Any = None,
    cluster: Any = None,
    test: Literal["Chisq", "F"] | None = None,
) -> TestResult:
    """Joint Wald test of H₀: Lβ = c.

    Parameters
    ----------
    result : GLMResult
    hypothesis : array of shape (q, n_features), optional
        The matrix L (one row per restriction, one column per coefficient; aliased
        coefficients must have zero weight). A 1-D array is one restriction.
    rhs : array of shape (q,), optional
        c; default zeros.
    terms : str or list of str, optional
        Instead of L: every (non-aliased) coefficient of these terms is zero, e.g.
        ``terms="C(tension)"``. Coefficient names are accepted too.
    cov : {"HC0", ..., "CR1"} or DataFrame, optional
        A robust (or any) covariance instead of the model one; the test is then χ².
    cluster : optional
        Cluster labels for a cluster-robust ``cov``.
    test : {"Chisq", "F"}, optional
        Default: F when the dispersion is estimated and the model covariance is used, else χ².

    Returns
    -------
    TestResult

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> fit = gk.glm("breaks ~ wool + tension", load_warpbreaks(), family="poisson")
    >>> gk.wald_test(fit, terms="tension").df
    2
    """
    from scipy import stats
    require_fitted(result, "wald_test")
    names = list(result.names)
    if terms is None and _are_names(hypothesis):
        hypothesis, terms = None, hypothesis  # names of coefficients or terms: the same as terms=
    if (hypothesis is None) == (terms is None):
        raise InputError("give either a hypothesis matrix L or terms=, not both (and not neither).")
    if terms is not None:
        L = _term_rows(result, terms)
    else:
        L = np.atleast_2d(np.asarray(hypothesis, dtype=float))
        if L.shape[1] != len(names):
            raise InputError(f"L must have one column per coefficient ({len(names)}); got shape {L.shape}.")
    if L.shape[0] == 0:
        raise InputError("the hypothesis has no restrictions (all coefficients aliased?).")
    aliased = result.model.aliased
    if np.any(L[:, aliased] != 0):
        raise InputError("the hypothesis puts weight on aliased coefficients, which are not estimable.")
    c = np.zeros(L.shape[0]) if rhs is None else np.atleast_1d(np.asarray(rhs, dtype=float))
    if c.shape != (L.shape[0],):
        raise InputError(f"rhs must have one value per restriction ({L.shape[0]}); got shape {c.shape}.")
    kept = ~aliased
    b = result.model.coef[kept]
    V, robust = _covariance(result, cov, cluster)
    Lk = L[:, kept]
    V = V[np.ix_(kept, kept)]
    d = Lk @ b - c
    M = Lk @ V @ Lk.T
    W = float(d @ np.linalg.solve(M, d))
    q = L.shape[0]
    if test is None:
        test = "F" if (result.dispersion_is_estimated and not robust) else "Chisq"
    if test == "F":
        df2 = float(result.df_resid)
        return TestResult(W / q, q, df2, float(stats.f.sf(W / q, q, df2)), "F", "Wald test")
    if test != "Chisq":
        raise InputError(f"test must be 'Chisq' or 'F'; got {test!r}.")
    return TestResult(W, q, np.inf, float(stats.chi2.sf(W, q)), "Chisq", "Wald test")


def _are_names(hypothesis: Any) -> bool:
    """A coefficient or term name, or a list of them (rather than a matrix L)."""
    if isinstance(hypothesis, str):
        return True
    return isinstance(hypothesis, (list, tuple)) and bool(hypothesis) and all(isinstance(h, str) for h in hypothesis)


def score_test(small: Any, big: Any, dispersion: float | None = None) -> TestResult:
    """Rao's score test of ``small`` against the larger model ``big`` (same data).

    The statistic is R's ``anova(small, big, test = "Rao")`` value: computed at the
    smaller model's estimates only, scaled by the larger model's dispersion, χ² with the
    difference in residual degrees of freedom.

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> df = load_warpbreaks()
    >>> small = gk.glm("breaks ~ wool", df, family="poisson")
    >>> big = gk.glm("breaks ~ wool + tension", df, family="poisson")
    >>> gk.score_test(small, big).df
    2
    """
    from .anova import anova_models

    require_fitted(small, "score_test")
    require_fitted(big, "score_test")
    table = anova_models([small, big], test="Rao", dispersion=dispersion)
    df = int(table["Df"].iloc[1])
    if df <= 0:
        raise InputError("the second model must be the larger one (fewer residual degrees of freedom).")
    scale = big.dispersion if dispersion is None else float(dispersion)
    stat = float(table["Rao"].iloc[1]) / scale
    return TestResult(stat, df, np.inf, float(table["Pr(>Chi)"].iloc[1]), "Chisq", "Rao score test")
