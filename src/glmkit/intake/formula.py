"""The formula adapter: an R-like formula and a DataFrame → y, design, offset, a spec.

Formulas are evaluated by formulaic (``C(x)``, ``a*b``, ``a:b``, ``I(x**2)``,
``np.log(x)``, ``- 1``). glmkit adds what formulaic lacks for GLMs: ``offset(expr)``
terms, a ``cbind(successes, failures)`` response, R's ``na.omit`` over every variable
used (formula, weights, offsets, trials) and a spec that re-encodes new data with the
training levels, refusing unseen levels instead of silently encoding them as zeros.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..design import DenseDesign
from ..errors import FormulaError, InputError, UnseenLevelError
from .checks import check_finite
from .formula_text import split_top_level
from .frames import as_frame, eager, pandas_columns
from .r_formula import column_names as r_column_names
from .r_formula import float_integers, formula_context, prepare_rhs, translate_calls
from .r_formula import model_matrix as r_model_matrix
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["ModelFrame", "FormulaSpec", "build_model_frame", "split_offsets"]

Array = NDArray[np.floating]
NAAction = Literal["drop", "raise"]


def _find_call(text: str, name: str, start: int = 0) -> tuple[int, int, str] | None:
    """Locate ``name(...)`` at a word boundary; returns (start, end, inner text)."""
    for m in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*\(", text[start:]):
        s = start + m.start()
        depth, i = 0, start + m.end() - 1
        while i < len(text):
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    return s, i + 1, text[start + m.end(): i]
            i += 1
        raise FormulaError(f"Unbalanced parentheses in {name}(...) of formula term {text!r}.")
    return None


def split_offsets(rhs: str) -> tuple[str, list[str]]:
    """Remove ``offset(expr)`` terms from a right-hand side; return the rest and the expressions."""
    offsets: list[str] = []
    while (hit := _find_call(rhs, "offset")) is not None:
        s, e, inner = hit
        before, after = rhs[:s].rstrip(), rhs[e:].lstrip()
        if before.endswith("+"):
            before = before[:-1].rstrip()
        elif after.startswith("+"):
            after = after[1:].lstrip()
        rhs = (before + " " + after).strip()
        offsets.append(inner.strip())
    return (rhs if rhs else "1"), offsets


def _parse(formula: str) -> tuple[str, str]:
    if not isinstance(formula, str) or "~" not in formula:
        raise FormulaError(f"A formula needs a response and '~', e.g. 'y ~ x1 + x2'; got {formula!r}.")
    lhs, rhs = formula.split("~", 1)
    if not lhs.strip():
        raise FormulaError(f"The formula {formula!r} has no response on the left of '~'.")
    if not rhs.strip():
        raise FormulaError(f"The formula {formula!r} has nothing on the right of '~' (R refuses it too); write "
                           "'y ~ 1' for a model with an intercept only.")
    return lhs.strip(), rhs.strip()


def _evaluate(expr: str, data: pd.DataFrame, what: str) -> Array:
    """Evaluate one numeric expression (a column name or formulaic expression) on data."""
    import formulaic

    if expr in data.columns:
        values = data[expr]
        if values.dtype == bool:
            return values.to_numpy(dtype=float)
        try:
            return pd.to_numeric(values).to_numpy(dtype=float, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise FormulaError(f"The {what} {expr!r} must be numeric; got dtype {values.dtype}.") from exc
    try:
        mm = formulaic.model_matrix(translate_calls(f"0 + as_numeric({expr})"), data, na_action="ignore",
                                    context=formula_context())
    except Exception as exc:  # formulaic raises its own hierarchy
        raise FormulaError(_formula_message(exc, data, what, expr)) from exc
    if mm.shape[1] != 1:
        raise FormulaError(f"The {what} {expr!r} must evaluate to one numeric column; got {mm.shape[1]}.")
    return mm.to_numpy(dtype=float)[:, 0]


def _formula_message(exc: Exception, data: pd.DataFrame, what: str, expr: str) -> str:
    cols = ", ".join(map(str, list(data.attrs.get("columns", data.columns))[:30]))
    return f"Could not evaluate the {what} {expr!r}: {exc}. Columns available: {cols}."


def _response(lhs: str, data: pd.DataFrame) -> tuple[Array, Array | None]:
    """The response; with ``cbind(s, f)``, the proportion s/(s+f) and the trials s+f."""
    hit = _find_call(lhs, "cbind")
    if hit is not None and hit[0] == 0 and hit[1] == len(lhs):
        parts = [part.strip() for part in split_top_level(hit[2], ",")]
        if len(parts) != 2:
            raise FormulaError(f"cbind() in the response needs two columns (successes, failures); got {lhs!r}.")
        succ = _evaluate(parts[0], data, "response")
        fail = _evaluate(parts[1], data, "response")
        trials = succ + fail
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.where(trials > 0, succ / np.where(trials > 0, trials, 1.0), 0.0)
        y[np.isnan(trials)] = np.nan
        return y, trials
    if lhs in data.columns:
        col = data[lhs]
        if isinstance(col.dtype, pd.CategoricalDtype) or col.dtype == object or pd.api.types.is_string_dtype(col):
            cat = pd.Categorical(col)
            if len(cat.categories) != 2:
                raise FormulaError(
                    f"A categorical response must have exactly 2 levels (the first is failure, as "
                    f"in R); {lhs!r} has {len(cat.categories)}: {list(cat.categories)[:10]}."
                )
            y = (cat.codes == 1).astype(float)
            y[cat.codes < 0] = np.nan
            return y, None
    return _evaluate(lhs, data, "response"), None


def _column_or_array(value: Any, data: pd.DataFrame, what: str) -> Array | None:
    if value is None:
        return None
    if isinstance(value, str):
        if value not in data.columns:
            columns = list(data.attrs.get("columns", data.columns))[:30]
            raise FormulaError(f"{what}={value!r} names no column of the data. Columns: {', '.join(map(str, columns))}.")
        try:
            return pd.to_numeric(data[value]).to_numpy(dtype=float, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise InputError(
                f"{what}={value!r} names a column of dtype {data[value].dtype}; {what} must be numeric. "
                "Convert the column to numbers first."
            ) from exc
    arr = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=float)
    if arr.ndim != 1 or arr.shape[0] != len(data):
        raise InputError(f"{what} has shape {arr.shape} but the data has {len(data)} rows; give one value per row.")
    return arr


@dataclass(frozen=True)
class FormulaSpec:
    """Everything needed to encode new data as the training data was encoded.

    Attributes
    ----------
    rhs_spec : formulaic ModelSpec
        Carries factor levels and stateful transforms. For a right-hand side of bare
        numeric columns it is built on first use from a two-row sample (such a spec has no
        state that depends on the data), so the fit itself never calls formulaic.
    offset_terms : tuple of str
        ``offset(...)`` expressions of the formula, re-evaluated on new data.
    offset_column : str or None
        The ``offset=`` argument when it named a column (re-read from new data).
    """

    spec: Any
    offset_terms: tuple[str, ...]
    offset_column: str | None
    offset_was_array: bool
    rhs: str = ""
    sample: Any = None

    @cached_property
    def rhs_spec(self) -> Any:
        if self.spec is not None:
            return self.spec
        import formulaic

        return formulaic.model_matrix(self.rhs, self.sample, na_action="ignore").model_spec

    def encode(self, newdata: Any, offset: Any = None) -> tuple[DenseDesign, Array, pd.Index]:
        """(design, offset, row index) for new data; unseen factor levels raise UnseenLevelError."""
        names = [self.rhs, *self.offset_terms, *(c for c in (self.offset_column, offset) if isinstance(c, str))]
        data = float_integers(pandas_columns(newdata, names))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                mm = self.rhs_spec.get_model_matrix(data, na_action="ignore", context=formula_context())
            except Exception as exc:
                raise FormulaError(_formula_message(exc, data, "formula", "right-hand side")) from exc
        for w in caught:
            text = str(w.message)
            if "categories outside" in text or "not seen" in text:
                raise UnseenLevelError(
                    f"New data has factor levels not seen when fitting: {text.split(':', 1)[-1].strip()} "
                    "The model has no coefficient for them; drop those rows or refit with them included."
                )
            warn(w.message, w.category)
        off = np.zeros(len(data))
        for expr in self.offset_terms:
            off = off + _evaluate(expr, data, "offset")
        if offset is not None:
            off = off + _column_or_array(offset, data, "offset")
        elif self.offset_column is not None:
            off = off + _column_or_array(self.offset_column, data, "offset")
        elif self.offset_was_array:
            raise InputError(
                "The model was fitted with offset= given as an array; pass offset= to predict for the new rows."
            )
        values = mm.toarray() if hasattr(mm, "toarray") else mm.to_numpy(dtype=float)  # sparse spec on big data
        return DenseDesign(np.asarray(values, dtype=float)), off, data.index


@dataclass(frozen=True)
class ModelFrame:
    """The evaluated data of a formula fit (rows with missing values removed).

    ``design`` is dense for ordinary data; on large data a factor with many levels is kept
    as integer codes in a :class:`~glmkit.design.MixedDesign` (see ``_mixed_from_sparse``).
    """

    y: Array
    design: Any
    column_names: list[str]
    weights: Array
    offset: Array
    trials: Array | None
    intercept_index: int | None
    spec: FormulaSpec
    index: pd.Index
    n_dropped: int

    @property
    def X(self) -> Array:
        """The design as a dense array (no copy for a dense design)."""
        return self.design.toarray()


def build_model_frame(
    formula: str,
    data: Any,
    *,
    weights: Any = None,
    offset: Any = None,
    trials: Any = None,
    na_action: NAAction = "drop",
) -> ModelFrame:
    """Evaluate a formula on data, with R's ``na.omit`` over every variable used.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = build_model_frame("y ~ x", pd.DataFrame({"y": [1.0, 2.0, None], "x": [0.0, 1.0, 2.0]}))
    >>> frame.column_names, frame.n_dropped
    (['Intercept', 'x'], 1)
    """
    if na_action not in ("drop", "raise"):
        raise InputError(f"na_action must be 'drop' or 'raise'; got {na_action!r}.")
    lhs, rhs = _parse(formula)
    rhs, offset_terms = split_offsets(rhs)
    named = [a for a in (weights, offset, trials) if isinstance(a, str)]
    data = eager(data)
    rhs = prepare_rhs(formula, lhs, rhs, _column_names(data) if "." in rhs else [], [*named, *offset_terms])
    data = float_integers(_as_frame(data, [lhs, rhs, *offset_terms, *named]))
    index = data.index
    data = data.reset_index(drop=True)
    y, cbind_trials = _response(lhs, data)
    w = _column_or_array(weights, data, "weights")
    off_arg = _column_or_array(offset, data, "offset")
    tr = _column_or_array(trials, data, "trials")
    if cbind_trials is not None:
        if tr is not None:
            raise InputError("Give binomial trials either with cbind(successes, failures) or with trials=, not both.")
        tr = cbind_trials
    off_terms = [_evaluate(e, data, "offset") for e in offset_terms]
    extra = [("response", y)] + [(n, a) for n, a in (("weights", w), ("offset", off_arg), ("trials", tr)) if a is not None]
    extra += [(f"offset({e})", a) for e, a in zip(offset_terms, off_terms)]
    missing = _missing_rows(extra, len(data), na_action)
    design, names, spec_rhs, keep = _design(rhs, data, missing, na_action)
    if keep.sum() == 0:
        raise InputError("No complete rows remain after dropping missing values.")
    total_offset = sum(off_terms, np.zeros(len(data)))
    if off_arg is not None:
        total_offset = total_offset + off_arg
    spec = FormulaSpec(
        spec=spec_rhs, rhs=rhs, sample=data.iloc[:2].copy() if spec_rhs is None else None,
        offset_terms=tuple(offset_terms), offset_column=offset if isinstance(offset, str) else None,
        offset_was_array=offset is not None and not isinstance(offset, str),
    )
    return ModelFrame(
        y=y[keep], design=design, column_names=names,
        weights=(w[keep] if w is not None else np.ones(int(keep.sum()))), offset=total_offset[keep],
        trials=(tr[keep] if tr is not None else None),
        intercept_index=names.index("Intercept") if "Intercept" in names else None,
        spec=spec, index=index[keep], n_dropped=int(len(data) - keep.sum()),
    )


def _column_names(data: Any) -> list[str]:
    """The names of every column of a DataFrame of any kind (for ``.``)."""
    if isinstance(data, (dict, pd.DataFrame)):
        return [str(c) for c in (data.columns if isinstance(data, pd.DataFrame) else data)]
    frame = as_frame(data)
    return list(frame.columns) if frame is not None else []


def _as_frame(data: Any, texts: list[str]) -> pd.DataFrame:
    """The columns the formula and the column-name arguments use, as pandas (any kind of frame in)."""
    data = pandas_columns(data, texts)
    if len(data) == 0:
        raise InputError("data has no rows: there is nothing to fit.")
    return data


def _missing_rows(extra: list[tuple[str, Array]], n: int, na_action: str) -> NDArray[np.bool_]:
    """Rows where the response, weights, offsets or trials are missing (refused with ``"raise"``)."""
    missing = np.zeros(n, dtype=bool)
    for name, arr in extra:
        miss = np.isnan(arr)
        if na_action == "raise" and miss.any():
            raise InputError(
                f"{name} has {int(miss.sum())} missing value(s) (first at row {int(np.flatnonzero(miss)[0])}) "
                "and na_action='raise'. Use na_action='drop' to drop incomplete rows."
            )
        missing |= miss
    return missing


def _design(rhs: str, data: pd.DataFrame, missing: NDArray[np.bool_], na_action: str) -> tuple:
    """(design, column names, formulaic spec or None, rows kept) of the right-hand side."""
    bare = _bare_numeric_columns(rhs, data)
    if bare is not None:
        return _bare_design(*bare, data, missing, na_action)
    if int((~missing).sum()) >= _MIXED_MIN_ROWS:
        design, names, spec_rhs, keep = _try_mixed(rhs, data, missing, na_action)
        if design is not None:
            return design, names, spec_rhs, keep
    try:
        mm = r_model_matrix(rhs, data, missing, na_action="raise" if na_action == "raise" else "drop")
    except FormulaError:
        raise
    except Exception as exc:
        if na_action == "raise" and ("null" in str(exc).lower() or "missing" in str(exc).lower()):
            raise InputError(f"The formula's variables have missing values and na_action='raise': {exc}") from exc
        raise FormulaError(_formula_message(exc, data, "formula", rhs)) from exc
    keep = np.zeros(len(data), dtype=bool)
    keep[data.index.get_indexer(mm.index)] = True
    values = mm.to_numpy(dtype=float)
    check_finite(values, "design matrix")
    return DenseDesign(values), r_column_names(mm.model_spec), mm.model_spec, keep


def _bare_design(columns: list[str], with_intercept: bool, data: pd.DataFrame, missing: NDArray[np.bool_],
                 na_action: str) -> tuple:
    """``x1 + x2``: the columns themselves, no formula machinery."""
    values = data[columns].to_numpy(dtype=float)
    miss_x = np.isnan(values).any(axis=1)
    if na_action == "raise" and (miss_x & ~missing).any():
        raise InputError(
            f"The formula's variables have {int((miss_x & ~missing).sum())} row(s) with missing values "
            "and na_action='raise'. Use na_action='drop' to drop incomplete rows."
        )
    keep = ~(missing | miss_x)
    values = values[keep]
    if with_intercept:
        values = np.column_stack([np.ones(values.shape[0]), values])
    check_finite(values, "design matrix")
    return DenseDesign(values), (["Intercept"] if with_intercept else []) + list(columns), None, keep


_MIXED_MIN_ROWS = 50_000  # below this a dense design is always cheap enough
_MIXED_MIN_LEVELS = 20  # a factor term with at least this many columns is kept as codes


def _try_mixed(rhs: str, data: pd.DataFrame, missing: Array, na_action: str):  # type: ignore[no-untyped-def]
    """On large data, evaluate the formula sparsely and keep big factors as integer codes.

    Returns (design, names, spec, keep) or (None, ...) when the dense path should be used:
    no big factor, or a transform produced missing values (then formulaic's row index is
    needed to know which rows it dropped).
    """
    none = (None, None, None, None)
    try:
        mm = r_model_matrix(rhs, data, missing, output="sparse", na_action="raise" if na_action == "raise" else "drop")
    except Exception:
        return none  # the dense path raises the informative error
    if mm.shape[0] != int((~missing).sum()):
        return none
    spec = mm.model_spec
    X = mm.tocsc()
    check_finite(X.data, "design matrix")
    groups = []
    for term in spec.structure:
        cols = [spec.column_names.index(c) for c in term.columns]
        if len(cols) < _MIXED_MIN_LEVELS:
            continue
        block = X[:, cols]
        if block.nnz and np.all(block.data == 1.0) and np.all(np.diff(block.tocsr().indptr) <= 1):
            groups.append((cols[0], cols[-1] + 1, block))
    if not groups:
        return none
    from ..design import CategoricalDesign, MixedDesign, SparseDesign

    blocks: list = []
    position = 0
    p = X.shape[1]
    for start, stop, block in groups + [(p, p, None)]:
        if start > position:
            dense_part = X[:, position:start]
            if dense_part.shape[1] > 50 and dense_part.nnz < 0.1 * dense_part.shape[0] * dense_part.shape[1]:
                blocks.append(SparseDesign(dense_part.tocsr()))
            else:
                blocks.append(DenseDesign(np.asarray(dense_part.toarray(), dtype=float)))
        if block is not None:
            csr = block.tocsr()
            k = block.shape[1]
            codes = np.zeros(block.shape[0], dtype=np.intp)  # 0: the baseline (no column)
            has = np.diff(csr.indptr) == 1
            codes[has] = csr.indices[csr.indptr[:-1][has]] + 1
            blocks.append(CategoricalDesign(codes, k + 1, columns=np.arange(1, k + 1)))
        position = stop
    keep = ~missing
    return MixedDesign(blocks), r_column_names(spec), spec, keep


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _bare_numeric_columns(rhs: str, data: pd.DataFrame) -> tuple[list[str], bool] | None:
    """For ``x1 + x2 (- 1 | + 0)`` over numeric columns: (columns, intercept); else None.

    That case (the most common formula) needs no formula machinery at all.
    """
    tokens = [t.strip() for t in re.split(r"(\+|-)", rhs)]
    columns: list[str] = []
    intercept = True
    sign = "+"
    for tok in tokens:
        if tok in ("+", "-"):
            sign = tok
            continue
        if not tok:
            continue
        if tok in ("0", "1"):
            if (tok == "0" and sign == "+") or (tok == "1" and sign == "-"):
                intercept = False
            elif tok == "1" and sign == "+":
                intercept = True
            else:
                return None
            continue
        if sign != "+" or not _IDENTIFIER.match(tok) or tok not in data.columns or tok in columns:
            return None
        col = data[tok]
        if col.dtype == bool or col.dtype.kind not in "fiu":
            return None
        columns.append(tok)
    return (columns, intercept) if columns or intercept else None
