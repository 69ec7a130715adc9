"""Residuals of a GLM, as R's ``residuals.glm``.

response  y − μ
pearson   (y − μ) √w / √V(μ)
deviance  sign(y − μ) √(w d(y, μ))
working   (y − μ) / (dμ/dη)
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import UnknownNameError
from ..fit import FittedModel

__all__ = ["residuals", "RESIDUAL_KINDS"]

ResidualKind = Literal["deviance", "pearson", "response", "working"]
RESIDUAL_KINDS = ("deviance", "pearson", "response", "working")


def residuals(model: FittedModel, kind: ResidualKind = "deviance") -> NDArray[np.floating]:
    """Residuals of the given kind, shape (n_samples,) (lazy, block by block, on a Dask design)."""
    if kind not in RESIDUAL_KINDS:
        raise UnknownNameError(f"Unknown residual kind {kind!r}; valid: {', '.join(RESIDUAL_KINDS)}.")
    (out,) = model.design.map_row_blocks(lambda y, mu, w, eta: _residuals(model.family, kind, y, mu, w, eta),
                                         [model.y, model.mu, model.weights, model.eta], 1)
    return out  # type: ignore[no-any-return]


def _residuals(fam, kind: str, y, mu, w, eta) -> NDArray[np.floating]:  # type: ignore[no-untyped-def]
    r = y - mu
    if kind == "response":
        return r
    if kind == "pearson":
        return r * np.sqrt(w) / np.sqrt(fam.variance(mu))
    if kind == "deviance":
        d = np.maximum(w * fam.unit_deviance(y, mu), 0.0)
        return np.sign(r) * np.sqrt(d)
    return r / fam.link.inverse_derivative(eta)
