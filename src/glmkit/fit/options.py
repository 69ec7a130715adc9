"""What a user may say about how to fit, checked once for every route.

:class:`FitOptions` holds the solver (a name or an object), its options as an explicit
mapping, the tolerance, the iteration limit, starting coefficients, the BLAS thread cap and
a fixed dispersion. Plain fits, penalised fits, paths, CV and the negative binomial all take
the same options, so nothing is dropped on one route and kept on another.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from .._warnings import warn
from ..errors import InputError

__all__ = ["FitOptions", "DISPERSION_ESTIMATORS", "legacy_solver_options"]

# Names ``dispersion=`` takes for an estimated dispersion (t and F tests).
DISPERSION_ESTIMATORS = ("pearson",)


@dataclass(frozen=True, eq=False)
class FitOptions:
    """How to fit: solver, its options, tolerance, iteration limit, start, threads, dispersion.

    Parameters
    ----------
    solver : str or solver object, default "auto"
    solver_options : mapping, optional
        Options of the named solver (e.g. ``{"learning_rate": 1e-4}`` for ``"gd"``).
    tol : float, optional
        Solver tolerance (> 0); the solver's default when None.
    max_iter : int, optional
        Iteration limit (≥ 1); the solver's default when None.
    start : array of shape (n_features,), optional
        Starting coefficients.
    n_threads : int, optional
        Cap on BLAS threads (≥ 1).
    dispersion : float or {"pearson"}, optional
        A fixed dispersion (> 0) for inference, as R's ``summary(fit, dispersion = ...)``
        (z and χ² tests), or the name of an estimator: ``"pearson"`` estimates φ by
        Pearson's X²/df_resid for any family (t tests on df_resid, F tests), as R's
        ``summary.glm`` does for every family but binomial and Poisson. None: the family's
        default (1 for binomial, Poisson and the negative binomial; Pearson otherwise).

    Examples
    --------
    >>> FitOptions(solver="gd", solver_options={"learning_rate": 1e-3}).solver_options["learning_rate"]
    0.001
    >>> FitOptions(tol=-1)
    Traceback (most recent call last):
    ...
    glmkit.errors.InputError: tol must be a positive finite number; got -1. ...
    """

    solver: Any = "auto"
    solver_options: Mapping[str, Any] = field(default_factory=dict)
    tol: float | None = None
    max_iter: int | None = None
    start: Any = None
    n_threads: int | None = None
    dispersion: float | str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.solver_options, Mapping):
            raise InputError(f"solver_options must be a mapping of option names to values; got "
                             f"{type(self.solver_options).__name__}.")
        object.__setattr__(self, "solver_options", MappingProxyType(dict(self.solver_options)))
        _positive("tol", self.tol, "e.g. tol=1e-10")
        if not (isinstance(self.dispersion, str) and self.dispersion in DISPERSION_ESTIMATORS):
            _positive("dispersion", self.dispersion, "a dispersion is a variance scale: give a number, e.g. "
                      "dispersion=1.5, or an estimator name, e.g. dispersion='pearson'")
        _count("max_iter", self.max_iter)
        _count("n_threads", self.n_threads)
        if self.start is not None:
            try:
                start = np.asarray(self.start, dtype=float)
            except (TypeError, ValueError):
                raise InputError(f"start must be numbers, one per coefficient; got {self.start!r}.") from None
            object.__setattr__(self, "start", start)

    def solver_settings(self) -> dict[str, Any]:
        """The solver's options with ``tol`` and ``max_iter`` where given."""
        settings = dict(self.solver_options)
        if self.tol is not None:
            settings["tol"] = float(self.tol)
        if self.max_iter is not None:
            settings["max_iter"] = int(self.max_iter)
        return settings


def _positive(name: str, value: Any, hint: str) -> None:
    if value is None:
        return
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    if not ok:
        raise InputError(f"{name} must be a positive finite number; got {value!r}. {hint}.")


def _count(name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InputError(f"{name} must be a whole number ≥ 1; got {value!r}.")


def legacy_solver_options(function: str, extra: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Solver options passed as loose keywords (the old spelling): moved into ``solver_options``.

    A keyword that no solver knows is a ``TypeError`` naming it, exactly as Python reports an
    unexpected keyword; one that a solver knows still works, with a ``DeprecationWarning``.
    """
    unknown = sorted(set(extra) - known)
    if unknown:
        raise TypeError(f"{function}() got an unexpected keyword argument {unknown[0]!r}")
    if extra:
        warn(f"Passing solver options as keywords of {function}() ({', '.join(sorted(extra))}) is deprecated; "
             f"pass solver_options={{{', '.join(f'{k!r}: ...' for k in sorted(extra))}}} instead.",
             DeprecationWarning)
    return dict(extra)
