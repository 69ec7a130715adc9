"""Results of plain fits: the frozen :class:`GLMResult`, its summary and its predictions."""

from .glm import DataSpec, GLMResult
from .summary import Summary

__all__ = ["DataSpec", "GLMResult", "Summary"]
