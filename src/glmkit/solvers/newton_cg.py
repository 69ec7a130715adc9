"""Newton's method with conjugate gradients for smooth penalties on wide designs.

Newton steps with the Fisher information applied as Hessian-vector products
Xᵀ(W(Xv)) + Λv, solved by conjugate gradients with a Jacobi preconditioner (only the
diagonal of XᵀWX is ever formed), or exactly through a structured XᵀWX where the design
offers one (``Design.arrow_sandwich``). Quadratic convergence at O(nnz) memory. Stops on
the same relative KKT measure as :class:`~glmkit.solvers.coordinate_descent.CoordinateDescent`,
so results agree with it to the tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

from ..errors import InputError
from ..penalties import Penalty
from ._base import Array, PenalizedSolverResult, WarmState, relative_kkt

__all__ = ["NewtonCG"]

_ARMIJO = 1e-4
_CHORD_BELOW = 1e-3  # relative KKT violation under which a factor Gram may be reused ...
_CHORD_GAIN = 1e-3  # ... while each step cuts the violation by this factor at least
_CG_TOL_FRACTION = 0.3  # CG stops once the model's KKT violation is this share of tol
# CG products in float32 (indicator designs) stop once a Newton step from a violation under
# 1e-3 fails to cut it tenfold: their rounding then limits the step, float64 takes over
_SINGLE_CHECK_BELOW = 1e-3
_SINGLE_MIN_GAIN = 0.1
# X·step summed from float32 products is float32-accurate, so η drifts from Xβ + offset
# (relative 1e-7 of the steps). From a violation under this, a step's η is recomputed in
# float64 (one pass), which also clears the drift of earlier steps; convergence is only
# declared on an exact η.
_EXACT_ETA_BELOW = 1e-2



def _sums_and_norms(design: Any, h: Array, single: bool) -> tuple[Array, Array]:
    """(Xᵀh, Σᵢ hᵢ xᵢⱼ²): float32 products on an indicator design when CG runs in float32
    (they only scale the KKT test and build CG's preconditioner and intercept elimination,
    whose operator is float32 then as well), else float64."""
    parts = design.column_products(True) if single else None
    if parts is not None:
        _, wrmv, exact = parts
        if not exact:  # an indicator design: xᵢⱼ² = xᵢⱼ
            cols = wrmv(h, 1.0)
            sums = np.concatenate(([float(np.sum(h))], cols)) if design.intercept else cols
            return sums, sums
    return design.sums_and_column_norms(h)  # type: ignore[no-any-return]


def _float32_products(design: Any, icpt: bool) -> bool:
    """Whether CG's products can run in float32: an indicator sparse design, taken through
    its explicit columns (an implicit intercept, if any, eliminated)."""
    if not (icpt or not design.intercept):
        return False
    parts = design.column_products(True)
    return parts is not None and not parts.exact


def _forcing(kkt: float) -> float:
    """CG's relative residual target for a Newton step from this KKT violation (inexact Newton)."""
    return min(0.1, max(kkt, 1e-12))


def _kkt(pen: Penalty, coef: Array, grad: Array, scale: Array, F: float) -> float:
    return relative_kkt(pen, coef, grad, scale, F)


