"""Formula text as R's ``update.formula`` reads it: ``. ~ . - x + z``, ``log(.) ~ .``, ``~ .^2``.

A formula is taken apart into its response, its terms (each a set of factors), whether
it has an intercept and its ``offset(...)`` expressions; :func:`update_formula` puts the
old formula where the new one says ``.`` and simplifies, as R does:

* a ``.`` on the right stands for the old right-hand side, on the left for the old
  response (``log(.) ~ .``); a new formula without a left side keeps the old response;
* terms are expanded and simplified by formulaic's parser (``*``, ``:``, ``/``, ``^``,
  ``-``, parentheses), and ordered as R orders them: by degree, then as written;
* the intercept follows R's rule, read left to right: ``- 1`` and ``+ 0`` remove it,
  ``+ 1`` puts it back, a ``.`` brings the old formula's (formulaic would instead add it
  back after a parenthesised ``- 1``);
* offsets are carried by ``.`` and added by ``offset(...)``; as in R, ``- offset(x)``
  does not remove one (write the formula without ``.`` to drop it).

Only text is handled here: a data ``.`` (every other column) is not expanded, so the old
formula must name its terms (a fit's own terms are used for it by ``GLMResult.update``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import FormulaError

__all__ = ["FormulaTerm", "FormulaParts", "parse_formula", "update_formula"]

_DOT = re.compile(r"(?<![\w.\"'])\.(?![\w.\"'])")
_OFFSET = re.compile(r"(?<![\w.])offset\s*\(")


@dataclass(frozen=True)
class FormulaTerm:
    """One term of a formula's right-hand side.

    Attributes
    ----------
    label : str
        As formulaic writes it (``"a:b"``, ``"I(x ** 2)"``).
    factors : frozenset of str
        The variables (expressions) multiplied in the term; two terms are the same term
        when their factors are.

    Examples
    --------
    >>> term = parse_formula("y ~ a * b").terms[-1]
    >>> term.label, sorted(term.factors)
    ('a:b', ['a', 'b'])
    """

    label: str
    factors: frozenset[str]


@dataclass(frozen=True)
class FormulaParts:
    """A formula taken apart: response, terms (R's order), intercept and offsets.

    Attributes
    ----------
    response : str
        The left-hand side (``""`` for a one-sided formula).
    terms : tuple of FormulaTerm
        By degree, then in the order written.
    intercept : bool
    offsets : tuple of str
        The expressions inside ``offset(...)``.

    Examples
    --------
    >>> parts = parse_formula("y ~ x + offset(np.log(t)) - 1")
    >>> parts.labels, parts.intercept, parts.offsets
    (('x',), False, ('np.log(t)',))
    >>> parts.text
    'y ~ x + offset(np.log(t)) - 1'
    """

    response: str
    terms: tuple[FormulaTerm, ...]
    intercept: bool
    offsets: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """The terms' labels, in order.

        >>> parse_formula("y ~ b + a + a:b").labels
        ('b', 'a', 'a:b')
        """
        return tuple(t.label for t in self.terms)

    @property
    def rhs(self) -> str:
        """The right-hand side as text, as glmkit's formulas read it (``- 1`` for no intercept).

        >>> parse_formula("y ~ 0 + a").rhs
        'a - 1'
        """
        offsets = [f"offset({o})" for o in self.offsets]
        if self.intercept:
            return " + ".join([*(self.labels or ("1",)), *offsets])
        parts = [*self.labels, *offsets]
        return " + ".join(parts) + " - 1" if parts else "0"

    @property
    def text(self) -> str:
        """The whole formula as text.

        >>> parse_formula("log(y) ~ a*b").text
        'log(y) ~ a + b + a:b'
        """
        return f"{self.response} ~ {self.rhs}" if self.response else f"~ {self.rhs}"


def _split(formula: str) -> tuple[str, str]:
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise FormulaError(
            f"A formula needs exactly one '~', e.g. 'y ~ a + b' or '. ~ . - a'; got {formula!r}."
        )
    lhs, rhs = formula.split("~")
    if not rhs.strip():
        raise FormulaError(f"The formula {formula!r} has nothing on the right of '~'; write '~ 1' for no terms.")
    return lhs.strip(), rhs.strip()


def _closing(text: str, start: int) -> int:
    """Index just past the bracket closing the one opened at ``start``."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] in "([{":
            depth += 1
        elif text[i] in ")]}":
            depth -= 1
            if depth == 0:
                return i + 1
    raise FormulaError(f"Unbalanced parentheses in the formula {text!r}.")


def _take_offsets(rhs: str) -> tuple[str, list[str]]:
    """Remove every ``offset(expr)`` (whatever its sign) from a right-hand side."""
    offsets: list[str] = []
    while (m := _OFFSET.search(rhs)) is not None:
        end = _closing(rhs, m.end() - 1)
        offsets.append(rhs[m.end(): end - 1].strip())
        before, after = rhs[: m.start()].rstrip(), rhs[end:].lstrip()
        if before.endswith(("+", "-")):
            before = before[:-1].rstrip()
        elif after.startswith("+"):
            after = after[1:].lstrip()
        rhs = f"{before} {after}".strip()
    return rhs, offsets


def _intercept(rhs: str, old: bool) -> bool:
    """R's intercept, read left to right: ``+1``/``-0`` on, ``-1``/``+0`` off; a ``.`` stands for
    the old right-hand side, which removes the intercept where the old formula had none."""
    present, sign, i = True, "+", 0
    while i < len(rhs):
        ch = rhs[i]
        if ch in "+-":
            sign = ch
            i += 1
            continue
        if ch.isspace() or ch == "(":
            i += 1
            continue
        m = re.match(r"[\w.]+", rhs[i:])
        if m is None:
            sign = "" if ch != ")" else sign
            i += 1
            continue
        token, nxt = m.group(0), i + m.end()
        if nxt < len(rhs) and rhs[nxt] in "([":  # a call: its arguments are not formula syntax
            nxt = _closing(rhs, nxt)
        elif sign and token in ("0", "1"):
            present = (token == "1") == (sign == "+")
        elif sign == "+" and token == "." and not old:
            present = False
        sign, i = "", nxt
    return present


def _terms(rhs: str) -> tuple[FormulaTerm, ...]:
    from formulaic import Formula

    try:
        parsed = Formula(rhs)
    except Exception as exc:  # formulaic's parser raises its own hierarchy
        raise FormulaError(f"Could not parse the formula's right-hand side {rhs!r}: {exc}") from exc
    terms = []
    for term in parsed:
        factors = frozenset(str(f) for f in term.factors)
        if factors != {"1"}:
            terms.append(FormulaTerm(str(term), factors))
    return tuple(terms)


def parse_formula(formula: str) -> FormulaParts:
    """A formula taken apart (terms expanded: ``a*b`` is ``a + b + a:b``).

    Parameters
    ----------
    formula : str
        ``"y ~ ..."`` or one-sided ``"~ ..."``; no ``.`` (see :func:`update_formula`).

    Returns
    -------
    FormulaParts

    Examples
    --------
    >>> parse_formula("y ~ (a + b + c)^2 - a:b").labels
    ('a', 'b', 'c', 'a:c', 'b:c')
    """
    lhs, rhs = _split(formula)
    if _DOT.search(rhs):
        raise FormulaError(
            f"{formula!r} has a '.', which stands for another formula's terms here; use it in an update."
        )
    rhs, offsets = _take_offsets(rhs)
    return FormulaParts(lhs, _terms(rhs or "1"), _intercept(rhs, True), tuple(offsets))


def _substituted_response(new: str, old: str) -> str:
    if not new:
        return old
    simple = re.fullmatch(r"[\w.]+(\s*\(.*\))?", old) is not None
    return _DOT.sub(lambda _: old if simple else f"({old})", new)


def update_formula(old: str | FormulaParts, new: str) -> FormulaParts:
    """R's ``update.formula(old, new)``: ``new`` with its ``.`` replaced by ``old``, simplified.

    Parameters
    ----------
    old : str or FormulaParts
        The formula being changed (its terms named, no data ``.``).
    new : str
        ``". ~ . - x + z"``, ``"~ . + x:z"``, ``"log(.) ~ ."``, ``"~ .^2"``, or a formula
        without ``.``, which replaces the old right-hand side.

    Returns
    -------
    FormulaParts
        Its ``text`` is the updated formula.

    Examples
    --------
    >>> update_formula("y ~ a * b", ". ~ . - a:b + c").text
    'y ~ a + b + c'
    >>> update_formula("y ~ x + offset(np.log(t)) - 1", "np.log(.) ~ . + z").text
    'np.log(y) ~ x + z + offset(np.log(t)) - 1'
    """
    base = parse_formula(old) if isinstance(old, str) else old
    lhs, rhs = _split(new)
    response = _substituted_response(lhs, base.response)
    if _DOT.search(rhs):
        rhs, added = _take_offsets(rhs)
        offsets = list(base.offsets) + [o for o in added if o not in base.offsets]
    else:
        rhs, offsets = _take_offsets(rhs)
    intercept = _intercept(rhs, base.intercept)
    inner = " + ".join(base.labels) if base.terms else "1"
    rhs = _DOT.sub(lambda _: f"({inner})", rhs)
    return FormulaParts(response, _terms(rhs or "1"), intercept, tuple(offsets))
