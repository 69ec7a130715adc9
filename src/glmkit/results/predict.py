"""Prediction from a fitted GLM: link or response scale, standard errors, intervals.

New data are encoded by the problem's ``data_spec`` exactly as the training data were
(factor levels, transforms, formula offsets); aliased columns are left out. Predictions come
back in the kind of the new data (a polars Series for polars, a pyarrow ChunkedArray or
Table for pyarrow, pandas for pandas and for arrays); without new data, in the kind of the
training data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..design import Design
from ..design.dask import is_dask_collection
from ..errors import InputError, UnknownNameError
from ..inference.prediction import confidence_interval, prediction_interval
from ..intake.unseen import check_unseen, encode_with_policy, scatter_rows
from ..intake.frames import column_values, eager, native_frame, native_series, prediction_kind
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["predict"]

Array = NDArray[np.floating]


def predict(result: Any, newdata: Any, kind: Literal["link", "response"], se: bool, offset: Any,
            interval: Literal["confidence", "prediction"] | None, level: float, *, weights: Any, trials: Any,
            n_draws: int, seed: int | None, unseen: str = "error") -> Any:
    """:meth:`glmkit.GLMResult.predict` (see there for the parameters)."""
    check_unseen(unseen)
    if is_dask_collection(newdata) or (newdata is None and result.model.design.evaluates_loss):
        from .predict_dask import predict_dask  # lazy, partition by partition

        return predict_dask(result, newdata, kind, se, offset, interval, level)
    newdata = eager(newdata)
    out_kind = prediction_kind(newdata, result.model.problem.frame_kind)
    if kind not in ("link", "response"):
        raise UnknownNameError(f"Unknown prediction kind {kind!r}; valid: 'link', 'response'.")
    if interval not in (None, "confidence", "prediction"):
        raise UnknownNameError(f"Unknown interval {interval!r}; valid: 'confidence', 'prediction'.")
    design, off, index, kept_rows = _encoded(result, newdata, offset, unseen)
    if design is None:  # every row has an unseen level
        columns = ["fit"] + (["se"] if se else []) + (["lower", "upper"] if interval else [])
        if len(columns) == 1:
            return native_series(np.full(len(index), np.nan), index, kind, out_kind)
        return native_frame({c: np.full(len(index), np.nan) for c in columns}, index, out_kind)
    model = result.model
    kept = model.kept
    sub = design if kept.size == design.shape[1] else design.select_columns(kept)
    eta = sub.matvec(model.coef[kept]) + off
    link = model.family.link
    fit = eta if kind == "link" else link.inverse(eta)
    if not se and interval is None:
        return native_series(scatter_rows(fit, kept_rows, len(index)), index, kind, out_kind)
    out: dict[str, Array] = {"fit": fit}
    if se:
        cov = result.cov.to_numpy()[np.ix_(kept, kept)]
        se_link = np.sqrt(np.maximum(sub.row_quadratic_form(cov), 0.0))
        out["se"] = se_link if kind == "link" else np.abs(link.inverse_derivative(eta)) * se_link
    if interval == "confidence":
        _, out["lower"], out["upper"] = confidence_interval(model, design, off, result.dispersion,
                                                            result.dispersion_is_estimated, level, kind)
    elif interval == "prediction":
        if kind != "response":
            raise InputError("Prediction intervals are for new observations, on the response scale; use kind='response'.")
        source = newdata if newdata is not None else result.data
        by_row = index if newdata is None else None
        _, out["lower"], out["upper"] = prediction_interval(
            model, design, off, result.dispersion, result.dispersion_is_estimated, level,
            weights=_rows(_column(weights, "weights", source, by_row), kept_rows),
            trials=_rows(_column(trials, "trials", source, by_row), kept_rows), n_draws=n_draws, seed=seed)
    return native_frame({k: scatter_rows(v, kept_rows, len(index)) for k, v in out.items()}, index, out_kind)



def _encoded(result: Any, newdata: Any, offset: Any, unseen: str) -> tuple[Design, Array, pd.Index, Any]:
    if newdata is None:
        return result.model.design, result.model.offset, result.index, None
    if result.data_spec is None:
        raise InputError("This result keeps no data specification; predict needs newdata encoded as in fit.")
    return encode_with_policy(result.data_spec, newdata, offset, unseen)


def _rows(values: Array | None, kept: Any) -> Array | None:
    """The values of the rows that were encoded (all of them when ``kept`` is None)."""
    return values if values is None or kept is None else values[kept]


def _column(value: Any, what: str, source: Any, rows: pd.Index | None) -> Array | None:
    """Values given as an array, or the column ``value`` of the data (its ``rows`` for training data)."""
    if not isinstance(value, str):
        return None if value is None else np.asarray(value, dtype=float)
    if source is None:
        raise InputError(f"{what}={value!r} names a column, but there is no data to read it from; pass an array.")
    if isinstance(source, pd.DataFrame) and rows is not None:
        if value not in source.columns:
            raise InputError(f"{what}={value!r} names no column of the data.")
        return source[value].loc[rows].to_numpy(dtype=float)
    values = np.asarray(column_values(source, value, what), dtype=float)
    return values[np.asarray(rows)] if rows is not None else values