@dataclass(frozen=True)
class NewtonCG:
    """Newton's method for smooth penalties (ridge, no bounds) without a dense p×p matrix.

    Each Newton system (XᵀWX + Λ) d = −∇F is solved

    * exactly, when the design has a structured Gram (``arrow_sandwich``: a factor whose
      levels' block of XᵀWX is diagonal, as in :class:`~glmkit.design.MixedDesign`), by the
      Schur complement of that block — O(p·k + k³) for k other columns;
    * otherwise by conjugate gradients on Hessian-vector products Xᵀ(W(Xv)) + Λv with a
      Jacobi preconditioner (only the diagonal of XᵀWX is formed). An unpenalised
      intercept is eliminated exactly first (CG runs on the weighted-centred system, whose
      conditioning does not suffer from the intercept being close to a sum of columns),
      and the CG tolerance is tied to the current KKT violation (inexact Newton, superlinear).

    X·d for the line search is accumulated from the products CG already formed, and the
    loss terms of an accepted step give the value, the gradient and the next Fisher weights
    in one evaluation, so a Newton step costs two passes over X plus two per CG iteration
    (plus one near the solution with float32 products, see ``mixed_precision``).

    Parameters
    ----------
    tol : float, default 1e-10
        Relative KKT tolerance (as :class:`CoordinateDescent`).
    max_iter : int, default 100
    max_cg : int, default 500
        Conjugate-gradient iterations per Newton step.
    structured : bool, default True
        Solve exactly through the design's factor block when it has one (``False``: always CG).
    mixed_precision : bool, default True
        On an indicator (0/1) sparse design, let CG form X̃v and X̃ᵀ(W·X̃v) in float32 (exact
        entries, about a third faster; gradients, values and the KKT test stay float64). The
        products' rounding (1e-7) only makes the Newton step inexact; once a step from a
        violation under 1e-3 gains less than tenfold, float64 products are used instead.
        X·step summed from float32 products is float32-accurate, so from a violation under
        1e-2 the step's η is recomputed as Xβ + offset in float64 (one pass), and
        convergence is only declared at such an exact η.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.design import DenseDesign
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3)); y = rng.poisson(1.0, 100).astype(float)
    >>> obj = gk.Objective(gk.GLMLoss("poisson"), DenseDesign(X, intercept=True), y, np.ones(100), np.zeros(100))
    >>> res = NewtonCG().solve(obj, np.zeros(4), Penalty.from_weights(np.zeros(4), [0, 5.0, 5.0, 5.0]))
    >>> res.converged
    True
    """

    tol: float = 1e-10
    max_iter: int = 100
    max_cg: int = 500
    structured: bool = True
    mixed_precision: bool = True
    name: ClassVar[str] = "newton_cg"
    accepts_penalty: ClassVar[bool] = True

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> PenalizedSolverResult:
        """Minimise ``objective.value(β) + penalty.value(β)`` from ``start`` (see :class:`PenalizedSolver`).

        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> pen = gk.penalties.Penalty.none(2)
        >>> gk.solvers.NewtonCG().solve(objective, np.zeros(2), pen).coef.round(3).tolist()
        [-0.249, 0.463]
        """
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        if not pen.is_smooth:
            raise InputError("NewtonCG needs a smooth penalty (no L1 part, no bounds); use ProximalGradient "
                             "or CoordinateDescent.")
        run = _Run(self, objective, pen)
        coef = np.asarray(start, dtype=float).copy()
        if not run.start(coef, warm):
            return PenalizedSolverResult(coef, False, 0, float("inf"), "the starting coefficients give an invalid mean")
        return run.run()

    def _cg(self, design: Any, h: Array, l2: Array, diag: Array, sums: Array, rhs: Array, rtol: float,
            icpt: bool, stop: float = 0.0, single: bool = False,
            accumulate: bool = True) -> tuple[Array, Array | None, int, bool]:
        """Preconditioned CG for (XᵀWX + Λ) x = rhs.

        Returns x, X·x summed from the products CG formed (None unless ``accumulate``), the
        iterations, and whether that X·x is only float32-accurate (``single`` products).

        With ``icpt`` the intercept x₀ is eliminated: with a = Σh and c = Xᵀh (over the other
        columns), CG solves (XᵀWX − c cᵀ/a + Λ) x = r − c r₀/a on the others, then
        x₀ = (r₀ − cᵀx)/a.
        """
        b, dg, lam, hv, exact = _cg_system(design, h, l2, diag, sums, rhs, icpt, single)
        pre = np.where(dg > 0, 1.0 / np.where(dg > 0, dg, 1.0), 1.0)
        # the residual is ∇F of the quadratic model after the step (the intercept's entry is 0
        # by elimination): its KKT measure max |rⱼ|/√diagⱼ is what the next check will see
        inv_root = 1.0 / np.sqrt(np.where(diag[1:] > 0, diag[1:], np.inf)) if icpt else \
            1.0 / np.sqrt(np.where(diag > 0, diag, np.inf))
        # X·x in the products' precision (float32 sums are only float32-accurate anyway)
        Xx = np.zeros(design.shape[0], dtype=np.float64 if exact else np.float32) if accumulate else None
        x, Xx, used = _pcg(hv, b, pre, inv_root, Xx, rtol, stop, self.max_cg)
        approx = Xx is not None and not exact
        if not icpt:
            return x, Xx, used, approx
        a, c = float(sums[0]), sums[1:]
        x0 = (rhs[0] - float(c @ x)) / a
        return np.concatenate(([x0], x)), None if Xx is None else Xx + x0, used, approx


HessVec = Callable[[Array], "tuple[Array, Array]"]


