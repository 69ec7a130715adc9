"""The result of a penalised fit, and why classical inference is refused for it.

Design note
-----------
A lasso or elastic-net estimate is biased and its support was chosen by the data, so
(XᵀWX)⁻¹-based standard errors, Wald intervals and p-values are refused with an
explanation (:class:`~glmkit.errors.InferenceError`). For ridge the sandwich covariance of
the estimator at fixed α is given — what it means is in :class:`PenalizedGLMResult`'s
notes — but intervals and tests centred on a biased estimate are refused too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from .. import inference
from ..errors import InferenceError, InputError, UnknownNameError
from ..families import Family
from ..penalties import ElasticNet
from ..objective import Objective
from ..problem import Problem
from ..results.columns import TableColumn, family_label
from ..results.stored import StoredProblem
from ..solvers import CoordinateDescent
from .setup import PenaltySetup

if TYPE_CHECKING:  # pandas is imported where a table is built
    import pandas as pd

__all__ = ["PenalizedGLMResult", "build_result", "half_deviance_of"]

Array = NDArray[np.floating]


_L1_REFUSAL = (
    "{what} is not available for an L1-penalised fit (alpha={alpha:g}, l1_ratio={l1_ratio:g}). "
    "The lasso/elastic-net estimate is biased towards 0 and its set of non-zero coefficients was "
    "chosen by the data, so it is not approximately normal around the true value and the usual "
    "(XᵀWX)⁻¹ standard errors, Wald intervals and p-values would be wrong — typically far too "
    "optimistic. Options: fit the selected model on independent data (sample splitting) with "
    "gk.glm/gk.glm_fit; use a selective-inference method; or use the bootstrap for the "
    "variability of the penalised estimate itself (not a confidence interval for the truth)."
)
_RIDGE_REFUSAL = (
    "{what} is not available for a ridge fit (alpha={alpha:g}): the ridge estimate is biased, "
    "so a Wald interval or test centred on it does not have its nominal coverage or size. "
    "fit.std_err and fit.cov give the sampling variability of the ridge estimate itself "
    "(sandwich form); for inference on the coefficients refit without penalty."
)
_BOUND_REFUSAL = (
    "{what} is not available: coefficients {names} lie on their bounds, where the estimate is "
    "not approximately normal (the Wald approximation needs an interior solution)."
)
_RELAX_REFUSAL = (
    "{what} is not available for a relaxed fit: its columns were selected by the lasso on the "
    "same data, so classical standard errors and p-values ignore the selection and are too "
    "optimistic. Refit the selected columns on independent data with gk.glm/gk.glm_fit."
)


@dataclass(frozen=True, eq=False)
class PenalizedGLMResult(TableColumn):
    """A fitted penalised GLM.

    Attributes
    ----------
    problem : Problem
        The data the model was fitted on (held by reference, not copied).
    coef_array : ndarray of shape (n_features,)
        Coefficients on the original scale, intercept included.
    eta, mu : ndarray of shape (n_samples,)
    penalty : ElasticNet
        α, l1_ratio, factors and bounds as given.
    setup : PenaltySetup
    deviance, null_deviance : float
        Σ wᵢ dᵢ at the fit and for the intercept-only model (with offset).
    objective : float
        ½ mean deviance + penalty at the fit.
    kkt : float
        Relative KKT violation reached by the solver.
    n_iter : int
    converged : bool
    message : str
    relaxed : bool
        True for the unpenalised refit on a lasso's active set.
    dispersion_override : float or None
        A dispersion fixed by the user (``dispersion=``), used by the ridge covariance.

    Notes
    -----
    Inference: for any fit with an L1 part (α > 0, l1_ratio > 0), ``std_err``, ``cov``,
    ``conf_int`` and ``p_values`` raise :class:`~glmkit.errors.InferenceError` with an
    explanation. For ridge, ``cov`` is the sandwich covariance of the ridge estimator at
    fixed α, φ·(H + Λ)⁻¹ H (H + Λ)⁻¹ with H = XᵀWX (Fisher information) and Λ the penalty's
    Hessian (Σw·α·pf·s²): it describes how much β̂_ridge varies from sample to sample, *not*
    the distance to the true β (the estimator is biased), so ``conf_int`` and ``p_values``
    are refused. φ is 1 for binomial/Poisson, else the Pearson χ² over n − tr(H(H + Λ)⁻¹).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> rng = np.random.default_rng(1)
    >>> X = rng.normal(size=(300, 4))
    >>> y = rng.poisson(np.exp(0.5 + X @ [0.4, 0.0, 0.0, -0.3]))
    >>> fit = gk.glm_fit(X, y, family="poisson", alpha=0.05, l1_ratio=1.0)
    >>> fit.active, fit.converged
    (['x1', 'x3', 'x4'], True)
    """

    problem: Problem
    coef_array: Array
    eta: Array
    mu: Array
    penalty: ElasticNet
    setup: PenaltySetup
    deviance: float
    null_deviance: float
    objective: float
    kkt: float
    n_iter: int
    converged: bool
    message: str = ""
    relaxed: bool = False
    dispersion_override: float | str | None = None

    # -- coefficients and fit statistics --------------------------------------------------
    @property
    def names(self) -> list[str]:
        """Coefficient names, one per design column."""
        return self.problem.names

    @cached_property
    def coef(self) -> pd.Series:
        """Coefficients on the original scale, named by column."""
        import pandas as pd
        return pd.Series(self.coef_array, index=self.names, name="coef")

    @property
    def intercept(self) -> float | None:
        """The intercept's estimate, or None for a model without one."""
        i = self.problem.intercept_index
        return None if i is None else float(self.coef_array[i])

    @property
    def family(self) -> Family:
        """The family (with its link)."""
        return self.problem.family

    @property
    def alpha(self) -> float:
        """The penalty strength α."""
        return self.penalty.alpha

    @property
    def l1_ratio(self) -> float:
        """The elastic-net mixing: 1 lasso, 0 ridge."""
        return self.penalty.l1_ratio

    @property
    def standardize(self) -> bool:
        """Whether the penalty applied to standardised columns (coefficients are reported on the original scale)."""
        return self.setup.standardize

    @property
    def dev_ratio(self) -> float:
        """1 − deviance / null deviance (glmnet's ``dev.ratio``)."""
        return 1.0 - self.deviance / self.null_deviance if self.null_deviance > 0 else float("nan")

    @property
    def df(self) -> int:
        """Non-zero coefficients other than the intercept (glmnet's ``df``)."""
        return int(np.count_nonzero(self.coef_array[self.problem.feature_index]))

    @property
    def active(self) -> list[str]:
        """Names of the non-zero coefficients other than the intercept."""
        return [self.names[j] for j in self.problem.feature_index if self.coef_array[j] != 0]

    @property
    def n_obs(self) -> int:
        """Rows with positive weight (R's ``nobs``)."""
        return self.problem.n_obs

    @property
    def nobs(self) -> int:
        """Deprecated spelling of :attr:`n_obs`."""
        warnings.warn("nobs is deprecated; use n_obs.", DeprecationWarning, stacklevel=2)
        return self.n_obs

    @property
    def fitted(self) -> pd.Series:
        """μ̂ for the rows used."""
        import pandas as pd
        return pd.Series(self.mu, index=self.problem.index, name="fitted")

    @property
    def linear_predictor(self) -> pd.Series:
        """η̂ = Xβ̂ + offset for the rows used."""
        import pandas as pd
        return pd.Series(self.eta, index=self.problem.index, name="linear_predictor")

    def predict(self, newdata: Any = None, kind: Literal["link", "response"] = "response",
                offset: Any = None, *, se: bool = False, unseen: Literal["error", "nan"] = "error") -> Any:
        """Predictions on the link or response scale.

        Parameters
        ----------
        newdata : DataFrame of any kind (pandas, polars, pyarrow, …) or array, optional
            Encoded as the training data (formula terms, factor levels); None predicts the
            training rows.
        kind : {"response", "link"}
        offset : array, optional
            Offset for the new rows where one was given as an array when fitting.
        se : bool, default False
            Also return standard errors from :attr:`cov` (ridge only; refused, with the
            reason, where the fit offers no covariance: an L1 part, active bounds, relaxed).
        unseen : {"error", "nan"}, default "error"
            New factor levels: refused, or those rows predicted as NaN.

        Returns
        -------
        Series of shape (n_rows,), or a DataFrame with ``fit`` and ``se``
            In the kind of ``newdata`` (polars, pyarrow, pandas for arrays), or of the
            training data when it is None.

        Examples
        --------
        >>> df = gk.datasets.load_warpbreaks()
        >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.05, l1_ratio=1.0)
        >>> fit.predict(df.head(2)).round(3).tolist()
        [39.665, 39.665]
        """
        from ..intake.frames import eager, native_frame, native_series, prediction_kind
        from ..intake.unseen import check_unseen, encode_with_policy, scatter_rows

        if kind not in ("link", "response"):
            raise UnknownNameError(f"Unknown prediction kind {kind!r}; valid: 'link', 'response'.")
        check_unseen(unseen)
        if se:
            self._check_inference("prediction standard errors", wald=False)
        newdata = eager(newdata)
        kept = None
        if newdata is None:
            design, eta, index = self.problem.design, self.eta, self.problem.index
        else:
            if self.problem.data_spec is None:
                raise InputError("This result keeps no data specification; predict needs newdata encoded as in fit.")
            design, off, index, kept = encode_with_policy(self.problem.data_spec, newdata, offset, unseen)
            eta = design.matvec(self.coef_array) + off if design is not None else np.zeros(0)
        out = {"fit": eta if kind == "link" else self.family.link.inverse(eta)}
        if se:
            quad = design.row_quadratic_form(self._ridge_cov[0]) if design is not None else np.zeros(0)
            se_link = np.sqrt(np.maximum(quad, 0.0))
            out["se"] = se_link if kind == "link" else np.abs(self.family.link.inverse_derivative(eta)) * se_link
        out = {k: scatter_rows(v, kept, len(index)) for k, v in out.items()}
        out_kind = prediction_kind(newdata, self.problem.frame_kind)
        if not se:
            return native_series(out["fit"], index, kind, out_kind)
        return native_frame(out, index, out_kind)

    # -- relaxed lasso ----------------------------------------------------------------------
    def relax(self) -> "PenalizedGLMResult":
        """The unpenalised refit on this fit's active set (the relaxed lasso, glmnet's gamma = 0).

        Coefficients that are 0 here stay 0; the others (and the intercept) are refitted
        without penalty (bounds kept). Its inference is refused: the columns were selected
        on the same data.

        Examples
        --------
        >>> df = gk.datasets.load_warpbreaks()
        >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.05, l1_ratio=1.0)
        >>> fit.relax().coef.round(3).tolist()  # the ML fit on the active set (all 4 columns here)
        [3.692, -0.206, -0.321, -0.518]
        """
        setup = self.setup.relaxed(self.coef_array, self.problem.intercept_index)
        objective = self.problem.objective()
        pen = setup.at(0.0, self.problem.sum_weights)
        res = CoordinateDescent().solve(objective, pen.project(self.coef_array), pen)
        return build_result(self.problem, setup, replace(self.penalty, alpha=0.0), res, self.null_deviance,
                            objective, relaxed=True, dispersion=self.dispersion_override)

    # -- inference ----------------------------------------------------------------------------
    def _check_inference(self, what: str, wald: bool) -> None:
        if self.relaxed:
            raise InferenceError(_RELAX_REFUSAL.format(what=what))
        if self.alpha > 0 and self.l1_ratio > 0:
            raise InferenceError(_L1_REFUSAL.format(what=what, alpha=self.alpha, l1_ratio=self.l1_ratio))
        unit = self.setup.unit
        on_bound = np.flatnonzero((self.coef_array <= unit.lower) | (self.coef_array >= unit.upper))
        if on_bound.size:
            names = ", ".join(self.names[j] for j in on_bound[:10])
            raise InferenceError(_BOUND_REFUSAL.format(what=what, names=names))
        if wald and self.alpha > 0:
            raise InferenceError(_RIDGE_REFUSAL.format(what=what, alpha=self.alpha))

    @cached_property
    def _ridge_cov(self) -> tuple[Array, float]:
        design = self.problem.design
        h = self.problem.objective().fisher_weights(self.eta)
        H = design.sandwich(h)
        lam = self.setup.unit.l2 * self.alpha * self.problem.sum_weights
        A = H + np.diag(lam)
        Ainv = np.linalg.inv(A)
        edf = float(np.trace(Ainv @ H))
        if self.dispersion_override is not None and self.dispersion_override != "pearson":
            phi = float(self.dispersion_override)
        elif self.family.dispersion_is_fixed and self.dispersion_override is None:
            phi = 1.0
        else:  # Pearson, on the effective residual degrees of freedom n − tr(H(H + Λ)⁻¹)
            p = self.problem
            phi = inference.pearson_dispersion_of(p.family, p.y, self.mu, p.weights, self.n_obs - edf)
        cov = phi * Ainv @ H @ Ainv
        return 0.5 * (cov + cov.T), phi

    @property
    def dispersion(self) -> float:
        """φ of the ridge covariance: the user's value, 1 (binomial, Poisson), or Pearson's on n − edf."""
        self._check_inference("dispersion", wald=False)
        return self._ridge_cov[1]

    @property
    def cov(self) -> pd.DataFrame:
        """Covariance of the estimator (ridge: sandwich form, see Notes); refused with an L1 part."""
        import pandas as pd
        self._check_inference("cov", wald=False)
        return pd.DataFrame(self._ridge_cov[0], index=self.names, columns=self.names)

    @property
    def std_err(self) -> pd.Series:
        """Standard errors of the estimator (ridge: of the biased ridge estimate); refused with an L1 part."""
        import pandas as pd
        self._check_inference("std_err", wald=False)
        return pd.Series(np.sqrt(np.maximum(np.diag(self._ridge_cov[0]), 0.0)), index=self.names, name="std_err")

    @property
    def p_values(self) -> pd.Series:
        """Wald p-values; only for fits without penalty (bounds not active)."""
        import pandas as pd
        self._check_inference("p_values", wald=True)
        se = self.std_err.to_numpy()
        stat = inference.wald_statistic(self.coef_array, se)
        est = self.dispersion_override == "pearson" or (not self.family.dispersion_is_fixed
                                                          and self.dispersion_override is None)
        return pd.Series(inference.wald_p_values(stat, est, self.n_obs - self.problem.n_features),
                         index=self.names, name="p_value")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald intervals; only for fits without penalty (bounds not active).

        >>> df = gk.datasets.load_warpbreaks()
        >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.0, upper=0.0)  # bounds only
        >>> fit.conf_int().loc["wool[T.B]"].round(3).tolist()
        [-0.307, -0.105]
        """
        import pandas as pd
        self._check_inference("conf_int", wald=True)
        lo, hi = inference.wald_intervals(self.coef_array, self.std_err.to_numpy(), level)
        return pd.DataFrame({"lower": lo, "upper": hi}, index=self.names)

    def table_statistics(self) -> dict[str, Any]:
        """The statistics of a regression-table column: N, deviances, α, l1_ratio, nonzero count.

        No AIC/BIC/log-likelihood: a penalised fit is not a maximum-likelihood fit.

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson", alpha=0.1)
        >>> sorted(fit.table_statistics())
        ['N', 'alpha', 'deviance', 'df', 'family', 'l1_ratio', 'null_deviance']
        """
        return {"family": family_label(self.family), "N": int(self.n_obs), "deviance": float(self.deviance), "null_deviance": float(self.null_deviance),
                "alpha": float(self.alpha), "l1_ratio": float(self.l1_ratio), "df": int(self.df)}

    # -- pickles without the training data --------------------------------------------------
    @property
    def holds_training_data(self) -> bool:
        """False for a fit loaded from a model file or unpickled without its data."""
        return not isinstance(self.problem, StoredProblem)

    def without_data(self) -> "PenalizedGLMResult":
        """This fit without the training data: coefficients, predict on new data and summary.

        The fitted values, the ridge covariance and relaxed refits need the data and then
        raise :class:`~glmkit.errors.NoTrainingDataError`. A pickle holds this unless
        :meth:`keep_data` asks otherwise.

        >>> fit = gk.glm_fit(np.arange(12.0).reshape(6, 2), [1, 1, 2, 3, 5, 8], "poisson", alpha=0.1)
        >>> fit.without_data().holds_training_data, bool(fit.without_data().coef.equals(fit.coef))
        (False, True)
        """
        if not self.holds_training_data:
            return self
        return replace(self, problem=StoredProblem.from_problem(self.problem), eta=None, mu=None)

    def keep_data(self, keep: bool = True) -> "PenalizedGLMResult":
        """A copy whose pickle keeps the training data (fitted values, ridge covariance, relaxed refits).

        >>> import pickle
        >>> fit = gk.glm_fit(np.arange(12.0).reshape(6, 2), [1, 1, 2, 3, 5, 8], "poisson", alpha=0.1)
        >>> pickle.loads(pickle.dumps(fit)).holds_training_data
        False
        >>> pickle.loads(pickle.dumps(fit.keep_data())).holds_training_data
        True
        """
        new = replace(self)
        new.__dict__["_keep_data"] = bool(keep)
        return new

    def __getstate__(self) -> dict[str, Any]:
        source = self if self.__dict__.get("_keep_data") else self.without_data()
        return {k: v for k, v in source.__dict__.items() if k != "_ridge_cov"}

    def save(self, path: Any) -> None:
        """Write a model file (see ``docs/model-files.md`` and :func:`glmkit.load`): predict and summary.

        Examples
        --------
        >>> import os, tempfile
        >>> df = gk.datasets.load_warpbreaks()
        >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.05, l1_ratio=1.0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> fit.save(path)
        >>> bool(gk.load(path).predict(df).equals(fit.predict(df)))
        True
        """
        from ..persist import write_model_file
        from .stored import encode_penalized

        write_model_file(path, "PenalizedGLMResult", encode_penalized(self))

    # -- display ------------------------------------------------------------------------------
    def summary(self) -> str:
        """A short text summary: the penalty, the coefficients, deviances and convergence.

        >>> df = gk.datasets.load_warpbreaks()
        >>> fit = gk.glm("breaks ~ wool + tension", df, family="poisson", alpha=0.05, l1_ratio=1.0)
        >>> print(fit.summary())  # doctest: +ELLIPSIS
        Penalised GLM: poisson(log), n = 54
        alpha = 0.05, l1_ratio = 1, standardize = False
        ...
        """
        fam = self.family
        lines = [
            f"Penalised GLM: {fam.name}({fam.link.name}), n = {self.n_obs}",
            f"alpha = {self.alpha:.6g}, l1_ratio = {self.l1_ratio:g}, standardize = {self.standardize}"
            + (" (relaxed refit)" if self.relaxed else ""),
            "",
            self.coef.to_frame().to_string(float_format=lambda v: f"{v: .6g}"),
            "",
            f"Deviance: {self.deviance:.6g} (null {self.null_deviance:.6g}); dev_ratio = {self.dev_ratio:.4f}; "
            f"df = {self.df}",
            f"Objective (½ mean deviance + penalty): {self.objective:.10g}",
            f"Iterations: {self.n_iter}; converged: {self.converged} (KKT {self.kkt:.2g})",
        ]
        return "\n".join(lines)

    def __repr__(self) -> str:
        fam = self.family
        return (f"<PenalizedGLMResult {fam.name}({fam.link.name}) n={self.n_obs} alpha={self.alpha:.4g} "
                f"l1_ratio={self.l1_ratio:g} df={self.df} deviance={self.deviance:.6g} "
                f"converged={self.converged}>")


def half_deviance_of(state: Any, coef: Array) -> float | None:
    """f (the loss, ½ deviance) a solver recorded at ``coef``, else None."""
    value = None if state is None else state.value
    if value is None or not np.isfinite(value) or not np.array_equal(state.coef, coef):
        return None
    return float(value)


def build_result(problem: Problem, setup: PenaltySetup, penalty: ElasticNet, res: Any, null_dev: float,
                 objective: Objective | None = None, relaxed: bool = False,
                 dispersion: float | str | None = None) -> PenalizedGLMResult:
    """The result of a penalised solve (the deviance from the solver's loss where it has it)."""
    objective = objective or problem.objective()
    coef = np.asarray(res.coef, dtype=float)
    state = res.state
    eta = state.current_eta(objective.design) if state is not None and np.array_equal(state.coef, coef) \
        else objective.eta(coef)
    fam = problem.family
    mu = fam.link.inverse(eta)
    half = half_deviance_of(state, coef)
    dev = 2.0 * half if half is not None else fam.deviance(problem.y, mu, problem.weights)
    objective_value = 0.5 * dev / problem.sum_weights + setup.normalised(penalty.alpha).value(coef)
    return PenalizedGLMResult(
        problem=problem, coef_array=coef, eta=eta, mu=mu, penalty=penalty, setup=setup,
        deviance=dev, null_deviance=float(null_dev), objective=float(objective_value),
        kkt=float(res.kkt), n_iter=int(res.n_iter), converged=bool(res.converged),
        message=str(res.message), relaxed=relaxed, dispersion_override=dispersion,
    )
