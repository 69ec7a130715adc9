"""The R-like text summary of a fit (``print(fit.summary())``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._rformat import SIGNIF_LEGEND, coef_matrix_lines, format_real
from ..inference.wald import wald_p_values, wald_statistic

__all__ = ["Summary", "call_line"]


def call_line(result: Any) -> str:
    """The model as R's call line spells it: ``glm(formula = y ~ x, family = poisson(link = "log"))``.

    Built from what every result keeps (formula, family, link), so a fit, its pickle and its
    model file print the same summary; ``fit.call`` holds the full call of a fresh fit
    (data included), and a fit from arrays shows ``glm_fit(X, y, ...)``.
    """
    fam = result.family
    family = f'{fam.name}(link = "{fam.link.name}")'
    if result.formula:
        return f"glm(formula = {result.formula}, family = {family})"
    return f"glm_fit(X, y, family = {family})"


class Summary:
    """A printable summary; ``str()`` gives R's layout, ``.table`` the coefficient DataFrame."""

    def __init__(self, result: Any, std_err: Any = None, cov_label: str | None = None) -> None:
        self.result = result
        self.cov_label = cov_label
        r = result
        import pandas as pd

        if std_err is None:
            stat = "t value" if r.dispersion_is_estimated else "z value"
            pcol = "Pr(>|t|)" if r.dispersion_is_estimated else "Pr(>|z|)"
            self.table = pd.DataFrame(
                {"Estimate": r.coef, "Std. Error": r.std_err, stat: r.statistic, pcol: r.p_values}
            )
        else:
            # Robust standard errors: z tests, as lmtest::coeftest does for a glm (df = Inf).

            se = pd.Series(np.asarray(std_err, dtype=float), index=r.coef.index)
            z = wald_statistic(r.coef.to_numpy(), se.to_numpy())
            self.table = pd.DataFrame({
                "Estimate": r.coef, "Std. Error": se, "z value": z,
                "Pr(>|z|)": wald_p_values(z, False, r.df_resid),
            }, index=r.coef.index)

    def __str__(self) -> str:
        r = self.result
        lines = ["", "Call:", call_line(r), ""]
        if self.cov_label is not None:
            lines += [f"Standard errors: robust ({self.cov_label})", ""]
        n_aliased = int(r.model.aliased.sum())
        lines.append("Coefficients:" + (f" ({n_aliased} not defined because of singularities)" if n_aliased else ""))
        table, legend = coef_matrix_lines([str(n) for n in self.table.index], list(self.table.columns),
                                          self.table.to_numpy(dtype=float), ["coef", "coef", "test", "p"], 4)
        lines += table
        if legend:
            lines += ["---", SIGNIF_LEGEND]
        lines += ["", f"(Dispersion parameter for {r.family.name} family taken to be "
                      f"{format_real([r.dispersion], 7)[0].strip()})", ""]
        dev = format_real([r.null_deviance, r.deviance], 5)
        dfs = [str(d).rjust(len(str(max(r.df_null, r.df_resid)))) for d in (r.df_null, r.df_resid)]
        lines.append(f"    Null deviance: {dev[0]}  on {dfs[0]}  degrees of freedom")
        lines.append(f"Residual deviance: {dev[1]}  on {dfs[1]}  degrees of freedom")
        if r.n_dropped:
            lines.append(f"  ({r.n_dropped} observation{'s' if r.n_dropped != 1 else ''} deleted due to missingness)")
        lines.append("AIC: " + (format_real([r.aic], 5)[0] if np.isfinite(r.aic) else "NA"))
        lines.append("")
        notes = r.summary_notes()
        if notes:
            lines += notes + [""]
        # IRLS is Fisher scoring, which is what R counts; other solvers are named as they are.
        method = "Fisher Scoring" if r.model.solver == "irls" else r.model.solver
        conv = "" if r.converged else "  (did NOT converge)"
        lines += [f"Number of {method} iterations: {r.n_iter}{conv}", ""]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> Any:
        from html import escape

        return "<pre>" + escape(str(self)) + "</pre>"
