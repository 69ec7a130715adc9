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
    """Residuals of the given kind, shape (n_samples,)."""
    y, mu, w, fam = model.y, model.mu, model.weights, model.family
    r = y - mu
    if kind == "response":
        return r
    if kind == "pearson":
        return r * np.sqrt(w) / np.sqrt(fam.variance(mu))
    if kind == "deviance":
        d = np.maximum(w * fam.unit_deviance(y, mu), 0.0)
        return np.sign(r) * np.sqrt(d)
    if kind == "working":
        return r / fam.link.inverse_derivative(model.eta)
    raise UnknownNameError(f"Unknown residual kind {kind!r}; valid: {', '.join(RESIDUAL_KINDS)}.")
