"""GLMResult: the frozen, user-facing result of a fit.

Everything beyond the numerical core (``FittedModel``) is computed on first access by
``inference/`` and cached; nothing on the result can be changed after the fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from . import inference
from .design import Design
from .errors import InputError
from .fit import FittedModel
from .inference.residuals import ResidualKind

if TYPE_CHECKING:
    from ._summary import Summary

__all__ = ["GLMResult", "DataSpec"]

Array = NDArray[np.floating]


class DataSpec(Protocol):
    """Re-encodes new data exactly as the training data was encoded."""

    def encode(self, newdata: Any, offset: Any = None) -> tuple[Design, Array, pd.Index]:
        """(design, offset, row index) for new data."""
        ...


@dataclass(frozen=True, eq=False)
class GLMResult:
    """A fitted generalized linear model.

    Attributes
    ----------
    model : FittedModel
        The numerical core (design, y, weights, coefficients, information matrix).
    names : list of str
        Coefficient names, one per design column.
    data_spec : DataSpec or None
        How to encode new data for ``predict``.
    formula : str or None
    dispersion_override : float or None
        A dispersion fixed by the user (as R's ``summary(fit, dispersion = ...)``).
    n_dropped : int
        Rows dropped for missing values.
    index : pandas.Index
        Row labels of the data used.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 2))
    >>> y = rng.poisson(np.exp(0.3 + X @ [0.5, -0.2]))
    >>> fit = gk.glm_fit(X, y, family="poisson")
    >>> fit.coef.index.tolist()
    ['Intercept', 'x1', 'x2']
    """

    model: FittedModel
    names: list[str]
    data_spec: Any = None
    formula: str | None = None
    dispersion_override: float | None = None
    n_dropped: int = 0
    index: pd.Index = field(default_factory=lambda: pd.RangeIndex(0))

    # -- the family and the fit ----------------------------------------------------------
    @property
    def family(self):  # type: ignore[no-untyped-def]
        """The family (with its link)."""
        return self.model.family

    @property
    def link(self):  # type: ignore[no-untyped-def]
        return self.model.family.link

    @property
    def n_iter(self) -> int:
        return self.model.n_iter

    @property
    def converged(self) -> bool:
        return self.model.converged

    @property
    def history(self):  # type: ignore[no-untyped-def]
        """Per-iteration records (loss, gradient norm, step) when the solver recorded them."""
        return self.model.history

    @property
    def deviance(self) -> float:
        return self.model.deviance

    @property
    def null_deviance(self) -> float:
        return self.model.null_deviance

    @property
    def df_resid(self) -> int:
        return self.model.df_resid

    @property
    def df_null(self) -> int:
        return self.model.df_null

    @property
    def rank(self) -> int:
        return self.model.rank

    @property
    def nobs(self) -> int:
        """Rows with positive weight (R's ``nobs``)."""
        return self.model.n_obs

    @property
    def aliased(self) -> pd.Series:
        """True for coefficients not estimable (linearly dependent columns)."""
        return pd.Series(self.model.aliased, index=self.names, name="aliased")

    # -- coefficients and their inference -------------------------------------------------
    @cached_property
    def coef(self) -> pd.Series:
        """Estimates, NaN for aliased columns (R's NA)."""
        return pd.Series(self.model.coef, index=self.names, name="coef")

    @cached_property
    def _dispersion(self) -> tuple[float, bool]:
        return inference.dispersion_for(self.model, self.dispersion_override)

    @property
    def dispersion(self) -> float:
        """φ: 1 for binomial and Poisson, the Pearson estimate otherwise (or the user's value)."""
        return self._dispersion[0]

    @property
    def dispersion_is_estimated(self) -> bool:
        return self._dispersion[1]

    @cached_property
    def cov(self) -> pd.DataFrame:
        """φ (XᵀWX)⁻¹, NaN rows/columns for aliased coefficients."""
        return pd.DataFrame(inference.model_covariance(self.model, self.dispersion), index=self.names, columns=self.names)

    @cached_property
    def std_err(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.names, name="std_err")

    @cached_property
    def statistic(self) -> pd.Series:
        """z (dispersion fixed) or t (dispersion estimated) values."""
        return pd.Series(inference.wald_statistic(self.model.coef, self.std_err.to_numpy()), index=self.names,
                         name="t" if self.dispersion_is_estimated else "z")

    @cached_property
    def p_values(self) -> pd.Series:
        return pd.Series(
            inference.wald_p_values(self.statistic.to_numpy(), self.dispersion_is_estimated, self.df_resid),
            index=self.names, name="p_value",
        )

    def conf_int(self, level: float = 0.95, method: Literal["wald"] = "wald") -> pd.DataFrame:
        """Confidence intervals for the coefficients.

        Parameters
        ----------
        level : float, default 0.95
        method : {"wald"}
            Wald intervals with normal quantiles, as R's ``confint.default``.

        Returns
        -------
        DataFrame with columns ``lower`` and ``upper``, one row per coefficient.
        """
        if method != "wald":
            from .errors import UnknownNameError

            raise UnknownNameError(f"Unknown interval method {method!r}; valid: 'wald'.")
        lo, hi = inference.wald_intervals(self.model.coef, self.std_err.to_numpy(), level)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.names)

    # -- likelihood ------------------------------------------------------------------------
    @cached_property
    def loglik(self) -> float:
        """R's ``logLik`` (NaN for quasi-families)."""
        return inference.loglik(self.model)

    @cached_property
    def aic(self) -> float:
        return inference.aic(self.model)

    @cached_property
    def bic(self) -> float:
        return inference.bic(self.model)

    # -- fitted values, residuals, prediction ------------------------------------------------
    @property
    def fitted(self) -> pd.Series:
        """μ̂ for the rows used."""
        return pd.Series(self.model.mu, index=self.index, name="fitted")

    @property
    def linear_predictor(self) -> pd.Series:
        """η̂ = Xβ̂ + offset."""
        return pd.Series(self.model.eta, index=self.index, name="linear_predictor")

    def residuals(self, kind: ResidualKind = "deviance") -> pd.Series:
        """Residuals: ``"deviance"`` (default), ``"pearson"``, ``"response"`` or ``"working"``."""
        return pd.Series(inference.residuals(self.model, kind), index=self.index, name=f"{kind}_residuals")

    def predict(
        self,
        newdata: Any = None,
        kind: Literal["link", "response"] = "response",
        se: bool = False,
        offset: Any = None,
    ) -> pd.Series | pd.DataFrame:
        """Predictions on the link or response scale, with delta-method standard errors.

        Parameters
        ----------
        newdata : DataFrame or array, optional
            Encoded as the training data was (factor levels, transforms, formula offsets).
            None predicts for the training rows.
        kind : {"response", "link"}
        se : bool, default False
            Also return standard errors (a DataFrame with columns ``fit`` and ``se``).
        offset : array or column name, optional
            The offset for new data where it was given as an array when fitting.

        Returns
        -------
        Series of predictions, or DataFrame with ``fit`` and ``se``.
        """
        if kind not in ("link", "response"):
            from .errors import UnknownNameError

            raise UnknownNameError(f"Unknown prediction kind {kind!r}; valid: 'link', 'response'.")
        if newdata is None:
            design, off, index = self.model.design, self.model.offset, self.index
        else:
            if self.data_spec is None:
                raise InputError("This result keeps no data specification; predict needs newdata encoded as in fit.")
            design, off, index = self.data_spec.encode(newdata, offset)
        kept = self.model.kept
        sub = design if kept.size == design.shape[1] else design.select_columns(kept)
        eta = sub.matvec(self.model.coef[kept]) + off
        link = self.model.family.link
        fit = eta if kind == "link" else link.inverse(eta)
        if not se:
            return pd.Series(fit, index=index, name=kind)
        cov = self.cov.to_numpy()[np.ix_(kept, kept)]
        se_link = np.sqrt(np.maximum(sub.row_quadratic_form(cov), 0.0))
        se_out = se_link if kind == "link" else np.abs(link.inverse_derivative(eta)) * se_link
        return pd.DataFrame({"fit": fit, "se": se_out}, index=index)

    def summary(self) -> "Summary":
        """An R-like summary: coefficient table, dispersion, deviances, AIC, iterations."""
        from ._summary import Summary

        return Summary(self)

    def __repr__(self) -> str:
        fam = self.model.family
        return (
            f"<GLMResult {fam.name}({fam.link.name}) n={self.nobs} rank={self.rank} "
            f"deviance={self.deviance:.6g} converged={self.converged}>"
        )

