"""Estimated marginal means (R's ``emmeans``) and contrasts among them.

The **reference grid** holds every combination of the factors' levels with each numeric
covariate at its mean over the rows used (R's ``ref_grid`` defaults; ``at=`` changes
them). A marginal mean averages the grid's linear predictors over the factors not named,
with **equal weights** (emmeans' default ``weights = "equal"``; ``weights=`` offers its
other schemes), so it is a linear function
L β (+ the averaged offset) of the coefficients, with standard error √(L V Lᵀ).

On ``type="response"`` the means and interval end points are mapped by the inverse link
(the SE by the delta method, |dμ/dη|·SE). Contrasts are computed on the link scale and, on
the response scale, reported as **ratios** where the link is log and **odds ratios** where
it is logit (tests stay on the link scale); for other links they stay on the link scale,
as emmeans does. ``regrid=True`` instead takes differences of the back-transformed means
(emmeans' ``regrid()``), with the delta method.

**Degrees of freedom**: infinite (z) where the dispersion is fixed, the residual df (t)
where it is estimated. emmeans gives t only for the Gaussian and Gamma families (its
``emm_basis.lm``) and z for quasi-families and the inverse Gaussian; pass ``df=np.inf``
to reproduce that.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError
from ..links import Link, Log, Logit
from .contrasts import default_adjustment
from .grid import Predictor, as_names, fit_variables, grid_weights, reference_grid, resolve_cov
from .table import MarginsTable
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["EMMeans", "emmeans", "model_df"]

Array = NDArray[np.floating]
Scale = Literal["link", "response"]
_RATIO_NAMES: dict[type[Link], str] = {Log: "ratio", Logit: "odds ratio"}  # exp(η₁ − η₂) means this


def model_df(fit: Any, df: float | None) -> float:
    """The df of tests: the user's, else the residual df where φ is estimated, else infinite."""
    if df is not None:
        return float(df)
    return float(fit.df_resid) if fit.dispersion_is_estimated and fit.df_resid > 0 else np.inf


def _check_scale(type: str) -> None:
    if type not in ("link", "response"):
        raise UnknownNameError(f"Unknown type {type!r}; valid: 'link', 'response'.")


