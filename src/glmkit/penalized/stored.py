"""A penalised fit in a model file: coefficients, penalty, deviances and the data spec.

A loaded :class:`~glmkit.penalized.PenalizedGLMResult` predicts on new data and prints its
summary as the original did; what needs the training rows (``fitted``, ``relax``, the
ridge covariance) raises :class:`~glmkit.errors.NoTrainingDataError`, and an L1 fit's
inference is refused as before. The penalty is kept as its resolved weights and bounds
(``setup.unit``); ``penalty`` holds α and l1_ratio only.
"""

from __future__ import annotations

from typing import Any

from ..errors import CorruptModelFileError
from ..penalties import ElasticNet, Penalty
from ..persist import decode_array, decode_family, decode_float, decode_spec, encode_array, encode_family, encode_float
from ..persist import encode_spec
from ..results.stored import StoredProblem
from .result import PenalizedGLMResult
from .setup import PenaltySetup

__all__ = ["encode_penalized", "decode_penalized"]

_FLOATS = ("deviance", "null_deviance", "objective", "kkt")


def encode_penalized(result: PenalizedGLMResult) -> dict[str, Any]:
    """The ``model`` section of a penalised fit's model file.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> fit = gk.glm_fit(np.arange(8.0).reshape(4, 2), [1, 0, 2, 3], family="poisson", alpha=0.1)
    >>> encode_penalized(fit)["penalty"]["alpha"]
    0.1
    """
    p, unit = result.problem, result.setup.unit
    return {
        "family": encode_family(result.family),
        "coefficients": {"names": list(p.names), "coef": encode_array(result.coef_array)},
        "penalty": {"alpha": encode_float(result.alpha), "l1_ratio": encode_float(result.l1_ratio),
                    "standardize": bool(result.standardize), "scale": encode_array(result.setup.scale),
                    "l1": encode_array(unit.l1), "l2": encode_array(unit.l2), "lower": encode_array(unit.lower),
                    "upper": encode_array(unit.upper)},
        **{name: encode_float(getattr(result, name)) for name in _FLOATS},
        "n_iter": int(result.n_iter), "converged": bool(result.converged), "message": result.message,
        "relaxed": bool(result.relaxed),
        "dispersion_override": None if result.dispersion_override is None else encode_float(result.dispersion_override),
        "n_obs": int(p.n_obs), "n_samples": int(p.n_samples if isinstance(p, StoredProblem) else p.y.shape[0]),
        "n_dropped": int(p.n_dropped), "formula": p.formula, "intercept_index": p.intercept_index,
        "encoding": encode_spec(p.data_spec, list(p.names)),
    }


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
