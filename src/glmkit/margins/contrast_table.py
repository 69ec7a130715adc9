"""Contrasts of estimated marginal means: estimates, delta-method SEs, adjusted tests and intervals."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from .adjust import adjust_p_values, critical_value
from .contrasts import contrast_matrix
from .table import MarginsTable
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["contrast_table"]

Array = NDArray[np.floating]


def _groups(emm: Any) -> list[tuple[tuple, NDArray[np.intp]]]:
    """(by labels, rows) of each by group, in the order of the means."""
    frame = emm.frame
    if not emm.by:
        return [((), np.arange(len(frame)))]
    keys = [tuple(row) for row in frame[list(emm.by)].itertuples(index=False)]
    return [(key, np.array([i for i, k in enumerate(keys) if k == key])) for key in dict.fromkeys(keys)]


def _level_labels(frame: pd.DataFrame, specs: tuple[str, ...], rows: NDArray[np.intp]) -> list[str]:
    """Labels of the means; one holding - + / or * is put in parentheses (emmeans' ``parens``)."""
    labels = [" ".join(str(v) for v in row) for row in frame.iloc[rows][list(specs)].itertuples(index=False)]
    return [f"({label})" if re.search(r"[-+/*]", label) else label for label in labels]


def contrast_table(emm: Any, method: str, adjust: str, ref: int, ratio: str | None, regrid: bool, level: float,
                   notes: list[str]) -> MarginsTable:
    """The table of :meth:`glmkit.margins.EMMeans.contrast` (see there)."""
    eta = emm.linfct @ emm.coef + emm.offset
    if regrid:  # differences of μ = g⁻¹(η): rows of the Jacobian scaled by dμ/dη
        values, jac = emm.link.inverse(eta), emm.link.inverse_derivative(eta)[:, None] * emm.linfct
    else:
        values, jac = eta, emm.linfct
    pieces = []
    for key, rows in _groups(emm):
        C, names = contrast_matrix(method, _level_labels(emm.frame, emm.specs, rows), ref)
        J = C @ jac[rows]
        est = C @ values[rows]
        se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, emm.cov, J), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            t = est / se
        p = adjust_p_values(t, emm.df, adjust, len(rows))
        q = critical_value(level, emm.df, adjust, len(names), len(rows))
        lo, hi = est - q * se, est + q * se
        if ratio is not None:
            est, lo, hi = np.exp(est), np.exp(lo), np.exp(hi)
            se = est * se
            names = [name.replace(" - ", " / ") for name in names]
        part = pd.DataFrame({"contrast": names})
        for name, value in zip(emm.by, key):
            part[name] = value
        part["estimate"], part["std_err"], part["df"] = est, se, emm.df
        part["lower"], part["upper"], part["statistic"], part["p_value"] = lo, hi, t, p
        pieces.append(part)
    frame = pd.concat(pieces, ignore_index=True)
    if ratio is not None:
        scale = f"{ratio}s (exp of link-scale differences); tests on the {emm.link.name} scale"
    elif regrid:
        scale = "differences of means on the response scale (regrid)"
    else:
        scale = f"differences on the {emm.link.name} (link) scale"
    notes = [f"Scale: {scale}.", f"P-value adjustment: {adjust}; confidence level {level:g}"
             + (" (intervals Bonferroni-adjusted)." if adjust == "holm" else "."), *notes]
    name = "custom" if isinstance(method, dict) else method
    return MarginsTable(frame, f"Contrasts ({name}) of {' × '.join(emm.specs)}", tuple(notes))
