"""Prediction from a fitted GLM: link or response scale, standard errors, intervals.

New data are encoded by the problem's ``data_spec`` exactly as the training data were
(factor levels, transforms, formula offsets); aliased columns are left out.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..design import Design
from ..errors import InputError, UnknownNameError
from ..inference.prediction import confidence_interval, prediction_interval

__all__ = ["predict"]

Array = NDArray[np.floating]


def predict(result: Any, newdata: Any, kind: Literal["link", "response"], se: bool, offset: Any,
            interval: Literal["confidence", "prediction"] | None, level: float, *, weights: Any, trials: Any,
            n_draws: int, seed: int | None) -> pd.Series | pd.DataFrame:
    """:meth:`glmkit.GLMResult.predict` (see there for the parameters)."""
    if kind not in ("link", "response"):
        raise UnknownNameError(f"Unknown prediction kind {kind!r}; valid: 'link', 'response'.")
    if interval not in (None, "confidence", "prediction"):
        raise UnknownNameError(f"Unknown interval {interval!r}; valid: 'confidence', 'prediction'.")
    design, off, index = _encoded(result, newdata, offset)
    model = result.model
    kept = model.kept
    sub = design if kept.size == design.shape[1] else design.select_columns(kept)
    eta = sub.matvec(model.coef[kept]) + off
    link = model.family.link
    fit = eta if kind == "link" else link.inverse(eta)
    if not se and interval is None:
        return pd.Series(fit, index=index, name=kind)
    out = pd.DataFrame({"fit": fit}, index=index)
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
            weights=_column(weights, "weights", source, by_row), trials=_column(trials, "trials", source, by_row),
            n_draws=n_draws, seed=seed)
    return out


def _encoded(result: Any, newdata: Any, offset: Any) -> tuple[Design, Array, pd.Index]:
    if newdata is None:
        return result.model.design, result.model.offset, result.index
    if result.data_spec is None:
        raise InputError("This result keeps no data specification; predict needs newdata encoded as in fit.")
    return result.data_spec.encode(newdata, offset)


def _column(value: Any, what: str, source: Any, rows: pd.Index | None) -> Array | None:
    """Values given as an array, or the column ``value`` of the data (its ``rows`` for training data)."""
    if not isinstance(value, str):
        return None if value is None else np.asarray(value, dtype=float)
    if source is None or value not in source:
        raise InputError(f"{what}={value!r} names no column of the data.")
    frame = source if isinstance(source, pd.DataFrame) else pd.DataFrame(source)
    values = frame[value]
    return (values.loc[rows] if rows is not None else values).to_numpy(dtype=float)
