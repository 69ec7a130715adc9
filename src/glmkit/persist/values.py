"""Values in a model file: exact floats, arrays, and formulaic's encoding state as tagged JSON.

Design note
-----------
JSON writes a float by ``repr``, which reads back to the same double, so coefficients and
matrices round-trip bit for bit. Non-finite floats, which JSON lacks, are the strings
``"NaN"``, ``"Infinity"`` and ``"-Infinity"``. A small array is a nested list; a large one
(more than ``INLINE_LIMIT`` values) is little-endian float64 in base64. Everything else a
formula's state may hold (tuples, dictionaries with non-string keys, formulaic's contrasts
and enums) is an object with one ``"$…"`` tag. Decoding builds objects only from a fixed
list of classes named here: a file can name no other class and runs no code.
"""

from __future__ import annotations

import base64
import dataclasses
import enum
import math
from typing import Any

import numpy as np

from ..errors import CorruptModelFileError, UnsavableModelError

__all__ = ["INLINE_LIMIT", "encode_value", "decode_value", "encode_float", "decode_float", "encode_array",
           "decode_array"]

INLINE_LIMIT = 4096
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def encode_float(x: float) -> float | str:
    """A float as JSON: itself, or ``"NaN"``/``"Infinity"``/``"-Infinity"``.

    Examples
    --------
    >>> encode_float(float("nan")), encode_float(0.1)
    ('NaN', 0.1)
    """
    x = float(x)
    if math.isfinite(x):
        return x
    return "NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity")


def decode_float(value: Any, what: str = "value") -> float:
    """The float written by :func:`encode_float`; anything else is a corrupt file."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise CorruptModelFileError(f"{what} must be a number; found {value!r}.")
    if isinstance(value, str):
        if value not in _SPECIAL:
            raise CorruptModelFileError(f"{what} must be a number or NaN/Infinity; found {value!r}.")
        return _SPECIAL[value]
    return float(value)


def encode_array(a: Any) -> dict[str, Any]:
    """A float or bool array as ``{"dtype", "shape", "values" | "base64"}``.

    Examples
    --------
    >>> encode_array(np.array([1.0, np.nan]))
    {'dtype': 'float64', 'shape': [2], 'values': [1.0, 'NaN']}
    """
    a = np.asarray(a)
    if a.dtype == bool:
        return {"dtype": "bool", "shape": list(a.shape), "values": a.ravel().tolist()}
    a = np.asarray(a, dtype=np.float64)
    if a.size > INLINE_LIMIT:
        data = base64.b64encode(np.ascontiguousarray(a, dtype="<f8").tobytes()).decode("ascii")
        return {"dtype": "float64", "shape": list(a.shape), "base64": data}
    return {"dtype": "float64", "shape": list(a.shape), "values": [encode_float(v) for v in a.ravel()]}


def decode_array(record: Any, what: str = "array") -> np.ndarray:
    """The array written by :func:`encode_array`."""
    try:
        shape = tuple(int(n) for n in record["shape"])
        size = int(np.prod(shape)) if shape else 1
        if record["dtype"] == "bool":
            values = np.array([bool(v) for v in record["values"]], dtype=bool)
        elif record["dtype"] != "float64":
            raise CorruptModelFileError(f"{what} has dtype {record['dtype']!r}; model files hold float64 and bool.")
        elif "base64" in record:
            values = np.frombuffer(base64.b64decode(record["base64"], validate=True), dtype="<f8").astype(np.float64)
        else:
            values = np.array([decode_float(v, what) for v in record["values"]], dtype=np.float64)
        if values.size != size:
            raise CorruptModelFileError(f"{what} holds {values.size} values for shape {shape}.")
        return values.reshape(shape)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CorruptModelFileError):
            raise
        raise CorruptModelFileError(f"{what} is not a valid array record: {exc}.") from exc


def _formulaic_classes() -> dict[str, Any]:
    """The formulaic classes a formula's state may hold, by the name the file uses."""
    from formulaic.parser.types import Factor
    from formulaic.transforms import contrasts as c

    names = ["TreatmentContrasts", "SASContrasts", "SumContrasts", "HelmertContrasts", "DiffContrasts",
             "PolyContrasts", "ContrastsState"]
    classes = {name: getattr(c, name) for name in names}
    classes["Factor.Kind"] = Factor.Kind
    classes["Factor.EvalMethod"] = Factor.EvalMethod
    return classes


def encode_value(value: Any, where: str = "value") -> Any:
    """Any value of a formula's state as tagged JSON (see the module notes).

    Raises
    ------
    UnsavableModelError
        For a type the format cannot name.

    Examples
    --------
    >>> encode_value({"levels": ("a", "b"), 1: np.float64(2.5)})
    {'$map': [['levels', {'$tuple': ['a', 'b']}], [1, 2.5]]}
    """
    from formulaic.utils.sentinels import UNSET

    if isinstance(value, str):
        return {"$str": value} if value in _SPECIAL else value  # a level named "NaN" stays a string
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, np.bool_):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return encode_float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if value is UNSET:
        return {"$unset": True}
    if isinstance(value, np.ndarray):
        return {"$ndarray": encode_array(value)}
    if isinstance(value, list):
        return [encode_value(v, where) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [encode_value(v, where) for v in value]}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("$") for k in value):
            return {k: encode_value(v, where) for k, v in value.items()}
        return {"$map": [[encode_value(k, where), encode_value(v, where)] for k, v in value.items()]}
    return _encode_object(value, where)


def _encode_object(value: Any, where: str) -> Any:
    classes = _formulaic_classes()
    for name, cls in classes.items():
        if type(value) is not cls:
            continue
        if isinstance(value, enum.Enum):
            return {"$enum": name, "value": value.value}
        fields = {f.name: encode_value(getattr(value, f.name), where) for f in dataclasses.fields(value) if f.init}
        return {"$object": name, "fields": fields}
    raise UnsavableModelError(
        f"The {where} holds a {type(value).__module__}.{type(value).__qualname__} ({value!r:.80}), which a "
        "model file cannot store (it names formulaic's standard contrasts and transforms only). Use a "
        "standard contrast or transform, or pickle the result instead."
    )


def decode_value(value: Any) -> Any:
    """The value written by :func:`encode_value`."""
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    if not isinstance(value, dict):
        return decode_float(value) if value in _SPECIAL else value
    if "$str" in value:
        return str(value["$str"])
    if "$unset" in value:
        from formulaic.utils.sentinels import UNSET

        return UNSET
    if "$tuple" in value:
        return tuple(decode_value(v) for v in value["$tuple"])
    if "$map" in value:
        return {_hashable(decode_value(k)): decode_value(v) for k, v in value["$map"]}
    if "$ndarray" in value:
        return decode_array(value["$ndarray"])
    if "$enum" in value or "$object" in value:
        return _decode_object(value)
    return {k: decode_value(v) for k, v in value.items()}


def _hashable(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def _decode_object(value: dict) -> Any:
    classes = _formulaic_classes()
    name = value.get("$enum", value.get("$object"))
    if name not in classes:
        raise CorruptModelFileError(f"The file names an unknown class {name!r}; known: {', '.join(classes)}.")
    try:
        if "$enum" in value:
            return classes[name](value["value"])
        return classes[name](**{k: decode_value(v) for k, v in value["fields"].items()})
    except (KeyError, TypeError, ValueError) as exc:
        raise CorruptModelFileError(f"The file's {name} record is invalid: {exc}.") from exc
