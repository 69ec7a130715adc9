"""What every solver shares: the frozen result record and a careful SPD solve."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray
import math

from .._warnings import warn
from ..errors import NumericalWarning

__all__ = ["IterationRecord", "PenalizedSolver", "PenalizedSolverResult", "Solver", "SolverResult", "WarmState",
           "relative_kkt", "solve_spd"]

Array = NDArray[np.floating]


@dataclass(frozen=True)
class IterationRecord:
    """One row of a solver's history.

    Attributes
    ----------
    iteration : int
    loss : float
        The objective after the iteration.
    gradient_norm : float
        The largest absolute gradient component.
    step_size : float
        The step length taken (1 for a full Newton step).

    Examples
    --------
    >>> IterationRecord(iteration=1, loss=2.5, gradient_norm=0.1, step_size=1.0).loss
    2.5
    """

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

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
    >>> result = gk.solvers.IRLS().solve(objective, np.zeros(2))
    >>> result.converged, result.n_iter, result.coef.round(3).tolist()
    (True, 7, [-0.249, 0.463])
    """

    coef: Array
    converged: bool
    n_iter: int
    objective: float
    message: str = ""
    history: tuple[IterationRecord, ...] = field(default_factory=tuple)
    evaluation: Any = None


@dataclass(frozen=True, eq=False)
class WarmState:
    """What the solver hands to the next fit of a path (warm start).

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        The solution.
    eta : ndarray of shape (n_samples,)
        The linear predictor at the solution.
    gradient : ndarray of shape (n_features,)
        ∇f at the solution (for the sequential strong rule).
    l1 : ndarray of shape (n_features,)
        The L1 weights the solution was computed for.
    hessian_index : ndarray of int
        Columns the stored Hessian covers.
    hessian : ndarray of shape (k, k) or None
        The last Fisher information over ``hessian_index`` (computed near ``coef``).
    fisher_sum : float
        Σ of the Fisher weights it was formed with (to express steps as η changes).
    drift : float
        Root-mean-square change of η since it was formed.
    compact : CompactCopy or None
        The compact copy of the working-set columns (reused while the working set fits),
        handed to the next solve, which takes it: one copy is alive at a time.
    value : float
        f at ``coef`` (NaN when not recorded).
    fisher : ndarray of shape (n_samples,) or None
        The Fisher weights at ``eta``, when the solver had them (saves a loss evaluation).
    pending : ndarray of shape (n_features,) or None
        Steps not yet applied to ``eta``: the linear predictor at ``coef`` is then
        ``eta + X·pending`` (a least-squares path defers that product; see :meth:`current_eta`).

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
    >>> pen = gk.penalties.Penalty.none(2)
    >>> state = gk.solvers.CoordinateDescent().solve(objective, np.zeros(2), pen).state
    >>> state.coef.round(3).tolist()
    [-0.249, 0.463]
    """

    coef: Array
    eta: Array
    gradient: Array
    l1: Array
    hessian_index: NDArray[np.intp]
    hessian: Array | None
    fisher_sum: float = float("nan")
    drift: float = float("inf")
    compact: Any = None
    value: float = float("nan")
    fisher: Array | None = None
    pending: Array | None = None

    def current_eta(self, design: Any) -> Array:
        """The linear predictor at ``coef`` (``eta`` with the pending steps applied).

        >>> X = np.column_stack([np.ones(3), np.arange(3.0)])
        >>> state = WarmState(np.zeros(2), np.zeros(3), np.zeros(2), np.zeros(2), np.zeros(0, dtype=int), None,
        ...                   pending=np.array([1.0, 2.0]))
        >>> state.current_eta(gk.design.DenseDesign(X)).tolist()
        [1.0, 3.0, 5.0]
        """
        return self.eta if self.pending is None else self.eta + design.matvec(self.pending)


@dataclass(frozen=True)
class PenalizedSolverResult(SolverResult):
    """A :class:`SolverResult` with what penalised fits add.

    Attributes
    ----------
    kkt : float
        max over coefficients of ``√(vⱼ²/Hⱼⱼ / (|F| + 0.1))``, the relative KKT violation.
    n_hessians : int
        Fisher information matrices formed.
    state : WarmState or None
        For warm-starting the next fit of a path.

    Examples
    --------
    >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
    >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
    >>> pen = gk.penalties.Penalty.from_weights(l1=[0.0, 1.0])
    >>> result = gk.solvers.CoordinateDescent().solve(objective, np.zeros(2), pen)
    >>> result.converged, result.kkt < 1e-6
    (True, True)
    """

    kkt: float = float("nan")
    n_hessians: int = 0
    state: WarmState | None = None


