"""The response as a family uses it: R's binomial-trials rule and the family's domain checks."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import DomainError, InputError
from ..families import Family
from .checks import check_finite

__all__ = ["prepare_response"]

Array = NDArray[np.floating]


def prepare_response(
    family: Family, y: Array, weights: Array, trials: Array | None, y_is_proportion: bool
) -> tuple[Array, Array, Array | None]:
    """Binomial trials → proportions and weights × trials (R's ``cbind`` rule); domain checks.

    Parameters
    ----------
    family : Family
    y, weights : ndarray of shape (n_samples,)
    trials : ndarray of shape (n_samples,) or None
        Numbers of trials; only for families whose response is a proportion of successes.
    y_is_proportion : bool
        y already holds proportions (a ``cbind(s, f)`` response); else success counts.

    Returns
    -------
    (y, weights, trials)
        y as the family uses it and the prior weights multiplied by the trials.

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> y, w, _ = prepare_response(gk.Binomial(), np.array([1.0, 3.0]), np.ones(2), np.array([2.0, 4.0]), False)
    >>> y.tolist(), w.tolist()
    ([0.5, 0.75], [2.0, 4.0])
    """
    if trials is not None:
        if not family.proportion_response:
            raise InputError(f"trials= is only meaningful for binomial families; the family is {family.name}.")
        check_finite(trials, "trials")
        if np.any(trials < 0):
            i = int(np.flatnonzero(trials < 0)[0])
            raise DomainError(f"trials must be non-negative; trials[{i}] = {float(trials[i])!r}.")
        if not y_is_proportion:
            y = _successes_to_proportions(y, trials)
        weights = weights * trials
    family.check_y(y, weights)
    family.warn_y(y, weights)
    return y, weights, trials


def _successes_to_proportions(y: Array, trials: Array) -> Array:
    bad = (y < 0) | (y > trials)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise DomainError(
            f"With trials=, y counts successes and must lie in [0, trials]; row {i} has "
            f"y = {float(y[i])!r}, trials = {float(trials[i])!r}."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(trials > 0, y / np.where(trials > 0, trials, 1.0), 0.0)
