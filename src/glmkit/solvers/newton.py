"""Newton–Raphson on the observed Hessian, with step-halving.

For canonical links the observed and expected Hessians coincide and this is IRLS. For
other links it converges quadratically where Fisher scoring converges linearly; where the
observed Hessian is not positive definite (far from the optimum) the step falls back to
the expected one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ._base import Array, SolverResult
from .irls import newton_iterations

__all__ = ["Newton"]


@dataclass(frozen=True)
class Newton:
    """Newton's method with the observed information.

    Parameters
    ----------
    tol : float, default 1e-10
    max_iter : int, default 100
    max_halvings : int, default 40
    record_history : bool, default False

    Examples
    --------
    >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson", solver="newton")
    >>> fit.coef.round(3).tolist()
    [-0.249, 0.463]
    """

    tol: float = 1e-10
    max_iter: int = 100
    max_halvings: int = 40
    record_history: bool = False
    name: ClassVar[str] = "newton"
    accepts_penalty: ClassVar[bool] = False
    newton_type: ClassVar[bool] = True
    absorbs_effects: ClassVar[bool] = False

    def solve(self, objective, start: Array) -> SolverResult:  # type: ignore[no-untyped-def]
        """Minimise ``objective`` from ``start`` (shape (n_features,)).

        Returns
        -------
        SolverResult
            The coefficients, convergence, iterations and history.

        Examples
        --------
        >>> X = np.column_stack([np.ones(6), np.arange(6.0)])
        >>> objective = gk.build_objective(X, [1, 1, 2, 3, 5, 8], "poisson")
        >>> result = gk.solvers.Newton().solve(objective, np.zeros(2))
        >>> result.converged, result.coef.round(3).tolist()
        (True, [-0.249, 0.463])
        """
        return newton_iterations(objective, start, self, hessian_kind="observed")