class Solver(Protocol):
    """A solver: ``solve(objective, start) -> SolverResult``; options are set on construction.

    ``accepts_penalty`` (a ClassVar) is False: penalised fits need a :class:`PenalizedSolver`.
    ``newton_type`` (a ClassVar) is True for solvers that take Newton steps from an
    evaluated start (IRLS, Newton): they report an invalid start at iteration 0 themselves
    (so the fit needs no separate pass to check it) and, even when stopped early, end near
    a stationary point, where the separation test of the fitted means is meaningful.

    Examples
    --------
    >>> gk.solvers.IRLS.accepts_penalty, gk.solvers.IRLS.newton_type  # declared, not probed
    (False, True)
    """

    name: str
    accepts_penalty: ClassVar[bool]
    newton_type: ClassVar[bool]

    def solve(self, objective: Any, start: Array) -> SolverResult:
        """Minimise ``objective`` from ``start`` (shape (n_features,)).

        Examples
        --------
        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> solver: Solver = gk.solvers.IRLS()
        >>> solver.solve(objective, np.zeros(2)).coef.round(3).tolist()
        [-0.249, 0.463]
        """
        ...


@runtime_checkable
class PenalizedSolver(Protocol):
    """A solver for f(β) + P(β) with a separable penalty P (and bounds).

    ``solve(objective, start, penalty, warm=None)`` minimises ``objective.value(β) +
    penalty.value(β)`` from ``start`` (shape (n_features,)); ``penalty`` is a
    :class:`~glmkit.penalties.Penalty` over the same n_features (None: no penalty) and
    ``warm`` the :class:`WarmState` of the previous fit of a path (or None). It returns a
    :class:`PenalizedSolverResult`, whose ``kkt`` (relative KKT violation) and ``state``
    (the :class:`WarmState` for the next fit; None only when the start was invalid) are
    always present. ``tol`` is the relative KKT tolerance it stops at; ``accepts_penalty``
    (a ClassVar) is True.

    Examples
    --------
    >>> gk.solvers.CoordinateDescent.accepts_penalty
    True
    """

    name: str
    tol: float
    accepts_penalty: ClassVar[bool]

    def solve(self, objective: Any, start: Array, penalty: Any = None,
              warm: WarmState | None = None) -> PenalizedSolverResult:
        """Minimise ``objective.value(β) + penalty.value(β)`` from ``start``.

        Examples
        --------
        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> solver: PenalizedSolver = gk.solvers.CoordinateDescent()
        >>> solver.solve(objective, np.zeros(2), gk.penalties.Penalty.none(2)).coef.round(3).tolist()
        [-0.249, 0.463]
        """
        ...


def relative_kkt(penalty: Any, coef: Array, grad: Array, scale: Array, F: float) -> float:
    """max over coefficients of ``√(vⱼ²/scaleⱼ / (|F| + 0.1))``, vⱼ the KKT violation
    (``penalty.kkt_violation``) and scaleⱼ the curvature (the diagonal of XᵀWX + Λ)."""
    v = penalty.kkt_violation(coef, grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(v > 0, v * v / np.where(scale > 0, scale, np.inf), 0.0)
    return math.sqrt(float(m.max(initial=0.0)) / (abs(F) + 0.1))


def spd_factor(matrix: Array, scale: Array | None = None) -> tuple[Array, Array, int]:
    """Cholesky factor of M equilibrated by its diagonal: (U, d, info) with Uᵀ U = D⁻¹ M D⁻¹,
    D = diag(d), d = √|diag M| (1 where 0) unless ``scale`` gives d; info > 0 where M is
    not numerically positive definite."""
    from scipy.linalg import lapack
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
    from scipy.linalg import lapack
    x, info = lapack.dpotrs(factor, rhs / d, lower=0)
    return x / d if info == 0 else None


def solve_spd(matrix: Array, rhs: Array, fallback: bool = True) -> Array | None:
    """Solve M x = rhs for a symmetric positive-definite M.

    The matrix is equilibrated by its diagonal before the Cholesky factorisation (this
    removes the effect of column scaling on accuracy). If it is not numerically
    positive definite, a least-squares solve is used and a NumericalWarning is issued;
    with ``fallback=False`` None is returned instead (the caller has a better matrix).

    Examples
    --------
    >>> solve_spd(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([2.0, 2.0]))
    array([1. , 0.5])
    """
    factor, d, info = spd_factor(matrix)
    if info == 0:
        x = solve_factored(factor, d, rhs)
        if x is not None:
            return x
    if not fallback:
        return None
    warn(
        "The Hessian is not numerically positive definite (near-singular fit, e.g. "
        "separation); a least-squares step was used.",
        NumericalWarning)
    scaled = matrix / d[:, None] / d[None, :]
    return np.linalg.lstsq(scaled, rhs / d, rcond=None)[0] / d


def relative_decrement(step: Array, gradient: Array, value: float) -> float:
    """Newton decrement −δᵀ∇f relative to ``|f| + 0.1`` (≈ the relative change of the deviance)."""
    return float(abs(step @ gradient)) / (abs(value) + 0.1)
