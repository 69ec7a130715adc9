"""``GLMClassifier``: a binomial GLM with any binomial link as a scikit-learn binary classifier."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight

from ..errors import InputError, UnseenLevelError
from ._base import GLMEstimatorBase

__all__ = ["GLMClassifier", "ClassifierMethods", "encode_binary"]


def encode_binary(estimator: Any, y: Any, sample_weight: Any, n: int) -> NDArray[np.floating]:
    """Set ``classes_`` and return y as 0.0/1.0 (1 for the second class in sorted order).

    Refuses (with a message naming the classes) anything but two classes with positive weight.
    """
    check_classification_targets(y)
    classes, codes = np.unique(y, return_inverse=True)
    weighted = classes
    if sample_weight is not None:
        w = _check_sample_weight(sample_weight, np.empty((n, 0)))
        weighted = classes[np.bincount(codes, weights=w, minlength=classes.size) > 0]
    if classes.size != 2 or weighted.size != 2:
        shown = ", ".join(repr(c) for c in weighted[:10])
        raise InputError(
            f"Only binary classification is supported: {type(estimator).__name__} fits a binomial GLM and needs "
            f"exactly 2 classes with positive weight; y has {weighted.size} class(es): {shown}. For more classes fit one model per "
            "class (sklearn.multiclass.OneVsRestClassifier) or use a multinomial model."
        )
    estimator.classes_ = classes
    return codes.astype(np.float64)


class ClassifierMethods(ClassifierMixin):
    """``predict_proba``, ``predict``, ``decision_function`` and accuracy from a fitted binomial GLM."""

    def predict_proba(self, X: Any, offset: ArrayLike | None = None) -> NDArray[np.floating]:
        """Probabilities of ``classes_[0]`` and ``classes_[1]``, shape (n_samples, 2)."""
        p = self._mean(X, offset)  # type: ignore[attr-defined]
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X: Any, offset: ArrayLike | None = None) -> NDArray[np.floating]:
        """Logarithms of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X, offset))

    def decision_function(self, X: Any, offset: ArrayLike | None = None) -> NDArray[np.floating]:
        """The log-odds of ``classes_[1]``, log(p/(1 − p)), shape (n_samples,).

        For the logit link it is the linear predictor Xβ + offset; for other links the
        log-odds of the fitted probability (±inf where p is 0 or 1 in floating point), so
        that its sign gives the prediction for every link.
        """
        eta = self._linear_predictor(X, offset)  # type: ignore[attr-defined]
        link = self.result_.family.link  # type: ignore[attr-defined]
        if link.name == "logit":
            return eta
        p = link.inverse(eta)
        with np.errstate(divide="ignore"):
            return np.log(p) - np.log1p(-p)

    def predict(self, X: Any, offset: ArrayLike | None = None) -> NDArray[Any]:
        """The class with fitted probability above 0.5, shape (n_samples,)."""
        p = self._mean(X, offset)  # type: ignore[attr-defined]
        if np.any(np.isnan(p)):
            raise UnseenLevelError(f"{int(np.isnan(p).sum())} row(s) have a category not seen in fit, so no "
                                   "class; predict_proba gives NaN for them (unseen='nan').")
        return self.classes_[(p > 0.5).astype(int)]  # type: ignore[attr-defined]

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
              offset: ArrayLike | None = None) -> float:
        """Accuracy (weighted by ``sample_weight``)."""
        return float(accuracy_score(y, self.predict(X, offset), sample_weight=sample_weight))

    def __sklearn_tags__(self):  # type: ignore[no-untyped-def]
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        tags.target_tags.positive_only = False  # labels, not a response in the family's domain
        return tags


class GLMClassifier(ClassifierMethods, GLMEstimatorBase):
    """A binomial GLM (logistic regression and its relatives) as a scikit-learn classifier.

    Parameters
    ----------
    link : {"logit", "probit", "cloglog", "cauchit", "loglog", "log"} or Link, default "logit"
        Any link the binomial family allows.
    alpha, l1_ratio, penalty_factor, lower, upper, fit_intercept, solver, solver_options, tol,
    max_iter, standardize, n_threads, unseen :
        As in :class:`~glmkit.sklearn.GLMRegressor` (with ``unseen="nan"``, ``predict_proba``
        gives NaN for rows with an unseen category and ``predict`` refuses them: they have no class).

    Attributes
    ----------
    classes_ : ndarray of shape (2,)
        The two labels, sorted; the model is for the probability of ``classes_[1]``.
    coef_ : ndarray of shape (1, n_coef)
    intercept_ : ndarray of shape (1,)
    n_iter_, n_features_in_, feature_names_in_, feature_names_out_, result_ :
        As in :class:`~glmkit.sklearn.GLMRegressor`.

    Notes
    -----
    Exactly two classes (with positive weight) are required; more are refused with an
    error. ``offset`` and ``sample_weight`` are routed like the regressor's.
    ``score`` is the accuracy.

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.sklearn import GLMClassifier
    >>> X = np.arange(10.0).reshape(-1, 1)
    >>> y = np.array(["no", "no", "no", "yes", "no", "yes", "no", "yes", "yes", "yes"])
    >>> clf = GLMClassifier(link="probit").fit(X, y)
    >>> clf.classes_.tolist(), clf.predict([[1.0], [8.0]]).tolist()
    (['no', 'yes'], ['no', 'yes'])
    >>> clf.predict_proba([[4.5]]).round(3)
    array([[0.5, 0.5]])
    """

    def __init__(self, link: Any = "logit", alpha: float = 0.0, l1_ratio: float = 0.0, penalty_factor: Any = None,
                 lower: Any = None, upper: Any = None, fit_intercept: bool = True, solver: Any = "auto",
                 solver_options: Mapping[str, Any] | None = None, tol: float | None = None,
                 max_iter: int | None = None, standardize: bool = False, n_threads: int | None = None,
                 unseen: str = "error") -> None:
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
        return "binomial", self.link

    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
            offset: ArrayLike | None = None) -> "GLMClassifier":
        """Fit the binomial GLM to two classes.

        Parameters
        ----------
        X : array, sparse matrix or DataFrame of shape (n_samples, n_features)
        y : array of shape (n_samples,)
            Two labels of any type (strings, ints, bools).
        sample_weight, offset : array of shape (n_samples,), optional

        Returns
        -------
        self
        """
        X, y = self._check_X_y(X, y, y_numeric=False)
        y01 = encode_binary(self, y, sample_weight, X.shape[0])
        self._glm_fit(X, y01, sample_weight, offset, self.alpha)
        self.coef_ = self.coef_.reshape(1, -1)
        self.intercept_ = np.array([self.intercept_])
        return self
