"""Analysis-of-deviance tables that print as R prints them and are DataFrames.

:func:`glmkit.anova`, :func:`glmkit.drop1` and :func:`glmkit.add1` return an
:class:`AnovaTable`: a pandas DataFrame (every DataFrame operation works, and gives a
plain DataFrame) whose ``print`` is R's ``print.anova``: the heading, blank cells where
R has ``NA``, deviances zapped and p-values formatted by ``format.pval`` (``< 2.2e-16``),
significance stars and their legend. This module imports pandas, so it is imported only
where a table is built.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from .._rformat import SIGNIF_LEGEND, coef_matrix_lines, format_real
from .terms import model_terms

__all__ = ["AnovaTable", "anova_table", "sequential_heading", "models_heading", "single_term_heading"]


def _column_kinds(columns: list[str]) -> list[str]:
    """print.anova's treatment of each column: test statistics, Df, p-value, or zapped."""
    kinds = []
    for j, name in enumerate(columns):
        if j == len(columns) - 1 and (name.startswith("Pr(") or name.startswith("P(")):
            kinds.append("p")
        elif name[1:7] == " value" or name in ("F", "Cp", "Chisq"):
            kinds.append("test")
        elif name.endswith("Df"):
            kinds.append("plain")
        else:
            kinds.append("zap")
    return kinds


class AnovaTable(pd.DataFrame):
    """A DataFrame of an analysis-of-deviance table that prints as R's ``print.anova``.

    The numbers are the DataFrame's (NaN where R has NA); only the printed text differs
    from a plain DataFrame's. Operations on the table (selection, rounding, ...) return plain
    DataFrames; :meth:`to_frame` gives one explicitly.

    Attributes
    ----------
    heading : list of str
        The lines printed above the table (R's ``attr(x, "heading")``).

    Examples
    --------
    >>> import glmkit as gk
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> print(gk.anova(fit, test="Chisq"))  # doctest: +NORMALIZE_WHITESPACE
    Analysis of Deviance Table
    <BLANKLINE>
    Model: poisson, link: log
    <BLANKLINE>
    Response: breaks
    <BLANKLINE>
    Terms added sequentially (first to last)
    <BLANKLINE>
    <BLANKLINE>
            Df Deviance Resid. Df Resid. Dev  Pr(>Chi)
    NULL                       53     297.37
    wool     1   16.039        52     281.33 6.206e-05 ***
    tension  2   70.942        50     210.39 3.938e-16 ***
    ---
    Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1
    """

    _metadata = ["heading"]

    @property
    def _constructor(self) -> Any:
        return pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The table as a plain DataFrame (a copy).

        Examples
        --------
        >>> import glmkit as gk
        >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson")
        >>> type(gk.anova(fit).to_frame()).__name__
        'DataFrame'
        """
        return pd.DataFrame(self, copy=True)

    def to_text(self, digits: int = 5, stars: bool = True) -> str:
        """R's printed table: heading, table, significance legend.

        Parameters
        ----------
        digits : int, default 5
            Significant digits (R's ``max(getOption("digits") - 2, 3)``).
        stars : bool, default True
            Print significance stars and their legend (R's ``signif.stars``).

        Examples
        --------
        >>> import glmkit as gk
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> print(gk.drop1(fit).to_text())  # doctest: +NORMALIZE_WHITESPACE
        Single term deletions
        <BLANKLINE>
        Model:
        breaks ~ wool + tension
                Df Deviance    AIC
        <none>       210.39 493.06
        wool     1   226.43 507.09
        tension  2   281.33 560.00
        """
        columns = [str(c) for c in self.columns]
        lines, legend = coef_matrix_lines([str(r) for r in self.index], columns, self.to_numpy(dtype=float),
                                          _column_kinds(columns), digits, na_print="", stars=stars)
        heading = list(getattr(self, "heading", None) or [])
        return "\n".join(heading + lines + (["---", SIGNIF_LEGEND] if legend else []))

    def __repr__(self) -> str:
        return self.to_text()

    def __str__(self) -> str:
        return self.to_text()

    def _repr_html_(self) -> str:
        from html import escape

        return "<pre>" + escape(self.to_text()) + "</pre>"


def anova_table(frame: pd.DataFrame, heading: list[str]) -> AnovaTable:
    """``frame`` as an :class:`AnovaTable` with R's ``heading`` lines."""
    table = AnovaTable(frame)
    table.heading = list(heading)
    return table


def _response(result: Any) -> str:
    return result.formula.split("~", 1)[0].strip() if result.formula else "y"


def _model_label(result: Any) -> str:
    return result.formula or f"y ~ {' + '.join(t.label for t in model_terms(result)[0])}"


def sequential_heading(result: Any) -> list[str]:
    """R's heading of ``anova(fit)``: the family and link, the response, the order of terms."""
    fam = result.family
    return ["Analysis of Deviance Table", "", f"Model: {fam.name}, link: {fam.link.name}", "",
            f"Response: {_response(result)}", "", "Terms added sequentially (first to last)", "", ""]


def models_heading(results: list[Any]) -> list[str]:
    """R's heading of ``anova(m1, m2, ...)``: one line per model."""
    return ["Analysis of Deviance Table", ""] + [f"Model {i + 1}: {_model_label(r)}" for i, r in enumerate(results)]


def single_term_heading(what: str, result: Any, scale: float | None) -> list[str]:
    """R's heading of ``drop1``/``add1``: ``Single term deletions``, the model, the scale if given."""
    heading = [f"Single term {what}", "", "Model:", _model_label(result)]
    if scale:
        heading += ["", f"scale:  {format_real([scale], 7)[0]} ", ""]
    return heading
