"""The array door for Dask arrays: X, y, weights, offset and trials chunked alike, checked per block.

Design note
-----------
Nothing here computes more than a few numbers per block: the checks (finite X, y in the
family's range, non-negative weights, …) run block by block in one pass and raise the same
errors as the in-memory door (a row number counts from the start of the data). The per-row
vectors are rechunked to X's row chunks, so every product of
:class:`~glmkit.design.DaskDesign` pairs block i of X with block i of each vector. Dask is
imported only when a Dask collection is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..design.dask import DaskDesign, is_dask_collection
from ..errors import InputError
from ..families import Family
from .checks import DefaultNames, check_finite, check_length, check_weights
from .response import prepare_response
from .specs import ArraySpec

__all__ = ["dask_columns", "dask_vectors"]


def _as_dask_matrix(X: Any) -> Any:
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(X, dd.DataFrame):
        X = X.to_dask_array(lengths=True)
    if not isinstance(X, da.Array):
        raise InputError(f"X must be a dask.array.Array or dask.dataframe.DataFrame; got {type(X).__name__}.")
    if X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise InputError(f"X must be two-dimensional (n_samples, n_columns); got shape {X.shape}.")
    if X.dtype.kind not in "fiub":
        raise InputError(f"X must be numeric; got dtype {X.dtype}.")
    return X


def dask_columns(X: Any, *, intercept: bool, feature_names: Any = None) -> tuple[DaskDesign, Any, ArraySpec]:
    """X (a Dask array or numeric Dask DataFrame) checked and wrapped as a :class:`DaskDesign`.

    Returns (design, column names, spec); X is checked to be finite in one pass.

    Examples
    --------
    >>> import dask.array as da
    >>> design, names, spec = dask_columns(da.ones((4, 2), chunks=2), intercept=True)
    >>> design.shape, list(names)
    ((4, 3), ['Intercept', 'x1', 'x2'])
    """
    if feature_names is None and hasattr(X, "columns"):
        feature_names = [str(c) for c in X.columns]
    design = DaskDesign(_as_dask_matrix(X), intercept=intercept)
    if design.shape[0] == 0:
        raise InputError("X has no rows: there is nothing to fit.")
    import dask.array as da

    if not bool(da.isfinite(design.X).all().compute()):
        raise InputError("X contains NaN or infinite values. Remove or impute them "
                         "(the formula interface drops incomplete rows with na_action='drop').")
    p = design.X.shape[1]
    if feature_names is None:
        names: Any = DefaultNames(p, intercept=intercept)
    else:
        names = list(feature_names)
        check_length(names, "feature_names", p)
        names = (["Intercept"] if intercept else []) + names
    return design, names, ArraySpec(p, intercept)


def _vector(design: DaskDesign, values: Any, name: str) -> Any:
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(values, (dd.Series, dd.DataFrame)):
        values = values.to_dask_array(lengths=True)
    if not is_dask_collection(values):
        values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise InputError(f"{name} must be one-dimensional; got shape {values.shape}.")
    if values.dtype == bool or values.dtype.kind in "iu":
        values = values.astype(np.float64)
    if values.dtype.kind != "f":
        raise InputError(f"{name} must be numeric; got dtype {values.dtype}.")
    check_length(range(values.shape[0]), name, design.shape[0])
    if not isinstance(values, da.Array):
        values = da.from_array(values, chunks=(design.row_chunks,))
    return design.align(values.astype(np.float64))


def _check_block(family: Family, y: np.ndarray, w: np.ndarray, off: np.ndarray, tr: np.ndarray | None,
                 weighted: bool, y_is_proportion: bool) -> float:
    """The in-memory door's checks on one block; returns Σw > 0 of the block (for the all-zero check)."""
    check_finite(y, "y")
    check_finite(off, "offset")
    if weighted:
        check_finite(w, "weights")
        if np.any(w < 0):
            check_weights(w)
    prepare_response(family, y, w, tr, y_is_proportion)
    return float(np.count_nonzero(w > 0))


def dask_vectors(design: DaskDesign, family: Family, y: Any, weights: Any, offset: Any, trials: Any,
                 y_is_proportion: bool = False) -> tuple[Any, Any, Any, Any]:
    """(y, weights, offset, trials) as the family uses them, Dask arrays aligned with ``design``,
    checked block by block in one pass (binomial trials folded into the weights).

    Examples
    --------
    >>> import dask.array as da, glmkit as gk
    >>> design, _, _ = dask_columns(da.ones((4, 1), chunks=2), intercept=True)
    >>> y, w, off, tr = dask_vectors(design, gk.Poisson(), da.arange(4.0, chunks=2), None, None, None)
    >>> y.chunks, float(w.sum())
    (((2, 2),), 4.0)
    """
    import dask

    import dask.array as da

    yv = _vector(design, y, "y")
    rows = (design.row_chunks,)  # ones and zeros made on the workers: nothing shipped with each pass
    w = da.ones(design.shape[0], chunks=rows) if weights is None else _vector(design, weights, "weights")
    off = da.zeros(design.shape[0], chunks=rows) if offset is None else _vector(design, offset, "offset")
    tr = None if trials is None else _vector(design, trials, "trials")
    blocks = [b.to_delayed().ravel() for b in (yv, w, off)]
    tr_blocks = [None] * len(blocks[0]) if tr is None else tr.to_delayed().ravel()
    checks = [dask.delayed(_check_block)(family, yb, wb, ob, tb, weights is not None, y_is_proportion)
              for yb, wb, ob, tb in zip(*blocks, tr_blocks)]
    if sum(dask.compute(*checks)) == 0:
        raise InputError("All weights are zero: there is nothing to fit.")
    if tr is not None:
        if not family.proportion_response:
            raise InputError(f"trials= is only meaningful for binomial families; the family is {family.name}.")
        if not y_is_proportion:
            with np.errstate(invalid="ignore", divide="ignore"):
                yv = (tr > 0) * yv / (tr + (tr == 0))
        w = w * tr
    return yv, w, off, tr
