"""Log-likelihood, AIC and BIC with R's conventions.

R's AIC is −2 log L + 2k where the log-likelihood is evaluated at the dispersion R's
family uses for it (deviance/n for the Gaussian, deviance/Σw for the Gamma and inverse
Gaussian) and k counts that dispersion for those three families. ``logLik`` is the same
log-likelihood; BIC replaces 2 by log(n) with n the number of rows of positive weight.
Quasi-families have none of these (NaN).

A fit whose likelihood dispersion is 0 (saturated: no residual degrees of freedom, or a
zero deviance) has an unbounded likelihood: NaN with a warning, as R's NaN from
``dgamma`` with an infinite shape.
"""

from __future__ import annotations

import numpy as np

from .._warnings import warn
from ..errors import NumericalWarning
from ..fit import FittedModel

__all__ = ["loglik", "n_parameters", "aic", "bic"]


def loglik(model: FittedModel) -> float:
    """R's ``logLik`` of the fit."""
    fam = model.family
    if not fam.has_likelihood:
        return float("nan")
    disp = fam.aic_dispersion(model.y, model.mu, model.weights, model.deviance)
    if fam.aic_counts_dispersion and (model.df_resid <= 0 or not np.isfinite(disp) or disp <= 0):
        warn(f"The log-likelihood is not defined: the fit is saturated (residual df {model.df_resid}, "
             f"deviance {model.deviance:.3g}), so the {fam.name} dispersion's estimate is 0 and the likelihood "
             "unbounded; logLik, AIC and BIC are NaN. Compare models with fewer parameters than rows.",
             NumericalWarning)
        return float("nan")
    return model.design.sum_row_blocks(lambda y, mu, w, tr: fam.loglik(y, mu, w, disp, trials=tr),
                                       [model.y, model.mu, model.weights, model.trials])


def n_parameters(model: FittedModel) -> int:
    """The number of estimated parameters R counts in AIC/BIC."""
    return model.rank + int(model.family.aic_counts_dispersion)


def aic(model: FittedModel) -> float:
    """−2 log L + 2k."""
    return -2.0 * loglik(model) + 2.0 * n_parameters(model)


def bic(model: FittedModel) -> float:
    """−2 log L + log(n)·k."""
    # R takes n from logLik.glm's "nobs" attribute: every row, zero-weight rows included.
    return -2.0 * loglik(model) + np.log(model.y.shape[0]) * n_parameters(model)