def _cg_system(design: Any, h: Array, l2: Array, diag: Array, sums: Array, rhs: Array, icpt: bool,
               single: bool) -> tuple[Array, Array, Array, HessVec, bool]:
    """CG's system: (right-hand side, diagonal for the preconditioner, ridge, v ↦ (Av, X̃v),
    whether X̃v is float64), with the intercept eliminated when ``icpt``."""
    from scipy.linalg.blas import daxpy as _axpy
    p = rhs.shape[0]
    a, c = (float(sums[0]), sums[1:]) if icpt else (1.0, sums)
    if icpt:
        b = rhs[1:] - c * (rhs[0] / a)
        dg = diag[1:] - c * c / a
        dg = np.where(dg > 1e-12 * diag[1:], dg, diag[1:])
        lam = l2[1:]
    else:
        b, dg, lam = rhs, diag, l2
    parts = design.column_products(single) if (icpt or not design.intercept) else None
    if parts is not None:
        # products over the explicit columns only (no intercept column to add or drop)
        mv, wrmv, exact = parts
        scratch = np.empty_like(b)

        def hv(v: Array) -> tuple[Array, Array]:
            Xv = mv(v)
            out = wrmv(h, Xv)
            if icpt:
                out = _axpy(c, out, a=-float(c @ v) / a)  # cᵀv = hᵀX̃v: the weighted sum of X̃v
            out += np.multiply(lam, v, out=scratch)
            return out, Xv

        return b, dg, lam, hv, exact
    full = np.zeros(p)

    def hv_generic(v: Array) -> tuple[Array, Array]:
        if icpt:
            full[1:] = v
            Xv = design.matvec(full)
            out = design.rmatvec(h * Xv)
            return out[1:] - c * (out[0] / a) + lam * v, Xv
        Xv = design.matvec(v)
        return design.rmatvec(h * Xv) + lam * v, Xv

    return b, dg, lam, hv_generic, True


def _pcg(hv: HessVec, b: Array, pre: Array, inv_root: Array, Xx: Array | None, rtol: float, stop: float,
         max_cg: int) -> tuple[Array, Array | None, int]:
    """Jacobi-preconditioned CG for A x = b (A through ``hv``), summing X·x into ``Xx``.

    Stops at the relative residual ``rtol`` or once max |rⱼ|·inv_rootⱼ ≤ ``stop``; in place,
    no vector is allocated per iteration but the products'.
    """
    from scipy.linalg.blas import daxpy as _axpy, saxpy as _saxpy
    x = np.zeros_like(b)
    r = b.copy()
    z = pre * r
    d = z.copy()
    work = np.empty_like(b)
    rz = float(r @ z)
    r0 = math.sqrt(max(rz, 0.0))
    used = 0
    for _ in range(max_cg):
        used += 1
        Ad, Xd = hv(d)
        dAd = float(d @ Ad)
        if dAd <= 0:
            break
        alpha = rz / dAd
        x = _axpy(d, x, a=alpha)  # x += alpha·d
        if Xx is not None:
            Xx = (_axpy if Xx.dtype == np.float64 else _saxpy)(Xd.astype(Xx.dtype, copy=False), Xx, a=alpha)
        r = _axpy(Ad, r, a=-alpha)
        np.multiply(pre, r, out=z)
        rz_new = float(r @ z)
        if math.sqrt(max(rz_new, 0.0)) <= rtol * r0:
            break
        if stop > 0 and float(np.max(np.multiply(np.abs(r, out=work), inv_root, out=work))) <= stop:
            break
        d *= rz_new / rz
        d += z
        rz = rz_new
    return x, Xx, used


