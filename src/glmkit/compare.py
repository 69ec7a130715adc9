"""Side-by-side regression tables: ``gk.compare(fit1, fit2, ...)``.

Each fit is one column, read through the plug-in format glmkit's results share with
maketables (``__maketables_coef_table__`` and ``__maketables_stat__``, see
:mod:`glmkit.results.columns`), so any object offering that format can stand in a column.
The table renders as text, Markdown, LaTeX (booktabs) and HTML, and as a DataFrame; the
numbers are formatted once (fixed decimals), so every format shows the same cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError, UnknownNameError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["compare", "ComparisonTable"]

_DEFAULT_STATS = ("family", "N", "deviance", "aic", "bic", "dispersion")
_STAR_CUTS = ((0.001, "***"), (0.01, "**"), (0.05, "*"))
_LATEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
                  "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
                  "<": r"\textless{}", ">": r"\textgreater{}"}


def _stars(p: float) -> str:
    for cut, code in _STAR_CUTS:
        if p < cut:
            return code
    return ""


@dataclass(frozen=True)
class ComparisonTable:
    """A regression table of several fits, one column each (made by :func:`compare`).

    Attributes
    ----------
    columns : tuple of str
        The column (model) names.
    terms : tuple of str
        The coefficients, in order of first appearance.
    cells : tuple of tuple of str
        Display rows: for each term an estimate row and an uncertainty row, then one row per
        statistic; one cell per model ("" where a model lacks the term).
    row_labels : tuple of str
        The label of each display row ("" under an estimate).
    n_coef_rows : int
        How many of the display rows belong to coefficients (the statistics follow).
    note : str
        The footnote: what the bracketed numbers are, and the stars' cut-offs if shown.
    estimates : DataFrame
        The numbers behind the cells, long form: model, term, estimate, std_err, lower,
        upper, p_value.

    Examples
    --------
    >>> df = gk.datasets.load_warpbreaks()
    >>> table = gk.compare(gk.glm("breaks ~ wool", df, family="poisson"),
    ...                    gk.glm("breaks ~ wool + tension", df, family="poisson"))
    >>> table.terms
    ('Intercept', 'wool[T.B]', 'tension[T.M]', 'tension[T.H]')
    """

    columns: tuple[str, ...]
    terms: tuple[str, ...]
    cells: tuple[tuple[str, ...], ...]
    row_labels: tuple[str, ...]
    n_coef_rows: int
    note: str
    estimates: Any

    def to_frame(self) -> pd.DataFrame:
        """The displayed table as a DataFrame of strings (index: the row labels, columns: the models).

        >>> df = gk.datasets.load_warpbreaks()
        >>> gk.compare(gk.glm("breaks ~ wool", df, family="poisson")).to_frame().iloc[:2, 0].tolist()
        ['3.435', '(0.035)']
        """
        import pandas as pd

        return pd.DataFrame(list(self.cells), index=list(self.row_labels), columns=list(self.columns))

    def to_text(self) -> str:
        """Plain text, columns aligned, rules between header, coefficients and statistics.

        >>> df = gk.datasets.load_warpbreaks()
        >>> print(gk.compare(gk.glm("breaks ~ wool", df, family="poisson")).to_text())  # doctest: +ELLIPSIS
        ==========================
                               (1)
        --------------------------
        Intercept            3.435
                           (0.035)
        ...
        """
        width0 = max(len(s) for s in self.row_labels + ("",))
        # stars hang to the right of the number, so that the decimal points stay aligned
        star_width = max([len(c) - len(c.rstrip("*")) for row in self.cells for c in row] + [0])
        cells = [tuple(c if i >= self.n_coef_rows else c.rstrip("*") + c[len(c.rstrip("*")):].ljust(star_width)
                       for c in row) for i, row in enumerate(self.cells)]
        widths = [max(len(h), *(len(row[j]) for row in cells)) for j, h in enumerate(self.columns)]
        total = width0 + sum(w + 2 for w in widths)

        def line(label: str, cells: Sequence[str]) -> str:
            return label.ljust(width0) + "".join("  " + c.rjust(w) for c, w in zip(cells, widths))

        out = ["=" * total, line("", self.columns), "-" * total]
        out += [line(lab, row) for lab, row in zip(self.row_labels[:self.n_coef_rows], cells)]
        if len(cells) > self.n_coef_rows:
            out.append("-" * total)
            out += [line(lab, row) for lab, row in zip(self.row_labels[self.n_coef_rows:], cells[self.n_coef_rows:])]
        return "\n".join(out + ["=" * total, self.note])

    def to_markdown(self) -> str:
        """A Markdown (pipe) table; stars are escaped so that they print as stars.

        >>> df = gk.datasets.load_warpbreaks()
        >>> print(gk.compare(gk.glm("breaks ~ wool", df, family="poisson")).to_markdown().splitlines()[0])
        |  | (1) |
        """
        def md(text: str) -> str:
            return text.replace("|", r"\|").replace("*", r"\*")

        rows = ["|  | " + " | ".join(md(c) for c in self.columns) + " |"]
        rows.append("|:--|" + "--:|" * len(self.columns))
        for i, (lab, cells) in enumerate(zip(self.row_labels, self.cells)):
            label = f"**{md(lab)}**" if i >= self.n_coef_rows and lab else md(lab)
            rows.append(f"| {label} | " + " | ".join(md(c) for c in cells) + " |")
        return "\n".join(rows + ["", md(self.note)])

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` with booktabs rules (``\\usepackage{booktabs}``).

        >>> df = gk.datasets.load_warpbreaks()
        >>> print(gk.compare(gk.glm("breaks ~ wool", df, family="poisson")).to_latex().splitlines()[0])
        \\begin{tabular}{lc}
        """
        def tex(text: str) -> str:
            body = "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text.rstrip("*"))
            stars = len(text) - len(text.rstrip("*"))
            return body + (f"$^{{{'*' * stars}}}$" if stars else "")

        k = len(self.columns)
        out = [f"\\begin{{tabular}}{{l{'c' * k}}}", r"\toprule",
               " & " + " & ".join(tex(c) for c in self.columns) + r" \\", r"\midrule"]
        for i, (lab, cells) in enumerate(zip(self.row_labels, self.cells)):
            if i == self.n_coef_rows:
                out.append(r"\midrule")
            out.append(tex(lab) + " & " + " & ".join(tex(c) for c in cells) + r" \\")
        out += [r"\bottomrule", f"\\multicolumn{{{k + 1}}}{{l}}{{\\footnotesize {tex(self.note)}}} \\\\",
                r"\end{tabular}"]
        return "\n".join(out)

    def to_html(self) -> str:
        """An HTML ``<table>`` (header, coefficients and statistics in thead/tbody/tfoot).

        >>> df = gk.datasets.load_warpbreaks()
        >>> gk.compare(gk.glm("breaks ~ wool", df, family="poisson")).to_html().startswith("<table")
        True
        """
        def row(label: str, cells: Sequence[str], tag: str = "td") -> str:
            return (f"<tr><th style=\"text-align:left\">{escape(label)}</th>"
                    + "".join(f"<{tag} style=\"text-align:right\">{escape(c)}</{tag}>" for c in cells) + "</tr>")

        body = [row(lab, cells) for lab, cells in zip(self.row_labels[:self.n_coef_rows], self.cells)]
        foot = [row(lab, cells) for lab, cells in zip(self.row_labels[self.n_coef_rows:], self.cells[self.n_coef_rows:])]
        k = len(self.columns)
        return "\n".join(["<table class=\"glmkit-compare\">", "<thead>", row("", self.columns, "th"), "</thead>",
                          "<tbody>", *body, "</tbody>", "<tfoot>", *foot,
                          f"<tr><td colspan=\"{k + 1}\" style=\"text-align:left\">{escape(self.note)}</td></tr>",
                          "</tfoot>", "</table>"])

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        return self.to_html()


