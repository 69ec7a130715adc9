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

from .elastic_net import ElasticNet, elastic_net, glmnet_to_glmkit, lasso, no_penalty, ridge
from .resolved import Penalty, soft_threshold

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
