"""Property-based fits (issue 15): random designs, families, links, weights and offsets.

Every example draws a small problem (n ≤ 60) for one registered family × link and asserts:

- only glmkit's own errors (``GLMError``) are raised;
- a NaN in the coefficients or the deviance comes with a warning;
- ``converged=True`` only where the convergence certificate (the relative gradient at the
  final coefficients) holds;
- the four invariants, at 1e-9: rows permuted; weights × a constant; duplicated rows =
  doubled weights; an offset c·xⱼ shifts coefficient j by −c;
- no fit takes over a second.

The run is derandomised and bounded (a few tens of seconds on two cores). A longer profile
runs with ``GLMKIT_PROPERTY_PROFILE=long`` (see tests/README.md).
"""

from __future__ import annotations

import copy
import os
import time
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import glmkit as gk
from glmkit.errors import ConvergenceWarning, GLMError, InputError, SeparationWarning
from glmkit.links import get_link
from glmkit.solvers.certificate import certify

from glm_registry import ALL_FAMILIES, sample_y

LONG = os.environ.get("GLMKIT_PROPERTY_PROFILE", "") == "long"
EXAMPLES = 3000 if LONG else 250
TIME_LIMIT = 1.0  # seconds for one fit of n ≤ 100
TOL = 1e-9
_WARMED: list = []


def _pairs() -> list:
    """(family, link) for every registered family example and each link it accepts by name."""
    out = []
    for family in ALL_FAMILIES:
        # a family that takes any link: its own, and the log link where μ may be any positive number
        positive = family.mu_domain.low == 0.0 and np.isinf(family.mu_domain.high)
        names = family.allowed_links if family.allowed_links is not None else (
            (family.link.name, "log") if positive else (family.link.name,))
        for name in dict.fromkeys(names):
            fam = copy.copy(family)
            fam.link = get_link(name)
            out.append(fam)
    return out


PAIRS = _pairs()


def _warm_up() -> None:
    """One fit per family, so the time limit does not count first-call imports (scipy, …)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 1))
    for family in PAIRS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gk.glm_fit(X, sample_y(family, _means(family, 0.3 * X[:, 0]), rng), family=family)
            except GLMError:
                pass


def _means(family, eta_shape: np.ndarray) -> np.ndarray:
    """Means inside the family's domain that vary smoothly with the design."""
    dom = family.mu_domain
    if dom.high == 1.0:
        return 1.0 / (1.0 + np.exp(-(-0.3 + eta_shape)))
    if dom.low == 0.0:
        return 2.0 * np.exp(0.5 * eta_shape)
    return eta_shape


@st.composite
def problems(draw):  # type: ignore[no-untyped-def]
    family = draw(st.sampled_from(PAIRS))
    n = draw(st.integers(12, 60))
    p = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * draw(st.sampled_from([1.0, 1.0, 10.0, 0.01]))
    beta = rng.normal(scale=0.5, size=p) / np.maximum(np.std(X, axis=0), 1e-12)
    mu = _means(family, (X - X.mean(axis=0)) @ beta * 0.5)
    y = sample_y(family, mu, rng)
    weights = rng.uniform(0.5, 2.0, size=n) if draw(st.booleans()) else None
    if weights is not None and family.proportion_response:
        weights = np.round(weights * 2)  # whole trials
    offset = rng.normal(scale=0.05, size=n) if draw(st.booleans()) else None
    return family, X, y, weights, offset


def _fit(family, X, y, weights=None, offset=None, start=None):  # type: ignore[no-untyped-def]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        began = time.perf_counter()
        fit = gk.glm_fit(X, y, family=family, weights=weights, offset=offset, start=start)
        seconds = time.perf_counter() - began
    return fit, [w.category for w in caught], seconds


def _close(a, b, X, what: str) -> None:  # type: ignore[no-untyped-def]
    """Coefficients equal at 1e-9, measured on the linear predictor (so that a column scaled
    by 0.01, whose coefficient is 100 times larger, is held to the same accuracy)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    design = np.column_stack([np.ones(len(X)), X])
    gap = np.max(np.abs(design @ (a - b)))
    assert gap <= TOL * (1.0 + np.max(np.abs(design @ b))), f"{what}: linear predictors differ by {gap:.3g}"


@pytest.mark.filterwarnings("ignore")
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(problems())
def test_random_fits_are_sound_and_invariant(problem) -> None:  # type: ignore[no-untyped-def]
    family, X, y, weights, offset = problem
    n = len(y)
    if not _WARMED:
        _warm_up()
        _WARMED.append(True)
    try:
        fit, categories, seconds = _fit(family, X, y, weights, offset)
    except GLMError as err:
        assert "start must have" not in str(err)  # the harness's own call must be valid
        return  # glmkit refused the input with its own error: allowed
    assert seconds < TIME_LIMIT, f"{family!r}: a fit of {n} rows took {seconds:.2f} s"
    coef = np.asarray(fit.coef, dtype=float)
    if np.any(np.isnan(coef[~np.asarray(fit.model.aliased)])) or np.isnan(fit.deviance):
        assert categories, f"{family!r}: NaN without a warning"
    model = fit.model
    if fit.converged:
        cert = certify(model.objective, coef[model.kept], None)
        assert cert.holds, f"{family!r}: converged=True with relative gradient {cert.kkt:.3g}"
    trouble = (ConvergenceWarning, SeparationWarning, gk.errors.AliasingWarning, gk.errors.NumericalWarning)
    if not fit.converged or any(issubclass(c, trouble) for c in categories):
        return  # the invariants hold for the MLE; this fit has none to compare
    w = np.ones(n) if weights is None else weights
    order = np.random.default_rng(n).permutation(n)
    permuted, _, _ = _fit(family, X[order], y[order], w[order], None if offset is None else offset[order])
    _close(permuted.coef, fit.coef, X, "rows permuted")
    scale = 4.0 if family.proportion_response else 3.7  # whole trials stay whole
    scaled, _, _ = _fit(family, X, y, w * scale, offset)
    _close(scaled.coef, fit.coef, X, "weights × constant")
    rows = np.r_[np.arange(n), np.arange(n)]
    duplicated, _, _ = _fit(family, X[rows], y[rows], w[rows], None if offset is None else offset[rows])
    doubled, _, _ = _fit(family, X, y, 2 * w, offset)
    _close(duplicated.coef, doubled.coef, X, "duplicated rows = doubled weights")
    c = 0.1
    base = np.zeros(n) if offset is None else offset
    try:
        shifted, _, _ = _fit(family, X, y, w, base + c * X[:, 0])
    except InputError as err:
        # glmkit's start search sees the offset, and for links with a bounded η (inverse squared)
        # may find no valid start for the shifted problem although its MLE is the same η; the
        # error says to pass start=, and the unshifted fit's coefficients are no valid start either.
        # Known limitation (issue 15 report): the invariant is checked where a start is found.
        assert "start=" in str(err)
        return
    expected = np.asarray(fit.coef, dtype=float).copy()
    expected[1] -= c  # column 0 of X is coefficient 1 (after the intercept)
    _close(shifted.coef, expected, X, "offset c·x shifts the coefficient by −c")