@dataclass(frozen=True, eq=False)
class EMMeans(MarginsTable):
    """Estimated marginal means: a table (see :class:`MarginsTable`) and what contrasts need.

    Attributes
    ----------
    linfct : array of shape (n_means, n_kept)
        Each mean's row L of the linear function L β (estimable coefficients only).
    offset : array of shape (n_means,)
        The offset averaged like L.
    coef, cov : arrays
        The estimable coefficients and their covariance (as chosen with ``cov=``).
    df : float
        Degrees of freedom of tests and intervals (inf: normal).
    link : Link
    type : {"link", "response"}
    level : float
    specs, by : tuple of str

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> emm = gk.emmeans(fit, "tension", by="wool", type="response")
    >>> emm.to_frame()["estimate"].round(2).tolist()
    [44.56, 24.0, 24.56, 28.22, 28.78, 18.78]
    """

    linfct: Array = field(default=None, repr=False)  # type: ignore[assignment]
    offset: Array = field(default=None, repr=False)  # type: ignore[assignment]
    coef: Array = field(default=None, repr=False)  # type: ignore[assignment]
    cov: Array = field(default=None, repr=False)  # type: ignore[assignment]
    df: float = np.inf
    link: Link = field(default=None, repr=False)  # type: ignore[assignment]
    type: Scale = "link"
    level: float = 0.95
    specs: tuple[str, ...] = ()
    by: tuple[str, ...] = ()

    def contrast(self, method: str | dict[str, Any] = "pairwise", adjust: str | None = None, *, ref: int = 0,
                 type: Scale | None = None, regrid: bool = False, level: float | None = None) -> MarginsTable:
        """Contrasts among the means within each ``by`` group, with adjusted p-values and intervals.

        Parameters
        ----------
        method : {"pairwise", "revpairwise", "trt.vs.ctrl", "consec"} or dict
            A dict maps labels to custom coefficients, one per mean of a group (default
            adjustment ``"none"``).
        adjust : {"tukey", "holm", "bonferroni", "sidak", "dunnettx", "none"}, optional
            Default: emmeans' for the method (see :mod:`glmkit.margins.contrasts`).
            ``"tukey"`` on a method that is not pairwise becomes ``"sidak"`` (as emmeans).
        ref : int, default 0
            Position of the control mean for ``"trt.vs.ctrl"``.
        type : {"link", "response"}, optional
            Default: the scale of the means. On the response scale, log and logit links
            give ratios and odds ratios.
        regrid : bool, default False
            Differences of the back-transformed means (emmeans' ``regrid``) instead.
        level : float, optional
            Confidence level (default: the means').

        Returns
        -------
        MarginsTable
            Columns ``contrast``, the ``by`` variables, ``estimate``, ``std_err``, ``df``,
            ``lower``, ``upper``, ``statistic``, ``p_value``.

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> emm = gk.emmeans(fit, "tension", by="wool", type="response")
        >>> emm.contrast("pairwise").to_frame()["contrast"].tolist()[:3]
        ['L / M', 'L / H', 'M / H']
        """
        from .contrast_table import contrast_table

        type = self.type if type is None else type
        _check_scale(type)
        adjust = default_adjustment(method) if adjust is None else adjust
        notes = []
        if adjust == "tukey" and (isinstance(method, dict) or method not in ("pairwise", "revpairwise")):
            adjust = "sidak"
            notes.append("adjust='tukey' changed to 'sidak': Tukey is for one set of pairwise comparisons.")
        ratio = None if regrid or type == "link" else _RATIO_NAMES.get(self.link.__class__)
        return contrast_table(self, method, adjust, ref, ratio, regrid, self.level if level is None else level, notes)


