"""A penalised fit in a model file: coefficients, penalty, deviances and the data spec.

A loaded :class:`~glmkit.penalized.PenalizedGLMResult` predicts on new data and prints its
summary as the original did; what needs the training rows (``fitted``, ``relax``, the
ridge covariance) raises :class:`~glmkit.errors.NoTrainingDataError`, and an L1 fit's
inference is refused as before. The penalty is kept as its resolved weights and bounds
(``setup.unit``); ``penalty`` holds α and l1_ratio only. Reading: :mod:`glmkit.model_files`.
"""

from __future__ import annotations

from typing import Any

from ..persist import encode_array, encode_family, encode_float, encode_spec
from ..results.stored import StoredProblem

__all__ = ["encode_penalized"]

_FLOATS = ("deviance", "null_deviance", "objective", "kkt")


def encode_penalized(result: Any) -> dict[str, Any]:
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
        "dispersion_override": (result.dispersion_override if result.dispersion_override is None
                                or isinstance(result.dispersion_override, str)
                                else encode_float(result.dispersion_override)),
        "n_obs": int(p.n_obs), "n_samples": int(p.n_samples if isinstance(p, StoredProblem) else p.y.shape[0]),
        "n_dropped": int(p.n_dropped), "formula": p.formula, "intercept_index": p.intercept_index,
        "encoding": encode_spec(p.data_spec, list(p.names)),
    }
