"""A design whose factors of many levels are absorbed, not stored as columns.

Design note. The coefficients a solver sees are those of the covariates only; the
factors (:class:`~glmkit.design.effects.FixedEffects`) are a property of the design that
the design declares (``absorbed``). A solver that declares ``absorbs_effects`` (IRLS)
projects them out of each weighted least-squares step; every other solver refuses such a
design. After a fit, the fitted model holds :meth:`AbsorbedDesign.projected`: the
covariates with the effects projected out under the Fisher weights at the solution
(Frisch–Waugh–Lovell), and the effects move into the fitted model's offset
(η = X̃β + offset′). So everything evaluated at the solution — XᵀWX, the sandwich
covariances, hat values, residuals — is the non-absorbed coefficients' part of the
dummy-variable model's, without any matrix over the levels. Refits (drop1, profile
intervals) would hold the effects fixed; they are refused (``refits`` is False).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError
from .dense import DenseDesign
from .effects import FixedEffects

__all__ = ["AbsorbedDesign"]

Array = NDArray[np.floating]


class AbsorbedDesign(DenseDesign):
    """Dense covariates plus absorbed factors (fixed effects).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        The covariates (no intercept: the factors absorb it).
    effects : FixedEffects
        The absorbed factors.
    is_projected : bool, default False
        The columns are already the covariates with the effects projected out (the design
        a fitted model holds).
    prior_offset : ndarray of shape (n_samples,), optional
        On a projected design: the model's own offset (the fitted model's offset then
        holds the effects as well; the null model uses this one).
    fitted_effects : tuple of arrays, optional
        On a projected design: each factor's estimated effects (``GLMResult.fixef``).

    Examples
    --------
    >>> from glmkit.design.effects import FixedEffects
    >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
    >>> design = AbsorbedDesign(np.array([[1.0], [2.0], [3.0], [5.0]]), fe)
    >>> design.shape, design.absorbed.names, design.absorbed_parameters
    ((4, 1), ('g',), 2)
    """

    def __init__(self, X: Array, effects: FixedEffects, is_projected: bool = False,
                 prior_offset: Array | None = None, fitted_effects: tuple[Array, ...] | None = None) -> None:
        super().__init__(np.asarray(X, dtype=np.float64), intercept=False)
        if effects.n_samples != self.X.shape[0]:
            raise InputError(f"The absorbed factors have {effects.n_samples} rows; X has {self.X.shape[0]}.")
        self.effects = effects
        self.is_projected = bool(is_projected)
        self.prior_offset = prior_offset
        self.fitted_effects = fitted_effects

    @property
    def absorbed(self) -> FixedEffects | None:
        """The absorbed factors."""
        return self.effects

    @property
    def absorbed_parameters(self) -> int:
        """Parameters the absorbed factors count for (see ``FixedEffects.n_parameters``)."""
        return self.effects.n_parameters

    @property
    def refits(self) -> bool:
        """Whether sub-models can be refitted on this design (no: see the module notes)."""
        return False

    @property
    def one_pass_evaluation(self) -> bool:
        """False: an absorbed design is evaluated through its solver, not in blocks."""
        return False

    @property
    def one_pass_steps(self) -> bool:
        """False (see ``one_pass_evaluation``)."""
        return False

    def projected(self, weights: Array, prior_offset: Array | None = None,
                  fitted_effects: tuple[Array, ...] | None = None) -> "AbsorbedDesign":
        """The covariates with the effects projected out under ``weights`` (n_samples,);
        ``prior_offset`` and ``fitted_effects`` as in the class parameters.

        Examples
        --------
        >>> from glmkit.design.effects import FixedEffects
        >>> fe = FixedEffects((np.array([0, 0, 1, 1]),), (2,), ("g",))
        >>> AbsorbedDesign(np.array([[1.0], [2.0], [3.0], [5.0]]), fe).projected(np.ones(4)).X.ravel()
        array([-0.5,  0.5, -1. ,  1. ])
        """
        demeaned = self.effects.demean(self.X, weights)
        return AbsorbedDesign(demeaned.residual, self.effects, True, prior_offset, fitted_effects)

    def select_columns(self, columns: NDArray[np.intp]) -> "AbsorbedDesign":
        """The design on some covariates, the same factors.

        Examples
        --------
        >>> from glmkit.design.effects import FixedEffects
        >>> fe = FixedEffects((np.array([0, 1]),), (2,), ("g",))
        >>> AbsorbedDesign(np.eye(2), fe).select_columns(np.array([1])).shape
        (2, 1)
        """
        return AbsorbedDesign(self.X[:, np.asarray(columns, dtype=np.intp)], self.effects, self.is_projected,
                              self.prior_offset, self.fitted_effects)

    def take_rows(self, rows: NDArray[np.intp]) -> "AbsorbedDesign":
        """The design on some rows (levels recoded to those present).

        Examples
        --------
        >>> from glmkit.design.effects import FixedEffects
        >>> fe = FixedEffects((np.array([0, 1, 1]),), (2,), ("g",))
        >>> AbsorbedDesign(np.ones((3, 1)), fe).take_rows(np.array([1, 2])).absorbed_parameters
        1
        """
        rows = np.asarray(rows, dtype=np.intp)
        return AbsorbedDesign(self.X[rows], self.effects.subset(rows), self.is_projected,
                              None if self.prior_offset is None else self.prior_offset[rows])

    def __repr__(self) -> str:
        n, p = self.shape
        return (f"AbsorbedDesign({n} × {p}, absorbing {' + '.join(self.effects.names)} "
                f"with {', '.join(str(g) for g in self.effects.n_levels)} levels)")
