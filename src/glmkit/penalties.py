"""Penalties: none, ridge, lasso and elastic net, with per-coefficient factors and box bounds.

The penalised objective
-----------------------
glmkit minimises, over the intercept β₀ and the coefficients β,

    F(β₀, β) = ½ · Σᵢ wᵢ dᵢ / Σᵢ wᵢ
               + α · Σⱼ pfⱼ · ( l1_ratio · |βⱼ| + (1 − l1_ratio)/2 · βⱼ² )

subject to lowerⱼ ≤ βⱼ ≤ upperⱼ, where dᵢ is the unit deviance of observation i, wᵢ its
prior weight (times the number of trials for a binomial response), pfⱼ ≥ 0 the penalty
factor of coefficient j (0 leaves it unpenalised; the intercept is never penalised) and
α ≥ 0, 0 ≤ l1_ratio ≤ 1. ``l1_ratio = 0`` is ridge, ``1`` the lasso, anything between an
elastic net. The weights are normalised, so α does not change when every weight is
multiplied by the same number or every row is duplicated.

With ``standardize=True`` the penalty is applied to the coefficients of the columns scaled
to unit weighted standard deviation (with divisor Σw, not Σw − 1) — equivalently the
penalty on βⱼ is multiplied by sⱼ (L1 part) and sⱼ² (L2 part), sⱼ the column's standard
deviation — and the coefficients are reported on the original scale. sⱼ is the standard
deviation also in a model without intercept (glmnet does the same: it scales by the
standard deviation but does not centre). Bounds always refer to the coefficients as
reported (the original scale), as glmnet's ``lower.limits``/``upper.limits``. A column
that is constant gets coefficient 0 under ``standardize=True`` (as in glmnet).

Mapping to glum
---------------
glum's ``GeneralizedLinearRegressor(alpha, l1_ratio, P1, P2)`` minimises the same
function: glum's α is glmkit's α, its ``P1``/``P2`` are ``penalty_factor`` (glum lets the
L1 and L2 factors differ; glmkit uses one factor for both).

Mapping to glmnet
-----------------
glmnet's ``alpha`` is glmkit's ``l1_ratio`` and its ``lambda`` plays the part of α, with
three differences:

1. **Binomial, Poisson** (and every other family with fixed dispersion): glmnet minimises
   −(1/Σw)·Σ wᵢ log f(yᵢ) + λ·P(β). Since ½ dᵢ = log f(yᵢ; yᵢ) − log f(yᵢ; μᵢ) for these
   families, the two objectives differ by a constant: **α = λ**, same ``l1_ratio``.
2. **Penalty factors**: glmnet rescales ``penalty.factor`` to sum to the number of
   columns. glmnet's λ with factors ``pf`` is glmkit's α = λ with
   ``penalty_factor = pf · p / Σ pf``; glmkit uses the factors as given.
3. **Gaussian**: glmnet standardises y to unit variance before fitting (ys, the weighted
   standard deviation of y with divisor Σw — the root mean square without an intercept),
   solves with λ/ys on that scale and scales the coefficients back. That amounts to
   minimising ½·Σwᵢ(yᵢ − ηᵢ)²/Σw + λ·a·|β|₁ + λ·(1 − a)/(2·ys)·|β|², a = glmnet's alpha:
   the L1 part is as documented, the L2 part is divided by ys. So glmnet's (λ, a) is
   glmkit's

       α = λ · (a + (1 − a)/ys),    l1_ratio = λ · a / α,

   which is α = λ for the lasso (a = 1). :func:`glmnet_to_glmkit` does the conversion.
   ½ mean deviance is ½ mean squared error for the Gaussian family, as in glmnet.

``standardize`` has the same meaning in both; glmnet's default is ``TRUE``, glmkit's is
``False`` (as glum's).

Everything a solver needs is in :class:`Penalty`, resolved per coefficient of the
objective: L1 weights ``l1`` = α·l1_ratio·pf·s, L2 weights ``l2`` = α·(1−l1_ratio)·pf·s²,
and the bounds. The penalty value is then Σ l1ⱼ|βⱼ| + ½ Σ l2ⱼ βⱼ²; solvers never see α,
factors or scales.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import InputError

__all__ = [
    "Penalty",
    "ElasticNet",
    "no_penalty",
    "ridge",
    "lasso",
    "elastic_net",
    "soft_threshold",
    "glmnet_to_glmkit",
]

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
        """A penalty from per-coefficient L1/L2 weights (and optional bounds)."""
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
        """No penalty and no bounds."""
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
        """The penalty of a subset of the coefficients."""
        idx = np.asarray(index)
        return self._trusted(self.l1[idx], self.l2[idx], self.lower[idx], self.upper[idx], self.has_bounds)

    def scaled(self, factor: float) -> "Penalty":
        """The same bounds with the L1 and L2 weights multiplied by ``factor`` ≥ 0."""
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
        """P(β); +inf outside the bounds."""
        coef = np.asarray(coef, dtype=float)
        if self.has_bounds and (np.any(coef < self.lower) or np.any(coef > self.upper)):
            return float("inf")
        return float(self.l1 @ np.abs(coef) + 0.5 * (self.l2 @ (coef * coef)))

    def project(self, coef: Array) -> Array:
        """The nearest point of the box (a copy)."""
        return np.clip(np.asarray(coef, dtype=float), self.lower, self.upper)

    def coordinate_minimizer(self, u: Array, h: Array) -> Array:
        """argmin over x of ``½·h·x² − u·x + l1·|x| + ½·l2·x²`` on [lower, upper], elementwise.

        The one-dimensional problem of coordinate descent: clip(S(u, l1)/(h + l2)).
        Where h + l2 = 0 the minimiser is 0 (projected) when ``|u| ≤ l1``.
        """
        denom = np.asarray(h, dtype=float) + self.l2
        num = soft_threshold(u, self.l1)
        with np.errstate(divide="ignore", invalid="ignore"):
            x = np.where(denom > 0, num / np.where(denom > 0, denom, 1.0), 0.0)
        return np.clip(x, self.lower, self.upper)

    def prox(self, v: Array, step: float | Array) -> Array:
        """The proximal map: argmin over x of ‖x − v‖²/(2·step) + P(x)."""
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


# --------------------------------------------------------------------------- user-level spec


def _per_feature(value: Any, n_features: int, names: list[str] | None, what: str, default: float) -> Array:
    """A scalar, a sequence of length n_features, or a mapping {name: value} (a dict, or a
    pandas Series indexed by column names; unnamed columns get the default) → array."""
    if value is None:
        return np.full(n_features, default)
    by_name = isinstance(value, dict) or (hasattr(value, "items") and not hasattr(value, "shape"))
    index = getattr(value, "index", None)  # a pandas Series indexed by column names
    if index is not None and hasattr(value, "shape") and names is not None and len(index) and \
            all(isinstance(k, str) for k in index):
        by_name = True
    if by_name:
        mapping = dict(value.items())
        out = np.full(n_features, default)
        if names is None:
            raise InputError(f"{what} was given by name, but the columns have no names; give an array.")
        unknown = [k for k in mapping if k not in names]
        if unknown:
            raise InputError(f"{what} names unknown columns {unknown[:5]}; the columns are {names[:20]}.")
        for k, v in mapping.items():
            out[names.index(k)] = float(v)
        return out
    arr = np.asarray(value.to_numpy() if hasattr(value, "to_numpy") else value, dtype=float)
    if arr.ndim == 0:
        return np.full(n_features, float(arr))
    if arr.shape != (n_features,):
        raise InputError(
            f"{what} must be a scalar or have one value per penalised column ({n_features}, the "
            f"intercept excluded); got shape {arr.shape}."
        )
    return arr.copy()


@dataclass(frozen=True)
class ElasticNet:
    """The elastic-net penalty as the user states it (α, l1_ratio, factors, bounds).

    Parameters
    ----------
    alpha : float, default 0
        Overall strength α ≥ 0.
    l1_ratio : float, default 0
        Mix between L1 (1) and L2 (0).
    penalty_factor : float, array of shape (n_features,) or mapping {name: factor}, optional
        Per-column multipliers pfⱼ ≥ 0 (0 = unpenalised). The intercept is never penalised
        and has no entry.
    lower, upper : float, array or mapping, optional
        Box bounds on the coefficients (original scale); the intercept is unbounded.

    Examples
    --------
    >>> pen = ElasticNet(alpha=0.1, l1_ratio=0.5).resolve(3, intercept_index=0)
    >>> pen.l1, pen.l2
    (array([0.  , 0.05, 0.05]), array([0.  , 0.05, 0.05]))
    """

    alpha: float = 0.0
    l1_ratio: float = 0.0
    penalty_factor: Any = None
    lower: Any = None
    upper: Any = None

    def __post_init__(self) -> None:
        a = float(self.alpha)
        if not np.isfinite(a) or a < 0:
            raise InputError(f"alpha must be a finite number ≥ 0; got {self.alpha!r}.")
        r = float(self.l1_ratio)
        if not (0.0 <= r <= 1.0):
            raise InputError(f"l1_ratio must lie in [0, 1] (0 = ridge, 1 = lasso); got {self.l1_ratio!r}.")
        object.__setattr__(self, "alpha", a)
        object.__setattr__(self, "l1_ratio", r)

    @property
    def has_bounds(self) -> bool:
        """Whether any coefficient has a lower or upper bound."""
        return self.lower is not None or self.upper is not None

    @property
    def is_active(self) -> bool:
        """Whether this differs from an unpenalised, unbounded fit."""
        return self.alpha > 0 or self.has_bounds

    def with_alpha(self, alpha: float) -> "ElasticNet":
        """The same penalty at another α."""
        return ElasticNet(alpha, self.l1_ratio, self.penalty_factor, self.lower, self.upper)

    def factors(self, n_features: int, names: list[str] | None = None) -> Array:
        """Penalty factors per non-intercept column, validated."""
        pf = _per_feature(self.penalty_factor, n_features, names, "penalty_factor", 1.0)
        if np.any(~np.isfinite(pf) | (pf < 0)):
            raise InputError(f"penalty_factor must be finite and ≥ 0; got {pf[~np.isfinite(pf) | (pf < 0)][:5]}.")
        return pf

    def bounds(self, n_features: int, names: list[str] | None = None) -> tuple[Array, Array]:
        """(lower, upper) per non-intercept column, validated."""
        lo = _per_feature(self.lower, n_features, names, "lower", -np.inf)
        hi = _per_feature(self.upper, n_features, names, "upper", np.inf)
        if np.any(np.isnan(lo)) or np.any(np.isnan(hi)) or np.any(lo > hi):
            raise InputError("lower must be ≤ upper for every coefficient (NaN is not allowed).")
        return lo, hi

    def resolve(
        self,
        n_features: int,
        intercept_index: int | None = None,
        scale: Array | None = None,
        names: list[str] | None = None,
    ) -> Penalty:
        """Per-coefficient weights and bounds for a design with ``n_features`` columns.

        Parameters
        ----------
        n_features : int
            Columns of the design, the intercept included.
        intercept_index : int or None
            The intercept's column (unpenalised, unbounded).
        scale : ndarray of shape (n_features,), optional
            Column scales sⱼ for ``standardize=True`` (the intercept's entry is ignored).
        names : list of str, optional
            Names of the non-intercept columns, for factors or bounds given as mappings.
        """
        features = np.arange(n_features, dtype=np.intp)
        if intercept_index is not None:
            features = np.delete(features, intercept_index)
        pf = self.factors(features.size, names)
        lo_f, hi_f = self.bounds(features.size, names)
        s = np.ones(n_features) if scale is None else np.asarray(scale, dtype=float)
        l1 = np.zeros(n_features)
        l2 = np.zeros(n_features)
        lower = np.full(n_features, -np.inf)
        upper = np.full(n_features, np.inf)
        l1[features] = self.alpha * self.l1_ratio * pf * s[features]
        l2[features] = self.alpha * (1.0 - self.l1_ratio) * pf * s[features] ** 2
        lower[features] = lo_f
        upper[features] = hi_f
        return Penalty(l1, l2, lower, upper)


def no_penalty() -> ElasticNet:
    """No penalty (α = 0)."""
    return ElasticNet()


def ridge(alpha: float, penalty_factor: Any = None) -> ElasticNet:
    """Ridge: α·Σ pfⱼ βⱼ²/2."""
    return ElasticNet(alpha, 0.0, penalty_factor)


def lasso(alpha: float, penalty_factor: Any = None) -> ElasticNet:
    """Lasso: ``α·Σ pfⱼ |βⱼ|``."""
    return ElasticNet(alpha, 1.0, penalty_factor)


def elastic_net(alpha: float, l1_ratio: float, penalty_factor: Any = None,
                lower: Any = None, upper: Any = None) -> ElasticNet:
    """Elastic net: ``α·Σ pfⱼ (l1_ratio·|βⱼ| + (1 − l1_ratio)/2·βⱼ²)``."""
    return ElasticNet(alpha, l1_ratio, penalty_factor, lower, upper)


def glmnet_to_glmkit(lam: float, glmnet_alpha: float, family: str = "binomial",
                     y_scale: float | None = None) -> tuple[float, float]:
    """glmkit's (α, l1_ratio) for glmnet's (lambda, alpha).

    Parameters
    ----------
    lam : float
        glmnet's λ.
    glmnet_alpha : float
        glmnet's ``alpha`` (the L1 share).
    family : str
        ``"gaussian"`` needs ``y_scale``; other families map α = λ.
    y_scale : float, optional
        For the Gaussian family: glmnet's ys, the weighted standard deviation of y with
        divisor Σw (the root mean square of y when the model has no intercept).

    Returns
    -------
    (alpha, l1_ratio)

    Examples
    --------
    >>> glmnet_to_glmkit(0.1, 0.5, "poisson")
    (0.1, 0.5)
    >>> glmnet_to_glmkit(0.1, 0.5, "gaussian", y_scale=2.0)
    (0.07500000000000001, 0.6666666666666666)
    """
    if family != "gaussian" or glmnet_alpha == 1.0:
        return float(lam), float(glmnet_alpha)
    if y_scale is None or not y_scale > 0:
        raise InputError("The Gaussian mapping needs y_scale, glmnet's standard deviation of y (> 0).")
    alpha = lam * (glmnet_alpha + (1.0 - glmnet_alpha) / y_scale)
    return float(alpha), float(lam * glmnet_alpha / alpha) if alpha > 0 else 0.0
