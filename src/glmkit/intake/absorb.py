"""Absorbed factors at the doors: fixest's ``y ~ x | firm + year`` and ``absorb=``.

The part of a formula after a top-level ``|`` names factors to absorb: ``firm``,
``firm + year``, combined effects ``firm^year`` (one factor whose levels are the observed
combinations). The part before it goes to the ordinary formula machinery.

Rows in a group where the maximum-likelihood estimate of the group's effect does not exist
are dropped before the fit, with a message, and the check repeated until none is left
(fixest's convention; its ``nobs`` counts the rows used): every used y of the group is the
same value at the edge of the family's mean domain (Poisson and negative binomial: all 0;
binomial: all 0 or all 1). The rule reads the family's declared domains; it names no family.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..design.effects import FixedEffects
from ..errors import DataWarning, FormulaError, InputError
from ..families import Family

__all__ = ["check_not_explained", "absorb_columns", "absorb_large_factors", "split_absorbed", "AbsorbedTerms", "AbsorbedSpec", "check_absorbed_columns", "absorbed_effects", "separated_rows", "ABSORB_LEVELS"]

ABSORB_LEVELS = 200  # a standalone C(g) term with more levels than this, in an unpenalised fit, is absorbed

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class AbsorbedTerms:
    """The factors after ``|``: each a tuple of column names (several: combined with ``^``).

    Examples
    --------
    >>> split_absorbed("y ~ x | firm + firm^year")[1].names
    ('firm', 'firm^year')
    """

    terms: tuple[tuple[str, ...], ...]
    reported: tuple[str, ...] = ()  # factors whose effects become treatment-coded coefficients

    @property
    def names(self) -> tuple[str, ...]:
        """One name per absorbed factor (``a^b`` for a combination)."""
        return tuple("^".join(t) for t in self.terms)

    @property
    def columns(self) -> list[str]:
        """Every data column the factors use."""
        return list(dict.fromkeys(c for t in self.terms for c in t))


def _top_level(text: str, char: str) -> list[int]:
    depth, found = 0, []
    for i, c in enumerate(text):
        depth += c in "([{"
        depth -= c in ")]}"
        if c == char and depth == 0:
            found.append(i)
    return found


def split_absorbed(formula: str) -> tuple[str, AbsorbedTerms | None]:
    """(the formula before a top-level ``|``, the factors after it or None).

    Examples
    --------
    >>> split_absorbed("y ~ x1 + x2 | firm + year")
    ('y ~ x1 + x2 ', AbsorbedTerms(terms=(('firm',), ('year',)), reported=()))
    >>> split_absorbed("y ~ x")
    ('y ~ x', None)
    """
    bars = _top_level(formula, "|")
    if not bars:
        return formula, None
    if len(bars) > 1:
        raise FormulaError(f"The formula {formula!r} has {len(bars)} '|' parts; give one, with the factors to "
                           "absorb after it: 'y ~ x1 + x2 | firm + year'.")
    left, right = formula[:bars[0]], formula[bars[0] + 1:]
    terms = []
    for part in right.split("+"):
        part = part.strip()
        names = tuple(p.strip() for p in part.split("^"))
        if not part or not all(_NAME.match(n) for n in names):
            raise FormulaError(
                f"Cannot read the absorbed factor {part!r} in {formula!r}: after '|' give column names "
                "joined by '+', or combined with '^' (firm^year); varying slopes (firm[x]) are not offered.")
        terms.append(names)
    return left, AbsorbedTerms(tuple(terms))


def absorbed_effects(columns: dict[str, NDArray], absorbed: AbsorbedTerms) -> FixedEffects:
    """The factors' integer codes from their columns (all of the same length, no missing).

    Examples
    --------
    >>> fe = absorbed_effects({"a": np.array(["x", "y", "x"]), "b": np.array([1, 1, 2])},
    ...                       AbsorbedTerms((("a",), ("a", "b"))))
    >>> fe.n_levels, fe.codes[1].tolist()
    ((2, 3), [0, 2, 1])
    """
    import pandas as pd
    codes, n_levels, levels = [], [], []
    for term in absorbed.terms:
        if len(term) == 1:
            c, uniques = pd.factorize(pd.Series(columns[term[0]]), sort=True)
            labels = np.asarray(uniques)
        else:
            index = pd.MultiIndex.from_arrays([pd.Series(columns[t]).to_numpy() for t in term])
            c, uniques = pd.factorize(index, sort=True)
            labels = np.array(["^".join(str(v) for v in u) for u in uniques], dtype=object)
        codes.append(np.asarray(c, dtype=np.intp))
        n_levels.append(int(len(uniques)))
        levels.append(labels)
    reported = tuple(name in absorbed.reported for name in absorbed.names)
    return FixedEffects(tuple(codes), tuple(n_levels), absorbed.names, tuple(levels),
                        reported if any(reported) else ())


def separated_rows(effects: FixedEffects, y: NDArray, weights: NDArray, family: Family) -> NDArray[np.bool_]:
    """Rows to drop: groups whose effect has no maximum-likelihood estimate, found repeatedly
    until none is left; warns with how many rows and groups (:class:`~glmkit.errors.DataWarning`).

    Examples
    --------
    >>> import glmkit as gk, warnings
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     separated_rows(fe, np.array([0.0, 0.0, 1.0, 3.0]), np.ones(4), gk.Poisson()).tolist()
    [True, True, False, False]
    """
    edge = ~family.mu_domain.contains(y)
    drop = np.zeros(y.shape[0], dtype=bool)
    groups = dict.fromkeys(effects.names, 0)
    while True:
        used = (weights > 0) & ~drop
        new = np.zeros_like(drop)
        for name, codes, g in zip(effects.names, effects.codes, effects.n_levels):
            count = np.bincount(codes[used], minlength=g)
            at_edge = np.bincount(codes[used & edge], minlength=g)
            low = np.full(g, np.inf)
            high = np.full(g, -np.inf)
            np.minimum.at(low, codes[used], y[used])
            np.maximum.at(high, codes[used], y[used])
            bad = (count > 0) & (at_edge == count) & (low == high)
            groups[name] += int(bad.sum())
            new |= bad[codes] & ~drop
        if not new.any():
            break
        drop |= new
    if drop.any():
        detail = ", ".join(f"{k} groups of {name}" for name, k in groups.items() if k)
        warn(f"{int(drop.sum())} rows dropped ({detail}): their outcome is {_edge_text(family)} throughout, so "
             "the group's effect has no finite estimate (fixest drops them too; n_obs counts the rows used).",
             DataWarning)
    return drop


def check_not_explained(effects: FixedEffects, y: NDArray, weights: NDArray, response: str = "y") -> None:
    """An :class:`~glmkit.errors.InputError` when the outcome is constant within every level of
    an absorbed factor (the factor explains it entirely; fixest refuses it too).

    Examples
    --------
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> check_not_explained(fe, np.array([1.0, 2.0, 3.0, 3.0]), np.ones(4))
    """
    used = weights > 0
    for name, codes, g in zip(effects.names, effects.codes, effects.n_levels):
        low, high = np.full(g, np.inf), np.full(g, -np.inf)
        np.minimum.at(low, codes[used], y[used])
        np.maximum.at(high, codes[used], y[used])
        present = np.isfinite(low)
        if np.all(low[present] == high[present]):
            raise InputError(f"The outcome {response} is constant within every level of the absorbed factor "
                             f"{name}: the factor explains it entirely and nothing is left to estimate. Absorb "
                             "fewer factors or check the outcome.")


def _edge_text(family: Family) -> str:
    domain = family.mu_domain
    ends = [f"{v:g}" for v in (domain.low, domain.high) if np.isfinite(v)]
    return " or ".join(f"all {e}" for e in ends) if ends else "at the edge of the mean's domain"


def check_absorbed_columns(absorbed: AbsorbedTerms, available: list[str]) -> None:
    """An :class:`~glmkit.errors.InputError` naming an absorbed column that the data lack.

    Examples
    --------
    >>> check_absorbed_columns(AbsorbedTerms((("firm",),)), ["y", "firm"])
    """
    for name in absorbed.columns:
        if name not in available:
            shown = ", ".join(available[:30])
            raise InputError(f"The absorbed factor {name!r} (after '|') names no column of the data; columns: "
                             f"{shown}. Correct the name or add the column.")


@dataclass(frozen=True)
class AbsorbedSpec:
    """Encodes new data for a formula with absorbed factors: the covariates as in the fit,
    and the estimated effects of the rows' levels added to the offset.

    Attributes
    ----------
    formula_spec : object
        The spec of the part before ``|`` (``encode(newdata, offset)``).
    intercept_index : int or None
        The intercept column that spec makes (the factors absorb it; dropped).
    absorbed : AbsorbedTerms
    levels : tuple of arrays
        Each factor's level labels, in code order.
    effects : tuple of arrays or None
        Each factor's estimated effects (set by the fit; a reported factor's are unused:
        its levels are columns of the fitted design).

    Examples
    --------
    >>> AbsorbedSpec(None, None, AbsorbedTerms((("g",),)), (np.array([1, 2]),)).effects is None
    True
    """

    formula_spec: object
    intercept_index: int | None
    absorbed: AbsorbedTerms
    levels: tuple[NDArray, ...]
    effects: tuple[NDArray, ...] | None = None

    @property
    def rhs_spec(self) -> object:
        """Not offered: the terms of a fit with absorbed factors are not refitted one by one
        (sequential anova, drop1, add1 would hold the effects fixed); an InputError says so.

        Examples
        --------
        >>> AbsorbedSpec(None, None, AbsorbedTerms((("g",),)), ()).rhs_spec  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        glmkit.errors.InputError: This fit absorbs factors ...
        """
        raise InputError("This fit absorbs factors (fixed effects): term-by-term refits (sequential anova, drop1, "
                         "add1) would hold the effects fixed. Fit the sub-model with gk.glm and compare the fits "
                         "with gk.anova(small, large).")

    def with_effects(self, effects: tuple[NDArray, ...]) -> "AbsorbedSpec":
        """The spec with the fitted effects.

        Examples
        --------
        >>> spec = AbsorbedSpec(None, None, AbsorbedTerms((("g",),)), (np.array([1, 2]),))
        >>> spec.with_effects((np.array([0.5, 1.0]),)).effects[0].tolist()
        [0.5, 1.0]
        """
        from dataclasses import replace
        return replace(self, effects=effects)

    def encode(self, newdata: object, offset: object = None) -> tuple:
        """(design, offset with the rows' effects added, row index) for new data; a level not
        seen in the fit raises :class:`~glmkit.errors.UnseenLevelError`.

        Examples
        --------
        >>> import pandas as pd, glmkit as gk
        >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 5, 9], "x": [0.0, 1, 2, 0, 1, 2], "g": list("aaabbb")})
        >>> fit = gk.glm("y ~ x | g", df, "poisson")
        >>> fit.predict(df.head(2)).round(4).tolist()
        [1.1473, 2.0804]
        """
        import pandas as pd
        from ..design import DenseDesign
        from ..errors import UnseenLevelError
        from .frames import pandas_columns
        design, off, index = self.formula_spec.encode(newdata, offset)  # type: ignore[attr-defined]
        X = design.toarray()
        if self.intercept_index is not None:
            X = np.delete(X, self.intercept_index, axis=1)
        data = pandas_columns(newdata, self.absorbed.columns).loc[index]
        missing = [c for c in self.absorbed.columns if c not in data.columns]
        if missing:
            raise InputError(f"New data lack the absorbed factor column(s) {', '.join(missing)}; predictions "
                             "need each row's level.")
        off = np.array(off, dtype=float, copy=True)
        columns = [X]
        for term, name, levels, effect in zip(self.absorbed.terms, self.absorbed.names, self.levels,
                                              self.effects or ()):
            if len(term) == 1:
                values = data[term[0]].to_numpy()
            else:
                values = np.array(["^".join(str(v) for v in row) for row in zip(*(data[t] for t in term))],
                                  dtype=object)
            codes = pd.Index(levels).get_indexer(values)
            if np.any(codes < 0):
                unseen = pd.unique(pd.Series(values[codes < 0]))[:5]
                raise UnseenLevelError(f"New data have levels of the absorbed factor {name} not seen in the fit "
                                       f"(e.g. {', '.join(map(str, unseen))}): they have no estimated effect; "
                                       "drop those rows.")
            if name in self.absorbed.reported:  # its effects are treatment-coded coefficients
                columns.append((codes[:, None] == np.arange(1, len(levels))[None, :]).astype(float))
            else:
                off += effect[codes]
        return DenseDesign(np.column_stack(columns)), off, index


def absorb_columns(absorb: object, n: int) -> dict[str, NDArray]:
    """``absorb=`` of the array door as {name: labels}: a DataFrame or mapping (its names),
    a 1-D array (one factor, ``absorbed1``) or a 2-D array (one factor per column).

    Examples
    --------
    >>> list(absorb_columns(np.array([[0, 1], [1, 1]]), 2))
    ['absorbed1', 'absorbed2']
    """
    import pandas as pd
    if isinstance(absorb, pd.DataFrame):
        out = {str(c): absorb[c].to_numpy() for c in absorb.columns}
    elif isinstance(absorb, dict):
        out = {str(k): np.asarray(v) for k, v in absorb.items()}
    else:
        arr = np.asarray(absorb.to_numpy() if hasattr(absorb, "to_numpy") else absorb)  # type: ignore[union-attr]
        arr = arr[:, None] if arr.ndim == 1 else arr
        out = {f"absorbed{j + 1}": arr[:, j] for j in range(arr.shape[1])}
    for name, values in out.items():
        if values.shape[0] != n:
            raise InputError(f"absorb: the factor {name} has {values.shape[0]} values; X has {n} rows. Give one "
                             "level per row.")
        if pd.isna(pd.Series(values)).any():
            raise InputError(f"absorb: the factor {name} has missing values; drop those rows first.")
    if not out:
        raise InputError("absorb= names no factor; give an array of levels, or a DataFrame of factor columns.")
    return out


_C_TERM = re.compile(r"^C\(\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\)$")


def absorb_large_factors(formula: str, data: object,
                         levels: int = ABSORB_LEVELS) -> tuple[str, AbsorbedTerms] | None:
    """(the formula without its standalone ``C(g)`` terms, those terms to absorb) when one of
    them has more than ``levels`` levels, else None. The smaller ones are absorbed while
    fitting too, and reported as their treatment-coded coefficients (``C(h)[T.k]``, as the
    dummy-variable fit gives them). A factor also used elsewhere in the formula (an
    interaction ``x:C(g)``) stays a term.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0] * 300, "x": [0.0] * 300, "g": range(300), "h": [0, 1, 2] * 100})
    >>> absorb_large_factors("y ~ x + C(g) + C(h)", df)
    ('y ~ x', AbsorbedTerms(terms=(('g',), ('h',)), reported=('h',)))
    """
    from .frames import pandas_columns
    if "~" not in formula:
        return None
    lhs, rhs = formula.split("~", 1)
    cuts = [-1, *_top_level(rhs, "+"), len(rhs)]
    terms = [rhs[a + 1:b].strip() for a, b in zip(cuts[:-1], cuts[1:])]
    candidates = {m.group(1): t for t in terms if (m := _C_TERM.match(t))}
    if not candidates:
        return None
    frame = pandas_columns(data, list(candidates))
    usable = [name for name in candidates if name in frame.columns and rhs.count(name) == 1]
    big = [name for name in usable if frame[name].nunique(dropna=True) > levels]
    if not big:
        return None
    usable.sort(key=lambda name: name not in big)  # the large factors first: fixef's first factor is one
    rest = [t for t in terms if t and not (_C_TERM.match(t) and _C_TERM.match(t).group(1) in usable)]  # type: ignore[union-attr]
    small = tuple(name for name in usable if name not in big)
    return f"{lhs.strip()} ~ {' + '.join(rest) if rest else '1'}", AbsorbedTerms(tuple((n,) for n in usable), small)
