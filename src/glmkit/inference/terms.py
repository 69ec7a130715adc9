"""The term structure of a fit: which design columns belong to which model term.

Formula fits carry formulaic's ``ModelSpec`` (``term_indices``: term → columns, in R's
order — by degree, then as written). Array fits have one term per column. Marginality
(R's ``drop.scope`` / ``add.scope``) is decided on the set of factors of each term: a term
is contained in another when its factors are a proper subset of the other's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..intake.formula_text import split_top_level
from ..intake.r_formula import term_label

__all__ = ["Term", "model_terms", "droppable", "addable", "split_terms"]


@dataclass(frozen=True)
class Term:
    """One model term: its label, its design columns and the factors it is made of."""

    label: str
    columns: NDArray[np.intp]
    factors: frozenset[str]


def _spec_terms(spec: Any) -> tuple[list[Term], int | None]:
    terms: list[Term] = []
    intercept = None
    for term, cols in spec.term_indices.items():
        label = term_label(term)
        if label == "1":
            intercept = int(cols[0])
            continue
        factors = frozenset(str(f) for f in term.factors)
        terms.append(Term(label, np.asarray(cols, dtype=np.intp), factors))
    return terms, intercept


def model_terms(result: Any) -> tuple[list[Term], int | None]:
    """(terms without the intercept, intercept column or None) of a ``GLMResult``."""
    spec = None if result.data_spec is None else result.data_spec.rhs_spec
    if spec is not None:
        return _spec_terms(spec)
    names = list(result.names)
    intercept = 0 if result.model.intercept else None
    terms = [Term(name, np.array([j], dtype=np.intp), frozenset([name]))
             for j, name in enumerate(names) if j != intercept]
    return terms, intercept


def droppable(terms: list[Term]) -> list[Term]:
    """Terms not contained in any other term (R's ``drop.scope``)."""
    return [t for t in terms if not any(t.factors < u.factors for u in terms)]


def addable(current: list[Term], upper: list[Term]) -> list[Term]:
    """Terms of ``upper`` not in ``current`` whose marginal terms are all in ``current`` (R's ``add.scope``)."""
    have = {t.factors for t in current}
    out = []
    for t in upper:
        if t.factors in have:
            continue
        lower = [u for u in upper if u.factors < t.factors]
        if all(u.factors in have for u in lower):
            out.append(t)
    return out


def split_terms(scope: str | list[str]) -> list[str]:
    """Term labels from ``"a + b + a:b"``, ``"~ . + a"`` or a list."""
    if isinstance(scope, str):
        text = scope.split("~", 1)[-1]
        parts = [p.strip() for p in split_top_level(text, "+")]
        return [p for p in parts if p and p != "."]
    return [str(s).strip() for s in scope]
