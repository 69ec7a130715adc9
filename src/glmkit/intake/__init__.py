"""Data intake: the checks, the formula adapter, the array adapter and the encoding specs.

Everything a user hands to a fit passes through here once, before it becomes a
:class:`~glmkit.problem.Problem`.
"""

from .arrays import ArrayColumns, array_columns
from .checks import DefaultNames, as_vector, check_finite, check_length, check_weights, response_weights_offset
from .formula import FormulaSpec, ModelFrame, build_model_frame, split_offsets
from .response import prepare_response
from .specs import ArraySpec, FrameSpec, is_categorical

__all__ = [
    "ArrayColumns",
    "ArraySpec",
    "DefaultNames",
    "FormulaSpec",
    "FrameSpec",
    "ModelFrame",
    "array_columns",
    "as_vector",
    "build_model_frame",
    "check_finite",
    "check_length",
    "check_weights",
    "is_categorical",
    "prepare_response",
    "response_weights_offset",
    "split_offsets",
]
