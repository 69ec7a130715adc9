"""The R-like text summary of a fit (``print(fit.summary())``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..inference.wald import wald_p_values, wald_statistic

__all__ = ["Summary"]


def _stars(p: float) -> str:
    if not np.isfinite(p):
        return ""
    for cut, s in ((0.001, "***"), (0.01, "**"), (0.05, "*"), (0.1, ".")):
        if p < cut:
            return s
    return ""


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "NA"
    return "< 2e-16" if p < 2e-16 else f"{p:.3g}"


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
        fam = r.family
        lines: list[str] = []
        lines.append("Generalized linear model")
        if r.formula:
            lines.append(f"Formula: {r.formula}")
        lines.append(f"Family: {fam.name}    Link: {fam.link.name}")
        lines.append("")
        if self.cov_label is not None:
            lines.append(f"Standard errors: robust ({self.cov_label})")
        lines.append("Coefficients:" + (f" ({int(r.model.aliased.sum())} not defined because of singularities)" if r.model.aliased.any() else ""))
        names = list(r.coef.index)
        width = max([len(n) for n in names] + [8])
        stat_name = self.table.columns[2]
        p_name = self.table.columns[3]
        header = f"{'':<{width}} {'Estimate':>11} {'Std. Error':>11} {stat_name:>8} {p_name:>9}"
        lines.append(header)
        for name in names:
            b, se, st, p = (float(self.table.loc[name, c]) for c in self.table.columns)
            if np.isnan(b):
                lines.append(f"{name:<{width}} {'NA':>11} {'NA':>11} {'NA':>8} {'NA':>9}")
                continue
            lines.append(f"{name:<{width}} {b:>11.5g} {se:>11.5g} {st:>8.3f} {_fmt_p(p):>9} {_stars(p)}".rstrip())
        lines.append("---")
        lines.append("Signif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1")
        lines.append("")
        disp_note = "estimated (Pearson)" if r.dispersion_is_estimated else "fixed"
        lines.append(f"(Dispersion parameter for {fam.name} family taken to be {r.dispersion:.6g}; {disp_note})")
        lines.append("")
        lines.append(f"    Null deviance: {r.null_deviance:.6g}  on {r.df_null} degrees of freedom")
        lines.append(f"Residual deviance: {r.deviance:.6g}  on {r.df_resid} degrees of freedom")
        if r.n_dropped:
            lines.append(f"  ({r.n_dropped} observation{'s' if r.n_dropped != 1 else ''} deleted due to missingness)")
        aic = r.aic
        lines.append(f"AIC: {aic:.6g}" if np.isfinite(aic) else "AIC: NA")
        lines.append("")
        notes = r.summary_notes()
        if notes:
            lines += notes + [""]
        conv = "" if r.converged else "  (did NOT converge)"
        lines.append(f"Number of {r.model.solver} iterations: {r.n_iter}{conv}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> Any:
        return "<pre>" + str(self) + "</pre>"