def emmeans(fit: Any, specs: str | list[str], by: str | list[str] | None = None, *, type: Scale = "link",
            at: dict[str, Any] | None = None, cov: Any = None, cluster: Any = None, level: float = 0.95,
            df: float | None = None, offset: float | None = None, weights: str = "equal") -> EMMeans:
    """Estimated marginal means over R emmeans' reference grid, with delta-method standard errors.

    Parameters
    ----------
    fit : GLMResult
        A formula fit that keeps its data.
    specs : str or list of str
        The variables whose levels (or ``at`` values) the means are for.
    by : str or list of str, optional
        Variables that split the means into groups (contrasts are made within groups).
    type : {"link", "response"}, default "link"
        The scale of the means (emmeans' ``type``).
    at : dict, optional
        Levels of factors (a subset) or values of numeric covariates (instead of the mean).
    cov : {"HC0", "HC1", "HC2", "HC3", "CR0", "CR1"} or array, optional
        A robust covariance by name (see :meth:`~glmkit.GLMResult.cov_robust`) or a matrix.
    cluster : str or array, optional
        Cluster labels for ``cov="CR0"``/``"CR1"``.
    level : float, default 0.95
    df : float, optional
        Degrees of freedom (default: residual df where φ is estimated, else infinite; a
        robust ``cov`` does not change them, as in emmeans with ``vcov.``).
    offset : float, optional
        The offset of every grid row (default: the mean of the training offsets, as
        emmeans, whatever ``at`` says about the offset's variables).
    weights : {"equal", "proportional", "outer", "cells", "flat"}, default "equal"
        How grid rows are weighted when averaging (emmeans' ``weights``; see
        :func:`glmkit.margins.grid.grid_weights`).

    Returns
    -------
    EMMeans
        Columns: the ``specs`` and ``by`` variables, ``estimate``, ``std_err``, ``df``,
        ``lower``, ``upper``; :meth:`EMMeans.contrast` for comparisons.

    Notes
    -----
    Means are averages over the grid (equal weights by default); numeric covariates sit at their
    (unweighted) means over the rows used, except those with at most two distinct values
    (kept at both, emmeans' ``cov.keep = "2"``); the offset is the mean offset. See
    the module docstring for the scales and the degrees of freedom. Aliased coefficients
    are taken as zero (R reports a non-estimable mean as NA).

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> gk.emmeans(fit, "tension", type="response").to_frame()["estimate"].round(2).tolist()
    [36.2, 26.25, 21.55]
    """
    _check_scale(type)
    variables = fit_variables(fit)
    specs_, by_ = as_names(specs, "specs"), as_names(by, "by")
    if not specs_:
        raise InputError("specs names no variable; give the variable(s) whose marginal means you want.")
    variables.check(specs_ + by_, "specs/by")
    grid = reference_grid(variables, at)
    offset_value = float(np.mean(fit.model.offset)) if offset is None else float(offset)
    predictor = Predictor.of(fit, grid, offset_value)
    labels, rows = _cells(grid, specs_ + by_)
    w = grid_weights(variables, grid, specs_ + by_, weights)
    with np.errstate(invalid="ignore", divide="ignore"):  # a cell of zero weight: NaN, as R's NA
        L = np.vstack([w[r] @ predictor.X[r] / w[r].sum() for r in rows])
        offset = np.array([w[r] @ predictor.offset[r] / w[r].sum() for r in rows])
    coef = fit.model.coef[fit.model.kept]
    V = resolve_cov(fit, cov, cluster)
    d = model_df(fit, df)
    frame = _means_frame(labels, L, offset, coef, V, d, fit.link, type, level)
    return EMMeans(frame, f"Estimated marginal means of {' × '.join(specs_)}" + (f" by {', '.join(by_)}" if by_ else ""),
                   _notes(fit, type, weights, level, d), L, offset, coef, V, d, fit.link, type, level, tuple(specs_),
                   tuple(by_))


def _notes(fit: Any, type: str, weights: str, level: float, df: float) -> tuple[str, ...]:
    scale = "response (inverse link)" if type == "response" else f"link ({fit.link.name})"
    return (f"Scale: {scale}. Averaged with {weights} weights over the reference grid; covariates at their means.",
            f"Confidence level {level:g}; " + ("normal (z) intervals." if np.isinf(df) else f"t with {df:g} df."))


def _cells(grid: pd.DataFrame, names: list[str]) -> tuple[pd.DataFrame, list[Array]]:
    """Combinations of ``names`` present in the grid (the first varying fastest) and their rows."""
    levels = [list(dict.fromkeys(grid[n].tolist())) for n in names]
    combos = [tuple(reversed(c)) for c in itertools.product(*reversed(levels))]
    rows = []
    for combo in combos:
        mask = np.ones(len(grid), dtype=bool)
        for n, value in zip(names, combo):
            mask &= (grid[n] == value).to_numpy()
        rows.append(np.flatnonzero(mask))
    return pd.DataFrame(combos, columns=names), rows


def _means_frame(labels: pd.DataFrame, L: Array, offset: Array, coef: Array, V: Array, df: float, link: Link,
                 type: str, level: float) -> pd.DataFrame:
    from scipy import stats

    eta = L @ coef + offset
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", L, V, L), 0.0))
    q = stats.norm.ppf(0.5 + level / 2) if np.isinf(df) else stats.t.ppf(0.5 + level / 2, df)
    lo, hi = eta - q * se, eta + q * se
    if type == "response":
        a, b = link.inverse(lo), link.inverse(hi)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        se = np.abs(link.inverse_derivative(eta)) * se
        eta = link.inverse(eta)
    out = labels.copy()
    out["estimate"], out["std_err"], out["df"], out["lower"], out["upper"] = eta, se, df, lo, hi
    return out
