"""Heteroskedasticity- and cluster-robust (sandwich) covariances, as R's ``sandwich``.

For a GLM the estimating function of observation i is uᵢ xᵢ with
uᵢ = wᵢ (yᵢ − μᵢ)(dμ/dη)ᵢ / V(μᵢ) (prior weight wᵢ; this is R's ``estfun.glm``, the
working residual times the working weight). The bread is B = (XᵀWX)⁻¹ with W the
*expected* (Fisher) weights, also for non-canonical links (R's ``bread.glm`` is
``summary(fit)$cov.unscaled``). The dispersion cancels between bread and meat. Then

    HC0  B Xᵀ diag(uᵢ²) X B
    HC1  HC0 · n / (n − k)
    HC2  B Xᵀ diag(uᵢ² / (1 − hᵢ)) X B
    HC3  B Xᵀ diag(uᵢ² / (1 − hᵢ)²) X B

with hᵢ the GLM hat values (``hatvalues.glm``), n the rows of positive weight and k the
rank. Cluster-robust (R's ``vcovCL`` ): with Sg = Σ_{i∈g} uᵢ xᵢ,

    CR0  G/(G − 1) · B (Σg Sg Sgᵀ) B               (vcovCL type = "HC0")
    CR1  CR0 · (n − 1)/(n − k)                     (vcovCL type = "HC1")

vcovCL's defaults for a glm are ``type = "HC0"`` and ``cadjust = TRUE``, i.e. CR0 here
(sandwich ≥ 2.5 uses HC1 only for ``lm``); that is what ``kind=None`` gives.

``cadjust=False`` drops the G/(G − 1) factor. Several cluster variables (columns of a 2-D
array) are combined by inclusion–exclusion over their intersections, as ``vcovCL`` does.

Rows with zero prior weight are left out (R's ``glm`` gives them zero working weight; the
sandwich package nonetheless counts them in n, which changes its scaling — we do not copy
that).
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._warnings import warn
from ..errors import InputError, NumericalWarning, UnknownNameError
from ..fit import FittedModel
from ._refit import kept_design, working_quantities
from .covariance import unscaled_covariance

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

__all__ = ["HC_KINDS", "CR_KINDS", "estimating_functions", "hc_covariance", "cluster_covariance",
           "robust_covariance", "hat_values"]

Array = NDArray[np.floating]
HCKind = Literal["HC0", "HC1", "HC2", "HC3"]
CRKind = Literal["CR0", "CR1"]
HC_KINDS = ("HC0", "HC1", "HC2", "HC3")
CR_KINDS = ("CR0", "CR1")


def _score_weights(model: FittedModel) -> Array:
    """uᵢ = working weight × working residual (0 for rows of zero prior weight)."""
    w, r = working_quantities(model)
    return np.where(model.weights > 0, w * r, 0.0)


def estimating_functions(model: FittedModel) -> Array:
    """uᵢ xᵢ over the non-aliased columns, shape (n_samples, rank) (R's ``estfun`` × φ)."""
    X = kept_design(model).toarray()
    return _score_weights(model)[:, None] * X


def hat_values(model: FittedModel) -> Array:
    """Diagonal of W^½ X (XᵀWX)⁻¹ Xᵀ W^½, shape (n_samples,); 0 for zero-weight rows."""
    w, _ = working_quantities(model)
    if model.rank == 0:
        return np.zeros_like(w)
    q = kept_design(model).row_quadratic_form(unscaled_covariance(model))
    h = w * q
    # As R's lm.influence: values within rounding of 1 are 1.
    h[h > 1.0 - 10 * np.finfo(float).eps] = 1.0
    return h


def _embed(model: FittedModel, cov: Array) -> Array:
    p = model.coef.shape[0]
    full = np.full((p, p), np.nan)
    kept = model.kept
    full[np.ix_(kept, kept)] = cov
    return full


def hc_covariance(model: FittedModel, kind: HCKind = "HC0") -> Array:
    """Heteroskedasticity-consistent covariance, shape (n_features, n_features), NaN for aliased."""
    if kind not in HC_KINDS:
        raise UnknownNameError(f"Unknown robust covariance {kind!r}; valid: {', '.join(HC_KINDS)} "
                               "(or CR0/CR1 with cluster=).")
    u = _score_weights(model)
    n, k = model.n_obs, model.rank
    omega = u * u
    if kind == "HC1":
        omega = omega * n / (n - k)
    lev1 = np.zeros(model.y.shape[0], dtype=bool)
    if kind in ("HC2", "HC3"):
        h = hat_values(model)
        lev1 = (model.weights > 0) & (h > 1.0 - np.sqrt(np.finfo(float).eps))
        one_minus = np.where((model.weights > 0) & ~lev1, 1.0 - h, 1.0)
        omega = np.where(lev1, 0.0, omega / (one_minus if kind == "HC2" else one_minus**2))
    bread = unscaled_covariance(model)
    meat = kept_design(model).sandwich(omega)
    cov = bread @ meat @ bread
    cov = 0.5 * (cov + cov.T)
    if np.any(lev1):
        cov = _undefined_by_leverage(model, cov, bread, lev1, kind)
    return _embed(model, cov)


def _undefined_by_leverage(model: FittedModel, cov: Array, bread: Array, lev1: NDArray[np.bool_],
                           kind: str) -> Array:
    """NaN for the coefficients that rows with hat value 1 determine alone, with sandwich's warning.

    Such a row is fitted exactly (residual 0) and its HC2/HC3 weight is 0/0; the
    coefficients it moves (its column of the influence (XᵀWX)⁻¹xᵢwᵢ) have no estimable
    variance. The other coefficients do not depend on it and keep theirs.
    """
    w, _ = working_quantities(model)
    rows = np.flatnonzero(lev1)
    X = kept_design(model).toarray()[rows]
    influence = np.abs(bread @ (X * w[rows, None]).T)  # (rank, rows)
    undefined = np.any(influence > 1e-8 * np.maximum(influence.max(axis=0), 1e-300), axis=1)
    cov = cov.copy()
    cov[undefined, :] = np.nan
    cov[:, undefined] = np.nan
    shown = ", ".join(str(r) for r in rows[:10]) + (", ..." if rows.size > 10 else "")
    warn(f"{kind} covariances are not defined where hat values are 1, as for rows {shown} (0-based): "
         f"those rows are fitted exactly and alone determine {int(undefined.sum())} coefficient(s), whose "
         f"variances are NaN (R's sandwich warns and gives NaN throughout). Use HC0/HC1, or drop those rows.",
         NumericalWarning)
    return cov


def _cluster_codes(cluster: ArrayLike, n: int) -> list[NDArray[np.intp]]:
    import pandas as pd
    if isinstance(cluster, pd.DataFrame):
        columns = [cluster[c].to_numpy() for c in cluster.columns]
    else:
        arr = np.asarray(cluster.to_numpy() if hasattr(cluster, "to_numpy") else cluster)
        columns = [arr] if arr.ndim == 1 else [arr[:, j] for j in range(arr.shape[1])]
    codes = []
    for c in columns:
        if c.shape[0] != n:
            raise InputError(f"cluster has {c.shape[0]} values; the fit has {n} rows. Give one label per row used.")
        if pd.isna(pd.Series(c)).any():
            raise InputError("cluster has missing values; every row used in the fit needs a cluster label.")
        codes.append(pd.factorize(pd.Series(c), sort=True)[0].astype(np.intp))
        if codes[-1].size and codes[-1].max() == 0:
            raise InputError("cluster has a single cluster (every row has the same label); a cluster-robust "
                             "covariance needs at least 2 clusters (its meat is then a single outer product "
                             "and the variances collapse; R's vcovCL fails too). Give the cluster labels, or "
                             "use a heteroskedasticity-consistent covariance (cov='HC0'...'HC3').")
    return codes


def cluster_covariance(model: FittedModel, cluster: ArrayLike, kind: CRKind = "CR0",
                       cadjust: bool = True) -> Array:
    """Cluster-robust covariance as R's ``sandwich::vcovCL``, shape (n_features, n_features).

    Parameters
    ----------
    model : FittedModel
    cluster : array of shape (n_samples,) or (n_samples, n_ways), or DataFrame
        Cluster labels of the rows used in the fit; several columns give multi-way clustering.
    kind : {"CR0", "CR1"}
        vcovCL's ``type = "HC0"`` (its default for a glm) or ``"HC1"``.
    cadjust : bool, default True
        Apply G/(G − 1).
    """
    import pandas as pd
    kind = {"HC0": "CR0", "HC1": "CR1"}.get(kind, kind)  # type: ignore[assignment]
    if kind not in CR_KINDS:
        raise UnknownNameError(f"Unknown cluster-robust covariance {kind!r}; valid: {', '.join(CR_KINDS)}.")
    n_rows = model.y.shape[0]
    codes = _cluster_codes(cluster, n_rows)
    partitioned = model.design.evaluates_loss  # rows held apart (Dask): per-block cluster score sums
    used = np.asarray(model.weights > 0)
    ef = None if partitioned else estimating_functions(model)[used]
    u = _score_weights(model) if partitioned else None
    codes = [c[used] for c in codes]
    k = model.rank if partitioned else ef.shape[1]  # type: ignore[union-attr]
    meat = np.zeros((k, k))
    for order in range(1, len(codes) + 1):
        sign = 1.0 if order % 2 == 1 else -1.0
        for combo in combinations(range(len(codes)), order):
            if order == 1:
                labels = codes[combo[0]]
            else:
                labels = pd.factorize(pd.Series(list(zip(*(codes[i] for i in combo)))))[0]
            g = int(labels.max()) + 1
            if partitioned:
                all_rows = np.zeros(n_rows, dtype=np.intp)
                all_rows[used] = labels  # rows of zero weight have u = 0
                sums = kept_design(model).grouped_rmatvec(all_rows, g, u)  # type: ignore[arg-type]
            else:
                sums = np.zeros((g, k))
                np.add.at(sums, labels, ef)
            adj = g / (g - 1.0) if cadjust and g > 1 else 1.0
            meat += sign * adj * (sums.T @ sums)
    n = int(used.sum())
    if kind == "CR1":  # k: the rank, absorbed factors' parameters included (as vcovCL on the dummy fit)
        meat *= (n - 1.0) / (n - model.rank)
    bread = unscaled_covariance(model)
    cov = bread @ meat @ bread
    return _embed(model, 0.5 * (cov + cov.T))


def robust_covariance(model: FittedModel, kind: str | None = None, cluster: ArrayLike | None = None,
                      cadjust: bool = True) -> Array:
    """HC covariance, or cluster-robust where ``cluster`` is given.

    ``kind=None`` gives the R defaults: ``"HC3"`` (``vcovHC``) without clusters,
    ``"CR0"`` (``vcovCL``'s default for a glm: type HC0 with G/(G − 1)) with them.
    """
    if cluster is None:
        if kind is not None and kind in CR_KINDS:
            raise InputError(f"{kind} is a cluster-robust covariance; pass cluster= labels.")
        return hc_covariance(model, kind or "HC3")  # type: ignore[arg-type]
    return cluster_covariance(model, cluster, kind or "CR0", cadjust)  # type: ignore[arg-type]
