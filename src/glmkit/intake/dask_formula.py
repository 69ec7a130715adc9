"""The formula door for Dask DataFrames: one spec learned in one pass, each partition encoded alike.

Design note
-----------
formulaic needs pandas, so a formula is evaluated partition by partition. For every
partition to give the same columns, the factor columns the formula names get their full
set of levels first: known categories are used as they are; other string/object columns
have their levels found in one pass over the data (sorted, as pandas and R sort them)
and reported in :attr:`DaskFormula.levels`. Each partition is then cast to those
categories and evaluated with :func:`~glmkit.intake.formula.build_model_frame` (R's
``na.omit`` per partition), and its columns are checked against the ones learned on a
small prototype. A second pass counts the rows each partition keeps, so that the encoded
blocks become Dask arrays with known row chunks (:class:`~glmkit.design.DaskDesign`).

Stateful transforms (``scale``, ``center``, ``poly``, splines) learn from all rows, which
one partition does not see: they are refused with that reason.

Nothing here holds more than one partition in memory at a time; the encoding is part of
the graph, so a fit on data read from files re-reads and re-encodes them on each pass
(out of core), unless the arrays are persisted in worker memory.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..families import Family
from .checks import check_finite, check_weights
from .formula import FormulaSpec, build_model_frame
from .r_formula import declared_levels_kept
from .response import prepare_response

__all__ = ["DaskFormula", "DaskFrameSpec", "dask_formula"]


@dataclass(frozen=True, eq=False)
class DaskFrameSpec:
    """The data spec of a formula fit on a Dask DataFrame: the formula's spec, and which rows
    of each partition the fit used (for cluster columns and the training rows' predictions).

    Attributes
    ----------
    formula_spec : FormulaSpec
        Encodes new pandas data (factor levels as found in the first pass).
    encoded : list of dask.delayed
        One per partition of the training data: its encoded blocks and the mask of rows kept.
    """

    formula_spec: FormulaSpec
    encoded: list[Any]

    @property
    def rhs_spec(self) -> Any:
        """The formula's right-hand side spec (terms for anova, drop1, add1)."""
        return self.formula_spec.rhs_spec

    def encode(self, newdata: Any, offset: Any = None) -> Any:
        """(design, offset, row index) for new pandas rows, as :meth:`FormulaSpec.encode`."""
        return self.formula_spec.encode(newdata, offset)

    def rows_used(self, data: Any, column: str) -> np.ndarray:
        """The values of ``column`` of the training Dask DataFrame at the rows the fit used (computed)."""
        import dask

        if column not in data.columns:
            raise InputError(f"{column!r} names no column of the data; columns: {', '.join(map(str, data.columns[:30]))}.")
        parts = [dask.delayed(lambda p, e: p[column].to_numpy()[e["keep"]])(part, enc)
                 for part, enc in zip(data.to_delayed(), self.encoded)]
        return np.concatenate(dask.compute(*parts))


@dataclass(frozen=True, eq=False)
class DaskFormula:
    """A formula evaluated on a Dask DataFrame: Dask arrays with the same row chunks.

    Attributes
    ----------
    X : dask.array.Array of shape (n_samples, n_features)
        The encoded columns (the intercept an explicit column, as for formula fits).
    y, weights, offset : dask.array.Array of shape (n_samples,)
        As the family uses them (binomial trials folded into the weights).
    trials : dask.array.Array or None
    column_names : list of str
    intercept_index : int or None
    spec : DaskFrameSpec
        Encodes new data (learned on the prototype with the full factor levels).
    levels : dict of str to list
        The levels of each factor column, known or found in the first pass.
    n_dropped : int
        Rows dropped for missing values.
    """

    X: Any
    y: Any
    weights: Any
    offset: Any
    trials: Any
    column_names: list[str]
    intercept_index: int | None
    spec: DaskFrameSpec
    levels: dict[str, list[Any]]
    n_dropped: int


def _factor_levels(data: Any, formula: str, extra: list[Any]) -> dict[str, list[Any]]:
    """The levels of every factor column the formula (or a named argument) uses, in one pass."""
    import dask
    import pandas as pd

    text = " ".join([formula, *(a for a in extra if isinstance(a, str))])
    used = [c for c in data.columns if re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])", text)]
    levels: dict[str, list[Any]] = {}
    unknown = []
    for c in used:
        dtype = data.dtypes[c]
        if isinstance(dtype, pd.CategoricalDtype) and dtype.categories is not None and data[c].cat.known:
            levels[c] = list(dtype.categories)
        elif dtype == object or pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            unknown.append(c)
    found = dask.compute(*(data[c].dropna().unique() for c in unknown))
    for c, values in zip(unknown, found):
        levels[c] = sorted(pd.unique(np.asarray(values, dtype=object)).tolist())
    return levels


