"""Covariances with fixest's small-sample corrections, by name (``ssc()``).

The sandwich parts are glmkit's (:mod:`glmkit.inference.robust`; for a fit with absorbed
factors they are those of the covariates projected at the solution, i.e. of the dummy-
variable model, by Frisch–Waugh–Lovell); what differs from R's ``sandwich`` is only the
scaling, which fixest chooses with ``ssc(adj, fixef.K, cluster.adj, cluster.df)``:

- ``adj``: multiply by (n − 1)/(n − K) (``"hetero"``: n/(n − K), as fixest);
- ``fixef_k`` (fixest's ``fixef.K``): K is the covariates' rank plus — ``"none"``: no
  absorbed parameter; ``"full"``: all of them; ``"nested"`` (fixest's default; pyfixest's
  ``k_fixef="nonnested"``): all but those of factors nested in a cluster variable (each
  such factor counts G_f − 1 fewer: its levels are implied by the clusters);
- ``cluster_adj``: multiply a clustered covariance by G/(G − 1); with several cluster
  variables ``cluster_df`` = ``"min"`` (fixest's default) uses the smallest G for every
  term of V₁ + V₂ − V₁₂, ``"conventional"`` each term's own G.

``vcov``: ``"iid"`` (the model-based φ (X̃ᵀWX̃)⁻¹), ``"hetero"`` (HC0 × the ``adj`` factor)
or ``"cluster"`` (with ``cluster=``). Mapping to pyfixest 0.60 ``ssc()``: ``adj`` =
``k_adj``, ``fixef_k`` "none"/"nested"/"full" = ``k_fixef`` "none"/"nonnested"/"full",
``cluster_adj`` = ``G_adj``, ``cluster_df`` = ``G_df``. glmkit's own default covariance
(``fit.cov``) stays R's ``glm`` model-based one, without any of these factors.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError
from ..fit import FittedModel
from .covariance import model_covariance, unscaled_covariance
from .robust import _embed, _score_weights
from ._refit import kept_design

__all__ = ["SmallSample", "fixest_covariance"]

Array = NDArray[np.floating]


@dataclass(frozen=True)
class SmallSample:
    """fixest's ``ssc()``: the small-sample corrections of :func:`fixest_covariance`.

    Parameters
    ----------
    adj : bool, default True
    fixef_k : {"nested", "full", "none"}, default "nested"
    cluster_adj : bool, default True
    cluster_df : {"min", "conventional"}, default "min"

    Examples
    --------
    >>> SmallSample(fixef_k="full").cluster_df
    'min'
    """

    adj: bool = True
    fixef_k: Literal["nested", "full", "none"] = "nested"
    cluster_adj: bool = True
    cluster_df: Literal["min", "conventional"] = "min"

    def __post_init__(self) -> None:
        if self.fixef_k not in ("nested", "full", "none"):
            raise UnknownNameError(f"Unknown fixef_k {self.fixef_k!r}; valid: 'nested', 'full', 'none'.")
        if self.cluster_df not in ("min", "conventional"):
            raise UnknownNameError(f"Unknown cluster_df {self.cluster_df!r}; valid: 'min', 'conventional'.")


def _nested(codes: NDArray[np.intp], clusters: list[NDArray[np.intp]]) -> bool:
    """Every level of a factor lies in one cluster of some cluster variable."""
    for c in clusters:
        pairs = np.unique(np.column_stack([codes, c]), axis=0)
        if pairs.shape[0] == np.unique(codes).size:
            return True
    return False


def _k(model: FittedModel, ssc: SmallSample, clusters: list[NDArray[np.intp]]) -> int:
    kept = int(model.kept.size)
    if ssc.fixef_k == "none":
        return kept
    if ssc.fixef_k == "full" or not clusters:
        return int(model.rank)
    factors = model.design.absorbed
    if factors is None:
        return int(model.rank)
    nested = sum(g - 1 for c, g in zip(factors.codes, factors.n_levels) if _nested(c, clusters))
    return int(model.rank) - nested


def fixest_covariance(model: FittedModel, vcov: str = "iid", clusters: list[NDArray[np.intp]] | None = None,
                      ssc: SmallSample | None = None, dispersion: float = 1.0) -> Array:
    """The covariance of the coefficients as fixest computes it (see the module notes).

    Parameters
    ----------
    model : FittedModel
    vcov : {"iid", "hetero", "cluster"}
    clusters : list of int arrays of shape (n_samples,), optional
        Cluster codes of the rows used, one array per cluster variable (``"cluster"``).
    ssc : SmallSample, optional
        Default ``SmallSample()``, fixest's default.
    dispersion : float, default 1.0
        φ for ``"iid"``.

    Returns
    -------
    ndarray of shape (n_features, n_features), NaN for aliased coefficients.

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.fit import fit_model
    >>> from glmkit.problem import problem_from_arrays
    >>> model = fit_model(problem_from_arrays(np.arange(6.0)[:, None], [1.0, 0, 2, 3, 2, 5], "poisson"))
    >>> adjusted = np.diag(fixest_covariance(model, "iid"))
    >>> bool(np.all(adjusted > np.diag(fixest_covariance(model, "iid", ssc=SmallSample(adj=False)))))
    True
    """
    ssc = ssc or SmallSample()
    clusters = [] if vcov != "cluster" else list(clusters or [])
    if vcov == "cluster" and not clusters:
        raise InputError("vcov='cluster' needs cluster= (a column name, 'firm+year', or labels).")
    if vcov not in ("iid", "hetero", "cluster"):
        raise UnknownNameError(f"Unknown vcov {vcov!r}; valid: 'iid', 'hetero', 'cluster'.")
    n = model.n_obs
    # fixest (and pyfixest): (n − 1)/(n − K), but n/(n − K) for the heteroskedasticity-robust one
    factor = ((n - float(vcov != "hetero")) / (n - _k(model, ssc, clusters))) if ssc.adj else 1.0
    if vcov == "iid":
        return factor * model_covariance(model, dispersion)
    used = model.weights > 0
    u = _score_weights(model)[used]
    X = kept_design(model).toarray()[used]
    bread = unscaled_covariance(model)
    if vcov == "hetero":
        meat = (X * (u * u)[:, None]).T @ X
    else:
        meat = _cluster_meat(u[:, None] * X, [c[used] for c in clusters], ssc)
    cov = factor * (bread @ meat @ bread)
    return _embed(model, 0.5 * (cov + cov.T))


def _cluster_meat(scores: Array, clusters: list[NDArray[np.intp]], ssc: SmallSample) -> Array:
    """Σ over inclusion–exclusion terms of ± Σ_g S_g S_gᵀ, each with its G adjustment."""
    import pandas as pd
    k = scores.shape[1]
    meat = np.zeros((k, k))
    g_min = min(int(np.unique(c).size) for c in clusters)
    for order in range(1, len(clusters) + 1):
        for combo in combinations(range(len(clusters)), order):
            if order == 1:
                labels = clusters[combo[0]]
            else:
                labels = pd.factorize(pd.MultiIndex.from_arrays([clusters[i] for i in combo]))[0]
            labels = pd.factorize(labels)[0]
            g = int(labels.max()) + 1
            sums = np.zeros((g, k))
            np.add.at(sums, labels, scores)
            size = g_min if ssc.cluster_df == "min" else g
            adj = size / (size - 1.0) if ssc.cluster_adj and size > 1 else 1.0
            meat += (1.0 if order % 2 else -1.0) * adj * (sums.T @ sums)
    return meat
