"""The estimated effects of absorbed factors (fixest's ``fixef``)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError

__all__ = ["fixef"]


def fixef(result: Any) -> dict[str, Any]:
    """{factor name: pandas Series of its effects, indexed by level} of a fit with absorbed factors.

    Normalisation as fixest's ``fixef``: the first level of every factor but the first is 0
    (exact where the levels of the factors are connected); the effects of a row's levels
    add up, with the covariates and the offset, to its linear predictor.

    Examples
    --------
    >>> import pandas as pd, glmkit as gk
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3, 5, 9], "x": [0.0, 1, 2, 0, 1, 2], "g": list("aaabbb")})
    >>> fixef(gk.glm("y ~ x | g", df, "poisson"))["g"].round(4).tolist()
    [0.1374, 1.0247]
    """
    import pandas as pd
    design = result.model.problem.design
    factors = design.absorbed
    if factors is None or design.fitted_effects is None:
        raise InputError("This fit absorbs no factors; fixef() gives the effects of factors absorbed with "
                         "'y ~ x | firm' or absorb=.")
    levels = factors.levels or tuple(range(g) for g in factors.n_levels)
    return {name: pd.Series(effect, index=pd.Index(level, name=name), name="effect")
            for name, level, effect in zip(factors.names, levels, design.fitted_effects)}
