"""Formulas as R users write them: the R-spelling layer between a formula's text and formulaic.

Design note
-----------
formulaic parses the formula and evaluates each factor as Python; R's meaning is added in
three places, each small:

* **the text** (:func:`prepare_rhs`): ``.`` becomes every column of the data but the
  response's variables, the weights, offset and trials columns and the variables of
  ``offset()`` terms (glmkit excludes weights, offset and trials, which R's ``.`` would
  include); inside a function call ``^`` is arithmetic (``I(x^2)`` is ``x**2``), as in R,
  while between terms it stays formulaic's interaction power (``(a + b)^2``);
  ``Boundary.knots =`` becomes ``boundary_knots=`` and ``as.factor(`` becomes
  ``as_factor(``; a formula that ends in an operator (``y ~ x +``) is refused, as R refuses it;
* **the evaluation context** (:mod:`glmkit.intake.r_transforms`): ``factor``, ``poly``,
  ``ns``, ``bs``, ``log``, ``sqrt``, ``TRUE`` … with R's values and state;
* **the frame and the result** (:func:`model_matrix`, :func:`column_names`): integer
  columns are float64 before any arithmetic (R computes in doubles; an int8 column would
  overflow in ``I(k**2)``), factor levels no row uses are dropped (R's
  ``drop.unused.levels``), a factor with one level is refused (R: "contrasts can be
  applied only to factors with 2 or more levels"), and a term written in R is named as R
  deparses it (``I(x^2)``, ``ns(x, df = 4)1``, ``factor(cyl)6``). Terms written in
  formulaic's own spelling (``C(g)``, a string column ``g``) keep formulaic's names
  (``C(g)[T.b]``, ``g[T.b]``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

import ast
import keyword
import re
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import FormulaError
from .formula_text import split_top_level
from .frames import used_columns
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["r_factor_order", "term_label", "column_names", "formula_context", "float_integers", "model_matrix", "prepare_rhs", "r_deparse",
           "translate_calls"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DOT = re.compile(r"(?<![\w.])\.(?![\w.])")



_KEEP_LEVELS: contextvars.ContextVar[bool] = contextvars.ContextVar("glmkit_keep_declared_levels", default=False)


@contextlib.contextmanager
def declared_levels_kept() -> Iterator[None]:
    """Within it, factors keep every declared level (a Dask partition is encoded as the whole)."""
    token = _KEEP_LEVELS.set(True)
    try:
        yield
    finally:
        _KEEP_LEVELS.reset(token)

def formula_context() -> dict[str, Any]:
    """The names formulaic evaluates R's spellings with (``factor``, ``ns``, ``log`` …).

    Examples
    --------
    >>> sorted(k for k in formula_context() if k in ("factor", "ns", "bs", "poly", "sqrt"))
    ['bs', 'factor', 'ns', 'poly', 'sqrt']
    """
    from .r_transforms import CONTEXT

    return CONTEXT


def _mask_strings(text: str) -> str:
    """``text`` with the inside of quoted strings and backticks blanked (same length)."""
    out, quote = [], None
    for ch in text:
        if quote:
            out.append(ch if ch == quote else " ")
            if ch == quote:
                quote = None
        else:
            if ch in "'\"`":
                quote = ch
            out.append(ch)
    return "".join(out)


def translate_calls(text: str) -> str:
    """Inside function calls, R's ``^`` as Python's ``**`` and ``Boundary.knots`` as ``boundary_knots``.

    Examples
    --------
    >>> translate_calls("(a + b)^2 + I(x^2) + I((x - 1)^3)")
    '(a + b)^2 + I(x**2) + I((x - 1)**3)'
    """
    masked = _mask_strings(text)
    out, stack = [], []
    for i, ch in enumerate(text):
        m = masked[i]
        if m == "(":
            before = masked[:i].rstrip()
            stack.append(bool(before) and (before[-1].isalnum() or before[-1] in "_."))
        elif m == ")" and stack:
            stack.pop()
        elif m == "^" and any(stack):
            out.append("**")
            continue
        out.append(ch)
    text = re.sub(r"\bBoundary\.knots\s*=", "boundary_knots=", "".join(out))
    return re.sub(r"(?<![\w.])as\.(factor|numeric)\s*\(", r"as_\1(", text)


def _quote(name: str) -> str:
    return name if _IDENTIFIER.match(name) and not keyword.iskeyword(name) else f"`{name}`"


def _check_complete(formula: str, rhs: str) -> None:
    text = rhs.rstrip()
    if not text:
        raise FormulaError(f"The formula {formula!r} has nothing on the right of '~'; write 'y ~ 1' for a model "
                           "with an intercept only.")
    if text[-1] in "+-*/:^~|" or text.endswith("%in%"):
        raise FormulaError(
            f"The formula {formula!r} ends with {text[-1]!r}: a term is missing after it (R refuses this too: "
            "'unexpected end of input'). Remove the trailing operator or add the term.")


def prepare_rhs(formula: str, lhs: str, rhs: str, columns: list[str], excluded: list[str]) -> str:
    """The right-hand side in formulaic's terms: ``.`` expanded, ``^`` in calls as ``**``; incomplete ones refused.

    ``.`` is every column not used by the response ``lhs`` nor named in ``excluded`` (the
    weights, offset and trials columns, the variables of ``offset()`` terms).

    Examples
    --------
    >>> prepare_rhs("y ~ . - b", "y", ". - b", ["y", "a", "b", "w"], ["w"])
    'a + b - b'
    >>> prepare_rhs("y ~ (.)^2", "y", "(.)^2", ["y", "a", "b"], [])
    '((a + b))^2'
    >>> prepare_rhs("y ~ x +", "y", "x +", ["y", "x"], [])
    Traceback (most recent call last):
    ...
    glmkit.errors.FormulaError: The formula 'y ~ x +' ends with '+': ...
    """
    _check_complete(formula, rhs)
    masked = _mask_strings(rhs)
    if _DOT.search(masked):
        drop = set(used_columns(columns, [lhs])) | set(used_columns(columns, excluded)) | set(excluded)
        names = [c for c in columns if c not in drop]
        if not names:
            raise FormulaError(f"In {formula!r}, '.' stands for no column: every column of the data is the response, "
                               "weights, offset or trials. Name the predictors instead.")
        terms = " + ".join(_quote(c) for c in names)
        pieces, last = [], 0
        for m in _DOT.finditer(masked):
            before, after = masked[:m.start()].rstrip(), masked[m.end():].lstrip()
            bare = before[-1:] in ("", "+") and after[:1] in ("", "+", "-")  # a sum among sums: no parentheses
            pieces += [rhs[last:m.start()], terms if bare else f"({terms})"]
            last = m.end()
        rhs = "".join(pieces) + rhs[last:]
    return r_factor_order(translate_calls(rhs))


def r_factor_order(rhs: str) -> str:
    """``rhs`` with each interaction's factors in the order their variables first appear, as R orders them.

    R writes ``wt + factor(am):wt`` as the terms ``wt`` and ``wt:factor(am)`` (so the
    columns are ``wt:factor(am)1``, and in a factor-by-factor term the first variable's
    levels vary fastest); formulaic keeps each term as written. A formula whose terms are
    already in that order is returned unchanged.

    Examples
    --------
    >>> r_factor_order("wt + factor(am):wt"), r_factor_order("a + b + a:b")
    ('1 + wt + wt:factor(am)', 'a + b + a:b')
    """
    if ":" not in rhs or "|" in rhs:
        return rhs  # without ':' no term is out of order ('*', '/', '^' expand in order); '|' parts: as written
    from formulaic import Formula
    from formulaic.parser.algos.sanitize_tokens import sanitize_tokens
    from formulaic.parser.algos.tokenize import tokenize

    try:
        order: dict[str, int] = {}
        for token in sanitize_tokens(tokenize(rhs)):
            if token.kind.name in ("NAME", "PYTHON"):
                order.setdefault(token.to_factor().expr, len(order))
        terms = list(Formula(rhs, _ordering="none"))
    except Exception:  # noqa: BLE001 (formulaic reports the error when the formula is evaluated)
        return rhs
    parts, intercept, changed = [], False, False
    for term in terms:
        factors = list(getattr(term, "factors", ()))
        if not factors or any(f.eval_method.name == "LITERAL" and f.expr != "1" for f in factors):
            return rhs
        if [f.expr for f in factors] == ["1"]:
            intercept = True
            continue
        ordered = sorted(factors, key=lambda f: order.get(f.expr, len(order)))
        changed |= ordered != factors
        parts.append(":".join(_quote(f.expr) if f.eval_method.name == "LOOKUP" else f.expr for f in ordered))
    if not changed:
        return rhs
    return " + ".join(["1" if intercept else "0", *parts])


def float_integers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with integer columns as float64 (R computes in doubles); the same object when it has none.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> float_integers(pd.DataFrame({"k": np.array([127], dtype=np.int8)})).k.dtype
    dtype('float64')
    """
    ints = [c for c, d in frame.dtypes.items() if isinstance(d, np.dtype) and d.kind in "iu"]
    if not ints:
        return frame
    out = frame.copy(deep=False)
    for c in ints:
        out[c] = frame[c].to_numpy(dtype=np.float64)
    return out


