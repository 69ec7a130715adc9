"""The check every likelihood-based test makes of what it is given: an unpenalised fit.

Analysis of deviance, drop1/add1 and Wald/score tests need the maximum-likelihood fit and
its information matrix. A penalised fit has neither (the penalty biases the estimates, and
after an L1 selection the tests' null distributions do not hold), so these functions refuse
it with that reason instead of failing on a missing attribute.
"""

from __future__ import annotations

from typing import Any

from ..errors import InferenceError, InputError
from ..fit import FittedModel
from ..fit.model import ModelCounts

__all__ = ["require_fitted"]


def require_fitted(result: Any, what: str) -> FittedModel:
    """The result's model (a :class:`~glmkit.fit.FittedModel`, or a loaded result's stored
    model), or an error saying why the test is not offered.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson", alpha=0.1, l1_ratio=1.0)
    >>> require_fitted(fit, "anova")
    Traceback (most recent call last):
    ...
    glmkit.errors.InferenceError: anova is not offered for a penalised fit (alpha=0.1, l1_ratio=1): ...
    """
    model = getattr(result, "model", None)
    if isinstance(model, ModelCounts):
        return model  # type: ignore[return-value]
    alpha = getattr(result, "alpha", None)
    if alpha is not None:
        raise InferenceError(
            f"{what} is not offered for a penalised fit (alpha={alpha:g}, l1_ratio={getattr(result, 'l1_ratio', 0):g}): "
            "likelihood-ratio, score and Wald tests assume the maximum-likelihood fit, which a penalty "
            "biases (and after an L1 selection their null distributions do not hold). Refit the model you "
            "want to test without alpha/lower/upper (gk.glm / gk.glm_fit), or use cv_glm to compare penalties."
        )
    raise InputError(f"{what} needs a fitted GLMResult (from gk.glm or gk.glm_fit); got {type(result).__name__}.")
