"""Marginal means and effects of a fitted GLM: R's emmeans, marginaleffects and Stata's margins."""

from .comparisons import comparisons
from .effects import predictions, slopes
from .emmeans import EMMeans, emmeans
from .table import MarginsTable

__all__ = ["EMMeans", "MarginsTable", "comparisons", "emmeans", "predictions", "slopes"]