def _drop_unused_levels(frame: pd.DataFrame, rows: Any) -> pd.DataFrame:
    """``frame`` with categorical columns' levels unused in ``rows`` removed (R's ``drop.unused.levels``)."""
    stale = {}
    for c, d in frame.dtypes.items():
        if isinstance(d, pd.CategoricalDtype) and d.categories.size:
            codes = frame[c].cat.codes.to_numpy()[rows]
            used = np.unique(codes[codes >= 0])
            if used.size < d.categories.size:
                unused = np.setdiff1d(np.arange(d.categories.size), used)
                stale[c] = frame[c].cat.remove_categories(d.categories[unused])  # their rows become missing
    if not stale:
        return frame
    out = frame.copy(deep=False)
    for c, values in stale.items():
        out[c] = values
    return out


def model_matrix(rhs: str, data: pd.DataFrame, missing: Any = None, **options: Any) -> Any:
    """formulaic's ``model_matrix`` with R's context and R's model frame rules.

    As R's ``model.frame``: transforms learn their state (knots, polynomial coefficients)
    from every row, rows missing elsewhere (``missing``: the response, weights …) or in the
    formula's variables are then dropped, and factor levels no remaining row uses are
    dropped (a second evaluation when missing values left a level unused). A factor with
    one level is refused.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"g": pd.Categorical(["a", "b", "a"], categories=["a", "b", "c"])})
    >>> list(model_matrix("g", d).columns)
    ['Intercept', 'g[T.b]']
    """
    import formulaic

    missing = np.zeros(len(data), dtype=bool) if missing is None else np.asarray(missing, dtype=bool)
    drop = set(np.flatnonzero(missing).tolist())
    if _KEEP_LEVELS.get():  # a partition of a larger frame: its declared levels are the model's
        return formulaic.model_matrix(rhs, data, context=formula_context(), drop_rows=set(drop), **options)
    frame = _drop_unused_levels(data, ~missing)
    mm = formulaic.model_matrix(rhs, frame, context=formula_context(), drop_rows=set(drop), **options)
    if hasattr(mm, "index") and mm.shape[0] < len(data) - len(drop):
        kept = np.zeros(len(data), dtype=bool)
        kept[data.index.get_indexer(mm.index)] = True
        cleaned = _drop_unused_levels(frame, kept)
        if cleaned is not frame:
            mm = formulaic.model_matrix(rhs, cleaned, context=formula_context(), drop_rows=set(drop), **options)
    _check_levels(mm.model_spec)
    return mm


