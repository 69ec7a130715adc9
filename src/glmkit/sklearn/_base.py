"""What every glmkit estimator shares: checking inputs as scikit-learn does, fitting, scoring.

Design note
-----------
scikit-learn's own checks come first (``validate_data``: shapes, NaN/inf, sparse formats,
feature names, ``n_features_in_``; ``check_is_fitted``), so that odd inputs fail the way
scikit-learn users and ``check_estimator`` expect; glmkit's checks (the family's domain of
y, weights, offset) then run inside :func:`glmkit.glm_fit` and keep their messages. A
pandas DataFrame with categorical or string columns is handed to glmkit as it is (its
factors are encoded by glmkit, one coefficient per design column); any other input is
converted to a float array (or CSR/CSC matrix) first.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.base import BaseEstimator
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted, validate_data

from ..intake.frames import as_frame, is_factor
from ..errors import InputError
from ..families import get_family
from ..fit.null import null_deviance
from ..problem import problem_from_arrays

__all__ = ["GLMEstimatorBase", "has_factor_columns"]

Array = NDArray[np.floating]


def has_factor_columns(X: Any) -> bool:
    """True for a DataFrame (of any kind glmkit reads) with a factor column: categorical, Enum,
    object or string (glmkit's factors, which go to glmkit unchanged).

    Examples
    --------
    >>> import pandas as pd
    >>> has_factor_columns(pd.DataFrame({"x": [1.0], "g": pd.Categorical(["a"])}))
    True
    >>> has_factor_columns(pd.DataFrame({"x": [1.0]}))
    False
    """
    if isinstance(X, pd.DataFrame):
        return any(not (pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)) for t in X.dtypes)
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return False
    frame = as_frame(X)  # polars, pyarrow, …: narwhals reads the schema
    return frame is not None and any(is_factor(frame, c) for c in frame.columns)


def _vector(values: Any, name: str, n: int) -> Array | None:
    if values is None:
        return None
    v = check_array(values, ensure_2d=False, dtype=np.float64, input_name=name)
    if v.ndim != 1 or v.shape[0] != n:
        raise InputError(f"{name} must have one value per row of X ({n}); got shape {v.shape}.")
    return v


class GLMEstimatorBase(BaseEstimator):
    """Input checks, the fit through :func:`glmkit.glm_fit`, the linear predictor and D².

    Subclasses define ``__init__`` (their parameters), ``_family_and_link()`` and how
    ``fit`` turns y into the response.
    """

    # -- inputs ---------------------------------------------------------------------------
    def _check_X(self, X: Any, reset: bool) -> Any:
        if has_factor_columns(X):
            validate_data(self, X, skip_check_array=True, reset=reset)
            if X.shape[0] == 0:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
            return X
        return validate_data(self, X, reset=reset, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32))

    def _check_X_y(self, X: Any, y: Any, y_numeric: bool) -> tuple[Any, Any]:
        if has_factor_columns(X):
            if y is None:
                raise ValueError(f"This {type(self).__name__} estimator requires y to be passed, but the target y "
                                 "is None.")
            X = self._check_X(X, reset=True)
            y = check_array(y, ensure_2d=False, dtype="numeric" if y_numeric else None, input_name="y")
            if y.ndim != 1 or y.shape[0] != X.shape[0]:
                raise InputError(f"y must have one value per row of X ({X.shape[0]}); got shape {y.shape}.")
            return X, y
        return validate_data(self, X, y, accept_sparse=("csr", "csc"), dtype=(np.float64, np.float32),
                             y_numeric=y_numeric)

    def _feature_names(self, X: Any) -> list[str] | None:
        if has_factor_columns(X) or not hasattr(self, "feature_names_in_"):
            return None
        return [str(c) for c in self.feature_names_in_]

    # -- the fit ----------------------------------------------------------------------------
    def _glm_fit(self, X: Any, y: Array, sample_weight: Any, offset: Any, alpha: float) -> Any:
        """Fit through glmkit and set ``result_``, ``coef_``, ``intercept_``, ``n_iter_``."""
        from ..api import glm_fit

        n = X.shape[0]
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X, dtype=np.float64)
        family, link = self._family_and_link()
        result = glm_fit(
            X, y, family, link=link, intercept=self.fit_intercept, weights=weights, offset=_vector(offset, "offset", n),
            solver=self.solver, solver_options=self.solver_options, tol=self.tol, max_iter=self.max_iter,
            feature_names=self._feature_names(X), alpha=alpha, l1_ratio=self.l1_ratio,
            penalty_factor=self.penalty_factor, lower=self.lower, upper=self.upper, standardize=self.standardize,
            n_threads=self.n_threads)
        self._set_result(result)
        return result

    def _set_result(self, result: Any) -> None:
        coef = np.asarray(result.coef, dtype=float)
        i = result.problem.intercept_index
        self.result_ = result
        self.intercept_ = float(coef[i]) if i is not None else 0.0
        self.coef_ = np.nan_to_num(np.delete(coef, i) if i is not None else coef, nan=0.0)  # aliased: 0
        self.feature_names_out_ = np.array([nm for j, nm in enumerate(result.names) if j != i], dtype=object)
        # A closed-form (weighted least squares) solve is reported as one iteration.
        self.n_iter_ = max(int(result.n_iter), 1)

    # -- predictions and scores -------------------------------------------------------------
    def _linear_predictor(self, X: Any, offset: Any) -> Array:
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        offset = _vector(offset, "offset", X.shape[0])
        return np.asarray(self.result_.predict(X, kind="link", offset=offset, unseen=self.unseen), dtype=float)

    def _mean(self, X: Any, offset: Any) -> Array:
        eta = self._linear_predictor(X, offset)  # checks first that the model is fitted
        return np.asarray(self.result_.family.link.inverse(eta), dtype=float)

    def _d2(self, X: Any, y: Any, sample_weight: Any, offset: Any) -> float:
        """D²: 1 − deviance / null deviance on (X, y), the null model with the offset (as R's)."""
        mu = self._mean(X, offset)
        y = np.asarray(check_array(y, ensure_2d=False, dtype=np.float64, input_name="y"), dtype=float)
        n = mu.shape[0]
        w = np.ones(n) if sample_weight is None else _check_sample_weight(sample_weight, np.empty((n, 0)))
        family = self.result_.family
        null = problem_from_arrays(np.empty((n, 0)), y, family, intercept=self.fit_intercept, weights=w,
                                   offset=_vector(offset, "offset", n))
        dev0 = null_deviance(null)
        dev = family.deviance(null.y, mu, null.weights)
        if dev0 <= 0:  # y constant (and predicted exactly, or not): scikit-learn's r2_score convention
            return 1.0 if dev <= 0 else 0.0
        return float(1.0 - dev / dev0)

    def _declared_family(self) -> Any:
        family, link = self._family_and_link()
        try:
            return get_family(family, link)
        except (ValueError, TypeError):  # an invalid setting is reported by fit, not by the tags
            return None

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.categorical = True
        family = self._declared_family()
        if family is not None:
            tags.target_tags.positive_only = bool(family.y_domain.low >= 0)
        return tags
