"""How new data is encoded, in a model file: the data spec of a fit, without its data.

* arrays (:class:`~glmkit.intake.specs.ArraySpec`): the number of columns, the intercept,
  whether an offset is required;
* a DataFrame as X (:class:`~glmkit.intake.specs.FrameSpec`): the columns in order, each
  factor's levels in order, the intercept, all-levels coding, the offset;
* a formula (:class:`~glmkit.intake.formula.FormulaSpec`): the right-hand side as written,
  formulaic's state (factor levels and contrasts, ``center``/``scale`` means, spline
  knots, polynomial coefficients), the ``offset(...)`` terms and the offset column.

A formula is rebuilt as a formulaic ``ModelSpec`` from its text (as translated by
:mod:`glmkit.intake.r_formula`) and that state; R's transforms (``factor``, ``poly``, ``ns``,
``bs``) keep plain state (levels, coefficients, knots, boundary knots) and are evaluated
with glmkit's formula context when new data is encoded. The columns it produces are
checked against the coefficient names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import CorruptModelFileError, NoTrainingDataError, UnsavableModelError
from ..intake.formula import FormulaSpec
from ..intake.specs import ArraySpec, FrameSpec
from .values import decode_value, encode_value
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["encode_spec", "decode_spec", "CheckedFormulaSpec"]

_MODEL_SPEC_FIELDS = ("materializer", "ensure_full_rank", "output")


def encode_spec(spec: Any, names: list[str]) -> dict[str, Any] | None:
    """The record of a fit's data spec (None: the fit keeps none).

    Examples
    --------
    >>> encode_spec(ArraySpec(2, intercept=True), ["Intercept", "x1", "x2"])
    {'type': 'arrays', 'n_columns': 2, 'intercept': True, 'offset_required': False}
    """
    if spec is None:
        return None
    if isinstance(spec, CheckedFormulaSpec):
        spec = spec.inner
    if type(spec) is ArraySpec:
        return {"type": "arrays", "n_columns": int(spec.n_columns), "intercept": bool(spec.intercept),
                "offset_required": bool(spec.offset_required)}
    if type(spec) is FrameSpec:
        return {"type": "frame", "columns": list(spec.columns),
                "categories": [[c, encode_value(list(levels), f"levels of {c!r}")] for c, levels in spec.categories],
                "intercept": bool(spec.intercept), "offset_required": bool(spec.offset_required),
                "all_levels": bool(spec.all_levels)}
    if type(spec) is FormulaSpec:
        return _encode_formula(spec, names)
    raise UnsavableModelError(f"The fit's data spec {type(spec).__qualname__} has no model-file form.")


def _encode_formula(spec: FormulaSpec, names: list[str]) -> dict[str, Any]:
    model_spec = None
    if spec.spec is not None:
        ms = spec.spec
        model_spec = {field: getattr(ms, field) for field in _MODEL_SPEC_FIELDS}
        model_spec["transform_state"] = encode_value(dict(ms.transform_state), "formula's transform state")
        model_spec["encoder_state"] = encode_value(dict(ms.encoder_state), "formula's factor encoding")
    return {"type": "formula", "rhs": spec.rhs, "model_spec": model_spec, "offset_terms": list(spec.offset_terms),
            "offset_column": spec.offset_column, "offset_was_array": bool(spec.offset_was_array),
            "column_names": list(names)}


def decode_spec(record: Any) -> Any:
    """The data spec written by :func:`encode_spec`."""
    if record is None:
        return None
    try:
        kind = record["type"]
        if kind == "arrays":
            return ArraySpec(int(record["n_columns"]), bool(record["intercept"]), bool(record["offset_required"]))
        if kind == "frame":
            cats = tuple((str(c), tuple(decode_value(levels))) for c, levels in record["categories"])
            return FrameSpec(tuple(str(c) for c in record["columns"]), cats, bool(record["intercept"]),
                             bool(record["offset_required"]), bool(record["all_levels"]))
        if kind == "formula":
            return _decode_formula(record)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CorruptModelFileError):
            raise
        raise CorruptModelFileError(f"The model file's encoding record is invalid: {exc!r}.") from exc
    raise CorruptModelFileError(f"Unknown encoding type {record.get('type')!r}; known: arrays, frame, formula.")


def _decode_formula(record: dict) -> "CheckedFormulaSpec":
    from formulaic import ModelSpec

    ms = record["model_spec"]
    if ms is None:  # bare numeric columns: no state to restore
        model_spec = ModelSpec(formula=record["rhs"], materializer="pandas", ensure_full_rank=True)
    else:
        model_spec = ModelSpec(
            formula=record["rhs"], materializer=ms["materializer"], ensure_full_rank=bool(ms["ensure_full_rank"]),
            output=ms["output"], transform_state=decode_value(ms["transform_state"]),
            encoder_state=decode_value(ms["encoder_state"]))
    inner = FormulaSpec(spec=model_spec, offset_terms=tuple(record["offset_terms"]),
                        offset_column=record["offset_column"], offset_was_array=bool(record["offset_was_array"]),
                        rhs=record["rhs"])
    return CheckedFormulaSpec(inner, tuple(str(n) for n in record["column_names"]))


@dataclass(frozen=True)
class CheckedFormulaSpec:
    """A formula spec read from a model file; each encoding is checked against the names saved.

    Attributes
    ----------
    inner : FormulaSpec
    column_names : tuple of str
        The coefficient names the design's columns must match.
    """

    inner: FormulaSpec
    column_names: tuple[str, ...]

    @property
    def rhs_spec(self) -> Any:
        """The formula's terms are for anova, drop1 and add1, which refit on the training data."""
        raise NoTrainingDataError(
            "This needs the training data (the formula's terms, for anova, drop1 or add1 refits), which a "
            "model loaded from a file does not hold; fit again on the data.")

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Any, np.ndarray, pd.Index]:
        """(design, offset, row index) for new rows, as :meth:`FormulaSpec.encode`."""
        design, off, index = self.inner.encode(newdata, offset)
        if design.shape[1] != len(self.column_names):
            raise CorruptModelFileError(
                f"The model file's formula produced {design.shape[1]} columns for {len(self.column_names)} "
                "coefficients; the file does not match this version of formulaic or was altered.")
        return design, off, index
