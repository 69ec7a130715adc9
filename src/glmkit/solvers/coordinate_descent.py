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
* on large dense designs each step is evaluated in a single pass over X (Xd, f, ∇f and,
  when due, the Gram at the new point: :mod:`glmkit.solvers._fused`), so an iteration
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
from ._fused import FusedEvaluator
from ._penalized_qp import solve_penalized_qp

__all__ = ["CompactCopy", "CoordinateDescent", "PenalizedSolverResult", "WarmState", "solve_penalized_qp"]

_REFRESH_RATIO = 0.1  # a reused Hessian must cut the KKT violation by this factor per step
_REUSE_MIN_WORK = 5e6  # n·k² below which a fresh Hessian is cheaper than an extra iteration
_DRIFT_MAX = 0.02  # rms η-change after which the fused pass forms a fresh Hessian
_CHEAP_GRAM = 4.0  # a Gram over k columns with k² ≤ 4·p costs little next to a pass over X
_NEAR_FRACTION = 0.3  # columns this close to their L1 threshold join the Gram early
_COMPACT_FRACTION = 0.25  # working sets up to this share of the columns get a compact copy
_FLOAT32_TOL = 1e-6  # the tolerance used at least on float32 designs
_SMALL_GRAM = 1e6  # n·p² up to which the Gram always covers every column
_ARMIJO = 1e-4


