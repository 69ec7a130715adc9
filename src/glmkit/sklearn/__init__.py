"""scikit-learn estimators over glmkit: fit/predict/score, Pipelines, GridSearchCV, offsets.

``GLMRegressor`` (any family and link, plain or elastic-net penalised), ``GLMClassifier``
(binary outcomes: a binomial GLM with any binomial link), and ``GLMRegressorCV`` /
``GLMClassifierCV`` (α chosen by :func:`glmkit.cv_glm`). Each keeps the full glmkit result
in ``result_``. Needs scikit-learn: ``pip install 'glmkit[sklearn]'``; ``import glmkit``
does not import this module.
"""

try:
    import sklearn as _sklearn  # noqa: F401  (the dependency this module needs)
except ImportError as exc:  # pragma: no cover - exercised by a test that hides scikit-learn
    raise ImportError(
        "glmkit.sklearn needs scikit-learn, which is not installed; install it with "
        "pip install 'glmkit[sklearn]'."
    ) from exc

from .classifier import GLMClassifier
from .cv import GLMClassifierCV, GLMRegressorCV
from .regressor import GLMRegressor

__all__ = ["GLMRegressor", "GLMClassifier", "GLMRegressorCV", "GLMClassifierCV"]
