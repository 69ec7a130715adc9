"""``glmkit.load``: a model file back into a result (the format: ``docs/model-files.md``).

A file names its result class among a fixed few (:data:`RESULT_CLASSES`); loading builds
that class from the file's values and runs no code from it.
"""

from __future__ import annotations

import os
from typing import Any

from .errors import CorruptModelFileError
from .ml_parameters.negbin import NegBinResult
from .penalized import PenalizedGLMResult
from .penalized.setup import PenaltySetup
from .penalties import ElasticNet, Penalty
from .persist import decode_array, decode_family, decode_float, decode_spec, read_model_file
from .results import GLMResult
from .results.model_record import decode_result
from .results.stored import StoredProblem

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


_FLOATS = ("deviance", "null_deviance", "objective", "kkt")


def decode_penalized(record: dict[str, Any]) -> PenalizedGLMResult:
    """A :class:`PenalizedGLMResult` without training data, from :func:`encode_penalized`'s record."""
    try:
        names = [str(n) for n in record["coefficients"]["names"]]
        coef = decode_array(record["coefficients"]["coef"], "coef")
        pen = record["penalty"]
        unit = Penalty(*(decode_array(pen[k], k) for k in ("l1", "l2", "lower", "upper")))
        spec = ElasticNet(decode_float(pen["alpha"], "alpha"), decode_float(pen["l1_ratio"], "l1_ratio"))
        setup = PenaltySetup(spec, unit, decode_array(pen["scale"], "scale"), bool(pen["standardize"]))
        if coef.shape != (len(names),) or any(a.shape != coef.shape for a in (unit.l1, unit.l2, setup.scale)):
            raise CorruptModelFileError(f"The model file's arrays disagree with its {len(names)} names.")
        problem = StoredProblem(names=names, family=decode_family(record["family"]),
                                data_spec=decode_spec(record["encoding"]), formula=record["formula"],
                                intercept_index=record["intercept_index"], n_obs=int(record["n_obs"]),
                                n_samples=int(record["n_samples"]), n_dropped=int(record["n_dropped"]))
        override = record["dispersion_override"]
        return PenalizedGLMResult(
            problem=problem, coef_array=coef, eta=None, mu=None, penalty=spec, setup=setup,  # type: ignore[arg-type]
            **{name: decode_float(record[name], name) for name in _FLOATS},
            n_iter=int(record["n_iter"]), converged=bool(record["converged"]), message=str(record["message"]),
            relaxed=bool(record["relaxed"]), dispersion_override=None if override is None else decode_float(override))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, CorruptModelFileError):
            raise
        raise CorruptModelFileError(f"The model file's penalised model is incomplete or invalid: {exc!r}.") from exc
