"""The objective in β: loss + design + y + weights + offset.

f(β) = Σᵢ ℓᵢ(ηᵢ),  η = Xβ + offset,
∇f = Xᵀ (dℓ/dη),  ∇²f = Xᵀ diag(d²ℓ/dη²) X.

Solvers see only this object: they never see a family, a link or the raw data (y, the
prior weights and the offset are attributes for the fit layer, not for solvers). Whatever
a solver needs that touches y goes through a method here: values, gradients, Fisher
weights, and the design's one-pass evaluations, to which the objective hands the loss
terms as a ``block_terms`` callback (:data:`glmkit.design.BlockTerms`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .design import Design, StepPass
from .loss import GLMLoss, HessianKind, LossTerms

__all__ = ["Objective", "Evaluation", "StepEvaluation"]

Array = NDArray[np.floating]

ROUGH_HESSIAN_ROWS = 125_000  # rows a sampled (rough) Hessian uses at least; below 2× this, none


def _block_value(loss: GLMLoss, y: Array, eta: Array, weights: Array, saturated: Array | None) -> float:
    """Σℓ over one block of rows (inf where η is outside the link's domain)."""
    if not loss.link.valid_eta(eta):
        return float("inf")
    return float(np.sum(loss.terms(y, eta, weights, "expected", saturated).loss))


@dataclass(frozen=True)
class Evaluation:
    """The objective and its derivatives at one β.

    Attributes
    ----------
    value : float
        f(β); inf where η or μ left their domains.
    gradient : ndarray of shape (n_features,) or None
    hessian : ndarray of shape (n_features, n_features) or None
    eta, mu : ndarray of shape (n_samples,)
    hessian_exact : bool
        False when the Hessian was estimated from a sample of the rows (asked for with
        ``rough_hessian``): good for a step far from the optimum, not for inference.
    """

    value: float
    gradient: Array | None
    hessian: Array | None
    eta: Array
    mu: Array
    hessian_exact: bool = True


@dataclass(frozen=True)
class StepEvaluation:
    """f, ∇f and (optionally) XᵀWX at η + X·d from one pass (:meth:`Objective.evaluate_step`).

    Attributes
    ----------
    Xd : ndarray of shape (n_samples,)
    eta : ndarray of shape (n_samples,)
        η + Xd.
    value : float
        f there; inf when η or μ left its domain (then nothing below is valid).
    gradient : ndarray of shape (n_features,) or None
    hessian : ndarray of shape (k, k) or None
        The Fisher information over the asked-for columns.
    fisher_sum : float
        Σ of the Fisher weights (0 unless the Hessian was asked for).
    eta_gradient : ndarray of shape (n_samples,) or None
        dℓ/dη per row: the gradient over any other columns is one ``rmatvec`` away.
    """

    Xd: Array
    eta: Array
    value: float
    gradient: Array | None
    hessian: Array | None
    fisher_sum: float
    eta_gradient: Array | None = None


class Objective:
    """Negative log-likelihood of a GLM as a function of the coefficients.

    Parameters
    ----------
    loss : GLMLoss
    design : Design
    y, weights, offset : ndarray of shape (n_samples,)

    Examples
    --------
    >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
    >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
    >>> round(objective.value(np.array([0.0, 0.5])), 4)
    0.2985
    """

    def __init__(self, loss: GLMLoss, design: Design, y: Array, weights: Array, offset: Array) -> None:
        self.loss = loss
        self.design = design
        self.y = y
        self.weights = weights
        self.offset = offset
        self._last_sandwich: tuple[Array, Array] | None = None
        self._saturated = loss.saturated_term(y)

    def with_design(self, design: Design) -> "Objective":
        """The same loss, data and cached y-only terms on another design (e.g. fewer columns).

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.with_design(gk.design.as_design(X[:, :1])).n_features
        1
        """
        other = Objective.__new__(Objective)
        other.__dict__.update(self.__dict__)
        other.design = design
        other._last_sandwich = None
        return other

    @property
    def n_features(self) -> int:
        """Number of coefficients (design columns, the intercept included)."""
        return self.design.shape[1]

    @property
    def is_quadratic(self) -> bool:
        """The loss is quadratic in η (Gaussian–identity): one linear solve minimises it.

        >>> gk.build_objective(np.ones((2, 1)), [1.0, 2.0]).is_quadratic
        True
        """
        return self.loss.is_quadratic

    @property
    def total_weight(self) -> float:
        """Σ of the prior weights: solvers scale f by it so that tolerances do not depend on n."""
        return float(np.sum(self.weights))

    def eta(self, coef: Array) -> Array:
        """η = Xβ + offset.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.eta(np.array([0.0, 0.5]))
        array([0. , 0.5, 1. ])
        """
        return self.design.matvec(coef) + self.offset

    def value_at_eta(self, eta: Array) -> float:
        """f as a function of η (for line searches that already hold η).

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> round(objective.value_at_eta(np.array([0.0, 0.5, 1.0])), 4)
        0.2985
        """
        if self.design.evaluates_loss:  # rows held apart (Dask): the loss block by block, one pass
            loss = self.loss
            return self.design.sum_row_blocks(lambda y, e, w, s: _block_value(loss, y, e, w, s),
                                              [self.y, eta, self.weights, self._saturated])
        if not self.loss.link.valid_eta(eta):
            return float("inf")
        if self._saturated is not None:  # fused kernel: loss with the cached y-only term
            return float(np.sum(self.loss.terms(self.y, eta, self.weights, "expected", self._saturated).loss))
        return float(np.sum(self.loss.loss(self.y, eta, self.weights)))

    def value(self, coef: Array) -> float:
        """f(β).

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> round(objective.value(np.array([0.0, 0.5])), 4)
        0.2985
        """
        return self.value_at_eta(self.eta(coef))

    def gradient(self, coef: Array) -> Array:
        """∇f(β), shape (n_features,).

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.gradient(np.array([0.0, 0.5])).round(4)
        array([-1.633 , -2.9147])
        """
        return self.evaluate(coef, hessian=None).gradient  # type: ignore[return-value]

    def hessian(self, coef: Array, kind: HessianKind = "expected") -> Array:
        """∇²f(β): Xᵀ diag(d²ℓ/dη²) X, the expected (Fisher) or observed Hessian.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.hessian(np.array([0.0, 0.5])).round(4)
        array([[ 5.367 ,  7.0853],
               [ 7.0853, 12.5218]])
        """
        return self.evaluate(coef, hessian=kind).hessian  # type: ignore[return-value]

    def terms_at(self, eta: Array, kind: HessianKind = "expected") -> LossTerms | None:
        """Per-observation loss terms at η, or None where η is outside the link's domain.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.terms_at(np.array([0.0, 0.5, 1.0])).gradient.round(4)
        array([ 0.    , -0.3513, -1.2817])
        """
        if not self.loss.link.valid_eta(eta):
            return None
        if self.design.evaluates_loss:  # rows held apart (Dask): the numpy kernel block by block
            loss = self.loss
            return LossTerms(*self.design.map_row_blocks(
                lambda y, e, w, s: dataclasses.astuple(loss.terms(y, e, w, kind, s)),
                [self.y, eta, self.weights, self._saturated], 4))
        return self.loss.terms(self.y, eta, self.weights, kind, self._saturated)

    def evaluate(
        self,
        coef: Array,
        hessian: HessianKind | None = "expected",
        eta: Array | None = None,
        terms: LossTerms | None = None,
        rough_hessian: bool = False,
    ) -> Evaluation:
        """Value, gradient and (optionally) Hessian at β with one pass over the loss.

        ``eta`` and ``terms`` already computed at β (e.g. by a line search) are reused.
        ``rough_hessian=True`` allows a Hessian estimated from a sample of the rows on
        large data (a solver's step far from the optimum); the value and gradient are exact.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> ev = objective.evaluate(np.array([0.0, 0.5]))
        >>> round(ev.value, 4), ev.gradient.round(4), ev.hessian.shape
        (0.2985, array([-1.633 , -2.9147]), (2, 2))
        """
        if self.design.evaluates_loss:  # one pass from β (a given lazy η would only deepen the graph)
            return self._evaluate_loss(coef, hessian)
        if eta is None and terms is None and self.design.one_pass_evaluation:
            return self._evaluate_in_blocks(coef, hessian, self.gram_sample() if rough_hessian else 1)
        if eta is None:
            eta = self.eta(coef)
        if terms is None:
            terms = self.terms_at(eta, hessian or "expected")
        if terms is None:
            nan = np.full(self.n_features, np.nan)
            return Evaluation(float("inf"), nan, None, eta, np.full_like(eta, np.nan))
        value = float(np.sum(terms.loss))
        if hessian is not None and not self._sandwich_reusable(terms.hessian):
            hess, grad = self.design.sandwich_and_rmatvec(terms.hessian, terms.gradient)  # one pass over X
            self._last_sandwich = (terms.hessian, hess)
        else:
            grad = self.design.rmatvec(terms.gradient)
            hess = self._sandwich(terms.hessian) if hessian is not None else None
        return Evaluation(value, grad, hess, eta, terms.mu)

    def _evaluate_loss(self, coef: Array, hessian: HessianKind | None) -> Evaluation:
        """:meth:`evaluate` by the design's fused pass (``evaluates_loss``: rows held apart)."""
        value, grad, hess, eta, mu = self.design.evaluate_loss(  # type: ignore[misc]
            coef, self.loss, self.y, self.weights, self.offset, self._saturated, hessian or "expected",
            hessian is not None)
        if not np.isfinite(value):
            return Evaluation(float("inf"), np.full(self.n_features, np.nan), None, eta, mu)
        return Evaluation(value, grad, hess, eta, mu)

    def gram_sample(self) -> int:
        """Every how many chunks of rows a rough Hessian reads: at least ~ROUGH_HESSIAN_ROWS rows.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.gram_sample()  # small data: every chunk
        1
        """
        return int(min(8, max(1, self.y.shape[0] // ROUGH_HESSIAN_ROWS)))

    def _evaluate_in_blocks(self, coef: Array, hessian: HessianKind | None, gram_sample: int = 1) -> Evaluation:
        """:meth:`evaluate` in one pass over X (designs with ``one_pass_evaluation``).

        η, the loss terms, Xᵀ(dℓ/dη) and XᵀHX are formed chunk by chunk while the chunk
        of X is in cache. Where the Fisher weights cannot have changed (they do not depend
        on η for this loss) the last XᵀWX is kept and the pass skips the Gram.
        """
        kind: HessianKind = hessian or "expected"
        maybe_reuse = (hessian == "expected" and self._last_sandwich is not None
                       and not self.loss.fisher_weights_vary)
        whole = self.design.whole_array() if gram_sample == 1 else None
        if whole is not None:  # small data: products on the whole array, no chunk loop
            return self._evaluate_whole(whole, coef, hessian, kind, maybe_reuse)
        n = self.y.shape[0]
        y, w, saturated, loss, link = self.y, self.weights, self._saturated, self.loss, self.loss.link
        mu = np.empty(n)
        h_all = np.empty(n) if hessian is not None else None
        total = [0.0]

        def block_terms(rows: slice, eta_rows: Array) -> tuple[Array, Array] | None:
            if not link.valid_eta(eta_rows):
                return None
            t = loss.terms(y[rows], eta_rows, w[rows], kind, None if saturated is None else saturated[rows])
            total[0] += float(np.sum(t.loss))
            mu[rows] = t.mu
            if h_all is not None:
                h_all[rows] = t.hessian
            return t.gradient, t.hessian

        if maybe_reuse:
            gram_sample = 1
        out = self.design.evaluate_in_blocks(coef, self.offset, block_terms,
                                             with_gram=hessian is not None and not maybe_reuse,
                                             gram_sample=gram_sample)
        if out is None or not np.isfinite(total[0]):
            eta = self.eta(coef) if out is None else out[0]
            return Evaluation(float("inf"), np.full(self.n_features, np.nan), None, eta, np.full(n, np.nan))
        eta, grad, hess = out
        if h_all is not None:
            if hess is None:
                hess = self._sandwich(h_all)  # reuses the last XᵀWX unless the weights moved
            elif gram_sample == 1:
                self._last_sandwich = (h_all, hess)
        return Evaluation(total[0], grad, hess, eta, mu, hessian_exact=gram_sample == 1 or hessian is None)

    def _evaluate_whole(self, whole: Array, coef: Array, hessian: HessianKind | None, kind: HessianKind,
                        maybe_reuse: bool) -> Evaluation:
        """:meth:`_evaluate_in_blocks` on small data, given X with its intercept column."""
        eta = whole @ np.asarray(coef, dtype=np.float64)
        eta += self.offset
        terms = self.terms_at(eta, kind)
        value = float(np.sum(terms.loss)) if terms is not None else float("inf")
        if terms is None or not np.isfinite(value):
            n = eta.shape[0]
            return Evaluation(float("inf"), np.full(self.n_features, np.nan), None, eta, np.full(n, np.nan))
        hess = None
        if hessian is not None:
            if maybe_reuse:
                hess = self._sandwich(terms.hessian)  # the last XᵀWX unless the weights moved
            else:
                hess = self.design.sandwich(terms.hessian)  # whole-array products on small data
                self._last_sandwich = (terms.hessian, hess)
        return Evaluation(value, terms.gradient @ whole, hess, eta, terms.mu)

    def weighted_gram(self, h: Array, v: Array) -> tuple[Array, Array]:
        """(XᵀHX, Xᵀv) in one pass where the design allows; XᵀHX is remembered for reuse.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> gram, xv = objective.weighted_gram(np.ones(3), np.ones(3))
        >>> gram.tolist(), xv.tolist()
        ([[3.0, 3.0], [3.0, 5.0]], [3.0, 3.0])
        """
        gram, xv = self.design.sandwich_and_rmatvec(h, v)
        self._last_sandwich = (h, gram)
        return gram, xv

    def _sandwich_reusable(self, h: Array) -> bool:
        last = self._last_sandwich
        if last is None or last[0].shape != h.shape or not h.size:
            return False
        if last[0] is h or np.array_equal(last[0], h):  # e.g. constant Fisher weights: exactly equal
            return True
        return bool(abs(last[0][0] - h[0]) <= 1e-13 * abs(h[0])  # cheap rejection first
                    and np.allclose(last[0], h, rtol=1e-13, atol=0.0))

    def _sandwich(self, h: Array) -> Array:
        """XᵀHX, reusing the last one when the weights did not change.

        For some pairs the Fisher weights do not depend on β (Gamma–log and Tweedie
        p = 2 with log link: μ′²/V = 1; Gaussian–identity), so one pass forming XᵀWX serves
        every iteration. Weights equal to 1e-13 (rounding of w·μ′·μ′/μ²) count as equal.
        """
        if self._sandwich_reusable(h):
            return self._last_sandwich[1]  # type: ignore[index]
        gram = self.design.sandwich(h)
        self._last_sandwich = (h, gram)
        return gram

    @property
    def one_pass_steps(self) -> bool:
        """:meth:`evaluate_step` reads X once (the design offers ``step_in_blocks``)."""
        return self.design.one_pass_steps

    def evaluate_step(self, direction: Array, eta: Array, gram_columns: NDArray[np.intp] | None = None
                      ) -> StepEvaluation | None:
        """X·d, and f, ∇f (and XᵀWX over the sorted ``gram_columns``) at η + X·d in one pass
        over X, with the expected (Fisher) weights; None where the design does not offer it
        (``one_pass_steps`` False): the caller then forms ``design.matvec(d)`` and calls
        :meth:`evaluate`.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> step = objective.evaluate_step(np.array([0.1, 0.0]), objective.eta(np.array([0.0, 0.5])))
        >>> step.eta.round(2), round(step.value, 4)
        (array([0.1, 0.6, 1.1]), 0.1629)
        """
        y, w, saturated, loss, link = self.y, self.weights, self._saturated, self.loss, self.loss.link
        n = y.shape[0]
        g_eta = np.empty(n)
        sums = [0.0, 0.0]  # f and Σh

        def block_terms(rows: slice, eta_rows: Array) -> tuple[Array, Array] | None:
            if not link.valid_eta(eta_rows):
                return None
            t = loss.terms(y[rows], eta_rows, w[rows], "expected", None if saturated is None else saturated[rows])
            value = float(np.sum(t.loss))
            if not np.isfinite(value):
                return None
            sums[0] += value
            g_eta[rows] = t.gradient
            if gram_columns is not None:
                sums[1] += float(t.hessian.sum())
            return t.gradient, t.hessian

        out: StepPass | None = self.design.step_in_blocks(direction, eta, block_terms, gram_columns)
        if out is None:
            return None
        if out.gradient is None:
            return StepEvaluation(out.Xd, out.eta, float("inf"), None, None, 0.0)
        return StepEvaluation(out.Xd, out.eta, sums[0], out.gradient, out.gram, sums[1], g_eta)

    def fisher_weights(self, eta: Array) -> Array:
        """The IRLS working weights w μ′²/V at η.

        Examples
        --------
        >>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
        >>> objective = gk.build_objective(X, [1.0, 2.0, 4.0], "poisson")
        >>> objective.fisher_weights(np.array([0.0, 0.5, 1.0])).round(4)  # μ for Poisson–log
        array([1.    , 1.6487, 2.7183])
        """
        if self.design.evaluates_loss:  # lazily, block by block (η was checked where it was made)
            loss = self.loss
            (h,) = self.design.map_row_blocks(lambda y, e, w: loss.terms(y, e, w, "expected").hessian,
                                              [self.y, eta, self.weights], 1)
            return h  # type: ignore[no-any-return]
        return self.loss.terms(self.y, eta, self.weights, "expected").hessian
