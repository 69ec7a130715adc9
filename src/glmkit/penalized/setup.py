"""A penalty resolved for one problem: weights at α = 1, standardisation, bounds, relaxed fits.

``standardize=True`` never touches the data: penalising the standardised coefficients
s·β is penalising β with weights s (L1) and s² (L2), and centring only moves the
(unpenalised) intercept, which the solver eliminates exactly. Coefficients therefore
come out on the original scale directly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from .._warnings import warn
from ..errors import NumericalWarning
from ..penalties import ElasticNet, Penalty
from ..problem import Problem

__all__ = ["PenaltySetup", "column_scale"]

Array = NDArray[np.floating]


@dataclass(frozen=True, eq=False)
class PenaltySetup:
    """A penalty resolved for one problem, at α = 1 (a path multiplies by α).

    Attributes
    ----------
    spec : ElasticNet
    unit : Penalty
        L1/L2 weights at α = 1 on the normalised scale (F = ½ mean deviance + P), bounds.
    scale : ndarray of shape (n_features,)
        Column standard deviations when standardising, else ones.
    standardize : bool

    Examples
    --------
    >>> import numpy as np
    >>> from glmkit.problem import problem_from_arrays
    >>> problem = problem_from_arrays(np.arange(8.0).reshape(4, 2), [1.0, 0.0, 2.0, 3.0], "poisson")
    >>> PenaltySetup.build(problem, ElasticNet(0.1, 1.0), False).unit.l1.tolist()
    [0.0, 1.0, 1.0]
    """

    spec: ElasticNet
    unit: Penalty
    scale: Array
    standardize: bool

    @classmethod
    def build(cls, problem: Problem, spec: ElasticNet, standardize: bool) -> "PenaltySetup":
        p = problem.n_features
        scale = np.ones(p)
        fixed_zero = np.zeros(p, dtype=bool)
        if standardize:
            scale = column_scale(problem)
            feats = problem.feature_index
            const = feats[scale[feats] == 0]
            _warn_unstandardisable(problem, const)
            fixed_zero[const] = True  # a constant column has no standardised coefficient (glmnet: 0)
            scale[const] = 1.0
        unit = replace(spec, alpha=1.0).resolve(p, problem.intercept_index, scale, problem.feature_names)
        if fixed_zero.any():
            unit = _held_at_zero(unit, fixed_zero)
        return cls(spec, unit, scale, bool(standardize))

    def at(self, alpha: float, sum_weights: float) -> Penalty:
        """The solver's penalty at α: weights × α × Σw (the solver minimises Σw·F)."""
        return self.unit.scaled(alpha * sum_weights)

    def normalised(self, alpha: float) -> Penalty:
        """The penalty at α on the scale of F = ½ mean deviance + P."""
        return self.unit.scaled(alpha)

    @property
    def free_only(self) -> Penalty:
        """Every penalised column fixed at 0: the fit of the unpenalised columns alone."""
        free = ((self.unit.l1 == 0) & (self.unit.l2 == 0)) & ~(self.unit.lower == self.unit.upper)
        n = self.unit.l1.shape[0]
        return Penalty(np.zeros(n), np.zeros(n), np.where(free, self.unit.lower, 0.0),
                       np.where(free, self.unit.upper, 0.0))

    def relaxed(self, coef: Array, intercept_index: int | None) -> "PenaltySetup":
        """The relaxed fit's set-up: no penalty, and the columns that are 0 in ``coef`` held at 0.

        The unpenalised refit on a lasso's active set (glmnet's ``gamma = 0``); bounds kept.
        """
        zero = coef == 0
        if intercept_index is not None:
            zero[intercept_index] = False
        n = coef.shape[0]
        unpenalised = Penalty(np.zeros(n), np.zeros(n), self.unit.lower, self.unit.upper)
        return PenaltySetup(self.spec.with_alpha(0.0), _held_at_zero(unpenalised, zero), self.scale,
                            self.standardize)


def _held_at_zero(penalty: Penalty, mask: NDArray[np.bool_]) -> Penalty:
    """The penalty with the columns in ``mask`` held at 0 (both bounds 0)."""
    return Penalty(penalty.l1, penalty.l2, np.where(mask, 0.0, penalty.lower), np.where(mask, 0.0, penalty.upper))


def column_scale(problem: Problem) -> Array:
    """Weighted column standard deviations (divisor Σw), also without intercept (as glmnet)."""
    design, w = problem.design, problem.weights
    W = problem.sum_weights
    second = design.weighted_column_norms(w) / W
    mean = design.rmatvec(w) / W
    var = np.maximum(second - mean * mean, 0.0)
    # relative cancellation: treat variances at rounding level of the mean as zero
    var[var <= 1e-14 * second] = 0.0
    s = np.sqrt(var)
    if problem.intercept_index is not None:
        s[problem.intercept_index] = 1.0
    return s


def _warn_unstandardisable(problem: Problem, columns: NDArray[np.intp]) -> None:
    """Warn about columns held at 0 as constant whose values in fact vary (an sd that underflows).

    The weighted variance is Σw x²/Σw − x̄²: for a column of order 1e-300 its terms underflow
    to 0, so the column looks constant. Such columns are read once more, divided by their
    largest |x| first, and named if they vary.
    """
    if columns.size == 0:
        return
    X = problem.design.select_columns(columns).toarray()
    top = np.max(np.abs(X), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        Z = X / np.where(top > 0, top, 1.0)
    varies = np.ptp(Z[problem.weights > 0], axis=0) > 1e-12 if Z.shape[0] else np.zeros(columns.size, bool)
    if np.any(varies):
        names = ", ".join(problem.names[j] for j in columns[varies][:10])
        warn(f"standardize=True: column(s) {names} vary but their standard deviation underflows (values of "
             f"order {float(top[varies].max()):.1g}); they are held at 0 as constant columns would be. "
             "Rescale them (e.g. multiply by a power of 10) or fit with standardize=False.", NumericalWarning)
