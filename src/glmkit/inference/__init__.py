"""Inference around a fitted model, computed lazily by the result object."""

from .covariance import model_covariance, unscaled_covariance
from .dispersion import dispersion_for, pearson_chi2, pearson_dispersion, pearson_dispersion_of
from .likelihood import aic, bic, loglik, n_parameters
from .residuals import RESIDUAL_KINDS, residuals
from .wald import wald_intervals, wald_p_values, wald_statistic

__all__ = [
    "model_covariance",
    "unscaled_covariance",
    "dispersion_for",
    "pearson_chi2",
    "pearson_dispersion",
    "pearson_dispersion_of",
    "aic",
    "bic",
    "loglik",
    "n_parameters",
    "RESIDUAL_KINDS",
    "residuals",
    "wald_intervals",
    "wald_p_values",
    "wald_statistic",
]
