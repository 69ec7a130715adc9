"""What a plain fit does differently when the design absorbs factors (fixed effects).

Aliasing is judged on the covariates with the factors projected out: a covariate that the
factors explain (constant within a firm, say) is aliased (NaN, as R's ``glm`` with
``factor()`` reports it), as are covariates dependent on others after projection. After
the solver, the fitted model holds the solution problem: the covariates projected under
the Fisher weights at the solution, and the effects in the offset (see
:mod:`glmkit.design.absorbed`), so inference needs nothing over the levels.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import NDArray

from ..design import AbsorbedDesign, DenseDesign
from ..intake.absorb import AbsorbedSpec
from ..loss import GLMLoss
from ..problem import Problem
from .aliasing import detect_aliased

__all__ = ["absorbed_aliased", "effects_for_spec", "solution_problem", "level_effects", "EXPLAINED_BELOW"]

Array = NDArray[np.floating]

EXPLAINED_BELOW = 1e-9  # a covariate whose projected weighted norm is below this share of its own is aliased


def absorbed_aliased(problem: Problem) -> NDArray[np.bool_]:
    """Covariates aliased with the absorbed factors or with covariates before them.

    Examples
    --------
    >>> from glmkit.design import AbsorbedDesign, FixedEffects
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> X = np.array([[1.0, 0.5], [1.0, 0.1], [2.0, 0.3], [2.0, 0.9]])  # column 0 constant within g
    >>> from glmkit.problem import Problem
    >>> import glmkit as gk
    >>> p = Problem(AbsorbedDesign(X, fe), np.ones(4), np.ones(4), np.zeros(4), gk.Poisson(), ["a", "b"], None)
    >>> absorbed_aliased(p).tolist()
    [True, False]
    """
    design, w = problem.design, problem.weights
    X = np.asarray(design.toarray(), dtype=np.float64)
    if X.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    used = np.where(w > 0, 1.0, 0.0)
    projected = design.absorbed.demean(X, used).residual
    before = np.sum(used[:, None] * X * X, axis=0)
    after = np.sum(used[:, None] * projected * projected, axis=0)
    explained = after <= EXPLAINED_BELOW * np.where(before > 0, before, 1.0)
    aliased = explained.copy()
    rest = np.flatnonzero(~explained)
    if rest.size:
        aliased[rest] = detect_aliased(DenseDesign(projected[:, rest]), used)
    return aliased


def solution_problem(problem: Problem, eta: Array, coef: Array,
                     aliased: NDArray[np.bool_]) -> tuple[Problem, Array, NDArray[np.bool_]]:
    """(the problem a fitted model holds, its coefficients, their aliasing): covariates
    projected under the Fisher weights at η, the effects in the offset (η = X̃β + offset′).
    A factor marked ``reported`` becomes treatment-coded columns (``C(year)[T.k]``) with its
    effects' contrasts as coefficients, as the dummy-variable fit reports them.
    ``coef`` over all columns (NaN: aliased).

    Examples
    --------
    >>> from glmkit.design import AbsorbedDesign, FixedEffects
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> from glmkit.problem import Problem
    >>> import glmkit as gk
    >>> p = Problem(AbsorbedDesign(np.array([[0.0], [1.0], [0.0], [1.0]]), fe), np.ones(4), np.ones(4),
    ...             np.zeros(4), gk.Gaussian(), ["x"], None)
    >>> solution_problem(p, np.ones(4), np.zeros(1), np.zeros(1, dtype=bool))[0].design.is_projected
    True
    """
    weights = GLMLoss(problem.family).terms(problem.y, eta, problem.weights, "expected").hessian
    design, factors = problem.design, problem.design.absorbed
    kept = np.isfinite(coef)
    raw = design.X[:, kept] @ coef[kept] if np.any(kept) else np.zeros_like(eta)
    effects = level_effects(factors, eta - problem.offset - raw, problem.weights)
    reported = [f for f, r in enumerate(factors.reported) if r]
    names = list(problem.names)
    if reported:
        absorbed = [f for f in range(len(factors.codes)) if f not in reported]
        blocks, extra = [design.X], []
        for f in reported:
            g, labels = factors.n_levels[f], factors.levels[f] if factors.levels is not None else range(factors.n_levels[f])
            blocks.append((factors.codes[f][:, None] == np.arange(1, g)[None, :]).astype(float))
            extra.append(effects[f][1:] - effects[f][0])
            names += [f"C({factors.names[f]})[T.{label}]" for label in list(labels)[1:]]
        design = AbsorbedDesign(np.column_stack(blocks), factors.keep_factors(absorbed))
        coef = np.concatenate([coef, *extra])
        aliased = np.concatenate([aliased, np.zeros(coef.size - aliased.size, dtype=bool)])
        effects = tuple(effects[f] for f in absorbed)
    projected = design.projected(weights, problem.offset, effects)
    kept = ~aliased
    fitted = projected.X[:, kept] @ coef[kept] if np.any(kept) else np.zeros_like(eta)
    spec = problem.data_spec.with_effects(effects_for_spec(problem, effects, reported)) \
        if isinstance(problem.data_spec, AbsorbedSpec) else problem.data_spec
    solved = replace(problem, design=projected, offset=eta - fitted, data_spec=spec, names=names)
    return solved, coef, aliased


def effects_for_spec(problem: Problem, effects: tuple[Array, ...], reported: list[int]) -> tuple[Array, ...]:
    """The effects in the spec's factor order (a reported factor's: zeros, unused there).

    Examples
    --------
    >>> effects_for_spec(None, (np.ones(2),), [])[0].tolist()
    [1.0, 1.0]
    """
    if not reported:
        return effects
    out, rest = [], iter(effects)
    for f, g in enumerate(problem.design.absorbed.n_levels):
        out.append(np.zeros(g) if f in reported else next(rest))
    return tuple(out)


def level_effects(factors, values: Array, weights: Array) -> tuple[Array, ...]:  # type: ignore[no-untyped-def]
    """Each factor's effects whose sum over a row's levels is ``values`` (the fitted effects
    part of η), with fixest's normalisation: the first level of every factor but the first
    is 0 (one reference per extra factor; exact where the factors' levels are connected).

    Examples
    --------
    >>> from glmkit.design import FixedEffects
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])), (2, 2), ("a", "b"))
    >>> [e.round(6).tolist() for e in level_effects(fe, np.array([1.0, 1.5, 2.0, 2.5]), np.ones(4))]
    [[1.0, 2.0], [0.0, 0.5]]
    """
    used = np.where(weights > 0, 1.0, 0.0)
    alphas = [a[:, 0].copy() for a in factors.demean(values, used).effects]
    for f in range(1, len(alphas)):
        if alphas[f].size:
            shift = alphas[f][0]
            alphas[f] -= shift
            alphas[0] += shift
    return tuple(alphas)
