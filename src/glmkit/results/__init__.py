"""Results of plain fits: the frozen :class:`GLMResult`, its summary and its predictions."""

from ..intake.specs import DataSpec
from .glm import GLMResult
from .summary import Summary

__all__ = ["DataSpec", "GLMResult", "Summary"]
