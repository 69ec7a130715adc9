"""A GLMResult as the ``model`` section of a model file, and back (see ``docs/model-files.md``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from ..errors import CorruptModelFileError
from ..persist import (decode_array, decode_family, decode_float, decode_spec, encode_array, encode_family,
                       encode_float, encode_spec)
from .stored import StoredModel, StoredProblem

__all__ = ["encode_result", "decode_result"]

_CACHED = ("loglik", "aic", "bic")


def _extra_fields(result: Any) -> dict[str, Any]:
    """The result class's own fields beyond the model (dispersion_override; θ for NegBinResult)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(result):
        if f.name == "model":
            continue
        value = getattr(result, f.name)
        if value is None or isinstance(value, (bool, int, np.integer, str)):
            out[f.name] = value if value is None or isinstance(value, (bool, str)) else int(value)
        else:
            out[f.name] = {"float": encode_float(value)}
    return out


def encode_result(result: Any) -> dict[str, Any]:
    """The ``model`` section for a :class:`~glmkit.results.GLMResult` (or subclass).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
    >>> encode_result(fit)["coefficients"]["names"]
    ['Intercept', 'x1']
    """
    stored = StoredModel.from_model(result.model)
    p = stored.problem
    record = {
        "family": encode_family(stored.family),
        "coefficients": {"names": list(p.names), "coef": encode_array(stored.coef),
                         "aliased": encode_array(stored.aliased)},
        "fisher_information": encode_array(stored.fisher_information),
        "dispersion": encode_float(result.dispersion), "dispersion_is_estimated": bool(result.dispersion_is_estimated),
        "deviance": encode_float(stored.deviance), "null_deviance": encode_float(stored.null_deviance),
        "df_resid": int(stored.df_resid), "df_null": int(stored.df_null), "rank": int(stored.rank),
        "n_obs": int(p.n_obs), "n_samples": int(p.n_samples), "n_dropped": int(p.n_dropped),
        **{name: encode_float(getattr(result, name)) for name in _CACHED},
        "n_iter": int(stored.n_iter), "converged": bool(stored.converged), "solver": stored.solver,
        "message": stored.message, "formula": p.formula, "intercept_index": p.intercept_index,
        "encoding": encode_spec(p.data_spec, list(p.names)),
        "result_fields": _extra_fields(result),
    }
    return record


def _decode_fields(record: dict) -> dict[str, Any]:
    out = {}
    for name, value in record.items():
        out[name] = decode_float(value["float"], name) if isinstance(value, dict) else value
    return out


def decode_result(cls: type, record: dict[str, Any]) -> Any:
    """An instance of ``cls`` (GLMResult or a subclass) backed by a :class:`StoredModel`."""
    try:
        coefs = record["coefficients"]
        names = [str(n) for n in coefs["names"]]
        coef, aliased = decode_array(coefs["coef"], "coef"), decode_array(coefs["aliased"], "aliased").astype(bool)
        info = decode_array(record["fisher_information"], "fisher_information")
        rank = int(record["rank"])
        if coef.shape != (len(names),) or aliased.shape != coef.shape or info.shape != (rank, rank) \
                or rank != int((~aliased).sum()):
            raise CorruptModelFileError(
                f"The model file's arrays disagree: {len(names)} names, coef {coef.shape}, aliased {aliased.shape}, "
                f"information {info.shape} for rank {rank}.")
        problem = StoredProblem(names=names, family=decode_family(record["family"]),
                                data_spec=decode_spec(record["encoding"]), formula=record["formula"],
                                intercept_index=record["intercept_index"], n_obs=int(record["n_obs"]),
                                n_samples=int(record["n_samples"]), n_dropped=int(record["n_dropped"]))
        model = StoredModel(problem=problem, coef=coef, aliased=aliased, fisher_information=info,
                            deviance=decode_float(record["deviance"], "deviance"),
                            null_deviance=decode_float(record["null_deviance"], "null_deviance"), rank=rank,
                            n_iter=int(record["n_iter"]), converged=bool(record["converged"]),
                            solver=str(record["solver"]), message=str(record["message"]))
        result = cls(model=model, **_decode_fields(record["result_fields"]))
        cache = {name: decode_float(record[name], name) for name in _CACHED}
        cache["_dispersion"] = (decode_float(record["dispersion"], "dispersion"), bool(record["dispersion_is_estimated"]))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, CorruptModelFileError):
            raise
        raise CorruptModelFileError(f"The model file's model section is incomplete or invalid: {exc!r}.") from exc
    result.__dict__.update(cache)  # what needed the data when it was computed
    return result
