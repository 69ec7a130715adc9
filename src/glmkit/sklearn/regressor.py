"""``GLMRegressor``: any glmkit GLM (plain or elastic-net penalised) as a scikit-learn regressor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import RegressorMixin

from ._base import GLMEstimatorBase

__all__ = ["GLMRegressor"]


class GLMRegressor(RegressorMixin, GLMEstimatorBase):
    """A generalized linear model fitted by :func:`glmkit.glm_fit`, as a scikit-learn regressor.

    Parameters
    ----------
    family : str or Family, default "gaussian"
        Any glmkit family (``"poisson"``, ``"gamma"``, ``"tweedie"``, an object such as
        ``gk.NegativeBinomial(theta=2)``, …); see :func:`glmkit.glm`.
    link : str or Link, optional
        Overrides the family's default link.
    alpha : float, default 0.0
        Elastic-net penalty strength; with ``alpha > 0`` the fit is penalised (glmnet's
        scaling: ½·mean deviance + α·(l1_ratio·‖β‖₁ + ½(1 − l1_ratio)·‖β‖²)).
    l1_ratio : float, default 0.0
        0 is ridge, 1 the lasso.
    penalty_factor, lower, upper : scalar, array or mapping, optional
        Per-coefficient penalty factors and box bounds, as in :func:`glmkit.glm_fit`.
    fit_intercept : bool, default True
    solver : str or solver object, default "auto"
    solver_options : mapping, optional
    tol, max_iter : optional
        Solver tolerance and iteration limit (glmkit's defaults when None).
    standardize : bool, default False
        Penalise the standardised columns (coefficients are reported on the original scale).
    n_threads : int, optional
        Cap on BLAS threads.
    unseen : {"error", "nan"}, default "error"
        At prediction, rows of a DataFrame X with a category not seen in ``fit``: refused
        (:class:`~glmkit.errors.UnseenLevelError`), or predicted as NaN.

    Attributes
    ----------
    coef_ : ndarray of shape (n_coef,)
        One coefficient per design column other than the intercept. For a DataFrame with
        categorical or string columns these are glmkit's design columns (numeric columns,
        then one per non-reference level of each factor; every level in a penalised fit),
        named by ``feature_names_out_``; aliased columns get 0 here (NaN in ``result_.coef``).
    intercept_ : float
        0.0 when ``fit_intercept=False``.
    n_iter_ : int
        Solver iterations (a closed-form least-squares solve counts as one).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names of a DataFrame X.
    feature_names_out_ : ndarray of str
        The name of every entry of ``coef_``.
    result_ : GLMResult or PenalizedGLMResult
        The full glmkit result: ``summary()``, ``conf_int()``, ``anova``, residuals, …

    Notes
    -----
    ``fit``, ``predict`` and ``score`` take ``offset`` (and ``fit``/``score``
    ``sample_weight``); inside a Pipeline, ``cross_val_score`` or ``GridSearchCV`` request
    them with scikit-learn's metadata routing, e.g.
    ``GLMRegressor(family="poisson").set_fit_request(offset=True).set_predict_request(offset=True)
    .set_score_request(offset=True)``. A model fitted with an offset needs one to predict.
    ``score`` is D², the fraction of deviance explained: 1 − D(y, μ̂)/D(y, μ̂₀), where the
    null model μ̂₀ is the intercept-only fit with the offset (R's null deviance), weighted
    by ``sample_weight``; on the training data it is 1 − deviance/null deviance of ``result_``.

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.sklearn import GLMRegressor
    >>> X = np.arange(8.0).reshape(-1, 1)
    >>> y = np.array([1, 1, 2, 3, 5, 6, 9, 12])
    >>> model = GLMRegressor(family="poisson").fit(X, y)
    >>> model.coef_.round(4), round(model.intercept_, 4)
    (array([0.3632]), -0.0114)
    >>> model.predict(X[:2]).round(3)
    array([0.989, 1.422])
    """

    def __init__(self, family: Any = "gaussian", link: Any = None, alpha: float = 0.0, l1_ratio: float = 0.0,
                 penalty_factor: Any = None, lower: Any = None, upper: Any = None, fit_intercept: bool = True,
                 solver: Any = "auto", solver_options: Mapping[str, Any] | None = None, tol: float | None = None,
                 max_iter: int | None = None, standardize: bool = False, n_threads: int | None = None,
                 unseen: str = "error") -> None:
        self.family = family
        self.link = link
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.penalty_factor = penalty_factor
        self.lower = lower
        self.upper = upper
        self.fit_intercept = fit_intercept
        self.solver = solver
        self.solver_options = solver_options
        self.tol = tol
        self.max_iter = max_iter
        self.standardize = standardize
        self.n_threads = n_threads
        self.unseen = unseen

    def _family_and_link(self) -> tuple[Any, Any]:
        return self.family, self.link

    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
            offset: ArrayLike | None = None) -> "GLMRegressor":
        """Fit the GLM.

        Parameters
        ----------
        X : array, sparse matrix or DataFrame of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            In the family's domain (e.g. counts ≥ 0 for Poisson).
        sample_weight : array of shape (n_samples,), optional
            Prior weights.
        offset : array of shape (n_samples,), optional
            Added to the linear predictor (e.g. log exposure for a Poisson rate).

        Returns
        -------
        self
        """
        X, y = self._check_X_y(X, y, y_numeric=True)
        self._glm_fit(X, y, sample_weight, offset, self.alpha)
        return self

    def predict(self, X: Any, offset: ArrayLike | None = None) -> NDArray[np.floating]:
        """The fitted mean μ = g⁻¹(Xβ + offset) (response scale), shape (n_samples,)."""
        return self._mean(X, offset)

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
              offset: ArrayLike | None = None) -> float:
        """D², the fraction of deviance explained (1 is a perfect fit; see Notes of the class)."""
        return self._d2(X, y, sample_weight, offset)
