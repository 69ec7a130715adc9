"""Registries the property tests run over: every link and every family, with parameters."""

from __future__ import annotations

import numpy as np

import glmkit as gk
from glmkit import links

ALL_LINKS = [cls() for cls in links.LINKS.values()] + [links.Power(1 / 3), links.Power(-0.5), links.Power(2.0)]

ALL_FAMILIES = [
    gk.Gaussian(),
    gk.Binomial(),
    gk.Poisson(),
    gk.Gamma(),
    gk.InverseGaussian(),
    gk.NegativeBinomial(theta=2.5),
    gk.Tweedie(power=1.5),
    gk.Tweedie(power=1.0),
    gk.Tweedie(power=2.0),
    gk.Tweedie(power=3.0),
    gk.Tweedie(power=2.5),
    gk.Tweedie(power=0.0),
    gk.QuasiPoisson(),
    gk.QuasiBinomial(),
    gk.Quasi(variance="mu^2"),
    gk.Quasi(variance="mu^3"),
    gk.Quasi(variance="constant"),
]


def family_id(f) -> str:
    return repr(f)


def mu_grid(domain_low: float, domain_high: float) -> np.ndarray:
    """Means inside a domain, away from its ends."""
    if np.isinf(domain_low) and np.isinf(domain_high):
        return np.linspace(-3.0, 3.0, 13)
    if domain_high == 1.0:
        return np.linspace(0.03, 0.97, 13)
    return np.geomspace(0.05, 20.0, 13)


def sample_y(family, mu: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A response inside the family's y-domain near μ (not necessarily from the distribution)."""
    dom = family.y_domain
    if dom.high == 1.0:
        return rng.integers(0, 2, size=mu.shape).astype(float)
    if dom.low == 0.0 and dom.low_inclusive:
        return np.round(mu * rng.uniform(0.3, 1.7, size=mu.shape))
    if dom.low == 0.0:
        return mu * rng.uniform(0.3, 1.7, size=mu.shape)
    return mu + rng.normal(size=mu.shape)