class _Run:
    """One call of :meth:`NewtonCG.solve`: fixed inputs, then the loop state.

    Fixed: the options, the objective and its design, the penalty and its ridge weights,
    whether the intercept is eliminated from CG, the structured-Gram hook. Loop state: the
    iterate (coef, η, ∇f, Fisher weights h, f, F), the curvature scale ``diag``, the last
    structured Gram, the float32 switch and η's drift, the KKT violations and counters.
    """

    def __init__(self, opts: NewtonCG, objective: Any, pen: Penalty) -> None:
        self.opts, self.obj, self.pen = opts, objective, pen
        self.design = design = objective.design
        self.l2 = pen.l2
        p = objective.n_features
        # an unpenalised intercept (the implicit first column) is eliminated from CG exactly
        self.icpt = bool(design.intercept) and p > 1 and self.l2[0] == 0
        self.arrow_of = design.arrow_sandwich if opts.structured else None
        # loop state
        self.kkt = float("inf")
        self.kkt_last = float("inf")  # the violation the previous step started from
        self.n_iter = self.n_cg = 0
        self.converged = False
        self.done = False
        self.message = f"no convergence in {opts.max_iter} iterations"
        self.diag: Array | None = None
        self.sums: Array | None = None
        self.arrow: Any = None
        self.single = opts.mixed_precision and _float32_products(design, self.icpt)
        self.drift = False  # η carries float32 rounding from summed products (not exactly Xβ + offset)

    def start(self, coef: Array, warm: WarmState | None) -> bool:
        """Set the iterate at ``coef`` (from ``warm`` where it matches); False if invalid there."""
        obj = self.obj
        self.coef = coef
        warm_ok = warm is not None and np.array_equal(warm.coef, coef)
        if warm_ok and warm.fisher is not None and np.isfinite(warm.value):  # type: ignore[union-attr]
            self.eta, self.grad, self.f, self.h = warm.eta, warm.gradient, warm.value, warm.fisher  # type: ignore[union-attr]
        else:
            self.eta = warm.eta if warm_ok else obj.eta(coef)  # type: ignore[union-attr]
            terms = obj.terms_at(self.eta)
            self.f = float(np.sum(terms.loss)) if terms is not None else float("inf")
            if not np.isfinite(self.f):
                return False
            self.grad = warm.gradient if warm_ok else self.design.rmatvec(terms.gradient)  # type: ignore[union-attr]
            self.h = terms.hessian
        self.F = self.f + self.pen.value(coef)
        return True

    def exact_state(self) -> None:
        """η = Xβ + offset in float64 and the gradient, Fisher weights, f and F there."""
        self.drift = False
        self.eta = self.obj.eta(self.coef)
        terms = self.obj.terms_at(self.eta)
        if terms is None:  # outside the link's domain: F = inf, and the line search moves on
            self.f = self.F = float("inf")
            return
        self.f = float(np.sum(terms.loss))
        self.grad, self.h = self.design.rmatvec(terms.gradient), terms.hessian
        self.F = self.f + self.pen.value(self.coef)

    def _stop(self, message: str = "converged", converged: bool = True) -> None:
        self.done, self.converged, self.message = True, converged, message

    def run(self) -> PenalizedSolverResult:
        while self.n_iter < self.opts.max_iter:
            G = self.grad + self.l2 * self.coef
            if self.diag is not None:
                G = self._check_at_old_scale(G)
                if self.done:
                    break
            step = self._direct_step(G)
            if self.done:
                break
            self._take_step(G, step)
            if self.done:  # the line search failed
                break
        if self.drift:  # stopped without converging: hand on η = Xβ + offset all the same
            self.exact_state()
        return self._result()

    def _check_at_old_scale(self, G: Array) -> Array:
        """The KKT test with the scale of the last Fisher matrix (as CoordinateDescent): the
        final check needs no new one; at a drifted η it is repeated at the exact η."""
        self.kkt = _kkt(self.pen, self.coef, self.grad, self.diag, self.F)  # type: ignore[arg-type]
        if self.kkt <= self.opts.tol and self.drift:
            self.exact_state()
            G = self.grad + self.l2 * self.coef
            self.kkt = _kkt(self.pen, self.coef, self.grad, self.diag, self.F)  # type: ignore[arg-type]
        if self.kkt <= self.opts.tol:
            self._stop()
        return G

    def _direct_step(self, G: Array) -> Array | None:
        """A step from the structured Gram where there is one (a chord step with the last one
        near the solution), else None (CG); refreshes ``diag`` (and CG's sums) and the KKT test."""
        l2 = self.l2
        step = None
        if self.arrow is not None and self.kkt <= _CHORD_BELOW and self.kkt <= _CHORD_GAIN * self.kkt_last:
            # near the solution and the last step gained over three digits: the factor Gram it
            # used still gives a fast (chord) step; a new one costs a pass of sums
            step = self.arrow.solve(l2, -G)
        if step is None:
            self.arrow = self.arrow_of(self.h) if self.arrow_of is not None else None
            if self.arrow is not None:
                self.diag = self.arrow.diag() + l2
            else:
                self.sums, norms = _sums_and_norms(self.design, self.h, self.single)
                self.diag = norms + l2
            self.kkt = _kkt(self.pen, self.coef, self.grad, self.diag, self.F)
            if self.kkt <= self.opts.tol:
                self._stop()
                return None
            if self.arrow is not None:
                step = self.arrow.solve(l2, -G)
                if step is None:  # not positive definite: conjugate gradients instead
                    self.sums, _ = _sums_and_norms(self.design, self.h, self.single)
        return step

    def _cg_step(self, G: Array) -> tuple[Array, Array, bool, bool]:
        """(step, X·step, X·step only float32-accurate, η to be recomputed exactly) by CG."""
        opts, kkt = self.opts, self.kkt
        # CG stops at the inexact-Newton forcing term, or earlier once the quadratic model's
        # KKT violation after the step is under 0.3·tol (no use going further)
        stop = _CG_TOL_FRACTION * opts.tol * math.sqrt(abs(self.F) + 0.1)
        exact_eta = kkt <= _EXACT_ETA_BELOW and (self.single or self.drift)
        step, Xd, used, approx = opts._cg(self.design, self.h, self.l2, self.diag, self.sums, -G,  # type: ignore[arg-type]
                                          _forcing(kkt), self.icpt, stop, self.single,
                                          accumulate=not exact_eta)
        self.n_cg += used
        return step, Xd, approx, exact_eta  # type: ignore[return-value]

    def _take_step(self, G: Array, step: Array | None) -> None:
        """Solve for the Newton step if needed and move along it with a line search (or
        reset a drifted η, or stop when no step is acceptable)."""
        if self.single and self.kkt_last <= _SINGLE_CHECK_BELOW and self.kkt > _SINGLE_MIN_GAIN * self.kkt_last:
            self.single = False  # float32 products limit the step's accuracy here: exact from now on
        self.n_iter += 1
        self.kkt_last = self.kkt
        exact_eta = False
        if step is not None:
            Xd, approx = self.design.matvec(step), False
        else:
            step, Xd, approx, exact_eta = self._cg_step(G)
        if exact_eta:  # η at the full step in float64 (one pass), clearing any drift
            eta_full = self.obj.eta(self.coef + step)
            Xd = eta_full - self.eta
        else:
            eta_full = self.eta + Xd
        t, terms = self._line_search(G, step, Xd, eta_full)
        if t is not None:
            self._move(t, step, Xd, eta_full, terms, approx, exact_eta)

    def _line_search(self, G: Array, step: Array, Xd: Array, eta_full: Array) -> tuple[float | None, Any]:
        """(t, loss terms at η + t·Xd) for an Armijo step; (None, None) when a drifted η was
        reset instead or no step is acceptable (then the run is ``done``)."""
        obj, pen, F = self.obj, self.pen, self.F
        decrease = float(G @ step)
        t = 1.0
        terms = obj.terms_at(eta_full)
        F_t = float(np.sum(terms.loss)) + pen.value(self.coef + step) if terms is not None else float("inf")
        slack = 1e-13 * (abs(F) + 0.1)
        if np.isfinite(F_t) and F_t <= F + _ARMIJO * min(decrease, 0.0) + slack:
            return t, terms
        if self.drift:  # F is the value at a drifted η: start again from the exact one
            self.exact_state()
            return None, None
        for _ in range(60):
            t *= 0.5
            F_t = obj.value_at_eta(self.eta + t * Xd) + pen.value(self.coef + t * step)
            if np.isfinite(F_t) and F_t <= F + _ARMIJO * t * min(decrease, 0.0) + slack:
                return t, obj.terms_at(self.eta + t * Xd)
        self._stop("line search failed", self.kkt <= 100 * self.opts.tol)
        return None, None

    def _move(self, t: float, step: Array, Xd: Array, eta_full: Array, terms: Any, approx: bool,
              exact_eta: bool) -> None:
        """The iterate at coef + t·step, with the loss terms found there."""
        self.coef = self.coef + t * step
        if t == 1.0:
            self.eta = eta_full
            self.drift = approx or (self.drift and not exact_eta)
        else:
            self.eta = self.eta + t * Xd
            self.drift = self.drift or approx
        self.grad = self.design.rmatvec(terms.gradient)
        self.h = terms.hessian
        self.f = float(np.sum(terms.loss))
        self.F = self.f + self.pen.value(self.coef)

    def _result(self) -> PenalizedSolverResult:
        pen = self.pen
        state = WarmState(self.coef.copy(), self.eta, self.grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp),
                          None, value=self.f, fisher=self.h)
        message = self.message + (f" ({self.n_cg} CG iterations)" if self.n_cg else "")
        return PenalizedSolverResult(self.coef, self.converged, self.n_iter, float(self.F), message,
                                     kkt=float(self.kkt), state=state)
