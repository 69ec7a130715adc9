"""GLMResult: the frozen, user-facing result of a fit.

Everything beyond the numerical core (``FittedModel``) is computed on first access by
``inference/`` and cached; nothing on the result can be changed after the fit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
import warnings
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..design.dask import is_dask_collection
from .. import inference
from ..errors import InputError, UnknownNameError
from ..fit import FittedModel
from ..inference.residuals import ResidualKind
from ..intake.specs import DataSpec
from .call import FitCall, update_fit
from .columns import TableColumn
from .diagnostics import Diagnostics
from .portable import PortableResult
from .summary import Summary
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["GLMResult"]

Array = NDArray[np.floating]


@dataclass(frozen=True, eq=False)
class GLMResult(PortableResult, Diagnostics, TableColumn):
    """A fitted generalized linear model.

    Attributes
    ----------
    model : FittedModel
        The numerical core (the problem fitted, coefficients, information matrix).
    dispersion_override : float, "pearson" or None
        A dispersion fixed by the user (as R's ``summary(fit, dispersion = ...)``), or
        ``"pearson"``: estimated by Pearson's X²/df_resid whatever the family (t and F tests).

    The problem's ``names`` (one per coefficient), ``data_spec`` (how ``predict`` encodes
    new data), ``formula``, ``n_dropped`` (rows dropped for missing values), ``index`` (row
    labels of the data used) and ``data`` (the data of a formula fit, by reference: ``add1``
    evaluates new terms on it and ``cluster="column"`` reads labels from it) are
    properties of the result.

    A pickle of the result, and a model file (:meth:`save`), hold no training data: see
    :meth:`keep_data` and :meth:`without_data`.

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
    dispersion_override: float | str | None = None

    # -- the problem fitted -----------------------------------------------------------------
    @property
    def problem(self):  # type: ignore[no-untyped-def]
        """The validated problem that was fitted (design, y, weights, offset, family)."""
        return self.model.problem

    @property
    def names(self) -> list[str]:
        """Coefficient names, one per design column."""
        return self.model.problem.names

    @property
    def data_spec(self) -> DataSpec | None:
        """How ``predict`` encodes new data (factor levels, transforms, column order); None for arrays."""
        return self.model.problem.data_spec

    @property
    def formula(self) -> str | None:
        """The model formula, or None for a fit from arrays."""
        return self.model.problem.formula

    @property
    def n_dropped(self) -> int:
        """Rows dropped for missing values before the fit."""
        return self.model.problem.n_dropped

    @property
    def index(self) -> pd.Index:
        """Row labels of the data used (the rows kept after missing values were dropped)."""
        return self.model.problem.index

    @property
    def data(self) -> Any:
        """The data of a formula fit, by reference (``add1`` and ``cluster=`` read it); None otherwise."""
        return self.model.problem.data

    # -- the family and the fit ----------------------------------------------------------
    @property
    def family(self):  # type: ignore[no-untyped-def]
        """The family (with its link)."""
        return self.model.family

    @property
    def link(self):  # type: ignore[no-untyped-def]
        """The link function (the family's)."""
        return self.model.family.link

    @property
    def n_iter(self) -> int:
        """Iterations the solver ran."""
        return self.model.n_iter

    @property
    def converged(self) -> bool:
        """Whether the solver met its tolerance."""
        return self.model.converged

    @property
    def history(self):  # type: ignore[no-untyped-def]
        """Per-iteration records (loss, gradient norm, step) when the solver recorded them."""
        return self.model.history

    @property
    def deviance(self) -> float:
        """Residual deviance, Σ wᵢ d(yᵢ, μ̂ᵢ) (R's ``deviance``)."""
        return self.model.deviance

    @property
    def null_deviance(self) -> float:
        """Deviance of the model with the intercept (and offset) only."""
        return self.model.null_deviance

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom, n_obs − rank."""
        return self.model.df_resid

    @property
    def df_null(self) -> int:
        """Degrees of freedom of the null model, n_obs − 1 with an intercept (else n_obs)."""
        return self.model.df_null

    @property
    def rank(self) -> int:
        """Number of estimable coefficients (columns not aliased)."""
        return self.model.rank

    @property
    def n_obs(self) -> int:
        """Rows with positive weight (R's ``nobs``)."""
        return self.model.n_obs

    @property
    def nobs(self) -> int:
        """Deprecated spelling of :attr:`n_obs`."""
        warnings.warn("nobs is deprecated; use n_obs.", DeprecationWarning, stacklevel=2)
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
        """Whether φ was estimated (then t tests and intervals use df_resid)."""
        return self._dispersion[1]

    @cached_property
    def cov(self) -> pd.DataFrame:
        """φ (XᵀWX)⁻¹, NaN rows/columns for aliased coefficients."""
        return pd.DataFrame(inference.model_covariance(self.model, self.dispersion), index=self.names, columns=self.names)

    @cached_property
    def std_err(self) -> pd.Series:
        """Standard errors √diag(cov), NaN for aliased coefficients."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.names, name="std_err")

    @cached_property
    def statistic(self) -> pd.Series:
        """z (dispersion fixed) or t (dispersion estimated) values."""
        return pd.Series(inference.wald_statistic(self.model.coef, self.std_err.to_numpy()), index=self.names,
                         name="t" if self.dispersion_is_estimated else "z")

    @cached_property
    def p_values(self) -> pd.Series:
        """Two-sided Wald p-values (t with df_resid when φ is estimated, else normal)."""
        return pd.Series(
            inference.wald_p_values(self.statistic.to_numpy(), self.dispersion_is_estimated, self.df_resid),
            index=self.names, name="p_value",
        )

    def conf_int(
        self,
        level: float = 0.95,
        method: Literal["wald", "profile"] = "wald",
        cov: Any = None,
        cluster: Any = None,
    ) -> pd.DataFrame:
        """Confidence intervals for the coefficients.

        Parameters
        ----------
        level : float, default 0.95
        method : {"wald", "profile"}
            ``"wald"``: β̂ ± z·SE with normal quantiles, as R's ``confint.default``.
            ``"profile"``: profile-likelihood intervals, as ``MASS::confint.glm`` but with
            the end points solved exactly (see :mod:`glmkit.inference.profile`).
        cov : {"HC0", "HC1", "HC2", "HC3", "CR0", "CR1"} or DataFrame, optional
            Wald intervals with a robust (or any given) covariance instead of the model one.
        cluster : column name or array, optional
            Cluster labels for ``cov="CR0"``/``"CR1"``.

        Returns
        -------
        DataFrame with columns ``lower`` and ``upper``, one row per coefficient.

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.conf_int().loc["wool[T.B]"].round(3).tolist()
        [-0.307, -0.105]
        """
        if method not in ("wald", "profile"):
            raise UnknownNameError(f"Unknown interval method {method!r}; valid: 'wald', 'profile'.")
        if method == "profile":
            if cov is not None or cluster is not None:
                raise InputError("Profile-likelihood intervals use the likelihood, not a covariance; drop cov=/cluster=.")
            from ..inference.profile import profile_intervals

            lo, hi = profile_intervals(self.model, self.dispersion, level, self.names)
            return pd.DataFrame({"lower": lo, "upper": hi}, index=self.names)
        se = self.std_err.to_numpy() if cov is None and cluster is None else self._robust_std_err(cov, cluster)
        lo, hi = inference.wald_intervals(self.model.coef, se, level)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.names)

    # -- likelihood ------------------------------------------------------------------------
    @cached_property
    def loglik(self) -> float:
        """R's ``logLik`` (NaN for quasi-families)."""
        return inference.loglik(self.model)

    @cached_property
    def aic(self) -> float:
        """Akaike's criterion −2 log L + 2k, as R's ``AIC`` (k counts φ where the family estimates it)."""
        return inference.aic(self.model)

    @cached_property
    def bic(self) -> float:
        """Bayesian criterion −2 log L + k log n_obs, as R's ``BIC``."""
        return inference.bic(self.model)

    def extract_aic(self, k: float = 2.0) -> tuple[float, float]:
        """(edf, AIC with penalty ``k`` per parameter), as R's ``extractAIC``: what ``step`` compares.

        edf = rows − residual degrees of freedom; the criterion is ``aic + (k − 2)·edf``
        (``k = log(n)``: BIC on R's scale).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> edf, aic = fit.extract_aic()
        >>> edf, bool(np.isclose(aic, fit.aic))
        (4.0, True)
        """
        edf = float(self.model.problem.n_samples - self.df_resid)
        return edf, float(self.aic) + (k - 2.0) * edf

    # -- fitted values, residuals, prediction ------------------------------------------------
    @property
    def fitted(self) -> pd.Series:
        """μ̂ for the rows used (a lazy Dask array, chunked as the data, for a fit on Dask data)."""
        return _per_row(self.model.mu, self.index, "fitted")

    @property
    def linear_predictor(self) -> pd.Series:
        """η̂ = Xβ̂ + offset."""
        return _per_row(self.model.eta, self.index, "linear_predictor")

    def residuals(self, kind: ResidualKind = "deviance") -> pd.Series:
        """Residuals: ``"deviance"`` (default), ``"pearson"``, ``"response"`` or ``"working"``.

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.residuals("pearson").head(2).round(4).tolist()
        [-2.2297, -1.5982]
        """
        return _per_row(inference.residuals(self.model, kind), self.index, f"{kind}_residuals")

    def predict(
        self,
        newdata: Any = None,
        kind: Literal["link", "response"] = "response",
        se: bool = False,
        offset: Any = None,
        interval: Literal["confidence", "prediction"] | None = None,
        level: float = 0.95,
        *,
        weights: Any = None,
        trials: Any = None,
        n_draws: int = 4000,
        seed: int | None = 0,
        unseen: Literal["error", "nan"] = "error",
    ) -> Any:
        """Predictions on the link or response scale, with delta-method standard errors and intervals.

        Parameters
        ----------
        newdata : DataFrame of any kind (pandas, polars, pyarrow, …) or array, optional
            Encoded as the training data was (factor levels, transforms, formula offsets).
            None predicts for the training rows.
        kind : {"response", "link"}
        se : bool, default False
            Also return standard errors (a DataFrame with columns ``fit`` and ``se``).
        offset : array or column name, optional
            The offset for new data where it was given as an array when fitting.
        interval : {"confidence", "prediction"}, optional
            ``"confidence"``: limits for the mean (η̂ ± q·SE on the link scale, mapped by the
            inverse link). ``"prediction"``: limits for a new observation, from the predictive
            distribution simulated with the estimator's normal approximation and the family's
            outcome distribution (response scale only); see
            :mod:`glmkit.inference.prediction`. Adds columns ``lower`` and ``upper``.
        level : float, default 0.95
        weights : array or column name, optional
            Prior weights of the new observations (prediction intervals; default 1).
        trials : array or column name, optional
            Binomial trials of the new observations (prediction intervals; default 1). The
            limits are proportions, like the binomial response.
        n_draws : int, default 4000
            Simulation size for prediction intervals.
        seed : int or None, default 0
            Seed of the simulation (fixed by default, so results are reproducible).
        unseen : {"error", "nan"}, default "error"
            Rows of ``newdata`` with a factor level not seen when fitting: refused with an
            :class:`~glmkit.errors.UnseenLevelError` naming the levels, or predicted as NaN
            (every column) while the other rows are predicted as usual.

        Returns
        -------
        Series of predictions, or DataFrame with ``fit`` (and ``se``, ``lower``, ``upper``), in
        the kind of ``newdata`` (a polars Series for polars, a pyarrow ChunkedArray/Table for
        pyarrow; pandas for pandas and arrays), or of the training data when it is None.

        Examples
        --------
        >>> import numpy as np, glmkit as gk
        >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
        >>> fit.predict(np.array([[6.0]]), se=True).columns.tolist()
        ['fit', 'se']
        """
        from .predict import predict

        return predict(self, newdata, kind, se, offset, interval, level, weights=weights, trials=trials,
                       n_draws=n_draws, seed=seed, unseen=unseen)

    # -- how it was fitted, and fitted again ------------------------------------------------
    @property
    def call(self) -> FitCall | None:
        """The entry point and arguments that made this fit (R's ``fit$call``); None when
        not recorded (a result loaded from a model file)."""
        return self.__dict__.get("_call")

    def update(self, formula: str | None = None, /, **changes: Any) -> Any:
        """Fit again with the formula updated and arguments changed, as R's ``update()``.

        Parameters
        ----------
        formula : str, optional
            A change of formula read as R's ``update.formula``: ``.`` on the right stands
            for the fit's terms and on the left for its response, e.g. ``". ~ . - x + z"``,
            ``"~ . + x:z"``, ``"np.log(.) ~ ."``, ``"~ .^2"``; a formula without ``.``
            replaces the right-hand side. Offsets are kept (as in R, ``- offset(...)``
            does not remove one). Not for fits from arrays.
        **changes
            Any argument of the function that made the fit (``family=``, ``link=``,
            ``weights=``, ``offset=``, ``data=``, ``solver=``, …; for ``glm_fit`` also
            ``X=``, ``y=``); ``None`` restores a default. An unknown name is a ``TypeError``.

        Returns
        -------
        GLMResult
            A new fit, through the same entry point (``glm``, ``glm_fit``, ``glm_nb``).

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.update(". ~ . - wool").formula
        'breaks ~ tension'
        >>> fit.update("~ . + wool:tension", family="quasipoisson").family.name
        'quasipoisson'
        """
        return update_fit(self, formula, changes)

    def fixef(self) -> dict[str, pd.Series]:
        """The estimated effects of the absorbed factors, one Series per factor (see
        :func:`glmkit.results.fixef.fixef`).

        Examples
        --------
        >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 5, 9], "x": [0.0, 1, 2, 0, 1, 2], "g": list("aaabbb")})
        >>> gk.glm("y ~ x | g", df, "poisson").fixef()["g"].round(4).tolist()
        [0.1374, 1.0247]
        """
        from .fixef import fixef
        return fixef(self)

    def summary_notes(self) -> list[str]:
        """Lines the summary prints after the AIC (θ for a negative binomial fit; the absorbed factors).

        >>> gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson").summary_notes()
        []
        """
        factors = self.model.problem.design.absorbed if self.holds_training_data else None
        if factors is None:  # (a model file keeps no absorbed factors)
            return []
        sizes = ", ".join(f"{name} ({g:,} levels)" for name, g in zip(factors.names, factors.n_levels))
        return [f"Absorbed factors: {sizes}; {self.model.problem.design.absorbed_parameters:,} parameters."]

    def summary(self, cov: Any = None, cluster: Any = None) -> "Summary":
        """An R-like summary: coefficient table, dispersion, deviances, AIC, iterations.

        Parameters
        ----------
        cov : {"HC0", "HC1", "HC2", "HC3", "CR0", "CR1"} or DataFrame, optional
            Use robust standard errors (z tests, as ``lmtest::coeftest`` for a glm).
        cluster : column name or array, optional
            Cluster labels for a cluster-robust covariance.

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> print(fit.summary())  # doctest: +ELLIPSIS +NORMALIZE_WHITESPACE
        Call:
        glm(formula = breaks ~ wool + tension, family = poisson(link = "log"))
        ...
        Residual deviance: 210.39  on 50  degrees of freedom
        ...
        """
        if cov is None and cluster is None:
            return Summary(self)
        label = cov if isinstance(cov, str) else ("CR0" if cov is None else "user-supplied")
        return Summary(self, std_err=self._robust_std_err(cov, cluster), cov_label=label)

    def __repr__(self) -> str:
        fam = self.model.family
        return (
            f"<GLMResult {fam.name}({fam.link.name}) n={self.n_obs} rank={self.rank} "
            f"deviance={self.deviance:.6g} converged={self.converged}>"
        )


def _per_row(values: Any, index: pd.Index, name: str) -> Any:
    """A per-row result as a pandas Series, or as it is (lazy, chunked as the data) when Dask holds it."""
    if is_dask_collection(values):
        return values
    return pd.Series(values, index=index, name=name)
