"""Registries the property tests run over: every link and every family, with parameters."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from glmkit import families, links

ALL_LINKS = [cls() for cls in links.LINKS.values()] + [links.Power(1 / 3), links.Power(-0.5), links.Power(2.0)]


def registered_families() -> list:
    """One instance per declared example (``Family.examples``) of every registered family.

    Built from ``glmkit.families.FAMILIES``, so a family added to the registry (a built-in
    module, or ``register_family`` in a user's file) is tested with no entry here.
    """
    classes = list(dict.fromkeys(families.FAMILIES.values()))  # one entry per class, in order
    return [instance for cls in classes for instance in cls.examples()]


ALL_FAMILIES = registered_families()


def family_id(f) -> str:
    return repr(f)


def family_property(where: Callable | None = None, links: Callable | None = None) -> Callable:
    """Mark a test as a family property, run over every registered family.

    The test is parametrised over ``family`` (the families ``where(family)`` accepts), or
    over ``family, link`` (the pairs ``links(family, link)`` accepts, links from
    ``ALL_LINKS``). The predicates stay on the function, so ``test_new_family`` runs the
    same test on a family registered later with the same selection.
    """
    def mark(fn: Callable) -> Callable:
        fn.family_filter = where or (lambda family: True)
        fn.pair_filter = links
        chosen = [f for f in ALL_FAMILIES if fn.family_filter(f)]
        if links is None:
            return pytest.mark.parametrize("family", chosen, ids=family_id)(fn)
        pairs = [(f, link) for f in chosen for link in ALL_LINKS if links(f, link)]
        return pytest.mark.parametrize("family,link", pairs, ids=repr)(fn)
    return mark


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
