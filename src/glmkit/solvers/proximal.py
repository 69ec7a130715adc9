"""Penalised solvers for wide designs, where a p×p Gram matrix is too large to form.

* :class:`NewtonCG` — smooth penalties (ridge, no bounds): Newton steps with the Fisher
  information applied as Hessian-vector products Xᵀ(W(Xv)) + Λv, solved by conjugate
  gradients with a Jacobi preconditioner (only the diagonal of XᵀWX is ever formed).
  Quadratic convergence at O(nnz) memory.
* :class:`ProximalGradient` — any penalty with bounds and L1 parts: accelerated proximal
  gradient (FISTA) with backtracking on the step and adaptive restart. Linear convergence
  only; meant for moderate tolerances on very wide problems.

Both take ``solve(objective, start, penalty, warm=None)`` like
:class:`~glmkit.solvers.coordinate_descent.CoordinateDescent` and stop on the same
relative KKT measure, so results agree with it to the tolerance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.linalg.blas import daxpy as _axpy
from scipy.linalg.blas import saxpy as _saxpy

from ..penalties import Penalty
from ._base import Array, SolverResult
from .coordinate_descent import PenalizedSolverResult, WarmState

__all__ = ["NewtonCG", "ProximalGradient"]

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
    v = pen.kkt_violation(coef, grad)
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(v > 0, v * v / np.where(scale > 0, scale, np.inf), 0.0)
    return math.sqrt(float(m.max(initial=0.0)) / (abs(F) + 0.1))


def _start(objective: Any, coef: Array, warm: WarmState | None) -> tuple[Array, Array, float]:
    if warm is not None and np.array_equal(warm.coef, coef):
        return warm.eta, warm.gradient, objective.value_at_eta(warm.eta)
    ev = objective.evaluate(coef, hessian=None)
    return ev.eta, ev.gradient, ev.value


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
    name: str = "newton_cg"

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> SolverResult:
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        if not pen.is_smooth:
            raise ValueError("NewtonCG needs a smooth penalty (no L1 part, no bounds); use ProximalGradient "
                             "or CoordinateDescent.")
        design = objective.design
        coef = np.asarray(start, dtype=float).copy()
        warm_ok = warm is not None and np.array_equal(warm.coef, coef)
        if warm_ok and warm.fisher is not None and np.isfinite(warm.value):  # type: ignore[union-attr]
            eta, grad, f, h = warm.eta, warm.gradient, warm.value, warm.fisher  # type: ignore[union-attr]
        else:
            eta = warm.eta if warm_ok else objective.eta(coef)  # type: ignore[union-attr]
            terms = objective.terms_at(eta)
            f = float(np.sum(terms.loss)) if terms is not None else float("inf")
            if not np.isfinite(f):
                return PenalizedSolverResult(coef, False, 0, float("inf"),
                                             "the starting coefficients give an invalid mean")
            grad = warm.gradient if warm_ok else design.rmatvec(terms.gradient)  # type: ignore[union-attr]
            h = terms.hessian
        l2 = pen.l2
        F = f + pen.value(coef)
        arrow_of = design.arrow_sandwich if self.structured else None
        # an unpenalised intercept (the implicit first column) is eliminated from CG exactly
        icpt = bool(design.intercept) and p > 1 and l2[0] == 0
        kkt = float("inf")
        n_iter = n_cg = 0
        converged = False
        message = f"no convergence in {self.max_iter} iterations"
        diag: Array | None = None
        arrow = None
        kkt_last = float("inf")  # the violation the previous step started from
        single = self.mixed_precision and _float32_products(design, icpt)
        drift = False  # η carries float32 rounding from summed products (not exactly Xβ + offset)

        def exact_state(coef: Array, h: Array) -> tuple[Array, Array, Array, float, float]:
            """η = Xβ + offset in float64 and the gradient, Fisher weights, f and F there."""
            eta = objective.eta(coef)
            terms = objective.terms_at(eta)
            if terms is None:  # outside the link's domain: F = inf, and the line search moves on
                return eta, grad, h, float("inf"), float("inf")
            f = float(np.sum(terms.loss))
            return eta, design.rmatvec(terms.gradient), terms.hessian, f, f + pen.value(coef)

        while n_iter < self.max_iter:
            G = grad + l2 * coef
            if diag is not None:
                # the KKT scale from the last Fisher matrix (as CoordinateDescent): the final
                # check needs no new one
                kkt = _kkt(pen, coef, grad, diag, F)
                if kkt <= self.tol and drift:  # check again at η = Xβ + offset in float64
                    eta, grad, h, f, F = exact_state(coef, h)
                    drift = False
                    G = grad + l2 * coef
                    kkt = _kkt(pen, coef, grad, diag, F)
                if kkt <= self.tol:
                    converged, message = True, "converged"
                    break
            step = None
            if arrow is not None and kkt <= _CHORD_BELOW and kkt <= _CHORD_GAIN * kkt_last:
                # near the solution and the last step gained over three digits: the factor
                # Gram it used still gives a fast (chord) step; a new one costs a pass of sums
                step = arrow.solve(l2, -G)
            if step is None:
                arrow = arrow_of(h) if arrow_of is not None else None
                if arrow is not None:
                    diag = arrow.diag() + l2
                else:
                    sums, norms = _sums_and_norms(design, h, single)
                    diag = norms + l2
                kkt = _kkt(pen, coef, grad, diag, F)
                if kkt <= self.tol:
                    converged, message = True, "converged"
                    break
                if arrow is not None:
                    step = arrow.solve(l2, -G)
                    if step is None:  # not positive definite: conjugate gradients instead
                        sums, _ = _sums_and_norms(design, h, single)
            if single and kkt_last <= _SINGLE_CHECK_BELOW and kkt > _SINGLE_MIN_GAIN * kkt_last:
                single = False  # float32 products limit the step's accuracy here: exact from now on
            n_iter += 1
            kkt_last = kkt
            exact_eta = False
            if step is not None:
                Xd = design.matvec(step)
                approx = False
            else:
                # CG stops at the inexact-Newton forcing term, or earlier once the quadratic
                # model's KKT violation after the step is under 0.3·tol (no use going further)
                stop = _CG_TOL_FRACTION * self.tol * math.sqrt(abs(F) + 0.1)
                exact_eta = kkt <= _EXACT_ETA_BELOW and (single or drift)
                step, Xd, used, approx = self._cg(design, h, l2, diag, sums, -G, _forcing(kkt), icpt,
                                                  stop, single, accumulate=not exact_eta)
                n_cg += used
            if exact_eta:  # η at the full step in float64 (one pass), clearing any drift
                eta_full = objective.eta(coef + step)
                Xd = eta_full - eta
            else:
                eta_full = eta + Xd
            decrease = float(G @ step)
            t = 1.0
            terms = objective.terms_at(eta_full)
            F_t = float(np.sum(terms.loss)) + pen.value(coef + step) if terms is not None else float("inf")
            slack = 1e-13 * (abs(F) + 0.1)
            if not (np.isfinite(F_t) and F_t <= F + _ARMIJO * min(decrease, 0.0) + slack):
                if drift:  # F is the value at a drifted η: start again from the exact one
                    eta, grad, h, f, F = exact_state(coef, h)
                    drift = False
                    continue
                for _ in range(60):
                    t *= 0.5
                    F_t = objective.value_at_eta(eta + t * Xd) + pen.value(coef + t * step)
                    if np.isfinite(F_t) and F_t <= F + _ARMIJO * t * min(decrease, 0.0) + slack:
                        break
                else:
                    message = "line search failed"
                    converged = kkt <= 100 * self.tol
                    break
                terms = objective.terms_at(eta + t * Xd)
            coef = coef + t * step
            if t == 1.0:
                eta = eta_full
                drift = approx or (drift and not exact_eta)
            else:
                eta = eta + t * Xd
                drift = drift or approx
            grad = design.rmatvec(terms.gradient)
            h = terms.hessian
            f = float(np.sum(terms.loss))
            F = f + pen.value(coef)
        if drift:  # stopped without converging: hand on η = Xβ + offset all the same
            eta, grad, h, f, F = exact_state(coef, h)
        state = WarmState(coef.copy(), eta, grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp), None,
                          value=f, fisher=h)
        if n_cg:
            message += f" ({n_cg} CG iterations)"
        return PenalizedSolverResult(coef, converged, n_iter, float(F), message, kkt=float(kkt), state=state)

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
        p = rhs.shape[0]
        if icpt:
            a = float(sums[0])
            c = sums[1:]
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
        else:
            exact = True
            full = np.zeros(p)

            def hv(v: Array) -> tuple[Array, Array]:
                if icpt:
                    full[1:] = v
                    Xv = design.matvec(full)
                    out = design.rmatvec(h * Xv)
                    return out[1:] - c * (out[0] / a) + lam * v, Xv
                Xv = design.matvec(v)
                return design.rmatvec(h * Xv) + lam * v, Xv

        pre = np.where(dg > 0, 1.0 / np.where(dg > 0, dg, 1.0), 1.0)
        # the residual is ∇F of the quadratic model after the step (the intercept's entry is 0
        # by elimination): its KKT measure max |rⱼ|/√diagⱼ is what the next check will see
        inv_root = 1.0 / np.sqrt(np.where(diag[1:] > 0, diag[1:], np.inf)) if icpt else \
            1.0 / np.sqrt(np.where(diag > 0, diag, np.inf))
        x = np.zeros_like(b)
        # X·x in the products' precision (float32 sums are only float32-accurate anyway)
        Xx = np.zeros(design.shape[0], dtype=np.float64 if exact else np.float32) if accumulate else None
        r = b.copy()
        z = pre * r
        d = z.copy()
        work = np.empty_like(b)
        rz = float(r @ z)
        r0 = math.sqrt(max(rz, 0.0))
        used = 0
        for _ in range(self.max_cg):  # in place: no vector is allocated per iteration but the products'
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
        approx = Xx is not None and not exact
        if not icpt:
            return x, Xx, used, approx
        x0 = (rhs[0] - float(c @ x)) / a
        return np.concatenate(([x0], x)), None if Xx is None else Xx + x0, used, approx


@dataclass(frozen=True)
class ProximalGradient:
    """Accelerated proximal gradient (FISTA) with backtracking and adaptive restart.

    Parameters
    ----------
    tol : float, default 1e-7
        Relative KKT tolerance; FISTA converges linearly at best and its line search works
        on objective values, which resolve a KKT violation of about 1e-8 at most, so the
        default is looser than the Newton-type solvers'.
    max_iter : int, default 20000

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> from glmkit.design import DenseDesign
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)); y = rng.poisson(np.exp(0.5 * X[:, 0])).astype(float)
    >>> obj = gk.Objective(gk.GLMLoss("poisson"), DenseDesign(X, intercept=True), y, np.ones(200), np.zeros(200))
    >>> res = ProximalGradient().solve(obj, np.zeros(4), Penalty.from_weights([0, 20.0, 20.0, 20.0]))
    >>> res.converged, bool(res.coef[2] == 0.0)
    (True, True)
    """

    tol: float = 1e-7
    max_iter: int = 20_000
    name: str = "proximal"

    def solve(self, objective: Any, start: Array, penalty: Penalty | None = None,
              warm: WarmState | None = None) -> SolverResult:
        p = objective.n_features
        pen = penalty if penalty is not None else Penalty.none(p)
        design = objective.design
        x = pen.project(np.asarray(start, dtype=float))
        eta, grad, f = _start(objective, x, warm)
        if not np.isfinite(f):
            return PenalizedSolverResult(x, False, 0, float("inf"), "the starting coefficients give an invalid mean")
        F = f + pen.value(x)
        h = objective.fisher_weights(eta)
        scale = design.weighted_column_norms(h)
        L = max(float(np.max(scale + pen.l2)), 1e-300)  # a first guess of the Lipschitz constant
        y, eta_y, grad_y, f_y = x, eta, grad, f
        theta = 1.0
        kkt = _kkt(pen, x, grad, scale + pen.l2, F)
        n_iter = 0
        converged = kkt <= self.tol
        while not converged and n_iter < self.max_iter:
            n_iter += 1
            for _ in range(60):  # backtracking on the quadratic upper bound at y
                x_new = pen.prox(y - grad_y / L, 1.0 / L)
                dx = x_new - y
                eta_new = eta_y + design.matvec(dx)
                f_new = objective.value_at_eta(eta_new)
                if np.isfinite(f_new) and f_new <= f_y + grad_y @ dx + 0.5 * L * (dx @ dx) + 1e-14 * abs(f_y):
                    break
                L *= 2.0
            ev = objective.evaluate(x_new, hessian=None, eta=eta_new)
            F_new = ev.value + pen.value(x_new)
            if F_new > F:  # adaptive restart: drop the momentum
                theta = 1.0
                y, eta_y, grad_y, f_y = x, eta, grad, F - pen.value(x)
                continue
            theta_new = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * theta * theta))
            mom = (theta - 1.0) / theta_new
            y = x_new + mom * (x_new - x)
            eta_y = ev.eta + mom * (ev.eta - eta)
            x, eta, grad, F = x_new, ev.eta, ev.gradient, F_new
            theta = theta_new
            ev_y = objective.evaluate(y, hessian=None, eta=eta_y)
            grad_y, f_y = ev_y.gradient, ev_y.value
            if not np.isfinite(f_y):
                y, eta_y, grad_y, f_y, theta = x, eta, grad, ev.value, 1.0
            kkt = _kkt(pen, x, grad, scale + pen.l2, F)
            converged = kkt <= self.tol
            L *= 0.9  # let the step grow again
        state = WarmState(x.copy(), eta, grad.copy(), pen.l1.copy(), np.zeros(0, dtype=np.intp), None)
        msg = "converged" if converged else f"no convergence in {self.max_iter} iterations"
        return PenalizedSolverResult(x, bool(converged), n_iter, float(F), msg, kkt=float(kkt), state=state)
