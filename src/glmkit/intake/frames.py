"""DataFrames of any kind (pandas, polars, pyarrow, modin, cuDF …) through narwhals, at the door.

Every entry point that takes a DataFrame passes it through here once: a polars LazyFrame is
collected once, duplicate column names are refused, and columns are read as glmkit uses
them. Numeric columns go straight to float arrays; factors are read as (levels, codes) with
their declared level order (pandas/polars categoricals, polars Enum, arrow dictionaries),
strings as factors with sorted levels, booleans as 0/1. The formula door needs pandas
(formulaic): only the columns a formula uses are converted, with numpy-backed dtypes.
Predictions go back in the kind of frame they came from (:func:`native_series`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnseenLevelError
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["as_frame", "column_values", "eager", "factor_codes", "factor_levels", "frame_kind", "is_factor",
           "native_frame", "native_series", "numeric_column", "pandas_columns", "prediction_kind",
           "series_values", "used_columns"]

Array = NDArray[np.floating]


def _narwhals() -> Any:
    import narwhals as nw  # imported on first use: glmkit's import stays light

    return nw


def as_frame(data: Any) -> Any:
    """A narwhals eager DataFrame for a DataFrame of any kind, or None for anything else.

    A lazy frame (polars LazyFrame, …) is collected once; duplicate column names are refused.

    Examples
    --------
    >>> import pandas as pd
    >>> as_frame(pd.DataFrame({"x": [1.0]})).columns, as_frame([1.0]) is None
    (['x'], True)
    """
    if isinstance(data, (np.ndarray, list, tuple, dict)) or data is None:
        return None
    if isinstance(data, pd.DataFrame):
        _check_unique([str(c) for c in data.columns])
        if not all(isinstance(c, str) for c in data.columns):
            data = data.rename(columns=str)
    nw = _narwhals()
    try:
        frame = nw.from_native(data, allow_series=False)
    except TypeError:
        return None
    except nw.exceptions.DuplicateError as exc:
        raise InputError(f"The data has duplicate column names ({exc}); give every column a unique name.") from exc
    if isinstance(frame, nw.LazyFrame):
        frame = frame.collect()
    _check_unique(frame.columns)
    return frame


def _check_unique(columns: list[str]) -> None:
    seen: set[str] = set()
    dup = [c for c in columns if c in seen or seen.add(c)]  # type: ignore[func-returns-value]
    if dup:
        raise InputError(f"The data has duplicate column names {sorted(set(dup))[:10]}; give every column a unique name.")


def frame_kind(data: Any) -> Any:
    """The narwhals implementation of a frame or series (None for arrays and mappings)."""
    if data is None or isinstance(data, (np.ndarray, list, tuple, dict, pd.DataFrame, pd.Series)):
        return None
    nw = _narwhals()
    try:
        obj = nw.from_native(data, allow_series=True)
    except TypeError:
        return None
    if isinstance(obj, nw.LazyFrame):  # predictions of a lazy frame come back eager (polars), else pandas
        return obj.implementation if obj.implementation is nw.Implementation.POLARS else None
    return obj.implementation


def prediction_kind(newdata: Any, training_kind: Any) -> Any:
    """The kind of frame predictions come back in: that of ``newdata``, else of the training data."""
    return frame_kind(newdata) if newdata is not None else training_kind


def eager(data: Any) -> Any:
    """``data`` itself, or a lazy frame (polars LazyFrame, …) collected once, in its native kind."""
    if data is None or isinstance(data, (np.ndarray, list, tuple, dict, pd.DataFrame)):
        return data
    nw = _narwhals()
    try:
        obj = nw.from_native(data, allow_series=False)
    except TypeError:
        return data
    return obj.collect().to_native() if isinstance(obj, nw.LazyFrame) else data


def native_series(values: Array, index: pd.Index, name: str, kind: Any) -> Any:
    """Predictions as a Series of ``kind`` (pandas with ``index`` for None or pandas).

    Examples
    --------
    >>> native_series(np.array([1.0]), pd.RangeIndex(1), "response", None).tolist()
    [1.0]
    """
    nw = _narwhals() if kind is not None else None
    if kind is None or kind is nw.Implementation.PANDAS:
        return pd.Series(values, index=index, name=name)
    return nw.new_series(name, values, backend=kind).to_native()


def native_frame(columns: dict[str, Array], index: pd.Index, kind: Any) -> Any:
    """A table of predictions as a DataFrame of ``kind`` (pandas with ``index`` for None or pandas)."""
    nw = _narwhals() if kind is not None else None
    if kind is None or kind is nw.Implementation.PANDAS:
        return pd.DataFrame(columns, index=index)
    return nw.from_dict({str(k): np.asarray(v) for k, v in columns.items()}, backend=kind).to_native()


def is_factor(frame: Any, name: str) -> bool:
    """A column glmkit encodes as a factor: categorical, Enum, string or object dtype."""
    nw = _narwhals()
    dtype = frame.schema[name]
    return isinstance(dtype, (nw.Categorical, nw.Enum, nw.String, nw.Object))


def factor_levels(series: Any) -> tuple:
    """Levels of a factor column: the declared order of categoricals, Enums and dictionaries; else sorted."""
    nw = _narwhals()
    dtype = series.dtype
    if isinstance(dtype, nw.Enum):
        return tuple(dtype.categories)
    native = series.to_native()
    if isinstance(native, pd.Series) and isinstance(native.dtype, pd.CategoricalDtype):
        return tuple(native.cat.categories)
    if isinstance(dtype, nw.Categorical):
        return tuple(_dictionary(series)[0].to_pylist())
    return tuple(sorted(series.drop_nulls().unique().to_list()))


def _dictionary(series: Any) -> tuple[Any, NDArray[np.intp]]:
    """(dictionary, codes with -1 for null) of a dictionary-encoded column, through arrow."""
    import pyarrow as pa

    arr = series.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.unify_dictionaries().combine_chunks() if arr.num_chunks > 1 else arr.chunk(0)
    indices = arr.indices
    codes = indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.intp)  # unsigned in polars
    if indices.null_count:
        codes[indices.is_null().to_numpy(zero_copy_only=False)] = -1
    return arr.dictionary, codes


def factor_codes(series: Any, name: str, levels: tuple) -> NDArray[np.intp]:
    """Codes of ``series`` in ``levels``; missing values and unseen levels are refused."""
    nw = _narwhals()
    native = series.to_native()
    if isinstance(native, pd.Series):
        codes = pd.Index(list(levels)).get_indexer(native).astype(np.intp)  # -1: unseen or missing
        missing = native.isna().to_numpy()
    else:
        import pyarrow as pa
        import pyarrow.compute as pc

        if isinstance(series.dtype, (nw.Categorical, nw.Enum)):
            dictionary, raw = _dictionary(series)
            lookup = _positions(dictionary, levels)
            codes = np.where(raw >= 0, lookup[np.maximum(raw, 0)], -1)
            missing = raw < 0
        else:
            arr = series.to_arrow()
            arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
            found = pc.index_in(arr, value_set=pa.array(list(levels)).cast(arr.type))
            codes = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
            missing = arr.is_null().to_numpy(zero_copy_only=False)
    if np.any(codes < 0):
        if np.any(missing):
            raise InputError(f"Column {name!r} has {int(missing.sum())} missing value(s); drop or impute them.")
        bad = series.filter(nw.new_series("m", codes < 0, backend=series.implementation)).unique().to_list()
        raise UnseenLevelError(
            f"Column {name!r} has levels not seen when fitting: {sorted(map(str, bad))[:10]}. "
            "The model has no coefficient for them: drop those rows, pass unseen='nan' to predict NaN for them, "
            "or refit with them included."
        )
    return codes


def _positions(dictionary: Any, levels: tuple) -> NDArray[np.intp]:
    where = {level: i for i, level in enumerate(levels)}
    return np.array([where.get(v, -1) for v in dictionary.to_pylist()], dtype=np.intp)


def numeric_column(frame: Any, name: str, what: str = "X") -> Array:
    """A numeric or boolean column as float64 (nulls as NaN); any other dtype is refused by name."""
    nw = _narwhals()
    if name not in frame.columns:
        raise InputError(f"The data has no column {name!r}; columns: {', '.join(frame.columns[:30])}.")
    series = frame[name]
    dtype = series.dtype
    if not (dtype.is_numeric() or isinstance(dtype, nw.Boolean)):
        raise InputError(
            f"Column {name!r} (used as {what}) must be numeric; got {dtype}. Convert it to numbers "
            "first, or make it a categorical/string column to have it encoded as a factor."
        )
    if not isinstance(dtype, nw.Float64):
        series = series.cast(nw.Float64)
    out = series.to_numpy()
    return out if out.dtype == np.float64 else np.asarray(out, dtype=np.float64)


def series_values(values: Any) -> Any:
    """A Series of any kind (pandas, polars, pyarrow ChunkedArray/Array, …) as numpy; else as given.

    Numeric and boolean series come back as float64 with NaN for nulls.
    """
    if isinstance(values, (np.ndarray, list, tuple)) or np.isscalar(values):
        return values
    if isinstance(values, pd.Series):
        dtype = values.dtype
        if not isinstance(dtype, np.dtype) and (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)):
            return values.to_numpy(dtype=float, na_value=np.nan)
        return values.to_numpy()
    nw = _narwhals()
    try:
        series = nw.from_native(values, series_only=True)
    except TypeError:
        return values
    if series.dtype.is_numeric() or isinstance(series.dtype, nw.Boolean):
        series = series.cast(nw.Float64)
    return series.to_numpy()


def column_values(data: Any, name: str, what: str) -> NDArray[Any]:
    """The column ``name`` of a DataFrame of any kind as a numpy array (cluster labels, weights)."""
    frame = as_frame(data) if not isinstance(data, dict) else as_frame(pd.DataFrame(data))
    if frame is None or name not in frame.columns:
        columns = ", ".join(frame.columns[:30]) if frame is not None else ""
        raise InputError(f"{what}={name!r} names no column of the data; columns: {columns}.")
    return frame[name].to_numpy()


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*")


def used_columns(columns: list[str], texts: list[str]) -> list[str]:
    """The columns a formula (and column-name arguments) may use, in the data's order.

    Examples
    --------
    >>> used_columns(["y", "x", "g", "z"], ["y ~ x + C(g)"])
    ['y', 'x', 'g']
    """
    joined = " ".join(texts)
    tokens = set(_TOKEN.findall(joined)) | set(texts)
    return [c for c in columns if c in tokens or (not _TOKEN.fullmatch(c) and c in joined)]


def pandas_columns(data: Any, texts: list[str]) -> pd.DataFrame:
    """The columns the formula uses, as a pandas frame with numpy-backed dtypes.

    pandas input keeps its row index; other kinds get 0 … n-1. Categories (and their order)
    are kept; strings stay strings; nullable numbers with NA become float with NaN, booleans
    with NA floats 0/1/NaN. ``attrs["columns"]`` lists every column (for error messages).
    """
    if isinstance(data, pd.DataFrame) and _plain_pandas(data):
        return data  # already what formulaic reads: no selection, no copy
    nw = _narwhals()
    if isinstance(data, dict) and not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(data)
    frame = as_frame(data)
    if frame is None:
        try:
            frame = as_frame(pd.DataFrame(data))
        except Exception as exc:
            raise InputError(f"data must be a DataFrame or a mapping of columns; got {type(data).__name__}.") from exc
    names = frame.columns
    frame = frame.select(used_columns(names, texts))
    casts = [nw.col(c).cast(nw.Float64) for c, d in frame.schema.items()
             if (isinstance(d, nw.Boolean) or d.is_integer()) and frame[c].null_count() > 0]
    if casts:
        frame = frame.with_columns(*casts)
    out = frame.to_pandas()
    out = pd.DataFrame({c: _numpy_backed(out[c]) for c in out.columns}, index=out.index)
    out.attrs["columns"] = list(names)
    return out


def _plain_pandas(data: pd.DataFrame) -> bool:
    """Unique string column names and numpy or categorical dtypes only (the common case)."""
    return (data.columns.is_unique and all(isinstance(c, str) for c in data.columns)
            and all(isinstance(d, (np.dtype, pd.CategoricalDtype)) for d in data.dtypes))


def _numpy_backed(col: pd.Series) -> pd.Series:
    dtype = col.dtype
    if isinstance(dtype, pd.CategoricalDtype) or isinstance(dtype, np.dtype):
        return col
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        if pa.types.is_dictionary(dtype.pyarrow_dtype):
            arr = pa.chunked_array(pa.array(col.array)).unify_dictionaries()
            return pd.Series(arr.to_pandas().array, index=col.index, name=col.name)
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if col.isna().any():
            return pd.Series(col.to_numpy(dtype=float, na_value=np.nan), index=col.index, name=col.name)
        return pd.Series(col.to_numpy(dtype=bool if pd.api.types.is_bool_dtype(dtype) else None),
                         index=col.index, name=col.name)
    if pd.api.types.is_string_dtype(dtype) and getattr(dtype, "na_value", None) is not np.nan:
        return pd.Series(col.to_numpy(dtype=object, na_value=np.nan), index=col.index, name=col.name)
    return col
