"""``GLMRegressorCV`` and ``GLMClassifierCV``: α of an elastic-net GLM chosen by :func:`glmkit.cv_glm`.

The α grid and the folds are glmkit's (glmnet's rules: a grid from the largest useful α
down, the same grid refitted on every fold); ``cv`` may also be any scikit-learn splitter
whose test folds partition the rows (``KFold``, ``StratifiedKFold``, ``GroupKFold``,
``PredefinedSplit``), turned into glmkit fold labels. The model kept is the path on all
the data at the chosen α, which is the refit on all data.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from sklearn.base import RegressorMixin
from sklearn.model_selection import check_cv
from sklearn.utils.validation import _check_sample_weight, check_random_state

from ..errors import InputError
from ._base import GLMEstimatorBase, _vector
from .classifier import ClassifierMethods, encode_binary

__all__ = ["GLMRegressorCV", "GLMClassifierCV", "fold_labels"]


def fold_labels(cv: Any, X: Any, y: Any, classifier: bool) -> NDArray[np.intp] | None:
    """glmkit fold labels from a scikit-learn ``cv``; None for an int (glmkit draws random folds).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.model_selection import KFold
    >>> fold_labels(KFold(3), np.zeros((6, 1)), np.zeros(6), classifier=False).tolist()
    [0, 0, 1, 1, 2, 2]
    """
    n = X.shape[0]
    if isinstance(cv, Integral):
        if n < int(cv):
            raise InputError(f"{int(cv)}-fold cross-validation needs at least {int(cv)} samples; got {n} "
                             f"sample{'s' if n != 1 else ''}. Lower cv or give more rows.")
        return None
    splitter = check_cv(cv, y, classifier=classifier)
    labels = np.full(n, -1, dtype=np.intp)
    for k, (_, test) in enumerate(splitter.split(X, y)):
        if np.any(labels[test] >= 0):
            raise InputError("cv puts some rows in more than one test fold; cv_glm needs the test folds to "
                             "partition the rows (KFold, StratifiedKFold, GroupKFold, PredefinedSplit).")
        labels[test] = k
    if np.any(labels < 0):
        raise InputError(f"cv leaves {int(np.sum(labels < 0))} row(s) out of every test fold; cv_glm needs the "
                         "test folds to partition the rows (KFold, StratifiedKFold, GroupKFold, PredefinedSplit).")
    return labels


def _seed(random_state: Any) -> Any:
    if random_state is None or isinstance(random_state, (Integral, np.random.Generator)):
        return random_state
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


class _CVFit(GLMEstimatorBase):
    """The cross-validated fit shared by both CV estimators."""

    def _cv_fit(self, X: Any, y: Any, sample_weight: Any, offset: Any, classifier: bool) -> None:
        from ..penalized.cv import cv_glm

        if self.alpha_choice not in ("min", "1se"):
            raise InputError(f"alpha_choice must be 'min' or '1se'; got {self.alpha_choice!r}.")
        labels = fold_labels(self.cv, X, y, classifier)
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X, dtype=np.float64)
        family, link = self._family_and_link()
        result = cv_glm(
            X, y, family, link=link, l1_ratio=self.l1_ratio, alphas=self.alphas, n_alphas=self.n_alphas,
            alpha_min_ratio=self.alpha_min_ratio, penalty_factor=self.penalty_factor, lower=self.lower,
            upper=self.upper, standardize=self.standardize, intercept=self.fit_intercept, weights=weights,
            offset=_vector(offset, "offset", X.shape[0]), feature_names=self._feature_names(X),
            n_folds=int(self.cv) if labels is None else 2, fold_ids=labels, measure=self.measure,
            seed=_seed(self.random_state), solver=self.solver, solver_options=self.solver_options, tol=self.tol,
            max_iter=self.max_iter, n_threads=self.n_threads, progress=False)
        self.cv_result_ = result
        self.alphas_ = np.asarray(result.alphas)
        self.alpha_ = result.alpha_min if self.alpha_choice == "min" else result.alpha_1se
        self._set_result(result.refit(self.alpha_choice))


_CV_DOC = """
    l1_ratio : float, default 1.0
        0 is ridge, 1 the lasso.
    alphas : array, optional
        The α grid; by default ``n_alphas`` values from the smallest α that zeroes every
        coefficient down to ``alpha_min_ratio`` times it (glmnet's grid).
    n_alphas : int, default 100
    alpha_min_ratio : float, optional
    cv : int or scikit-learn splitter or iterable of (train, test), default 5
        An int is the number of folds, drawn at random by glmkit (seeded by
        ``random_state``); a splitter's test folds must partition the rows.
    measure : {"deviance", "mse", "mae", "class", "auc"}, default "deviance"
        Held-out error minimised ("auc" maximised); "class" and "auc" are binomial only.
    alpha_choice : {"min", "1se"}, default "min"
        The α with the smallest CV error, or the largest within one standard error of it.
    random_state : int, RandomState or Generator, optional
    penalty_factor, lower, upper, fit_intercept, standardize, solver, solver_options, tol,
    max_iter, n_threads, unseen :
        As in :class:`~glmkit.sklearn.GLMRegressor`.

    Attributes
    ----------
    alpha_ : float
        The chosen α.
    alphas_ : ndarray of shape (n_alphas,)
    cv_result_ : CVResult
        glmkit's CV result (``table()``, ``plot()``, the path).
    result_ : PenalizedGLMResult
        The fit on all the data at ``alpha_``.
    coef_, intercept_, n_iter_, n_features_in_, feature_names_in_, feature_names_out_ :
        As in the non-CV estimator.
"""


class GLMRegressorCV(RegressorMixin, _CVFit):
    __doc__ = """An elastic-net GLM whose α is chosen by K-fold cross-validation (:func:`glmkit.cv_glm`).

    Parameters
    ----------
    family, link : as in :class:`~glmkit.sklearn.GLMRegressor`
    """ + _CV_DOC + """
    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.sklearn import GLMRegressorCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 5))
    >>> y = rng.poisson(np.exp(0.3 + 0.5 * X[:, 0]))
    >>> model = GLMRegressorCV(family="poisson", n_alphas=20, random_state=0).fit(X, y)
    >>> bool(model.alpha_ in model.alphas_), model.coef_.shape
    (True, (5,))
    """

    def __init__(self, family: Any = "gaussian", link: Any = None, l1_ratio: float = 1.0,
                 alphas: ArrayLike | None = None, n_alphas: int = 100, alpha_min_ratio: float | None = None,
                 cv: Any = 5, measure: str = "deviance", alpha_choice: str = "min", random_state: Any = None,
                 penalty_factor: Any = None, lower: Any = None, upper: Any = None, fit_intercept: bool = True,
                 standardize: bool = False, solver: Any = "auto", solver_options: Mapping[str, Any] | None = None,
                 tol: float | None = None, max_iter: int | None = None, n_threads: int | None = None,
                 unseen: str = "error") -> None:
        self.family, self.link, self.l1_ratio, self.alphas, self.n_alphas = family, link, l1_ratio, alphas, n_alphas
        self.alpha_min_ratio, self.cv, self.measure, self.alpha_choice = alpha_min_ratio, cv, measure, alpha_choice
        self.random_state, self.penalty_factor, self.lower, self.upper = random_state, penalty_factor, lower, upper
        self.fit_intercept, self.standardize, self.solver = fit_intercept, standardize, solver
        self.solver_options, self.tol, self.max_iter, self.n_threads = solver_options, tol, max_iter, n_threads
        self.unseen = unseen

    def _family_and_link(self) -> tuple[Any, Any]:
        return self.family, self.link

    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
            offset: ArrayLike | None = None) -> "GLMRegressorCV":
        """Cross-validate the path, choose α and keep the fit on all data at it; returns self."""
        X, y = self._check_X_y(X, y, y_numeric=True)
        self._cv_fit(X, y, sample_weight, offset, classifier=False)
        return self

    def predict(self, X: Any, offset: ArrayLike | None = None) -> NDArray[np.floating]:
        """The fitted mean at ``alpha_`` (response scale), shape (n_samples,)."""
        return self._mean(X, offset)

    def score(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
              offset: ArrayLike | None = None) -> float:
        """D², the fraction of deviance explained (as :meth:`GLMRegressor.score`)."""
        return self._d2(X, y, sample_weight, offset)


class GLMClassifierCV(ClassifierMethods, _CVFit):
    __doc__ = """A penalised binomial GLM whose α is chosen by K-fold cross-validation, as a classifier.

    Parameters
    ----------
    link : as in :class:`~glmkit.sklearn.GLMClassifier`
    """ + _CV_DOC + """    classes_ : ndarray of shape (2,)

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.sklearn import GLMClassifierCV
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 4))
    >>> y = np.where(rng.random(300) < 1 / (1 + np.exp(-2 * X[:, 0])), "a", "b")
    >>> clf = GLMClassifierCV(n_alphas=20, measure="class", random_state=0).fit(X, y)
    >>> clf.classes_.tolist(), clf.coef_.shape
    (['a', 'b'], (1, 4))
    """

    def __init__(self, link: Any = "logit", l1_ratio: float = 1.0, alphas: ArrayLike | None = None,
                 n_alphas: int = 100, alpha_min_ratio: float | None = None, cv: Any = 5, measure: str = "deviance",
                 alpha_choice: str = "min", random_state: Any = None, penalty_factor: Any = None, lower: Any = None,
                 upper: Any = None, fit_intercept: bool = True, standardize: bool = False, solver: Any = "auto",
                 solver_options: Mapping[str, Any] | None = None, tol: float | None = None,
                 max_iter: int | None = None, n_threads: int | None = None, unseen: str = "error") -> None:
        self.link, self.l1_ratio, self.alphas, self.n_alphas = link, l1_ratio, alphas, n_alphas
        self.alpha_min_ratio, self.cv, self.measure, self.alpha_choice = alpha_min_ratio, cv, measure, alpha_choice
        self.random_state, self.penalty_factor, self.lower, self.upper = random_state, penalty_factor, lower, upper
        self.fit_intercept, self.standardize, self.solver = fit_intercept, standardize, solver
        self.solver_options, self.tol, self.max_iter, self.n_threads = solver_options, tol, max_iter, n_threads
        self.unseen = unseen

    def _family_and_link(self) -> tuple[Any, Any]:
        return "binomial", self.link

    def fit(self, X: Any, y: ArrayLike, sample_weight: ArrayLike | None = None,
            offset: ArrayLike | None = None) -> "GLMClassifierCV":
        """Cross-validate the path on two classes, choose α and keep the fit on all data; returns self."""
        X, y = self._check_X_y(X, y, y_numeric=False)
        y01 = encode_binary(self, y, sample_weight, X.shape[0])
        self._cv_fit(X, y01, sample_weight, offset, classifier=True)
        self.coef_ = self.coef_.reshape(1, -1)
        self.intercept_ = np.array([self.intercept_])
        return self