def _coef_table(fit: Any) -> pd.DataFrame:
    try:
        table = fit.__maketables_coef_table__
    except AttributeError:
        raise InputError(f"compare takes fitted models (GLMResult, NegBinResult, PenalizedGLMResult, or any "
                         f"object with maketables' __maketables_coef_table__); got {type(fit).__name__}.") from None
    return table


def _number(value: float, digits: int) -> str:
    return "" if value is None or not np.isfinite(value) else f"{value:.{digits}f}"


def _stat_cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return _number(float(value), digits)


def _long_estimates(tables: list[pd.DataFrame], names: list[str], level: float) -> pd.DataFrame:
    import pandas as pd

    tag = "95" if level == 0.95 else "90"
    parts = [pd.DataFrame({"model": name, "term": t.index.astype(str), "estimate": t["b"].to_numpy(float),
                           "std_err": t["se"].to_numpy(float), "lower": t[f"ci{tag}l"].to_numpy(float),
                           "upper": t[f"ci{tag}u"].to_numpy(float), "p_value": t["p"].to_numpy(float)})
             for name, t in zip(names, tables)]
    return pd.concat(parts, ignore_index=True)


def _coef_rows(tables: list[pd.DataFrame], terms: list[str], se: str, stars: bool, tag: str,
               digits: int) -> tuple[list[str], list[tuple[str, ...]]]:
    """Two display rows per term: the estimates (with stars) and their SEs or intervals."""
    labels: list[str] = []
    cells: list[tuple[str, ...]] = []
    for term in terms:
        est, unc = [], []
        for table in tables:
            if term not in table.index:
                est.append("")
                unc.append("")
                continue
            row = table.loc[term]
            mark = _stars(float(row["p"])) if stars and np.isfinite(row["p"]) else ""
            est.append(_number(row["b"], digits) + mark)
            lo, hi = _number(row[f"ci{tag}l"], digits), _number(row[f"ci{tag}u"], digits)
            if se == "se":
                unc.append(f"({_number(row['se'], digits)})" if np.isfinite(row["se"]) else "")
            else:
                unc.append(f"[{lo}, {hi}]" if lo else "")
        labels += [term, ""]
        cells += [tuple(est), tuple(unc)]
    return labels, cells


