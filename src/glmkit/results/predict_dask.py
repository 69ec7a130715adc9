"""Prediction on Dask data: lazy, partition by partition, aligned with the new data's partitions.

Each partition (a pandas DataFrame of a Dask DataFrame, or a block of rows of a Dask array)
is encoded by the fit's data spec exactly as in-memory new data are (the same factor levels;
unseen levels raise the same :class:`~glmkit.errors.UnseenLevelError`, when the partition is
computed), and its predictions, standard errors and confidence limits are computed with
numpy. Without new data the training rows are predicted from the fit's lazy η. Prediction
intervals (simulated) are not offered on Dask data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError

__all__ = ["predict_dask"]

Array = NDArray[np.floating]


def _columns(eta: Array, quad: Array | None, link: Any, kind: str, se: bool, q: float | None) -> dict[str, Array]:
    """fit (and se, lower, upper) from η and xᵀ Cov x per row."""
    out = {"fit": eta if kind == "link" else link.inverse(eta)}
    if quad is None:
        return out
    se_link = np.sqrt(np.maximum(quad, 0.0))
    if se:
        out["se"] = se_link if kind == "link" else np.abs(link.inverse_derivative(eta)) * se_link
    if q is not None:
        lo, hi = eta - q * se_link, eta + q * se_link
        if kind == "response":
            lo, hi = link.inverse(lo), link.inverse(hi)
        out["lower"], out["upper"] = np.minimum(lo, hi), np.maximum(lo, hi)
    return out


def _predict_partition(part: Any, spec: Any, offset: Any, kept: Any, coef: Array, cov: Array | None, link: Any,
                       kind: str, se: bool, q: float | None) -> Any:
    import pandas as pd

    design, off, index = spec.encode(part, offset)
    sub = design if kept.size == design.shape[1] else design.select_columns(kept)
    eta = sub.matvec(coef) + off
    quad = None if cov is None else sub.row_quadratic_form(cov)
    cols = _columns(eta, quad, link, kind, se, q)
    if len(cols) == 1:
        return pd.Series(cols["fit"], index=part.index, name=kind)
    return pd.DataFrame(cols, index=part.index)


def _quantile(result: Any, level: float) -> float:
    from scipy import stats

    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1); got {level!r}.")
    model = result.model
    if result.dispersion_is_estimated and model.df_resid > 0:
        return float(stats.t.ppf(0.5 + level / 2, model.df_resid))
    return float(stats.norm.ppf(0.5 + level / 2))


def predict_dask(result: Any, newdata: Any, kind: str, se: bool, offset: Any, interval: str | None,
                 level: float) -> Any:
    """:meth:`glmkit.GLMResult.predict` for Dask new data, or for the training rows of a Dask fit.

    Returns a lazy Dask Series (or DataFrame with ``fit``, ``se``, ``lower``, ``upper``) with
    the partitions of ``newdata``; for a Dask array or the training rows, a lazy Dask array
    (or a Dask DataFrame of those columns).
    """
    import dask.array as da
    import dask.dataframe as dd
    import pandas as pd

    if interval == "prediction":
        raise InputError("Prediction intervals (simulated) are not offered on Dask data; use interval='confidence', "
                         "or predict a pandas sample of the rows.")
    model = result.model
    kept = model.kept
    coef = np.asarray(model.coef[kept], dtype=np.float64)
    q = _quantile(result, level) if interval == "confidence" else None
    cov = result.cov.to_numpy()[np.ix_(kept, kept)] if (se or q is not None) else None
    link = model.family.link
    names = ["fit"] + (["se"] if se else []) + (["lower", "upper"] if q is not None else [])
    if isinstance(newdata, dd.DataFrame):
        if offset is not None and not isinstance(offset, str):
            raise InputError("With Dask new data, give offset= as a column name of that data.")
        meta = (pd.Series([], dtype=float, name=kind) if len(names) == 1
                else pd.DataFrame({c: pd.Series([], dtype=float) for c in names}))
        return newdata.map_partitions(_predict_partition, result.data_spec, offset, kept, coef, cov, link, kind, se,
                                      q, meta=meta)
    if newdata is None:
        sub = model.design if kept.size == model.design.shape[1] else model.design.select_columns(kept)
        eta, off = sub.matvec(coef), model.offset
    else:
        from ..intake.dask import dask_columns

        spec = result.data_spec
        sub, _, _ = dask_columns(newdata, intercept=bool(getattr(spec, "intercept", False)))
        if sub.shape[1] != kept.size and sub.shape[1] == len(model.coef):
            sub = sub.select_columns(kept)
        off = 0.0 if offset is None else sub.align(offset)
        eta = sub.matvec(coef)
    eta = eta + off
    quad = None if cov is None else sub.row_quadratic_form(cov)
    outs = sub.map_row_blocks(lambda e, qd: tuple(_columns(e, qd, link, kind, se, q).values()), [eta, quad],
                              len(names))
    if len(names) == 1:
        return outs[0]
    return dd.from_dask_array(da.stack(outs, axis=1), columns=names)
