"""Penalised GLMs on the one problem: elastic-net fits, regularisation paths, cross-validation.

- :mod:`.setup`: the penalty resolved for a problem (standardisation, bounds, relaxed fits);
- :mod:`.fit`: one penalised fit (:func:`fit_penalized`) and its pieces;
- :mod:`.result`: :class:`PenalizedGLMResult` and why classical inference is refused;
- :mod:`.path`: :func:`glm_path` and :class:`PathResult`;
- :mod:`.cv`: :func:`cv_glm` and :class:`CVResult`.
"""

from .cv import MEASURES, CVResult, cv_glm, score
from .fit import fit_penalized
from .path import PathResult, compute_path, glm_path
from .result import PenalizedGLMResult
from .setup import PenaltySetup

__all__ = ["CVResult", "MEASURES", "PathResult", "PenalizedGLMResult", "PenaltySetup", "compute_path", "cv_glm",
           "fit_penalized", "glm_path", "score"]
