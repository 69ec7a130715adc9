"""Marginal means and effects of a fitted GLM: R's emmeans, marginaleffects and Stata's margins."""

from .emmeans import EMMeans, emmeans
from .table import MarginsTable

__all__ = ["EMMeans", "MarginsTable", "emmeans"]
