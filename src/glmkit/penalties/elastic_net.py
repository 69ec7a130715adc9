"""The penalty as users state it (α, l1_ratio, factors, bounds), resolved into a
:class:`~glmkit.penalties.Penalty` per fit; glmnet's parameters converted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .resolved import Penalty

__all__ = ["ElasticNet", "no_penalty", "ridge", "lasso", "elastic_net", "glmnet_to_glmkit"]

Array = NDArray[np.floating]


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
        a = _number(self.alpha)
        if not np.isfinite(a) or a < 0:
            raise InputError(f"alpha must be a finite number ≥ 0; got {self.alpha!r}.")
        r = _number(self.l1_ratio)
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
        """The same penalty at another α.

        Examples
        --------
        >>> ElasticNet(2.0, 0.5).with_alpha(0.5)
        ElasticNet(alpha=0.5, l1_ratio=0.5, penalty_factor=None, lower=None, upper=None)
        """
        return ElasticNet(alpha, self.l1_ratio, self.penalty_factor, self.lower, self.upper)

    def factors(self, n_features: int, names: list[str] | None = None) -> Array:
        """Penalty factors per non-intercept column, validated.

        Examples
        --------
        >>> ElasticNet(1.0, 1.0, penalty_factor={"b": 0.0}).factors(2, ["a", "b"])
        array([1., 0.])
        """
        pf = _per_feature(self.penalty_factor, n_features, names, "penalty_factor", 1.0)
        if np.any(~np.isfinite(pf) | (pf < 0)):
            raise InputError(f"penalty_factor must be finite and ≥ 0; got {pf[~np.isfinite(pf) | (pf < 0)][:5]}.")
        return pf

    def bounds(self, n_features: int, names: list[str] | None = None) -> tuple[Array, Array]:
        """(lower, upper) per non-intercept column, validated.

        Examples
        --------
        >>> ElasticNet(1.0, 1.0, lower=0.0).bounds(2)
        (array([0., 0.]), array([inf, inf]))
        """
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

        Examples
        --------
        >>> pen = ElasticNet(2.0, 0.5).resolve(3, intercept_index=0)  # the intercept is not penalised
        >>> pen.l1, pen.l2
        (array([0., 1., 1.]), array([0., 1., 1.]))
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
    """No penalty (α = 0).

    Examples
    --------
    >>> no_penalty().alpha
    0.0
    """
    return ElasticNet()


def ridge(alpha: float, penalty_factor: Any = None) -> ElasticNet:
    """Ridge: α·Σ pfⱼ βⱼ²/2.

    Examples
    --------
    >>> ridge(0.5)
    ElasticNet(alpha=0.5, l1_ratio=0.0, penalty_factor=None, lower=None, upper=None)
    """
    return ElasticNet(alpha, 0.0, penalty_factor)


def lasso(alpha: float, penalty_factor: Any = None) -> ElasticNet:
    """Lasso: ``α·Σ pfⱼ |βⱼ|``.

    Examples
    --------
    >>> lasso(0.5, penalty_factor=[0.0, 1.0]).l1_ratio
    1.0
    """
    return ElasticNet(alpha, 1.0, penalty_factor)


def elastic_net(alpha: float, l1_ratio: float, penalty_factor: Any = None,
                lower: Any = None, upper: Any = None) -> ElasticNet:
    """Elastic net: ``α·Σ pfⱼ (l1_ratio·|βⱼ| + (1 − l1_ratio)/2·βⱼ²)``.

    Examples
    --------
    >>> elastic_net(0.5, 0.3, lower=0.0)
    ElasticNet(alpha=0.5, l1_ratio=0.3, penalty_factor=None, lower=0.0, upper=None)
    """
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


def _number(value: object) -> float:
    """``float(value)`` for a real number; NaN (refused by the caller's check) for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        return float("nan")
    return float(value)