class CompactCopy:
    """A compact copy of working-set columns passed from one fit of a path to the next.

    The next solve :meth:`take` s it, so that when it needs other columns the old copy is
    freed before the new one is gathered (two copies would double the memory they cost).
    """

    __slots__ = ("_evaluator",)

    def __init__(self, evaluator: Any) -> None:
        self._evaluator = evaluator

    def take(self) -> Any:
        """The copy (None once taken)."""
        evaluator, self._evaluator = self._evaluator, None
        return evaluator


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
        On large dense designs, evaluate each step (Xd, f, ∇f and, when due, the Gram) in
        one pass over X (:mod:`glmkit.solvers._fused`).
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
        """
        return _Run(self, objective, penalty, warm).run(start)


class _Run:
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
    def _set_hessian(self, H: Array, idx: NDArray[np.intp], fisher_sum: float) -> None:
        self.H, self.H_idx, self.fisher_sum = H, idx, float(fisher_sum)
        self.H_pos = np.full(self.p, -1, dtype=np.intp)
        self.H_pos[idx] = np.arange(idx.size)
        self.H_diag = np.diag(H).copy()

    def _secant_update(self, step: Array, grad_change: Array) -> None:
        """BFGS correction of a reused Fisher matrix over its columns (Hs = y afterwards).

        The Fisher information of an earlier point already captures most of the curvature;
        the rank-two correction makes the reused matrix agree with the change of the gradient
        just observed, which turns the linear convergence of a stale Hessian superlinear at
        no cost in passes over X. Skipped when the curvature condition yᵀs > 0 fails.
        """
        if self.H is None:
            return
        idx = self.H_idx
        s_ = step[idx]
        if np.any(step[self.H_pos < 0] != 0):  # a move outside the stored columns: keep H as is
            return
        y_ = grad_change[idx]
        ys = float(y_ @ s_)
        Hs = self.H @ s_
        sHs = float(s_ @ Hs)
        if not (ys > 1e-12 * math.sqrt(float(y_ @ y_) * float(s_ @ s_)) and sHs > 0):
            return
        H = self.H + np.outer(y_, y_) / ys - np.outer(Hs, Hs) / sHs
        self._set_hessian(0.5 * (H + H.T), idx, self.fisher_sum)

    def _hessian_columns(self, ws: NDArray[np.bool_], coef: Array, grad: Array) -> NDArray[np.intp]:
        """Columns to form the Gram over: the working set and the columns close to entering
        it (|∂f/∂βⱼ| ≥ 0.3·l1ⱼ, which the strong rule will admit at the next α of a path), so
        that a growing working set rarely needs a Gram of its own; all once that is most."""
        pen = self.pen
        if self.obj.design.shape[0] * self.p * self.p <= _SMALL_GRAM:  # small: always all columns
            return np.arange(self.p)
        near = np.abs(grad + pen.l2 * coef) >= _NEAR_FRACTION * pen.l1
        cols = ws | near
        if cols.sum() >= self.opts.full_gram_fraction * self.p:
            return np.arange(self.p)
        return np.flatnonzero(cols)

    def _fresh_hessian(self, eta: Array, idx: NDArray[np.intp]) -> None:
        h = self.obj.fisher_weights(eta)
        self._set_hessian(self.obj.design.sandwich_columns(h, idx), idx, float(np.sum(h)))
        self.n_hessians += 1

    def _scale(self, eta: Array, v: Array) -> Array:
        """Hⱼⱼ for every coefficient with a violation (exact Fisher diagonal off the stored set)."""
        scale = np.ones(self.p)
        inside = self.H_pos >= 0
        scale[inside] = self.H_diag[self.H_pos[inside]]
        outside = np.flatnonzero(~inside & (v > 0))
        if outside.size:
            h = self.obj.fisher_weights(eta)
            scale[outside] = self.obj.design.weighted_column_norms(h, outside)
        return scale

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
        opts, obj, pen, p = self.opts, self.obj, self.pen, self.p
        coef = pen.project(np.asarray(start, dtype=float))
        warm = self.warm
        if warm is not None and warm.coef.shape == coef.shape and np.array_equal(warm.coef, coef):
            # a warm start from the previous solution: η and ∇f are known, no pass over X
            eta, grad = warm.eta, warm.gradient
            f0 = obj.value_at_eta(eta)
        else:
            warm = None
            ev = obj.evaluate(coef, hessian=None)
            eta, grad, f0 = ev.eta, ev.gradient, ev.value
        if not np.isfinite(f0):
            return PenalizedSolverResult(coef, False, 0, float("inf"),
                                         "the starting coefficients give an invalid mean")
        F = f0 + pen.value(coef)
        # float32 data: X·β and Xᵀv carry float32 rounding, so ~1e-8 is the attainable KKT level
        tol = opts.tol if np.dtype(obj.design.dtype) != np.float32 else max(opts.tol, _FLOAT32_TOL)
        tol2 = tol**2

        if pen.is_smooth:
            ws = np.ones(p, dtype=bool)
        else:
            ws = pen.free | (coef != 0) | (pen.kkt_violation(coef, grad) > 0)
            if self.warm is not None and opts.strong_rules and self.warm.l1.shape == (p,):
                ws |= np.abs(self.warm.gradient) >= 2.0 * pen.l1 - self.warm.l1
        n_rows = obj.design.shape[0]

        def reuse_pays() -> bool:
            k = self.H_idx.size if self.H is not None else int(ws.sum())
            return opts.reuse_hessian and n_rows * k * k >= _REUSE_MIN_WORK

        # η-drift since the Hessian was formed: its Fisher weights are stale by about that much
        drift = float("inf")
        if warm is not None and warm.hessian is not None and opts.reuse_hessian and \
                n_rows * warm.hessian_index.size ** 2 >= _REUSE_MIN_WORK:
            self._set_hessian(warm.hessian, warm.hessian_index, warm.fisher_sum)
            drift = warm.drift
        fused = FusedEvaluator(obj) if opts.fused and FusedEvaluator.applicable(obj) else None
        # compact mode: while the working set is a small part of X, passes read a contiguous
        # copy of its columns; ∇f is then current only on them (``partial``) until a full
        # gradient pass confirms the KKT conditions of every other column
        compact: FusedEvaluator | None = None
        if fused is not None and warm is not None and warm.compact is not None:
            compact = warm.compact.take()
            if compact.obj is not obj:
                compact = None
        partial = False
        g_eta: Array | None = None
        history: list[IterationRecord] = []
        kkt, m, v = self._measure(coef, grad, eta, F)
        ws |= m > tol2 * (abs(F) + 0.1)
        message = f"no convergence in {opts.max_iter} iterations"
        converged = kkt <= tol
        n_iter = 0
        stalls = 0
        force = self.H is None  # a fresh Hessian before the next sub-problem
        want_next = False  # a fresh Hessian from the next fused pass
        while not converged and n_iter < opts.max_iter:
            n_iter += 1
            idx = np.flatnonzero(ws)
            if fused is not None and opts.compact and not pen.is_smooth:
                cols = self._hessian_columns(ws, coef, grad)
                if cols.size <= _COMPACT_FRACTION * p:
                    if compact is None or not np.all(np.isin(idx, compact.columns)):
                        compact = None  # freed before the new copy is gathered
                        compact = FusedEvaluator(obj, cols)  # one gather pass over X
                    if self.H is None or not np.array_equal(self.H_idx, compact.columns) or drift > 0:
                        h = obj.fisher_weights(eta)
                        self._set_hessian(compact.gram(h), compact.columns, float(np.sum(h)))
                        self.n_hessians += 1
                        drift, force = 0.0, False
                elif compact is not None:
                    if partial:
                        grad = obj.design.rmatvec(g_eta)
                        partial = False
                    compact = None
            if force or not np.all(self.H_pos[idx] >= 0) or not reuse_pays() and drift > 0:
                self._fresh_hessian(eta, self._hessian_columns(ws, coef, grad))
                drift, force = 0.0, False
            fresh = drift == 0.0
            pos = self.H_pos[idx]
            Hw = self.H if (pos.size == self.H_idx.size) else self.H[np.ix_(pos, pos)]  # type: ignore[index]
            # inexact Newton: the sub-problem is solved to well below the current violation
            inner2 = max(0.01 * tol2, 1e-8 * kkt * kkt) * (abs(F) + 0.1)
            x = solve_penalized_qp(Hw, grad[idx], coef[idx], pen.subset(idx), inner2, opts.max_sweeps)
            d = np.zeros(p)
            dw = x - coef[idx]
            d[idx] = dw
            if not np.any(d):
                if fresh:
                    converged = kkt <= 100 * tol
                    message = "no further progress possible (rounding floor)"
                    break
                force = True
                continue
            decrease = float(grad @ d) + pen.value(coef + d) - pen.value(coef)
            slack = 1e-13 * (abs(F) + 0.1)
            step_rms = math.sqrt(max(float(dw @ Hw @ dw), 0.0) / self.fisher_sum) if self.fisher_sum > 0 else np.inf
            accepted, evaluated, Xd = False, False, None
            grad_before = grad
            if compact is not None:  # a fresh Gram on the compact columns costs little
                out = compact.step(d[compact.columns], eta, np.arange(compact.columns.size))
                hidx = compact.columns
            elif fused is not None:
                hidx = self._hessian_columns(ws, coef, grad)
                cheap = hidx.size ** 2 <= _CHEAP_GRAM * p  # the Gram adds little to the pass
                want_h = want_next or cheap or not reuse_pays() or drift + step_rms > _DRIFT_MAX
                hidx = hidx if want_h else None
                out = fused.step(d, eta, hidx)
            if fused is not None:
                Xd = out.Xd
                F_t = out.value + pen.value(coef + d)
                if np.isfinite(F_t) and F_t <= F + _ARMIJO * min(decrease, 0.0) + slack:
                    accepted, evaluated, t = True, True, 1.0
                    coef = coef + d
                    eta, f_new, g_eta = out.eta, out.value, out.eta_gradient
                    if compact is not None and compact.columns.size < p:
                        grad = grad.copy()
                        grad[compact.columns] = out.gradient
                        partial = True
                    else:
                        grad = out.gradient
                    if out.hessian is not None:
                        self._set_hessian(out.hessian, hidx, out.fisher_sum)  # type: ignore[arg-type]
                        self.n_hessians += 1
                        drift = 0.0
                    else:
                        drift += step_rms
                        self._secant_update(d, grad - grad_before)
                    want_next = False
            if not accepted:
                if Xd is None:
                    Xd = obj.design.matvec(d)
                t = 1.0 if fused is None else 0.5
                for _ in range(60):
                    eta_t = eta + t * Xd
                    f_t = obj.value_at_eta(eta_t)
                    F_t = f_t + pen.value(coef + t * d)
                    if np.isfinite(F_t) and F_t <= F + _ARMIJO * t * min(decrease, 0.0) + slack:
                        accepted = True
                        break
                    t *= 0.5
            if not accepted:
                if not fresh:
                    force = True
                    continue
                converged = kkt <= 100 * tol
                message = "line search failed: no step lowers the penalised objective (rounding floor?)"
                break
            if not evaluated:
                coef = coef + t * d
                ev = obj.evaluate(coef, hessian=None, eta=eta_t)
                eta, grad, f_new = ev.eta, ev.gradient, ev.value
                partial = False
                drift += t * step_rms
                self._secant_update(t * d, grad - grad_before)
            if opts.record_history:
                history.append(IterationRecord(n_iter, F_t, float(np.max(v, initial=0.0)), t))
            F_old, F = F, f_new + pen.value(coef)
            kkt_old = kkt
            kkt, m, v = self._measure(coef, grad, eta, F, compact.columns if partial else None)  # type: ignore[union-attr]
            if kkt <= tol and partial:  # converged on the compact columns: check all of them
                grad = obj.design.rmatvec(g_eta)
                partial = False
                kkt, m, v = self._measure(coef, grad, eta, F)
            new = ~ws & (m > tol2 * (abs(F) + 0.1))
            if np.any(new):
                ws |= new
            if kkt <= tol:
                converged = True
                message = "converged"
                break
            if drift > 0 and kkt > _REFRESH_RATIO * kkt_old:
                # the stale Hessian made slow progress: refresh it (in the next pass when that is
                # free, at once when the progress was very poor or there is no fused pass)
                if fused is None or kkt > 0.5 * kkt_old:
                    force = True
                else:
                    want_next = True
            # the objective no longer resolves the progress and the KKT measure stagnates
            if abs(F_old - F) <= 1e-15 * (abs(F) + 0.1) and fresh and kkt > 0.5 * kkt_old:
                stalls += 1
                if stalls >= 3:
                    converged = kkt <= 100 * tol
                    message = "stopped at the rounding floor"
                    break
        if partial:
            grad = obj.design.rmatvec(g_eta)
            kkt = self._measure(coef, grad, eta, F)[0]
            converged = converged and kkt <= tol
        if converged and message.startswith("no convergence"):
            message = "converged"
        state = WarmState(coef.copy(), eta, grad.copy(), pen.l1.copy(), self.H_idx, self.H,
                          self.fisher_sum, drift, None if compact is None else CompactCopy(compact))
        return PenalizedSolverResult(coef, bool(converged), n_iter, float(F), message, tuple(history),
                                     kkt=float(kkt), n_hessians=self.n_hessians, state=state)
