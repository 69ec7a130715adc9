"""A fitted model without its training data: what a model file or a data-free pickle holds.

Design note
-----------
:class:`StoredModel` stands where a :class:`~glmkit.fit.FittedModel` stands in a
:class:`~glmkit.results.GLMResult`, with the small quantities inference needs kept as
values: coefficients, aliasing, the Fisher information XᵀWX of the kept columns (the
covariance is computed from it exactly as for a live fit, so it is equal bit for bit),
deviances, degrees of freedom and the data spec. Whatever needs the rows themselves —
residuals, fitted values, influence, robust covariance, profile intervals, anova and
other refits — reaches for ``design``, ``y``, ``eta``…, and gets
:class:`~glmkit.errors.NoTrainingDataError` saying so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from ..errors import NoTrainingDataError
from ..fit.model import ModelCounts
from .._lazy import lazy_module

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["StoredProblem", "StoredModel", "NO_DATA_MESSAGE"]

NO_DATA_MESSAGE = (
    "This needs the training data ({what}), which this result does not hold (it was loaded from a model file, "
    "or unpickled after the data was dropped). Model files and pickles keep what predict, summary and "
    "Wald inference need; for residuals, fitted values, influence, robust covariance, profile intervals, "
    "anova or refits, fit again on the data (or pickle with fit.keep_data())."
)


def _no_data(what: str) -> NoTrainingDataError:
    return NoTrainingDataError(NO_DATA_MESSAGE.format(what=what))


@dataclass(frozen=True, eq=False)
class StoredProblem:
    """The parts of a :class:`~glmkit.problem.Problem` that hold no data.

    Attributes
    ----------
    names : list of str
    family : Family
    data_spec : DataSpec or None
    formula : str or None
    intercept_index : int or None
    n_obs, n_samples, n_dropped : int
    """

    names: list[str]
    family: Any
    data_spec: Any
    formula: str | None
    intercept_index: int | None
    n_obs: int
    n_samples: int
    n_dropped: int = 0
    holds_data = False
    data = None  # a formula fit's data: none here (cluster columns, add1 are refused)
    frame_kind = None  # predictions come back in the kind of newdata (pandas for arrays)

    @classmethod
    def from_problem(cls, problem: Any) -> "StoredProblem":
        """The data-free part of a problem (a stored one is returned as it is).

        >>> from glmkit.problem import problem_from_arrays
        >>> StoredProblem.from_problem(problem_from_arrays(np.ones((3, 1)), [1.0, 2.0, 3.0])).n_obs
        3
        """
        if isinstance(problem, StoredProblem):
            return problem
        return cls(names=list(problem.names), family=problem.family, data_spec=problem.data_spec,
                   formula=problem.formula, intercept_index=problem.intercept_index, n_obs=int(problem.n_obs),
                   n_samples=int(problem.n_samples), n_dropped=int(problem.n_dropped))

    @property
    def n_features(self) -> int:
        return len(self.names)

    @property
    def feature_index(self) -> NDArray[np.intp]:
        index = np.arange(len(self.names))
        return index if self.intercept_index is None else np.delete(index, self.intercept_index)

    def __getattr__(self, name: str) -> Any:
        # Reached only for what a live Problem has and this one lacks: the rows (design, y,
        # weights, offset, index) and what derives new problems from them (refits).
        if name.startswith("__"):
            raise AttributeError(name)
        raise _no_data(f"problem.{name}")


@dataclass(frozen=True, eq=False)
class StoredModel(ModelCounts):
    """A :class:`~glmkit.fit.FittedModel` without data (see the module notes).

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
    >>> stored = StoredModel.from_model(fit.model)
    >>> bool(np.array_equal(stored.fisher_information, fit.model.fisher_information))
    True
    """

    problem: StoredProblem
    coef: NDArray[np.floating]
    aliased: NDArray[np.bool_]
    fisher_information: NDArray[np.floating]
    deviance: float
    null_deviance: float
    rank: int
    n_iter: int
    converged: bool
    solver: str
    message: str = ""
    history: tuple = field(default_factory=tuple)

    @classmethod
    def from_model(cls, model: Any) -> "StoredModel":
        """The data-free part of a fitted (or stored) model."""
        if isinstance(model, StoredModel):
            return model
        return cls(problem=StoredProblem.from_problem(model.problem), coef=np.array(model.coef), aliased=np.array(model.aliased),
                   fisher_information=np.array(model.fisher_information), deviance=float(model.deviance),
                   null_deviance=float(model.null_deviance), rank=int(model.rank), n_iter=int(model.n_iter),
                   converged=bool(model.converged), solver=str(model.solver), message=str(model.message),
                   history=tuple(model.history))

    family = property(lambda self: self.problem.family, doc="The family, with its link.")

    @property
    def index(self) -> pd.Index:
        raise _no_data("The rows' index")

    def __getattr__(self, name: str) -> Any:
        # design, y, weights, offset, trials, eta, mu, objective: the data of the fit.
        if name.startswith("__"):
            raise AttributeError(name)
        raise _no_data(f"model.{name}")