def compare(
    *fits: Any,
    names: Sequence[str] | None = None,
    se: Literal["se", "ci"] = "se",
    stars: bool = False,
    level: float = 0.95,
    digits: int = 3,
    stats: Sequence[str] | None = None,
) -> ComparisonTable:
    """A side-by-side regression table of several fits.

    Parameters
    ----------
    *fits : GLMResult, NegBinResult, PenalizedGLMResult
        One column each (or any object with maketables' plug-in format).
    names : sequence of str, optional
        Column names; default ``(1)``, ``(2)``, ...
    se : {"se", "ci"}, default "se"
        Under each estimate: its standard error in parentheses, or its Wald interval in
        brackets. Blank where the fit refuses inference (a lasso).
    stars : bool, default False
        Mark estimates with p < 0.05, 0.01, 0.001 by one, two or three stars.
    level : {0.95, 0.90}, default 0.95
        Interval level for ``se="ci"``.
    digits : int, default 3
        Decimals of every number.
    stats : sequence of str, optional
        Statistics below the coefficients, by key: ``family``, ``N``, ``deviance``,
        ``null_deviance``, ``df_resid``, ``ll``, ``aic``, ``bic``, ``dispersion`` (penalised fits:
        ``alpha``, ``l1_ratio``, ``df``). Default family, N, deviance, AIC, BIC, dispersion.

    Returns
    -------
    ComparisonTable
        ``to_text()``, ``to_markdown()``, ``to_latex()``, ``to_html()``, ``to_frame()``.

    Examples
    --------
    >>> df = gk.datasets.load_warpbreaks()
    >>> m1 = gk.glm("breaks ~ wool", df, family="poisson")
    >>> m2 = gk.glm("breaks ~ wool + tension", df, family="poisson")
    >>> print(gk.compare(m1, m2, stars=True, stats=["N", "aic"]))  # doctest: +ELLIPSIS
    ====================================
                       (1)           (2)
    ------------------------------------
    Intercept     3.435***      3.692***
                (0.035)       (0.045)
    wool[T.B]    -0.206***     -0.206***
    ...
    Observations        54            54
    AIC            559.998       493.056
    ====================================
    Standard errors in parentheses. * p<0.05, ** p<0.01, *** p<0.001
    """
    from .results.columns import STAT_LABELS

    if not fits:
        raise InputError("compare needs at least one fitted model.")
    if se not in ("se", "ci"):
        raise UnknownNameError(f"se={se!r} is not an option; valid: 'se' (standard errors), 'ci' (intervals).")
    if level not in (0.95, 0.90):
        raise InputError(f"level={level!r}: compare shows 95% or 90% Wald intervals (the columns maketables "
                         "reads); pass level=0.95 or 0.90, or use fit.conf_int(level) for others.")
    names = [f"({i + 1})" for i in range(len(fits))] if names is None else [str(n) for n in names]
    if len(names) != len(fits):
        raise InputError(f"names has {len(names)} entries for {len(fits)} models; give one name per model.")
    tables = [_coef_table(f) for f in fits]
    terms = list(dict.fromkeys(t for table in tables for t in table.index.astype(str)))
    labels, cells = _coef_rows(tables, terms, se, stars, "95" if level == 0.95 else "90", digits)
    n_coef = len(cells)
    for key in list(_DEFAULT_STATS if stats is None else stats):
        values = [f.__maketables_stat__(key) for f in fits]
        if stats is None and all(v is None for v in values):
            continue
        labels.append(STAT_LABELS.get(key, key))
        cells.append(tuple(_stat_cell(v, digits) for v in values))
    what = "Standard errors in parentheses." if se == "se" else f"{int(level * 100)}% Wald intervals in brackets."
    note = what + (" * p<0.05, ** p<0.01, *** p<0.001" if stars else "")
    return ComparisonTable(tuple(names), tuple(terms), tuple(cells), tuple(labels), n_coef, note,
                           _long_estimates(tables, names, level))