def _check_levels(spec: Any) -> None:
    for expr, (kind, state) in dict(spec.encoder_state).items():
        levels = state.get("categories") if isinstance(state, dict) else None
        if getattr(kind, "value", kind) == "categorical" and levels is not None and len(levels) < 2:
            found = f"only the level {levels[0]!r}" if levels else "no levels"
            raise FormulaError(
                f"The factor {expr!r} has {found} in the rows used; a factor needs 2 or more levels (R: 'contrasts "
                "can be applied only to factors with 2 or more levels'). Remove it from the formula, or check the "
                "data (and the rows dropped for missing values).")


# ----------------------------------------------------------------------------- R's names

_BINARY = {ast.Add: (" + ", 9), ast.Sub: (" - ", 9), ast.Mult: (" * ", 10), ast.Div: ("/", 10),
           ast.Mod: ("%%", 11), ast.FloorDiv: ("%/%", 11), ast.Pow: ("^", 14)}
_COMPARE = {ast.Gt: " > ", ast.Lt: " < ", ast.GtE: " >= ", ast.LtE: " <= ", ast.Eq: " == ", ast.NotEq: " != "}
_KEYWORDS = {"boundary_knots": "Boundary.knots"}
_FUNCTIONS = {"as_factor": "as.factor", "as_numeric": "as.numeric"}


