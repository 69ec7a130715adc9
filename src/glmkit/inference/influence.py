"""Influence measures and regression diagnostics with R's definitions.

R computes these from the weighted QR of the final IRLS step (``lm.influence`` on a glm);
here the same quantities come from the expected information at the solution, which is
the same matrix to convergence accuracy. With h the hat values of W^½X, e the deviance
residuals, r_P the Pearson residuals, φ the dispersion used by ``summary``, p the rank
and n the rows of positive weight:

    sigma_i      √((Σe² − eᵢ²/(1 − hᵢ)) / (n − p − 1))          (leave-one-out σ)
    dfbeta_i     (XᵀWX)⁻¹ xᵢ √wᵢ · eᵢ/(1 − hᵢ)                 (R uses deviance residuals)
    dfbetas_i    dfbeta_i / (sigma_i √diag((XᵀWX)⁻¹))
    dffits_i     eᵢ √hᵢ / (sigma_i (1 − hᵢ))
    covratio_i   (sigma_i / s)^{2p} / (1 − hᵢ),  s = √(Σe²/df_resid)
    cooks_i      (r_Pᵢ / (1 − hᵢ))² hᵢ / (φ p)
    rstandard_i  eᵢ (or r_Pᵢ) / √(φ (1 − hᵢ))
    rstudent_i   sign(eᵢ) √(eᵢ² + hᵢ r_Pᵢ²/(1 − hᵢ)), divided by sigma_i except for the
                 binomial and Poisson families

These are R's ``influence.measures``, ``rstandard.glm``, ``rstudent.glm``,
``cooks.distance.glm``, ``dfbeta`` and ``dfbetas``. Rows with zero prior weight (which R
drops) get NaN; infinite values (hᵢ = 1) become NaN as in R.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..fit import FittedModel
from ._refit import kept_design, working_quantities
from .covariance import unscaled_covariance
from .residuals import residuals
from .robust import hat_values

__all__ = ["Influence", "influence"]

Array = NDArray[np.floating]


def _nan_inf(a: Array) -> Array:
    a = np.array(a, dtype=float, copy=True)
    a[np.isinf(a)] = np.nan
    return a


@dataclass(frozen=True)
class Influence:
    """Per-observation influence quantities (rows of zero prior weight are NaN).

    Attributes
    ----------
    hat : ndarray of shape (n_samples,)
    sigma : ndarray of shape (n_samples,)
        Leave-one-out residual scale (R's ``influence()$sigma``).
    deviance_residuals, pearson_residuals : ndarray of shape (n_samples,)
    dfbeta, dfbetas : ndarray of shape (n_samples, rank)
        Columns are the non-aliased coefficients.
    dffits, covratio, cooks_distance : ndarray of shape (n_samples,)
    rstandard_deviance, rstandard_pearson, rstudent : ndarray of shape (n_samples,)
    """

    hat: Array
    sigma: Array
    deviance_residuals: Array
    pearson_residuals: Array
    dfbeta: Array
    dfbetas: Array
    dffits: Array
    covratio: Array
    cooks_distance: Array
    rstandard_deviance: Array
    rstandard_pearson: Array
    rstudent: Array

    def rstandard(self, kind: Literal["deviance", "pearson"] = "deviance") -> Array:
        """Standardized residuals of the given kind."""
        if kind == "deviance":
            return self.rstandard_deviance
        if kind == "pearson":
            return self.rstandard_pearson
        from ..errors import UnknownNameError

        raise UnknownNameError(f"Unknown standardized residual kind {kind!r}; valid: 'deviance', 'pearson'.")


def influence(model: FittedModel, dispersion: float) -> Influence:
    """All influence measures of a fit.

    Parameters
    ----------
    model : FittedModel
    dispersion : float
        φ as ``summary`` reports it (Pearson estimate, 1, or the user's value).
    """
    used = model.weights > 0
    n = int(used.sum())
    p = model.rank
    h = hat_values(model)
    e = residuals(model, "deviance")
    e = np.where(used, e, 0.0)
    # lm.influence: a point with hat 1 must have e exactly 0; protect against rounding.
    med = np.median(np.abs(e[used])) if n else 0.0
    e = np.where(np.abs(e) < 100 * np.finfo(float).eps * med, 0.0, e)
    rp = np.where(used, residuals(model, "pearson"), 0.0)

    with np.errstate(divide="ignore", invalid="ignore"):
        ss = float(np.sum(e * e))
        denom = n - p - 1
        sigma = np.where(h < 1.0, np.sqrt(np.maximum(ss - e * e / (1.0 - h), 0.0) / denom), np.sqrt(ss / denom))
        w, _ = working_quantities(model)
        B = unscaled_covariance(model)
        X = kept_design(model).toarray()
        scaled = np.where(h == 1.0, 0.0, e / (1.0 - h)) * np.sqrt(w)
        dfbeta = (X @ B) * scaled[:, None]
        se_unscaled = np.sqrt(np.diag(B))
        dfbetas = dfbeta / np.outer(sigma, se_unscaled)
        dffits = e * np.sqrt(h) / (sigma * (1.0 - h))
        s = np.sqrt(ss / model.df_resid) if model.df_resid > 0 else np.nan
        covratio = (sigma / s) ** (2 * p) / (1.0 - h)
        cooks = (rp / (1.0 - h)) ** 2 * h / (dispersion * p)
        rstd_dev = e / np.sqrt(dispersion * (1.0 - h))
        rstd_pear = rp / np.sqrt(dispersion * (1.0 - h))
        rstud = np.sign(e) * np.sqrt(e * e + h * rp * rp / (1.0 - h))
        if model.family.quasi_counterpart is None:
            rstud = rstud / sigma

    def finish(a: Array) -> Array:
        a = _nan_inf(a)
        if a.ndim == 1:
            a[~used] = np.nan
        else:
            a[~used, :] = np.nan
        return a

    return Influence(
        hat=finish(h), sigma=finish(sigma), deviance_residuals=finish(e), pearson_residuals=finish(rp),
        dfbeta=finish(dfbeta), dfbetas=finish(dfbetas), dffits=finish(dffits), covratio=finish(covratio),
        cooks_distance=finish(cooks), rstandard_deviance=finish(rstd_dev), rstandard_pearson=finish(rstd_pear),
        rstudent=finish(rstud),
    )
