"""The one hierarchy of glmkit's errors and warnings.

Every class subclasses the matching built-in (``ValueError``, ``UserWarning``,
``RuntimeWarning``) so ordinary ``except ValueError`` clauses keep working.
"""

from __future__ import annotations

__all__ = [
    "GLMError",
    "InputError",
    "DomainError",
    "UnknownNameError",
    "FormulaError",
    "UnseenLevelError",
    "InferenceError",
    "ModelFileError",
    "ModelFileVersionError",
    "CorruptModelFileError",
    "UnsavableModelError",
    "NoTrainingDataError",
    "GLMWarning",
    "ConvergenceWarning",
    "SeparationWarning",
    "AliasingWarning",
    "NumericalWarning",
    "DataWarning",
]


class GLMError(Exception):
    """Base class of every error raised by glmkit.

    Examples
    --------
    >>> try:
    ...     gk.get_family("poison")
    ... except gk.GLMError as err:
    ...     print(type(err).__name__)
    UnknownNameError
    """


class InputError(GLMError, ValueError):
    """Input data that cannot be used: NaN/inf, wrong shapes, mismatched lengths, empty data.

    Examples
    --------
    >>> gk.glm_fit(np.array([[1.0], [np.nan], [2.0]]), [1.0, 2.0, 3.0])
    Traceback (most recent call last):
    ...
    glmkit.errors.InputError: X contains 1 NaN or infinite value(s), the first at index (1, 0) ...
    """


class DomainError(InputError):
    """A value outside the domain allowed for it (e.g. a negative count for Poisson).

    Examples
    --------
    >>> gk.glm_fit(np.arange(3.0)[:, None], [1, -1, 2], family="poisson")
    Traceback (most recent call last):
    ...
    glmkit.errors.DomainError: The poisson family needs y in [0, inf); 1 value(s) are outside it, ...
    """


class UnknownNameError(GLMError, ValueError):
    """A family, link, solver or option named by a string that glmkit does not know.

    Examples
    --------
    >>> gk.get_family("poison")
    Traceback (most recent call last):
    ...
    glmkit.errors.UnknownNameError: Unknown family 'poison'. Valid names: gaussian, binomial, poisson, ...
    """


class FormulaError(InputError):
    """A formula that cannot be evaluated on the data (e.g. it names a missing column).

    Examples
    --------
    >>> import pandas as pd
    >>> gk.glm("y ~ z", pd.DataFrame({"y": [1.0, 2.0, 3.0]}))
    Traceback (most recent call last):
    ...
    glmkit.errors.FormulaError: Could not evaluate the formula 'z': ...
    """


class UnseenLevelError(InputError):
    """New data holds a level of a categorical variable that was not seen when fitting.

    Examples
    --------
    >>> import pandas as pd
    >>> fit = gk.glm("y ~ g", pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "g": list("abab")}))
    >>> fit.predict(pd.DataFrame({"g": ["c"]}))
    Traceback (most recent call last):
    ...
    glmkit.errors.UnseenLevelError: New data has factor levels not seen when fitting: {'c'}. ...
    """


class InferenceError(GLMError, ValueError):
    """An inference quantity that is not defined for this fit (e.g. SEs of a lasso fit).

    Examples
    --------
    >>> issubclass(InferenceError, ValueError)
    True
    """


class ModelFileError(GLMError, ValueError):
    """A model file (``fit.save``/``glmkit.load``) that cannot be written or read."""


class ModelFileVersionError(ModelFileError):
    """A model file written in a newer format version than this glmkit reads."""


class CorruptModelFileError(ModelFileError):
    """A model file that is truncated, not JSON, not a glmkit model file, or altered after writing."""


class UnsavableModelError(ModelFileError):
    """A fit holding a part a model file cannot name (a user-defined family, link or transform)."""


class NoTrainingDataError(GLMError, ValueError):
    """A result without its training data (loaded, or unpickled) asked for something that needs it."""


class GLMWarning(UserWarning):
    """Base class of every warning glmkit issues.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", gk.GLMWarning)
    ...     try:
    ...         gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson", max_iter=1)
    ...     except gk.GLMWarning as w:
    ...         print(type(w).__name__)
    ConvergenceWarning
    """


class ConvergenceWarning(GLMWarning):
    """A solver stopped before its convergence criterion was met.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson", max_iter=1)
    >>> fit.converged, caught[0].category.__name__
    (False, 'ConvergenceWarning')
    """


class SeparationWarning(GLMWarning):
    """Fitted values reached the boundary of the mean's domain (perfect or quasi-separation).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit = gk.glm_fit(np.arange(6.0)[:, None], [0, 0, 0, 1, 1, 1], family="binomial")
    >>> any(w.category is SeparationWarning for w in caught)
    True
    """


class AliasingWarning(GLMWarning):
    """Columns of the design are linearly dependent; their coefficients are reported as NaN.

    Examples
    --------
    >>> import warnings
    >>> x = np.arange(6.0)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit = gk.glm_fit(np.column_stack([x, 2 * x]), [1.0, 2, 3, 4, 5, 7])
    >>> fit.coef.isna().tolist(), caught[0].category.__name__
    ([False, False, True], 'AliasingWarning')
    """


class NumericalWarning(GLMWarning):
    """A value was clipped or a computation lost precision.

    Examples
    --------
    >>> issubclass(NumericalWarning, UserWarning)
    True
    """


class DataWarning(GLMWarning):
    """Data that is legal but suspicious (e.g. non-integer binomial successes, dropped rows).

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     fit = gk.glm_fit(np.arange(6.0)[:, None], [0, 0.5, 0, 1, 1, 1], family="binomial")
    >>> caught[0].category.__name__
    'DataWarning'
    """
