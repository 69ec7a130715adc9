"""R's number formatting, for printed tables that read like R's.

R prints a coefficient or anova table with ``printCoefmat``: each column is formatted as
one vector by ``format(x, digits = d)`` (every entry gets the decimals the entry needing
most of them asks for, fixed or scientific by width), p-values by ``format.pval``
(``< 2.2e-16`` below machine epsilon), statistics rounded first, small deviance columns
zapped (``zapsmall``), missing cells printed blank (anova) or ``NA`` (summary), and
significance stars after the p-value. The functions here reproduce R's C code
(``formatReal``, ``scientific``) and R functions (``format.pval``, ``zapsmall``,
``printCoefmat``) closely enough that the printed text matches R's on R's own examples
(``tests/reference/printed/``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["format_real", "format_pval", "zapsmall", "signif_stars", "SIGNIF_LEGEND",
           "coef_matrix_lines", "r_round"]

EPS = float(np.finfo(float).eps)
SIGNIF_LEGEND = "Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1"


def _scientific(x: float, digits: int) -> tuple[int, int, bool]:
    """(kpower, nsig, rounding widens) of |x| at ``digits`` significant digits (R's ``scientific``)."""
    if x == 0:
        return 0, 1, False
    mantissa, exponent = f"{abs(x):.{digits - 1}e}".split("e")
    kpower = int(exponent)
    nsig = len(mantissa.replace(".", "").rstrip("0")) or 1
    rgt = min(max(digits - kpower, 0), 15)
    widens = 0 < kpower <= 15 and abs(x) < 10.0 ** kpower - 0.5 / 10.0 ** rgt
    return kpower, nsig, widens


def format_real(values: Sequence[float], digits: int = 7, na: str = "NA") -> list[str]:
    """R's ``format(x, digits = digits)`` for a numeric vector: common decimals, common width.

    Examples
    --------
    >>> format_real([297.37, 210.392, 1.5], digits=5)
    ['297.37', '210.39', '  1.50']
    >>> format_real([3.1e-05, 0.5], digits=3)
    ['3.1e-05', '5.0e-01']
    """
    x = np.asarray(values, dtype=float)
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return [na if np.isnan(v) else ("Inf" if v > 0 else "-Inf") for v in x]
    neg = int(bool(np.any(finite < 0)))
    rgt = mxsl = mxns = mxe = -(10 ** 9)
    mnl = 10 ** 9
    for v in finite:
        kpower, nsig, widens = _scientific(float(v), digits)
        left = kpower + 1 - int(widens)
        sleft = int(v < 0) + (1 if left <= 0 else left)
        rgt, mxsl, mxns = max(rgt, nsig - left), max(mxsl, sleft), max(mxns, nsig)
        mxe, mnl = max(mxe, left), min(mnl, left)
    if mxe < 0:
        mxsl = 1 + neg
    rgt = max(rgt, 0)
    fixed_width = mxsl + rgt + (rgt != 0)
    exp_digits = 2 if (mxe > 100 or mnl <= -99) else 1
    sci_decimals = mxns - 1
    sci_width = neg + (sci_decimals > 0) + sci_decimals + 4 + exp_digits
    if fixed_width <= sci_width:
        cells = [f"{v:.{rgt}f}" if np.isfinite(v) else None for v in x]
    else:
        cells = [f"{v:.{sci_decimals}e}" if np.isfinite(v) else None for v in x]
    out = [c if c is not None else (na if np.isnan(v) else ("Inf" if v > 0 else "-Inf"))
           for c, v in zip(cells, x)]
    width = max(len(c) for c in out)
    return [c.rjust(width) for c in out]


def r_round(values: Sequence[float], digits: int) -> np.ndarray:
    """R's ``round(x, digits)`` (half to even on the decimal representation, as numpy's)."""
    return np.round(np.asarray(values, dtype=float), digits)


def zapsmall(values: Sequence[float], digits: int) -> np.ndarray:
    """R's ``zapsmall``: round so that entries tiny next to the largest become 0."""
    x = np.asarray(values, dtype=float)
    ok = np.isfinite(x)
    if not ok.any():
        return x
    mx = float(np.max(np.abs(x[ok])))
    # R 4.2's zapsmall: round(x, digits - log10(mx)), and round() takes floor(digits + 0.5)
    places = max(0, math.floor(digits - math.log10(mx) + 0.5)) if mx > 0 else digits
    return np.round(x, places)


def format_pval(pvalues: Sequence[float], digits: int, eps: float = EPS, na: str = "NA") -> list[str]:
    """R's ``format.pval``: p-values with ``digits`` significant digits, ``< eps`` below eps.

    Examples
    --------
    >>> format_pval([6.206e-05, 3.9e-17], digits=4)
    ['6.206e-05', '< 2.2e-16']
    >>> format_pval([0.0039, 1e-20], digits=3)  # R drops the space when the column is narrow
    ['0.0039', '<2e-16']
    """
    pv = np.asarray(pvalues, dtype=float)
    out = [na] * pv.size
    ok = ~np.isnan(pv)
    small = ok & (pv < eps)
    rest = ok & ~small
    if rest.any():
        expo = np.floor(np.log10(np.where(pv[rest] > 0, pv[rest], 1e-50)))
        fixp = (expo >= -3) | ((expo == -4) & (digits > 1))
        idx = np.flatnonzero(rest)
        for group in (fixp, ~fixp):
            if group.any():
                for i, text in zip(idx[group], format_real(pv[idx[group]], digits)):
                    out[i] = text
    if small.any():
        d = max(1, digits - 2)
        if rest.any():
            nc = max(len(out[i]) for i in np.flatnonzero(rest))
            if d > 1 and d + 6 > nc:
                d = max(1, nc - 7)
            sep = "" if d == 1 and nc <= 6 else " "
        else:
            sep = "" if d == 1 else " "
        text = "<" + sep + format_real([eps], d)[0]
        for i in np.flatnonzero(small):
            out[i] = text
    return out


def signif_stars(p: float) -> str:
    """R's significance code of one p-value (``***``, ``**``, ``*``, ``.``, or a blank)."""
    if not np.isfinite(p):
        return ""
    for cut, code in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p <= cut:
            return code
    return " "


def _format_block(x: np.ndarray, kind: str, digits: int, dig_tst: int, na_print: str) -> list[list[str]]:
    """Format a block of columns as R formats it (one ``format`` call over the block)."""
    ok = ~np.isnan(x)
    out = [[na_print] * x.shape[0] for _ in range(x.shape[1])]
    if not ok.any():
        return out
    vals = x[ok]
    if kind == "coef":
        acs = np.abs(vals[np.isfinite(vals) & (vals != 0)])
        # R: max(1, digits - digmin) over both ends of the range, i.e. the smallest entry decides
        digmin = 1 + (math.floor(math.log10(acs.min())) if acs.size else 0)
        texts = format_real(r_round(vals, max(1, digits - digmin)), digits)
    elif kind == "test":
        texts = format_real(r_round(vals, dig_tst), digits)
    elif kind == "zap":
        texts = format_real(zapsmall(vals, digits), digits)
    elif kind == "p":
        texts = format_pval(vals, dig_tst)
    else:
        texts = format_real(vals, digits)
    width = max(len(t) for t in texts)
    rows, cols = np.nonzero(ok)
    for r, c, t in zip(rows, cols, texts):
        out[c][r] = t.rjust(width)
    return out


def coef_matrix_lines(rows: Sequence[str], columns: Sequence[str], values: np.ndarray, kinds: Sequence[str],
                      digits: int, na_print: str = "NA", stars: bool = True) -> tuple[list[str], bool]:
    """The lines R's ``printCoefmat`` prints for a table, and whether the legend follows.

    ``kinds`` names each column's treatment: ``"coef"`` (estimates and standard errors,
    formatted together), ``"test"`` (statistics, rounded to ``dig.tst``), ``"zap"``
    (deviances: ``zapsmall``), ``"plain"`` (``format`` only) or ``"p"`` (p-values,
    ``format.pval``, last). The significance-codes legend is the caller's to print.

    Examples
    --------
    >>> lines, legend = coef_matrix_lines(["a", "b"], ["Estimate", "Pr(>|z|)"],
    ...                                   np.array([[1.5, 0.2], [-0.25, 1e-20]]), ["plain", "p"], 4)
    >>> print("\\n".join(lines))
      Estimate Pr(>|z|)    
    a     1.50      0.2    
    b    -0.25   <2e-16 ***
    """
    values = np.asarray(values, dtype=float)
    dig_tst = max(1, min(5, digits - 1))
    cells: list[list[str]] = [[] for _ in kinds]
    coef_cols = [j for j, k in enumerate(kinds) if k == "coef"]
    if coef_cols:
        for j, col in zip(coef_cols, _format_block(values[:, coef_cols], "coef", digits, dig_tst, na_print)):
            cells[j] = col
    for j, kind in enumerate(kinds):
        if kind != "coef":
            cells[j] = _format_block(values[:, [j]], kind, digits, dig_tst, na_print)[0]
    header = list(columns)
    show_stars = False
    if stars and kinds and kinds[-1] == "p":
        pv = values[:, -1]
        show_stars = bool(np.any(pv[np.isfinite(pv)] < 0.1))
        if show_stars:
            codes = ["" if np.isnan(p) else signif_stars(p) for p in pv]
            width = max(len(c) for c in codes)
            cells.append([c.ljust(width) for c in codes])
            header.append("")
    widths = [max(len(h), *(len(c) for c in col)) for h, col in zip(header, cells)]
    name_width = max([len(r) for r in rows] + [0])
    lines = [" " * name_width + "".join(" " + h.rjust(w) for h, w in zip(header, widths))]
    for i, row in enumerate(rows):
        lines.append(row.ljust(name_width) + "".join(" " + col[i].rjust(w) for col, w in zip(cells, widths)))
    return lines, show_stars
