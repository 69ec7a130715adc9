"""Penalised GLMs by IRLS with coordinate descent inside (glmnet's algorithm, proximal Newton).

Design note
-----------
The outer loop is a proximal Newton (IRLS) iteration on f(β) + P(β), f the objective's
negative log-likelihood Σℓᵢ and P a separable :class:`~glmkit.penalties.Penalty` with
bounds. At βₖ the smooth part is replaced by its quadratic model with the Fisher
information H = XᵀWX (the design's ``sandwich``):

    q(β) = gᵀ(β − βₖ) + ½ (β − βₖ)ᵀ H (β − βₖ) + P(β),

q is minimised exactly (below), and a backtracking line search on f + P along β̂ − βₖ
makes every step a descent step (also for non-canonical links, where Fisher scoring can
overshoot). Everything about the family reaches the solver through the objective's
Fisher weights and gradient: the solver never sees a family.

The quadratic sub-problem never touches X: it works on the p×p Gram matrix
("covariance updates"). Coefficients that are neither penalised nor bounded (the
intercept, penalty factor 0) are eliminated exactly by a Schur complement — for the
intercept that is centring the Gram with the current weights, glmnet's trick. On the
rest, cyclic coordinate descent runs over the active set only; it is interleaved with a
"polish" step that solves the sign-fixed problem on the current non-zero coordinates by
Cholesky and moves as far towards it as the signs and bounds allow. Coordinate descent
finds the active set and signs, the polish gives the solution to rounding accuracy; a
vectorised KKT check over all coordinates decides when to stop.

Costs are dominated by passes over X: one ``matvec`` and one ``rmatvec`` per iteration
(line search and gradient), and a Gram matrix when a fresh Hessian is needed. So:

* the Gram matrix is formed over the *working set* only (columns that are non-zero,
  unpenalised, or pass the sequential strong rule at a warm start; columns violating the
  KKT conditions are added and the sub-problem re-solved, so the rules never change
  the answer);
* a Hessian is reused while it keeps making fast progress (the KKT violation falls by
  at least 10× per iteration), including the one from the previous point of a path:
  a stale Fisher matrix still gives descent steps with a line search, and a fresh
  one is formed only when convergence slows down or η has moved (rms) by more than 0.02
  since it was formed;
* where the design offers one-pass steps (``Design.one_pass_steps``: dense designs on
  enough rows) each step is evaluated in a single pass over X (Xd, f, ∇f and, when due,
  the Gram at the new point: :meth:`~glmkit.objective.Objective.evaluate_step`), so an iteration
  costs one read of X instead of three.

Convergence: every coefficient's KKT violation vⱼ (distance of −∇f from the
subdifferential of P plus the normal cone of the bounds) satisfies vⱼ²/Hⱼⱼ ≤ tol²·(|F| + 0.1),
i.e. no single coordinate could lower the objective F = f + P by more than tol² of its
value — the criterion IRLS uses for its Newton decrement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ..penalties import Penalty
from ._base import Array, IterationRecord, PenalizedSolverResult, WarmState
from ._fused import CompactCopy, FusedEvaluator
from ._cd_hessian import HessianState
from ._penalized_qp import solve_penalized_qp

__all__ = ["CompactCopy", "CoordinateDescent", "PenalizedSolverResult", "WarmState", "solve_penalized_qp"]

_REFRESH_RATIO = 0.1  # a reused Hessian must cut the KKT violation by this factor per step
_REUSE_MIN_WORK = 5e6  # n·k² below which a fresh Hessian is cheaper than an extra iteration
_DRIFT_MAX = 0.02  # rms η-change after which the fused pass forms a fresh Hessian
_CHEAP_GRAM = 4.0  # a Gram over k columns with k² ≤ 4·p costs little next to a pass over X
_COMPACT_FRACTION = 0.25  # working sets up to this share of the columns get a compact copy
_FLOAT32_TOL = 1e-6  # the tolerance used at least on float32 designs
_QUADRATIC_MAX_P = 2000  # least squares: a Gram over every column up to this many (32 MB)
_ARMIJO = 1e-4


@dataclass(frozen=True)
class CoordinateDescent:
    """IRLS outer loop with coordinate descent on the Gram matrix inside (glmnet-style).

    Parameters
    ----------
    tol : float, default 1e-10
        Relative KKT tolerance (see the module notes); at least 1e-6 on float32 designs,
        whose products carry float32 rounding.
    max_iter : int, default 200
        Outer (IRLS) iterations.
    max_sweeps : int, default 10000
        Coordinate-descent sweeps per quadratic sub-problem.
    strong_rules : bool, default True
        Screen columns by the sequential strong rule at warm starts.
    reuse_hessian : bool, default True
        Keep a Fisher information matrix while it makes fast progress.
    full_gram_fraction : float, default 0.5
        Form the Gram over all columns once the working set holds this share of them.
    fused : bool, default True
        Where the design offers one-pass steps (large dense designs), evaluate each step
        (Xd, f, ∇f and, when due, the Gram) in one pass over X (:mod:`glmkit.solvers._fused`).
    compact : bool, default True
        With ``fused``: while the working set (plus the columns about to enter it) is at
        most a quarter of the columns, passes read a contiguous copy of those columns only.
    record_history : bool, default False

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.design import DenseDesign
    >>> from glmkit.penalties import Penalty
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = rng.poisson(np.exp(0.2 + X @ [0.5, 0.0, -0.3]))
    >>> obj = gk.Objective(gk.GLMLoss("poisson"), DenseDesign(X, intercept=True), y.astype(float),
    ...                    np.ones(200), np.zeros(200))
    >>> pen = Penalty.from_weights([0.0, 20.0, 20.0, 20.0])
    >>> res = CoordinateDescent().solve(obj, np.zeros(4), pen)
    >>> res.converged, bool(res.coef[2] == 0.0)
    (True, True)
    """

    tol: float = 1e-10
    max_iter: int = 200
    max_sweeps: int = 10_000
    strong_rules: bool = True
    reuse_hessian: bool = True
    full_gram_fraction: float = 0.5
    fused: bool = True
    compact: bool = True
    record_history: bool = False
    name: ClassVar[str] = "coordinate_descent"
    accepts_penalty: ClassVar[bool] = True

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> PenalizedSolverResult:
        """Minimise ``objective.value(β) + penalty.value(β)`` from ``start``.

        Parameters
        ----------
        objective : Objective
        start : ndarray of shape (n_features,)
            Projected onto the bounds first.
        penalty : Penalty, optional
            Per-coefficient weights on the scale of ``objective.value`` (no penalty if None).
        warm : WarmState, optional
            The state of the previous fit of a path.

        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> pen = gk.penalties.Penalty.none(2)
        >>> gk.solvers.CoordinateDescent().solve(objective, np.zeros(2), pen).coef.round(3).tolist()
        [-0.249, 0.463]
        """
        return _Run(self, objective, penalty, warm).run(start)


class _Run(HessianState):
    """One call of the solver: fixed inputs and the loop state."""

    def __init__(self, opts: CoordinateDescent, objective: Any, penalty: Penalty | None,
                 warm: WarmState | None) -> None:
        self.opts = opts
        self.obj = objective
        self.p = objective.n_features
        self.pen = penalty if penalty is not None else Penalty.none(self.p)
        if self.pen.n_features != self.p:
            raise ValueError(f"The penalty has {self.pen.n_features} coefficients; the objective {self.p}.")
        self.warm = warm
        self.n_hessians = 0
        self.H: Array | None = None
        self.H_idx = np.zeros(0, dtype=np.intp)
        self.H_pos = np.full(self.p, -1, dtype=np.intp)
        self.H_diag = np.zeros(0)
        self.fisher_sum = float("nan")

    # -- the Hessian over the working set ------------------------------------------------
    def _measure(self, coef: Array, grad: Array, eta: Array, F: float,
                 only: NDArray[np.intp] | None = None) -> tuple[float, Array, Array]:
        v = self.pen.kkt_violation(coef, grad)
        if only is not None:  # the gradient is current on these columns only
            keep = np.zeros(self.p, dtype=bool)
            keep[only] = True
            v = np.where(keep, v, 0.0)
        scale = self._scale(eta, v)
        with np.errstate(divide="ignore", invalid="ignore"):
            m = np.where(v > 0, v * v / np.where(scale > 0, scale, np.inf), 0.0)
        m = np.where((v > 0) & (scale <= 0), np.inf, m)  # a violating column with no curvature
        ref = abs(F) + 0.1
        return math.sqrt(float(m.max(initial=0.0)) / ref), m, v

    # -- the loop --------------------------------------------------------------------------
    def run(self, start: Array) -> PenalizedSolverResult:
        failed = self._start(start)
        if failed is not None:
            return failed
        while not self.done and self.n_iter < self.opts.max_iter:
            self.n_iter += 1
            self._iterate()
        return self._finish()

    def _start(self, start: Array) -> PenalizedSolverResult | None:
        """The fixed inputs of the loop and its first state; a result when ``start`` is invalid."""
        opts, obj, pen = self.opts, self.obj, self.pen
        coef = pen.project(np.asarray(start, dtype=float))
        warm = self.warm
        self.n_rows = obj.design.shape[0]
        # a least-squares loss on a tall design: one Gram over every column serves the whole fit
        # (and path); steps and gradients then follow from it exactly, with no pass over X
        self.quadratic = obj.is_quadratic and self.n_rows > 4 * self.p and self.p <= _QUADRATIC_MAX_P
        self.pending = np.zeros(self.p)  # the steps not yet applied to η (quadratic mode)
        if warm is not None and warm.coef.shape == coef.shape and np.array_equal(warm.coef, coef):
            # a warm start from the previous solution: η and ∇f are known, no pass over X
            grad = warm.gradient
            if self.quadratic and np.isfinite(warm.value):
                eta, f0 = warm.eta, warm.value
                if warm.pending is not None:
                    self.pending = warm.pending.copy()
            else:
                eta = warm.current_eta(obj.design)
                f0 = obj.value_at_eta(eta)
        else:
            warm = None
            ev = obj.evaluate(coef, hessian=None)
            eta, grad, f0 = ev.eta, ev.gradient, ev.value
        if not np.isfinite(f0):
            return PenalizedSolverResult(coef, False, 0, float("inf"),
                                         "the starting coefficients give an invalid mean")
        self.coef, self.eta, self.grad, self.F = coef, eta, grad, f0 + pen.value(coef)
        # float32 data: X·β and Xᵀv carry float32 rounding, so ~1e-8 is the attainable KKT level
        self.tol = opts.tol if np.dtype(obj.design.dtype) != np.float32 else max(opts.tol, _FLOAT32_TOL)
        self.tol2 = self.tol**2
        self.ws = self._first_working_set()
        # η-drift since the Hessian was formed: its Fisher weights are stale by about that much
        self.drift = float("inf")
        if warm is not None and warm.hessian is not None and opts.reuse_hessian and \
                self.n_rows * warm.hessian_index.size ** 2 >= _REUSE_MIN_WORK:
            self._set_hessian(warm.hessian, warm.hessian_index, warm.fisher_sum)
            self.drift = warm.drift
        self.fused = FusedEvaluator(obj) if opts.fused and FusedEvaluator.applicable(obj) else None
        if self.quadratic:
            self._full_gram(warm, eta)
            self.fused = None
        # compact mode: while the working set is a small part of X, passes read a contiguous
        # copy of its columns; ∇f is then current only on them (``partial``) until a full
        # gradient pass confirms the KKT conditions of every other column
        self.compact: FusedEvaluator | None = None
        if self.fused is not None and warm is not None and warm.compact is not None:
            self.compact = warm.compact.take()
            if self.compact.obj is not obj:
                self.compact = None
        self.partial = False
        self.g_eta: Array | None = None
        self.history: list[IterationRecord] = []
        self.kkt, self.m, self.v = self._measure(coef, grad, eta, self.F)
        self.ws |= self.m > self.tol2 * (abs(self.F) + 0.1)
        self.message = f"no convergence in {opts.max_iter} iterations"
        self.converged = self.kkt <= self.tol
        self.done = self.converged
        self.n_iter = 0
        self.stalls = 0
        self.force = self.H is None  # a fresh Hessian before the next sub-problem
        self.want_next = False  # a fresh Hessian from the next fused pass
        return None

    def _first_working_set(self) -> NDArray[np.bool_]:
        pen, p, coef = self.pen, self.p, self.coef
        if pen.is_smooth:
            return np.ones(p, dtype=bool)
        ws = pen.free | (coef != 0) | (pen.kkt_violation(coef, self.grad) > 0)
        if self.warm is not None and self.opts.strong_rules and self.warm.l1.shape == (p,):
            ws |= np.abs(self.warm.gradient) >= 2.0 * pen.l1 - self.warm.l1
        return ws

    def _reuse_pays(self) -> bool:
        k = self.H_idx.size if self.H is not None else int(self.ws.sum())
        return self.opts.reuse_hessian and self.n_rows * k * k >= _REUSE_MIN_WORK

    def _stop(self, message: str, converged: bool) -> None:
        self.done, self.converged, self.message = True, bool(converged), message

    def _iterate(self) -> None:
        """One outer iteration: a Hessian, the sub-problem, a line search, the KKT test."""
        idx = np.flatnonzero(self.ws)
        self._update_compact(idx)
        if self.force or not np.all(self.H_pos[idx] >= 0) or not self._reuse_pays() and self.drift > 0:
            self._fresh_hessian(self.eta, self._hessian_columns(self.ws, self.coef, self.grad))
            self.drift, self.force = 0.0, False
        fresh = self.drift == 0.0
        pos = self.H_pos[idx]
        Hw = self.H if (pos.size == self.H_idx.size) else self.H[np.ix_(pos, pos)]  # type: ignore[index]
        # inexact Newton: the sub-problem is solved to well below the current violation
        inner2 = max(0.01 * self.tol2, 1e-8 * self.kkt * self.kkt) * (abs(self.F) + 0.1)
        x = solve_penalized_qp(Hw, self.grad[idx], self.coef[idx], self.pen.subset(idx), inner2,
                               self.opts.max_sweeps)
        d = np.zeros(self.p)
        dw = x - self.coef[idx]
        d[idx] = dw
        if not np.any(d):
            if fresh:
                self._stop("no further progress possible (rounding floor)", self.kkt <= 100 * self.tol)
            else:
                self.force = True
            return
        step_rms = math.sqrt(max(float(dw @ Hw @ dw), 0.0) / self.fisher_sum) if self.fisher_sum > 0 else np.inf
        F_old, kkt_old = self.F, self.kkt
        t = self._line_search(d, step_rms, fresh)
        if t is None:
            return
        self.kkt, self.m, self.v = self._measure(self.coef, self.grad, self.eta, self.F,
                                                 self.compact.columns if self.partial else None)  # type: ignore[union-attr]
        self._after_step(F_old, kkt_old, fresh)

    def _update_compact(self, idx: NDArray[np.intp]) -> None:
        """Gather (or drop) the compact copy of the working-set columns, and its Gram."""
        obj, p = self.obj, self.p
        if self.fused is None or not self.opts.compact or self.pen.is_smooth:
            return
        cols = self._hessian_columns(self.ws, self.coef, self.grad)
        if cols.size <= _COMPACT_FRACTION * p:
            if self.compact is None or not np.all(np.isin(idx, self.compact.columns)):
                self.compact = None  # freed before the new copy is gathered
                self.compact = FusedEvaluator(obj, cols)  # one gather pass over X
            if self.H is None or not np.array_equal(self.H_idx, self.compact.columns) or self.drift > 0:
                h = obj.fisher_weights(self.eta)
                self._set_hessian(self.compact.gram(h), self.compact.columns, float(np.sum(h)))
                self.n_hessians += 1
                self.drift, self.force = 0.0, False
        elif self.compact is not None:
            if self.partial:
                self.grad = obj.design.rmatvec(self.g_eta)
                self.partial = False
            self.compact = None

    def _quadratic_step(self, d: Array) -> float:
        """The full step on a quadratic loss: f and ∇f at β + d from the Gram, exactly."""
        Hd = self.H @ d  # type: ignore[operator]
        f_new = self.F - self.pen.value(self.coef) + float(self.grad @ d) + 0.5 * float(d @ Hd)
        self.coef = self.coef + d
        self.grad = self.grad + Hd
        self.F = f_new + self.pen.value(self.coef)
        self.pending += d
        self._record(self.F, 1.0)
        return 1.0

    def _line_search(self, d: Array, step_rms: float, fresh: bool) -> float | None:
        """Move along d (the full step from a one-pass evaluation where there is one, else
        backtracking); the step length, or None when no step was taken."""
        if self.quadratic:
            return self._quadratic_step(d)
        obj, pen = self.obj, self.pen
        decrease = float(self.grad @ d) + pen.value(self.coef + d) - pen.value(self.coef)
        slack = 1e-13 * (abs(self.F) + 0.1)
        grad_before = self.grad
        Xd = None
        if self.fused is not None:
            Xd, F_t = self._fused_step(d, step_rms, decrease, slack, grad_before)
            if F_t is not None:
                self._record(F_t, 1.0)
                return 1.0
        if Xd is None:
            Xd = obj.design.matvec(d)
        t = 1.0 if self.fused is None else 0.5
        for _ in range(60):
            eta_t = self.eta + t * Xd
            F_t = obj.value_at_eta(eta_t) + pen.value(self.coef + t * d)
            if np.isfinite(F_t) and F_t <= self.F + _ARMIJO * t * min(decrease, 0.0) + slack:
                break
            t *= 0.5
        else:
            if not fresh:
                self.force = True
            else:
                self._stop("line search failed: no step lowers the penalised objective (rounding floor?)",
                           self.kkt <= 100 * self.tol)
            return None
        self.coef = self.coef + t * d
        ev = obj.evaluate(self.coef, hessian=None, eta=eta_t)
        self.eta, self.grad = ev.eta, ev.gradient
        self.F = ev.value + pen.value(self.coef)
        self.partial = False
        self.drift += t * step_rms
        self._secant_update(t * d, self.grad - grad_before)
        self._record(F_t, t)
        return t

    def _fused_step(self, d: Array, step_rms: float, decrease: float, slack: float,
                    grad_before: Array) -> tuple[Array, float | None]:
        """The full step evaluated in one pass (Xd, f, ∇f and, when due, the Gram):
        (Xd, the new F if the step was accepted, else None)."""
        compact, fused, pen = self.compact, self.fused, self.pen
        if compact is not None:  # a fresh Gram on the compact columns costs little
            out = compact.step(d[compact.columns], self.eta, np.arange(compact.columns.size))
            hidx = compact.columns
        else:
            hidx = self._hessian_columns(self.ws, self.coef, self.grad)
            cheap = hidx.size ** 2 <= _CHEAP_GRAM * self.p  # the Gram adds little to the pass
            want_h = self.want_next or cheap or not self._reuse_pays() or self.drift + step_rms > _DRIFT_MAX
            hidx = hidx if want_h else None
            out = fused.step(d, self.eta, hidx)  # type: ignore[union-attr]
        F_t = out.value + pen.value(self.coef + d)
        if not (np.isfinite(F_t) and F_t <= self.F + _ARMIJO * min(decrease, 0.0) + slack):
            return out.Xd, None
        self.coef = self.coef + d
        self.eta, self.g_eta = out.eta, out.eta_gradient
        self.F = out.value + pen.value(self.coef)
        if compact is not None and compact.columns.size < self.p:
            self.grad = self.grad.copy()
            self.grad[compact.columns] = out.gradient
            self.partial = True
        else:
            self.grad = out.gradient
        if out.hessian is not None:
            self._set_hessian(out.hessian, hidx, out.fisher_sum)  # type: ignore[arg-type]
            self.n_hessians += 1
            self.drift = 0.0
        else:
            self.drift += step_rms
            self._secant_update(d, self.grad - grad_before)
        self.want_next = False
        return out.Xd, F_t

    def _record(self, F_t: float, t: float) -> None:
        if self.opts.record_history:
            self.history.append(IterationRecord(self.n_iter, F_t, float(np.max(self.v, initial=0.0)), t))

    def _after_step(self, F_old: float, kkt_old: float, fresh: bool) -> None:
        """The KKT test after a step: convergence, new working-set columns, a Hessian refresh
        when progress was slow, and the rounding-floor stop."""
        if self.kkt <= self.tol and self.partial:  # converged on the compact columns: check all of them
            self.grad = self.obj.design.rmatvec(self.g_eta)
            self.partial = False
            self.kkt, self.m, self.v = self._measure(self.coef, self.grad, self.eta, self.F)
        new = ~self.ws & (self.m > self.tol2 * (abs(self.F) + 0.1))
        if np.any(new):
            self.ws |= new
        if self.kkt <= self.tol:
            self._stop("converged", True)
            return
        if self.drift > 0 and self.kkt > _REFRESH_RATIO * kkt_old:
            # the stale Hessian made slow progress: refresh it (in the next pass when that is
            # free, at once when the progress was very poor or there is no fused pass)
            if self.fused is None or self.kkt > 0.5 * kkt_old:
                self.force = True
            else:
                self.want_next = True
        # the objective no longer resolves the progress and the KKT measure stagnates
        if abs(F_old - self.F) <= 1e-15 * (abs(self.F) + 0.1) and fresh and self.kkt > 0.5 * kkt_old:
            self.stalls += 1
            if self.stalls >= 3:
                self._stop("stopped at the rounding floor", self.kkt <= 100 * self.tol)

    def _finish(self) -> PenalizedSolverResult:
        converged, kkt = self.converged, self.kkt
        if self.partial:
            self.grad = self.obj.design.rmatvec(self.g_eta)
            kkt = self._measure(self.coef, self.grad, self.eta, self.F)[0]
            converged = converged and kkt <= self.tol
        message = self.message
        if converged and message.startswith("no convergence"):
            message = "converged"
        compact = self.compact
        state = WarmState(self.coef.copy(), self.eta, self.grad.copy(), self.pen.l1.copy(), self.H_idx, self.H,
                          self.fisher_sum, self.drift, None if compact is None else CompactCopy(compact),
                          value=self.F - self.pen.value(self.coef),
                          pending=self.pending.copy() if np.any(self.pending) else None)
        return PenalizedSolverResult(self.coef, bool(converged), self.n_iter, float(self.F), message,
                                     tuple(self.history), kkt=float(kkt), n_hessians=self.n_hessians, state=state)
