"""The penalty as solvers see it: L1/L2 weights and box bounds per coefficient (see
:mod:`glmkit.penalties` for the objective)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError

__all__ = ["Penalty", "soft_threshold"]

Array = NDArray[np.floating]


def soft_threshold(z: ArrayLike, threshold: ArrayLike) -> Array:
    """``S(z, t) = sign(z)·max(|z| − t, 0)``, elementwise.

    Examples
    --------
    >>> soft_threshold(np.array([-3.0, 0.5, 2.0]), 1.0)
    array([-2.,  0.,  1.])
    """
    z = np.asarray(z, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - threshold, 0.0)


@dataclass(frozen=True, eq=False)
class Penalty:
    """A separable penalty with box bounds, resolved per coefficient.

    ``P(β) = Σⱼ l1ⱼ·|βⱼ| + ½·Σⱼ l2ⱼ·βⱼ²``  on  ``lowerⱼ ≤ βⱼ ≤ upperⱼ``.

    Parameters
    ----------
    l1, l2 : ndarray of shape (n_features,)
        Non-negative L1 and L2 weights (0 for the intercept and unpenalised columns).
    lower, upper : ndarray of shape (n_features,)
        Bounds, −inf/+inf where there are none; lower ≤ upper.
    has_bounds : bool
        Whether any bound is finite (set from lower and upper).

    Examples
    --------
    >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
    >>> pen.value(np.array([5.0, -1.0]))
    2.0
    >>> pen.coordinate_minimizer(np.array([3.0, 3.0]), np.array([1.0, 1.0]))
    array([3.        , 0.66666667])
    """

    l1: Array
    l2: Array
    lower: Array
    upper: Array
    has_bounds: bool = field(init=False)

    def __post_init__(self) -> None:
        for name in ("l1", "l2", "lower", "upper"):
            arr = np.asarray(getattr(self, name), dtype=float)
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        n = self.l1.shape[0]
        if any(a.shape != (n,) for a in (self.l2, self.lower, self.upper)):
            raise InputError("l1, l2, lower and upper must all have one value per coefficient.")
        if np.any(~np.isfinite(self.l1) | (self.l1 < 0)) or np.any(~np.isfinite(self.l2) | (self.l2 < 0)):
            raise InputError("Penalty weights must be finite and non-negative.")
        if np.any(np.isnan(self.lower)) or np.any(np.isnan(self.upper)) or np.any(self.lower > self.upper):
            j = int(np.flatnonzero(~(self.lower <= self.upper))[0])
            raise InputError(
                f"Bounds must satisfy lower ≤ upper; coefficient {j} has lower = {self.lower[j]!r}, "
                f"upper = {self.upper[j]!r}."
            )
        object.__setattr__(self, "has_bounds", bool(np.any(np.isfinite(self.lower)) or np.any(np.isfinite(self.upper))))

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_weights(cls, l1: ArrayLike, l2: ArrayLike | None = None,
                     lower: ArrayLike | None = None, upper: ArrayLike | None = None) -> "Penalty":
        """A penalty from per-coefficient L1/L2 weights (and optional bounds).

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.l1, pen.lower
        (array([0., 1.]), array([-inf, -inf]))
        """
        l1 = np.asarray(l1, dtype=float)
        n = l1.shape[0]
        return cls(
            l1,
            np.zeros(n) if l2 is None else np.asarray(l2, dtype=float),
            np.full(n, -np.inf) if lower is None else np.asarray(lower, dtype=float),
            np.full(n, np.inf) if upper is None else np.asarray(upper, dtype=float),
        )

    @classmethod
    def none(cls, n_features: int) -> "Penalty":
        """No penalty and no bounds.

        Examples
        --------
        >>> Penalty.none(2).value(np.array([3.0, -4.0]))
        0.0
        """
        return cls.from_weights(np.zeros(n_features))

    # -- properties --------------------------------------------------------------------------
    @property
    def n_features(self) -> int:
        """The number of coefficients the penalty covers."""
        return int(self.l1.shape[0])

    @property
    def n_coef(self) -> int:
        """Deprecated spelling of :attr:`n_features`."""
        warnings.warn("Penalty.n_coef is deprecated; use Penalty.n_features.", DeprecationWarning, stacklevel=2)
        return self.n_features

    @property
    def is_smooth(self) -> bool:
        """No L1 part and no bounds: the penalised objective is differentiable."""
        return not np.any(self.l1 > 0) and not self.has_bounds

    @property
    def free(self) -> NDArray[np.bool_]:
        """Coefficients with neither penalty nor bounds (eliminated exactly by solvers)."""
        return (self.l1 == 0) & (self.l2 == 0) & np.isneginf(self.lower) & np.isposinf(self.upper)

    def subset(self, index: ArrayLike) -> "Penalty":
        """The penalty of a subset of the coefficients.

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.subset([1]).l2
        array([2.])
        """
        idx = np.asarray(index)
        return self._trusted(self.l1[idx], self.l2[idx], self.lower[idx], self.upper[idx], self.has_bounds)

    def scaled(self, factor: float) -> "Penalty":
        """The same bounds with the L1 and L2 weights multiplied by ``factor`` ≥ 0.

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.scaled(2.0).l1
        array([0., 2.])
        """
        if not (np.isfinite(factor) and factor >= 0):
            raise InputError(f"A penalty can only be scaled by a finite factor ≥ 0; got {factor!r}.")
        return self._trusted(self.l1 * factor, self.l2 * factor, self.lower, self.upper, self.has_bounds)

    @classmethod
    def _trusted(cls, l1: Array, l2: Array, lower: Array, upper: Array, has_bounds: bool) -> "Penalty":
        """Built from parts of a validated penalty, without re-validating (solver inner loops)."""
        obj = object.__new__(cls)
        for name, value in (("l1", l1), ("l2", l2), ("lower", lower), ("upper", upper)):
            object.__setattr__(obj, name, value)
        object.__setattr__(obj, "has_bounds", bool(has_bounds) and bool(
            np.any(np.isfinite(lower)) or np.any(np.isfinite(upper))))
        return obj

    # -- values and maps ---------------------------------------------------------------------
    def value(self, coef: Array) -> float:
        """P(β); +inf outside the bounds.

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.value(np.array([5.0, -1.0]))  # 1·|−1| + ½·2·1
        2.0
        """
        coef = np.asarray(coef, dtype=float)
        if self.has_bounds and (np.any(coef < self.lower) or np.any(coef > self.upper)):
            return float("inf")
        return float(self.l1 @ np.abs(coef) + 0.5 * (self.l2 @ (coef * coef)))

    def project(self, coef: Array) -> Array:
        """The nearest point of the box (a copy).

        Examples
        --------
        >>> Penalty.from_weights([0.0, 0.0], lower=[0.0, 0.0]).project(np.array([-1.0, 2.0]))
        array([0., 2.])
        """
        return np.clip(np.asarray(coef, dtype=float), self.lower, self.upper)

    def coordinate_minimizer(self, u: Array, h: Array) -> Array:
        """argmin over x of ``½·h·x² − u·x + l1·|x| + ½·l2·x²`` on [lower, upper], elementwise.

        The one-dimensional problem of coordinate descent: clip(S(u, l1)/(h + l2)).
        Where h + l2 = 0 the minimiser is 0 (projected) when ``|u| ≤ l1``.

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.coordinate_minimizer(np.array([3.0, 3.0]), np.array([1.0, 1.0]))  # (3 − 1)/(1 + 2)
        array([3.        , 0.66666667])
        """
        denom = np.asarray(h, dtype=float) + self.l2
        num = soft_threshold(u, self.l1)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), 0.0)
        return np.clip(x, self.lower, self.upper)

    def prox(self, v: Array, step: float | Array) -> Array:
        """The proximal map: argmin over x of ‖x − v‖²/(2·step) + P(x).

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.prox(np.array([3.0, 3.0]), 1.0)
        array([3.        , 0.66666667])
        """
        step = np.asarray(step, dtype=float)
        return np.clip(soft_threshold(v, step * self.l1) / (1.0 + step * self.l2), self.lower, self.upper)

    def kkt_violation(self, coef: Array, gradient: Array) -> Array:
        """Distance of −∇f from the subdifferential of P + box indicator, per coefficient.

        Parameters
        ----------
        coef : ndarray of shape (n_features,)
        gradient : ndarray of shape (n_features,)
            Gradient of the smooth (unpenalised) part of the objective at ``coef``.

        Returns
        -------
        ndarray of shape (n_features,)
            0 where the optimality condition of coefficient j holds exactly.

        Notes
        -----
        With G = ∇f + l2·β, the condition is ``−G ∈ l1·∂|β| + N(β)``, N the normal cone of the
        box: an interval [a, b] with a = −l1 (or −∞ at the lower bound), b = l1 (or +∞ at
        the upper bound) when β = 0, the single point l1·sign(β) otherwise (widened to
        the left at the lower, to the right at the upper bound).

        Examples
        --------
        >>> pen = Penalty.from_weights(l1=[0.0, 1.0], l2=[0.0, 2.0])
        >>> pen.kkt_violation(np.zeros(2), np.array([0.5, 0.5]))  # β₁ = 0 is optimal: |0.5| ≤ l1
        array([0.5, 0. ])
        """
        coef = np.asarray(coef, dtype=float)
        g = np.asarray(gradient, dtype=float) + self.l2 * coef
        s = np.sign(coef)
        lo = np.where(coef == 0, -self.l1, s * self.l1)
        hi = np.where(coef == 0, self.l1, s * self.l1)
        if self.has_bounds:
            lo = np.where(coef <= self.lower, -np.inf, lo)
            hi = np.where(coef >= self.upper, np.inf, hi)
        target = -g
        return np.maximum(np.maximum(lo - target, target - hi), 0.0)
