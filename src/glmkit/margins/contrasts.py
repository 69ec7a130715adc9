"""Contrast coefficients among the means of one group, named and ordered as R's emmeans.

Each method returns (coefficient matrix of shape (n_contrasts, n_means), labels) for
means labelled ``levels``: ``pairwise`` (a − b for a before b), ``revpairwise`` (b − a,
emmeans' order), ``trt.vs.ctrl`` (each mean − the mean at ``ref``), ``consec`` (each mean −
the one before). The default adjustment of each is emmeans' (``tukey``, ``tukey``,
``dunnettx``), except ``consec``, whose emmeans default ``"mvt"`` (a Monte Carlo
multivariate t) is not offered: ``sidak`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError, UnknownNameError

__all__ = ["CONTRAST_METHODS", "ContrastMethod", "contrast_matrix", "default_adjustment"]

ContrastMethod = Literal["pairwise", "revpairwise", "trt.vs.ctrl", "consec"]
CONTRAST_METHODS: dict[str, str] = {  # method → default adjustment
    "pairwise": "tukey",
    "revpairwise": "tukey",
    "trt.vs.ctrl": "dunnettx",
    "consec": "sidak",
}


def default_adjustment(method: Any) -> str:
    """The adjustment a method gets when none is named (``"none"`` for custom coefficients)."""
    if isinstance(method, Mapping):
        return "none"
    if method not in CONTRAST_METHODS:
        raise UnknownNameError(f"Unknown contrast method {method!r}; valid: {', '.join(map(repr, CONTRAST_METHODS))}.")
    return CONTRAST_METHODS[method]


def contrast_matrix(method: Any, levels: Sequence[str], ref: int = 0) -> tuple[NDArray[np.floating], list[str]]:
    """(coefficients, labels) of a contrast method over means labelled ``levels``.

    ``method`` may also be a mapping of label → coefficients, one per mean (emmeans'
    ``contrast(emm, list(...))``).

    Examples
    --------
    >>> coef, labels = contrast_matrix("pairwise", ["L", "M", "H"])
    >>> labels
    ['L - M', 'L - H', 'M - H']
    """
    default_adjustment(method)
    m = len(levels)
    if isinstance(method, Mapping):
        coef = np.array([np.asarray(c, dtype=float).ravel() for c in method.values()], dtype=float)
        if coef.ndim != 2 or coef.shape[1] != m:
            raise InputError(f"Each custom contrast needs {m} coefficients (one per mean: {list(levels)}); "
                             f"got {[len(np.atleast_1d(c)) for c in method.values()]}.")
        return coef, [str(k) for k in method]
    pairs: list[tuple[int, int]]
    if method == "pairwise":
        pairs = [(i, j) for i in range(m) for j in range(i + 1, m)]
    elif method == "revpairwise":
        pairs = [(i, j) for i in range(1, m) for j in range(i)]
    elif method == "consec":
        pairs = [(i, i - 1) for i in range(1, m)]
    else:
        if not 0 <= ref < m:
            raise InputError(f"ref={ref} is not the position of a mean; there are {m} (0 … {m - 1}).")
        pairs = [(i, ref) for i in range(m) if i != ref]
    coef = np.zeros((len(pairs), m))
    for row, (i, j) in enumerate(pairs):
        coef[row, i], coef[row, j] = 1.0, -1.0
    return coef, [f"{levels[i]} - {levels[j]}" for i, j in pairs]
