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
            relaxed=bool(record["relaxed"]), dispersion_override=override if override is None or override == "pearson" else decode_float(override))
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, CorruptModelFileError):
            raise
        raise CorruptModelFileError(f"The model file's penalised model is incomplete or invalid: {exc!r}.") from exc


def deviance_table(results: list[Any], labels: list[str] | None = None, test: str | None = None) -> Any:
    """Analysis of deviance between nested models from their stored deviances and df.

    As R's ``anova(m1, m2, ...)`` but from what model files hold: residual df and
    deviances of each model, χ² tests (dispersion fixed) or F tests (estimated) against
    the largest model's dispersion. The files hold no data, so it checks what it can —
    same family, same number of observations, each model's coefficients among the next
    larger one's — but not that the rows were the same; and it cannot refit (no
    sequential table of one model, no score tests).

    Examples
    --------
    >>> import numpy as np, pandas as pd, glmkit as gk
    >>> d = pd.DataFrame({"x": np.arange(20.0), "y": np.arange(20) % 7})
    >>> small, big = gk.glm("y ~ 1", d, family="poisson"), gk.glm("y ~ x", d, family="poisson")
    >>> deviance_table([small, big]).columns.tolist()
    ['Resid. Df', 'Resid. Dev', 'Df', 'Deviance', 'Pr(>Chi)']
    """
    import numpy as np
    import pandas as pd

    from .errors import InputError
    from .inference.anova import _stat_anova

    labels = labels or [str(i + 1) for i in range(len(results))]
    if any(not isinstance(r, GLMResult) for r in results):
        raise InputError("anova compares unpenalised fits; penalised models have no likelihood-ratio test.")
    _check_nested(results, labels)
    resdf = np.array([r.df_resid for r in results], dtype=float)
    resdev = np.array([r.deviance for r in results], dtype=float)
    table = pd.DataFrame({"Resid. Df": resdf, "Resid. Dev": resdev, "Df": np.r_[np.nan, -np.diff(resdf)],
                          "Deviance": np.r_[np.nan, -np.diff(resdev)]}, index=labels)
    big = results[int(np.argmin(resdf))]
    test = test or ("F" if big.dispersion_is_estimated else "Chisq")
    df_scale = float(resdf.min()) if big.dispersion_is_estimated else np.inf
    from .inference.tables import anova_table, models_heading

    return anova_table(_stat_anova(table, test, big.dispersion, df_scale), models_heading(results))


def _check_nested(results: list[Any], labels: list[str]) -> None:
    from .errors import InputError

    families = {repr(r.family) for r in results}
    if len(families) != 1:
        raise InputError(f"the models have different families ({', '.join(sorted(families))}); anova compares "
                         "nested models of one family.")
    n_obs = {r.n_obs for r in results}
    if len(n_obs) != 1:
        raise InputError(f"the models were fitted to different numbers of observations ({sorted(n_obs)}).")
    order = sorted(range(len(results)), key=lambda i: results[i].rank)
    for small, big in zip(order, order[1:]):
        missing = [n for n in results[small].names if n not in set(results[big].names)]
        if missing:
            raise InputError(f"{labels[small]} is not nested in {labels[big]}: {labels[big]} lacks {missing[:5]}.")