def _stateful_transforms(formula: str) -> list[str]:
    """formulaic's stateful transforms (scale, center, poly, splines…) called in the formula."""
    from formulaic.transforms import TRANSFORMS

    return [name for name, f in TRANSFORMS.items() if getattr(f, "__is_stateful_transform__", False)
            and name != "Q" and re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", formula)]


def _with_levels(part: Any, levels: dict[str, list[Any]]) -> Any:
    import pandas as pd

    part = part.copy()
    for c, lv in levels.items():
        part[c] = pd.Categorical(part[c].astype(object).where(part[c].notna(), None), categories=lv)
    return part


def _encode(part: Any, formula: str, levels: dict, names: list[str], family: Family, weights: Any, offset: Any,
            trials: Any, na_action: str) -> dict[str, Any]:
    """One partition's design, response, weights, offset and trials, checked as the in-memory door."""
    part = _with_levels(part, levels).reset_index(drop=True)
    if len(part) == 0:
        p = len(names)
        return {"X": np.empty((0, p)), "y": np.empty(0), "weights": np.empty(0), "offset": np.empty(0),
                "trials": np.empty(0), "dropped": 0, "keep": np.zeros(0, dtype=bool)}
    with declared_levels_kept():
        frame = build_model_frame(formula, part, weights=weights, offset=offset, trials=trials, na_action=na_action)
    if list(frame.column_names) != list(names):
        raise InputError(f"A partition encodes to columns {frame.column_names}, not {names}: every partition must "
                         "give the same columns (a column whose type differs between partitions?).")
    check_finite(frame.y, "response")
    check_finite(frame.offset, "offset")
    check_finite(frame.weights, "weights")
    if np.any(frame.weights < 0):
        check_weights(frame.weights)
    y, w, tr = prepare_response(family, frame.y, frame.weights, frame.trials, y_is_proportion=trials is None)
    return {"X": np.asarray(frame.design.toarray(), dtype=np.float64), "y": y, "weights": w, "offset": frame.offset,
            "trials": tr, "dropped": frame.n_dropped, "keep": np.isin(np.arange(len(part)), np.asarray(frame.index))}


def _stack(encoded: list, lengths: list[int], key: str, p: int | None) -> Any:
    import dask
    import dask.array as da

    pieces = []
    for enc, n in zip(encoded, lengths):
        item = dask.delayed(lambda e, k=key: e[k], pure=True)(enc)
        shape = (n,) if p is None else (n, p)
        pieces.append(da.from_delayed(item, shape=shape, dtype=np.float64))
    return da.concatenate(pieces, axis=0)


def dask_formula(formula: str, data: Any, family: Family, *, weights: Any = None, offset: Any = None,
                 trials: Any = None, na_action: str = "drop") -> DaskFormula:
    """Evaluate ``formula`` on the Dask DataFrame ``data`` (two passes: levels, then row counts).

    Examples
    --------
    >>> import pandas as pd, dask.dataframe as dd, glmkit as gk
    >>> df = dd.from_pandas(pd.DataFrame({"y": [1.0, 0, 2, 3], "g": list("abab")}), npartitions=2)
    >>> out = dask_formula("y ~ g", df, gk.Poisson())
    >>> out.column_names, out.X.chunks[0], out.levels
    (['Intercept', 'g[T.b]'], (2, 2), {'g': ['a', 'b']})
    """
    import dask

    if na_action not in ("drop", "raise"):
        raise InputError(f"na_action must be 'drop' or 'raise'; got {na_action!r}.")
    stateful = _stateful_transforms(formula)
    if stateful:
        raise InputError(f"The formula uses the stateful transform(s) {', '.join(stateful)}, which learn from all "
                         "rows; on a Dask DataFrame compute that column first and use it by name.")
    levels = _factor_levels(data, formula, [weights, offset, trials])
    with declared_levels_kept():
        proto = build_model_frame(formula, _with_levels(data.head(64, npartitions=-1), levels), weights=weights,
                                  offset=offset, trials=trials, na_action="drop")
    names = list(proto.column_names)
    encoded = [dask.delayed(_encode, pure=True)(part, formula, levels, names, family, weights, offset, trials,
                                                na_action) for part in data.to_delayed()]
    counts = dask.compute(*(dask.delayed(lambda e: (e["y"].shape[0], e["dropped"]))(e) for e in encoded))
    lengths = [int(c[0]) for c in counts]
    if sum(lengths) == 0:
        raise InputError("No complete rows remain after dropping missing values.")
    p = len(names)
    tr = None if proto.trials is None else _stack(encoded, lengths, "trials", None)
    return DaskFormula(_stack(encoded, lengths, "X", p), _stack(encoded, lengths, "y", None),
                       _stack(encoded, lengths, "weights", None), _stack(encoded, lengths, "offset", None),
                       tr, names, proto.intercept_index, DaskFrameSpec(proto.spec, encoded), levels, sum(int(c[1]) for c in counts))
