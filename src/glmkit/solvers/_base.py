"""What every solver shares: the frozen result record and a careful SPD solve."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from scipy.linalg import lapack
from numpy.typing import NDArray

from ..errors import NumericalWarning

__all__ = ["SolverResult", "Solver", "solve_spd", "IterationRecord"]

Array = NDArray[np.floating]


@dataclass(frozen=True)
class IterationRecord:
    """One row of a solver's history."""

    iteration: int
    loss: float
    gradient_norm: float
    step_size: float


@dataclass(frozen=True)
class SolverResult:
    """What a solver returns.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
    converged : bool
    n_iter : int
    objective : float
        The objective at ``coef``.
    message : str
    history : tuple of IterationRecord
        Empty unless the solver was asked to record it.
    evaluation : Evaluation or None
        The objective, gradient and expected Hessian at ``coef`` when the solver has them
        (IRLS), so the caller need not evaluate them again.
    """

    coef: Array
    converged: bool
    n_iter: int
    objective: float
    message: str = ""
    history: tuple[IterationRecord, ...] = field(default_factory=tuple)
    evaluation: Any = None


class Solver(Protocol):
    """A solver: ``solve(objective, start) -> SolverResult``; options are set on construction."""

    name: str

    def solve(self, objective: Any, start: Array) -> SolverResult: ...


def spd_factor(matrix: Array, scale: Array | None = None) -> tuple[Array, Array, int]:
    """Cholesky factor of M equilibrated by its diagonal: (U, d, info) with Uᵀ U = D⁻¹ M D⁻¹,
    D = diag(d), d = √|diag M| (1 where 0) unless ``scale`` gives d; info > 0 where M is
    not numerically positive definite."""
    if scale is None:
        d = np.sqrt(np.abs(np.diag(matrix)))
        d[d == 0] = 1.0
    else:
        d = scale
    scaled = matrix / d[:, None] / d[None, :]
    # LAPACK directly (potrf/potrs): scipy.linalg's wrappers cost more than the solve on small p.
    factor, info = lapack.dpotrf(scaled, lower=0, clean=0)
    return factor, d, int(info)


def solve_factored(factor: Array, d: Array, rhs: Array) -> Array | None:
    """M⁻¹ rhs from :func:`spd_factor`'s (U, d); None if LAPACK reports a failure."""
    x, info = lapack.dpotrs(factor, rhs / d, lower=0)
    return x / d if info == 0 else None


def solve_spd(matrix: Array, rhs: Array, fallback: bool = True) -> Array | None:
    """Solve M x = rhs for a symmetric positive-definite M.

    The matrix is equilibrated by its diagonal before the Cholesky factorisation (this
    removes the effect of column scaling on accuracy). If it is not numerically
    positive definite, a least-squares solve is used and a NumericalWarning is issued;
    with ``fallback=False`` None is returned instead (the caller has a better matrix).
    """
    factor, d, info = spd_factor(matrix)
    if info == 0:
        x = solve_factored(factor, d, rhs)
        if x is not None:
            return x
    if not fallback:
        return None
    warnings.warn(
        "The Hessian is not numerically positive definite (near-singular fit, e.g. "
        "separation); a least-squares step was used.",
        NumericalWarning,
        stacklevel=3,
    )
    scaled = matrix / d[:, None] / d[None, :]
    return np.linalg.lstsq(scaled, rhs / d, rcond=None)[0] / d


def relative_decrement(step: Array, gradient: Array, value: float) -> float:
    """Newton decrement −δᵀ∇f relative to |f| + 0.1 (≈ the relative change of the deviance)."""
    return float(abs(step @ gradient)) / (abs(value) + 0.1)
