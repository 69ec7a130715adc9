"""A fit as one column of a regression table: the protocol ``gk.compare`` and maketables read.

maketables (https://github.com/py-econometrics/maketables) renders a result object that
offers its *plug-in format*, without either package importing the other:

* ``__maketables_coef_table__``: a DataFrame indexed by coefficient with columns ``b``
  (estimate), ``se``, ``t``, ``p``, ``ci95l``/``ci95u`` and ``ci90l``/``ci90u``;
* ``__maketables_stat__(key)``: a model statistic by key (``"N"``, ``"aic"``, ...), None when
  the fit has none;
* ``__maketables_depvar__``, ``__maketables_stat_labels__``,
  ``__maketables_default_stat_keys__``, ``__maketables_vcov_info__``.

glmkit's results implement it through :class:`TableColumn`, and :func:`glmkit.compare` reads
the same members, so a table from either tool shows the same numbers (and ``gk.compare``
takes any object that offers the format). Inference a fit refuses (a lasso's standard
errors) is NaN in the table, not an error: the estimate still belongs in the column.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InferenceError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TableColumn", "STAT_LABELS", "family_label"]

#: Labels of the statistics a glmkit column offers (maketables' keys where it has them).
STAT_LABELS = {
    "family": "Family", "N": "Observations", "deviance": "Deviance", "null_deviance": "Null deviance", "df_resid": "Residual df",
    "ll": "Log-likelihood", "aic": "AIC", "bic": "BIC", "dispersion": "Dispersion",
    "alpha": "Penalty (alpha)", "l1_ratio": "L1 ratio", "df": "Nonzero coefficients",
}


def _or_nan(get: Any, n: int) -> np.ndarray:
    try:
        return np.asarray(get(), dtype=float).reshape(n, -1)
    except InferenceError:  # refused for this fit (lasso, ridge p-values): a blank cell
        return np.full((n, 1), np.nan)


class TableColumn:
    """Mixin: the maketables plug-in members of a fit (see the module docstring).

    A class using it has ``coef``, ``std_err``, ``p_values``, ``conf_int(level)``, ``formula``
    and ``table_statistics()``.
    """

    def table_statistics(self) -> dict[str, Any]:
        """The model statistics of a regression table, by key (maketables' keys where it has them).

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> {k: round(v, 2) for k, v in fit.table_statistics().items() if k in ("N", "aic")}
        {'N': 54, 'aic': 493.06}
        """
        r: Any = self
        return {"family": family_label(r.family), "N": int(r.n_obs), "deviance": float(r.deviance), "null_deviance": float(r.null_deviance),
                "df_resid": int(r.df_resid), "ll": _finite(r.loglik), "aic": _finite(r.aic), "bic": _finite(r.bic),
                "dispersion": float(r.dispersion)}

    @property
    def __maketables_coef_table__(self) -> pd.DataFrame:
        import pandas as pd

        r: Any = self
        b = r.coef.to_numpy(dtype=float)
        n = b.size
        se = _or_nan(lambda: r.std_err, n)[:, 0]
        p = _or_nan(lambda: r.p_values, n)[:, 0]
        ci95 = _or_nan(lambda: r.conf_int(0.95), n)
        ci90 = _or_nan(lambda: r.conf_int(0.90), n)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(np.isnan(p), np.nan, b / se)  # no test statistic where the fit refuses the test
        frame = pd.DataFrame({"b": b, "se": se, "t": t, "p": p,
                              "ci95l": ci95[:, 0], "ci95u": ci95[:, -1], "ci90l": ci90[:, 0], "ci90u": ci90[:, -1]},
                             index=pd.Index([str(x) for x in r.coef.index], name="Coefficient"))
        return frame

    def __maketables_stat__(self, key: str) -> Any:
        return self.table_statistics().get(key)

    @property
    def __maketables_depvar__(self) -> str:
        formula = self.problem.formula  # type: ignore[attr-defined]
        return formula.split("~", 1)[0].strip() if formula else "y"

    @property
    def __maketables_stat_labels__(self) -> dict[str, str]:
        return dict(STAT_LABELS)

    @property
    def __maketables_default_stat_keys__(self) -> list[str]:
        stats = self.table_statistics()
        return [k for k in ("N", "deviance", "aic", "bic", "dispersion") if stats.get(k) is not None]

    @property
    def __maketables_vcov_info__(self) -> dict[str, Any]:
        return {"vcov_type": "iid", "clustervar": None}


def family_label(family: Any) -> str:
    """``poisson(log)``: the family and its link, as a table cell."""
    return f"{family.name}({family.link.name})"


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
