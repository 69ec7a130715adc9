"""The frozen result every margins function returns: a table, its DataFrame view, a readable print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["MarginsTable", "format_p_value", "wald_columns"]

Array = NDArray[np.floating]


def format_p_value(p: float) -> str:
    """A p-value as R prints it in emmeans' tables: ``<.0001`` below 1e-4, else 4 decimals.

    >>> format_p_value(0.00001), format_p_value(0.01234)
    ('<.0001', '0.0123')
    """
    if not np.isfinite(p):
        return ""
    return "<.0001" if p < 1e-4 else f"{p:.4f}"


def wald_columns(estimate: Array, std_err: Array, df: float, level: float) -> dict[str, Array]:
    """Unadjusted Wald interval and test columns (t with ``df``, normal where df is infinite)."""
    from scipy import stats

    q = stats.norm.ppf(0.5 + level / 2) if np.isinf(df) else stats.t.ppf(0.5 + level / 2, df)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimate / std_err
    p = 2 * (stats.norm.sf(np.abs(statistic)) if np.isinf(df) else stats.t.sf(np.abs(statistic), df))
    return {"lower": estimate - q * std_err, "upper": estimate + q * std_err, "statistic": statistic, "p_value": p}


@dataclass(frozen=True, eq=False)
class MarginsTable:
    """A table of estimates with standard errors, intervals and (where they apply) tests.

    Attributes
    ----------
    frame : pandas.DataFrame
        One row per estimate: label columns, then ``estimate``, ``std_err``, ``df``,
        ``lower``, ``upper`` and, for tests, ``statistic`` and ``p_value``.
    title : str
        What the table holds (printed first).
    notes : tuple of str
        Lines printed under the table (scale, averaging, adjustment).

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> table = gk.emmeans(fit, "tension")
    >>> list(table.to_frame().columns)[:3]
    ['tension', 'estimate', 'std_err']
    """

    frame: pd.DataFrame
    title: str
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """A copy of the table as a pandas DataFrame.

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> gk.emmeans(fit, "wool").to_frame().shape[0]
        2
        """
        return self.frame.copy()

    def __len__(self) -> int:
        return len(self.frame)

    def _formatted(self) -> pd.DataFrame:
        out = self.frame.copy()
        for col in out.columns:
            if col == "p_value":
                out[col] = [format_p_value(p) for p in out[col]]
            elif col == "df":
                out[col] = ["Inf" if np.isinf(d) else f"{d:g}" for d in out[col]]
            elif out[col].dtype.kind == "f":
                out[col] = _aligned(out[col].to_numpy())
        return out

    def __str__(self) -> str:
        body = self._formatted().to_string(index=False)
        return "\n".join([self.title, "", body, *([""] + list(self.notes) if self.notes else [])])

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        return f"<p>{self.title}</p>" + self.frame.to_html(index=False) + "".join(f"<p>{n}</p>" for n in self.notes)


def _aligned(values: Array) -> list[str]:
    """Numbers with 4 significant digits for the largest, aligned on the decimal point."""
    finite = np.abs(values[np.isfinite(values)])
    finite = finite[finite > 0]
    if finite.size == 0:
        return [f"{v:g}" for v in values]
    digits = int(np.clip(3 - np.floor(np.log10(finite.max())), 1, 8))
    return [f"{v:.{digits}f}" if np.isfinite(v) else "" for v in values]
