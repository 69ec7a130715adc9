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
    """Base class of every error raised by glmkit."""


class InputError(GLMError, ValueError):
    """Input data that cannot be used: NaN/inf, wrong shapes, mismatched lengths, empty data."""


class DomainError(InputError):
    """A value outside the domain allowed for it (e.g. a negative count for Poisson)."""


class UnknownNameError(GLMError, ValueError):
    """A family, link, solver or option named by a string that glmkit does not know."""


class FormulaError(InputError):
    """A formula that cannot be evaluated on the data (e.g. it names a missing column)."""


class UnseenLevelError(InputError):
    """New data holds a level of a categorical variable that was not seen when fitting."""


class InferenceError(GLMError, ValueError):
    """An inference quantity that is not defined for this fit (e.g. SEs of a lasso fit)."""


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
    """Base class of every warning glmkit issues."""


class ConvergenceWarning(GLMWarning):
    """A solver stopped before its convergence criterion was met."""


class SeparationWarning(GLMWarning):
    """Fitted values reached the boundary of the mean's domain (perfect or quasi-separation)."""


class AliasingWarning(GLMWarning):
    """Columns of the design are linearly dependent; their coefficients are reported as NaN."""


class NumericalWarning(GLMWarning):
    """A value was clipped or a computation lost precision."""


class DataWarning(GLMWarning):
    """Data that is legal but suspicious (e.g. non-integer binomial successes, dropped rows)."""
