"""glmkit: Generalized Linear Models built from their parts.

A GLM is a distribution (family), a link, a loss (the negative log-likelihood in η) and
a solver. Each part is a public object; ``glm`` and ``glm_fit`` put them together.
"""

from . import datasets, design, families, links, solvers, variance
from .api import glm, glm_fit
from .errors import (
    AliasingWarning,
    ConvergenceWarning,
    DataWarning,
    DomainError,
    FormulaError,
    GLMError,
    GLMWarning,
    InputError,
    NumericalWarning,
    SeparationWarning,
    UnknownNameError,
    UnseenLevelError,
)
from .families import (
    Binomial,
    Family,
    Gamma,
    Gaussian,
    InverseGaussian,
    NegativeBinomial,
    Poisson,
    Quasi,
    QuasiBinomial,
    QuasiPoisson,
    Tweedie,
    get_family,
    register_family,
    unregister_family,
)
from .links import get_link
from .loss import GLMLoss
from .objective import Objective
from .results import GLMResult
from .parts import build_objective
from .inference.anova import add1, anova, drop1
from .inference.hypothesis import score_test, wald_test
from .ml_parameters import gamma_shape, glm_nb, tweedie_power
from . import penalties
from .penalized import CVResult, PathResult, PenalizedGLMResult, cv_glm, glm_path
from .model_files import load
from .compare import ComparisonTable, compare
from .selection import StepResult, step
from .margins import comparisons, emmeans, predictions, slopes

__version__ = "0.1.0"

__all__ = [
    "glm",
    "glm_fit",
    "GLMResult",
    "GLMLoss",
    "Loss",
    "Objective",
    "Family",
    "Gaussian",
    "Binomial",
    "Poisson",
    "Gamma",
    "InverseGaussian",
    "NegativeBinomial",
    "Tweedie",
    "Quasi",
    "QuasiPoisson",
    "QuasiBinomial",
    "get_family",
    "register_family",
    "unregister_family",
    "get_link",
    "links",
    "datasets",
    "families",
    "variance",
    "solvers",
    "design",
    "GLMError",
    "InputError",
    "DomainError",
    "UnknownNameError",
    "FormulaError",
    "UnseenLevelError",
    "GLMWarning",
    "ConvergenceWarning",
    "SeparationWarning",
    "AliasingWarning",
    "NumericalWarning",
    "DataWarning",
    "__version__",
    "build_objective",
    "anova",
    "drop1",
    "add1",
    "wald_test",
    "score_test",
    "glm_nb",
    "gamma_shape",
    "tweedie_power",
    "penalties",
    "PenalizedGLMResult",
    "glm_path",
    "PathResult",
    "cv_glm",
    "CVResult",
    "load",
    "compare",
    "ComparisonTable",
    "step",
    "StepResult",
    "emmeans",
    "predictions",
    "slopes",
    "comparisons",
]


def __getattr__(name: str):  # type: ignore[no-untyped-def]
    """Deprecated names, kept for one release."""
    if name == "Loss":
        import warnings

        warnings.warn("glmkit.Loss is deprecated; use glmkit.GLMLoss (the same class).", DeprecationWarning,
                      stacklevel=2)
        return GLMLoss
    raise AttributeError(f"module 'glmkit' has no attribute {name!r}")