class _NotR(Exception):
    """An expression R would not write (its formulaic name is kept)."""


def _number(value: Any) -> str:
    from .r_transforms import r_level_label

    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value) if isinstance(value, int) else r_level_label(value)


def _deparse(node: ast.AST) -> tuple[str, int]:
    """(R's deparse of ``node``, its precedence)."""
    if isinstance(node, ast.Name):
        return node.id, 20
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return '"' + node.value.replace('"', '\\"') + '"', 20
        if node.value is None:
            return "NULL", 20
        return _number(node.value), 20
    if isinstance(node, ast.Call):
        func = _FUNCTIONS.get(ast.unparse(node.func), ast.unparse(node.func))
        args = [_deparse(a)[0] for a in node.args]
        args += [f"{_KEYWORDS.get(k.arg or '', k.arg)} = {_deparse(k.value)[0]}" for k in node.keywords]
        return f"{func}({', '.join(args)})", 20
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        symbol, prec = _BINARY[type(node.op)]
        right_assoc = isinstance(node.op, ast.Pow)
        return f"{_operand(node.left, prec, right_assoc)}{symbol}{_operand(node.right, prec, not right_assoc)}", prec
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        symbol = {ast.USub: "-", ast.UAdd: "+", ast.Not: "!"}[type(node.op)]
        prec = 7 if isinstance(node.op, ast.Not) else 13
        return f"{symbol}{_operand(node.operand, prec, False)}", prec
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
        return f"{_operand(node.left, 8, True)}{_COMPARE[type(node.ops[0])]}{_operand(node.comparators[0], 8, True)}", 8
    raise _NotR(ast.dump(node))


def _operand(node: ast.AST, prec: int, strict: bool) -> str:
    text, inner = _deparse(node)
    return f"({text})" if inner < prec or (strict and inner == prec) else text


def r_deparse(expr: str) -> str | None:
    """How R deparses a factor's expression (``I(x ** 2)`` → ``I(x^2)``); None when R would not write it.

    Examples
    --------
    >>> r_deparse("I((x - 1) ** 2 / 4)"), r_deparse("ns(x, df=4)"), r_deparse("x[0]") is None
    ('I((x - 1)^2/4)', 'ns(x, df = 4)', True)
    """
    try:
        return _deparse(ast.parse(expr, mode="eval").body)[0]
    except (SyntaxError, _NotR, ValueError):
        return None


def column_names(spec: Any) -> list[str]:
    """The design's column names, with each term written in R's spelling named as R names it.

    Examples
    --------
    >>> import pandas as pd
    >>> mm = model_matrix("I(x**2) + ns(x, df=2)", pd.DataFrame({"x": [1.0, 2.0, 4.0, 8.0]}))
    >>> column_names(mm.model_spec)
    ['Intercept', 'I(x^2)', 'ns(x, df = 2)1', 'ns(x, df = 2)2']
    """
    names = [str(c) for c in spec.column_names]
    renames: dict[str, str] = {}
    for term in spec.structure:
        for factor in getattr(term.term, "factors", ()):
            expr = str(factor.expr)
            if "(" in expr:
                r_name = r_deparse(expr)
                if r_name is not None and r_name != expr:
                    renames[expr] = r_name
    if not renames:
        return names
    by_length = sorted(renames, key=len, reverse=True)

    def rename(part: str) -> str:
        hit = next((e for e in by_length if part.startswith(e)), None)
        return part if hit is None else renames[hit] + part[len(hit):]

    return [":".join(rename(p) for p in split_top_level(name, ":")) for name in names]


def term_label(term: Any) -> str:
    """A term's label with each factor written as R deparses it (``I(x^2)``, ``ns(x, df = 4)``, ``a:b``).

    Examples
    --------
    >>> import pandas as pd
    >>> mm = model_matrix("x:I(x**2)", pd.DataFrame({"x": [1.0, 2.0, 4.0]}))
    >>> [term_label(t.term) for t in mm.model_spec.structure]
    ['1', 'x:I(x^2)']
    """
    factors = getattr(term, "factors", None)
    if not factors:
        return str(term)
    return ":".join(r_deparse(str(f.expr)) or str(f.expr) if "(" in str(f.expr) else str(f.expr) for f in factors)
