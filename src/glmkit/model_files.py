"""``glmkit.load``: a model file back into a result (the format: ``docs/model-files.md``).

A file names its result class among a fixed few (:data:`RESULT_CLASSES`); loading builds
that class from the file's values and runs no code from it.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import CorruptModelFileError
from .ml_parameters.negbin import NegBinResult
from .penalized.stored import decode_penalized
from .persist import read_model_file
from .results import GLMResult
from .results.model_record import decode_result

__all__ = ["load", "RESULT_CLASSES"]

RESULT_CLASSES: dict[str, type] = {"GLMResult": GLMResult, "NegBinResult": NegBinResult}


def load(path: str | os.PathLike) -> Any:
    """Read a model file written by ``fit.save(path)``.

    Parameters
    ----------
    path : str or path-like

    Returns
    -------
    GLMResult, NegBinResult or PenalizedGLMResult
        Without training data (``holds_training_data`` is False): predict on new data,
        summary and Wald inference are as the original's; methods that need the data raise
        :class:`~glmkit.errors.NoTrainingDataError`.

    Raises
    ------
    ModelFileVersionError
        For a file from a newer format version.
    CorruptModelFileError
        For a truncated, damaged or edited file, or one that is not a glmkit model.

    Examples
    --------
    >>> import os, tempfile, numpy as np, glmkit as gk
    >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> fit.save(path)
    >>> loaded = gk.load(path)
    >>> loaded.predict(np.array([[6.0]])).equals(fit.predict(np.array([[6.0]])))
    True
    """
    cls, model = read_model_file(path)
    if cls == "PenalizedGLMResult":
        return decode_penalized(model)
    if cls not in RESULT_CLASSES:
        known = ", ".join([*RESULT_CLASSES, "PenalizedGLMResult"])
        raise CorruptModelFileError(f"{os.fspath(path)!r} holds a {cls!r}; glmkit loads {known}.")
    return decode_result(RESULT_CLASSES[cls], model)
