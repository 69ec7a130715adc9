"""The two entry points: ``glm`` (formula + DataFrame) and ``glm_fit`` (arrays).

Both build one validated :class:`~glmkit.problem.Problem` through its door and hand it, with
one :class:`~glmkit.fit.FitOptions`, to the route the arguments ask for: a plain fit, a
penalised fit, or the negative binomial with θ estimated. Every route honours the same
options (solver, tolerance, iteration limit, start, BLAS threads, dispersion). No input is
modified.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from numpy.typing import ArrayLike

from ._threads import blas_threads
from .errors import InputError
from .families import Family, get_family
from .fit import FitOptions, fit_model
from .fit.options import legacy_solver_options
from .links import Link
from .ml_parameters.negbin import fit_negative_binomial
from .penalized import PenalizedGLMResult, fit_penalized
from .penalties import ElasticNet
from .problem import Problem, problem_from_arrays, problem_from_formula
from .results import GLMResult
from .results.call import FitCall, with_call
from .solvers import SOLVERS

__all__ = ["glm", "glm_fit"]

# Arguments that may hold data: a data-free pickle of a fit leaves them out of its call.
_DATA_ARGUMENTS = ("data", "X", "y", "weights", "offset", "trials", "start")

# Options some solver takes: the only loose keywords still accepted (deprecated spelling).
_SOLVER_OPTION_NAMES = frozenset(
    name for cls in SOLVERS.values() for name in getattr(cls, "__dataclass_fields__", {}) if name != "name"
)


def _route(problem_of: Any, family: str | Family, link: Any, penalty: ElasticNet, standardize: bool,
           options: FitOptions) -> GLMResult | PenalizedGLMResult:
    """Build the problem and fit it on the route the arguments ask for."""
    penalized = penalty.alpha != 0 or penalty.lower is not None or penalty.upper is not None
    fam = get_family(family, link)
    if fam.estimates_extra_parameter:  # the negative binomial without θ: θ by maximum likelihood
        if penalized:
            raise InputError(
                "Estimating the negative binomial θ is not combined with a penalty; give θ, e.g. "
                "family=gk.NegativeBinomial(theta=2.0), or fit without alpha/lower/upper."
            )
        return fit_negative_binomial(problem_of(fam, False), options)
    problem: Problem = problem_of(fam, penalty.alpha > 0)
    with blas_threads(options.n_threads, problem.n_samples * problem.n_features):
        if penalized:
            return fit_penalized(problem, penalty, standardize=standardize, options=options)
        return GLMResult(fit_model(problem, options), dispersion_override=options.dispersion)


def _recorded(result: Any, function: Any, arguments: dict[str, Any]) -> Any:
    """The result with the call that made it (``fit.call``, used by ``fit.update``)."""
    if not isinstance(result, GLMResult):
        return result
    loose = arguments.pop("deprecated_solver_options", {})
    return with_call(result, FitCall(function, tuple({**arguments, **loose}.items()), _DATA_ARGUMENTS))


def _options(function: str, solver: Any, solver_options: Mapping[str, Any] | None, tol: float | None,
             max_iter: int | None, start: Any, n_threads: int | None, dispersion: float | None,
             loose: Mapping[str, Any]) -> FitOptions:
    merged = {**legacy_solver_options(function, loose, _SOLVER_OPTION_NAMES), **(solver_options or {})}
    return FitOptions(solver=solver, solver_options=merged, tol=tol, max_iter=max_iter, start=start,
                      n_threads=n_threads, dispersion=dispersion)


def glm(
    formula: str, data: Any, family: str | Family = "gaussian", *, link: str | Link | None = None,
    weights: str | ArrayLike | None = None, offset: str | ArrayLike | None = None,
    trials: str | ArrayLike | None = None, na_action: Literal["drop", "raise"] = "drop",
    solver: Any = "auto", solver_options: Mapping[str, Any] | None = None, start: ArrayLike | None = None,
    tol: float | None = None, max_iter: int | None = None, dispersion: float | None = None,
    alpha: float = 0.0, l1_ratio: float = 0.0, penalty_factor: Any = None, lower: Any = None,
    upper: Any = None, standardize: bool = False, n_threads: int | None = None,
    **deprecated_solver_options: Any,
) -> GLMResult:
    """Fit a GLM from an R-like formula and a DataFrame.

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + C(g) + x1:C(g) + I(x1**2) + np.log(x2) + offset(np.log(t))"``;
        ``- 1`` drops the intercept; ``cbind(s, f) ~ ...`` gives binomial successes and failures.
        R's spellings work as in R (``docs/formulas.md``): ``y ~ .`` (every column but the
        response, weights, offset and trials), ``factor(x)``, ``I(x^2)``, ``log(x)``,
        ``poly(x, 3)``, ``ns(x, df = 4)``, ``bs(x, df = 5)``, with R's column names.
    data : DataFrame or mapping of columns
    family : str or Family, default "gaussian"
        ``gaussian binomial poisson gamma inverse_gaussian negative_binomial tweedie
        quasipoisson quasibinomial quasi`` or an object such as ``NegativeBinomial(theta=2)``.
        ``"negative_binomial"`` by name estimates θ by maximum likelihood (``MASS::glm.nb``,
        see :func:`glmkit.glm_nb`); pass ``NegativeBinomial(theta=...)`` for a known θ.
    link : str or Link, optional
        With a family name: overrides its default link.
    weights, offset, trials : str or array of shape (n_samples,), optional
        A column name or one value per row. ``trials`` makes y binomial success counts.
    na_action : {"drop", "raise"}, default "drop"
        Drop rows with a missing value in any variable used (R's ``na.omit``) or refuse them.
    solver : {"auto", "irls", "newton", "lbfgs", "gd", "closed_form"} or a solver object
        Penalised fits: {"auto", "cd", "newton_cg", "proximal"}.
    solver_options : mapping, optional
        Options of the named solver, e.g. ``{"learning_rate": 1e-4, "record_history": True}``
        for ``"gd"``; an option the solver does not have is refused.
    start : array of shape (n_features,), optional
        Starting coefficients.
    tol, max_iter : optional
        Solver tolerance (> 0) and iteration limit (≥ 1).
    dispersion : float, optional
        Fix the dispersion (as R's ``summary(fit, dispersion = ...)``); z tests then.
    alpha, l1_ratio, penalty_factor, lower, upper, standardize : optional
        Elastic-net penalty and box bounds (see :mod:`glmkit.penalties`): with ``alpha > 0``
        or bounds the fit is penalised and a :class:`~glmkit.penalized.PenalizedGLMResult`
        is returned. ``penalty_factor``/``lower``/``upper`` take a scalar, one value per
        non-intercept column, or a mapping {column name: value}.
    n_threads : int, optional
        Cap on BLAS threads. By default problems with n·p ≤ 2·10⁶ run on one thread and
        larger ones use the BLAS default.
    **deprecated_solver_options
        Solver options as loose keywords (deprecated: use ``solver_options``). Any other
        keyword is a ``TypeError``.

    Returns
    -------
    GLMResult (PenalizedGLMResult for a penalised fit, NegBinResult with θ estimated)

    Examples
    --------
    >>> import pandas as pd, glmkit as gk
    >>> df = pd.DataFrame({"y": [2, 3, 6, 7, 8, 9, 10, 12, 15], "x": range(9)})
    >>> fit = gk.glm("y ~ x", data=df, family="poisson")
    >>> round(float(fit.coef["x"]), 4)
    0.1948
    """
    arguments = dict(locals())
    options = _options("glm", solver, solver_options, tol, max_iter, start, n_threads, dispersion,
                       deprecated_solver_options)

    def problem_of(fam: Family, all_levels: bool) -> Problem:
        return problem_from_formula(formula, data, fam, weights=weights, offset=offset, trials=trials,
                                    na_action=na_action)

    result = _route(problem_of, family, link, ElasticNet(alpha, l1_ratio, penalty_factor, lower, upper),
                    standardize, options)
    return _recorded(result, glm, arguments)


def glm_fit(
    X: Any, y: ArrayLike, family: str | Family = "gaussian", *, link: str | Link | None = None,
    intercept: bool = True, weights: ArrayLike | None = None, offset: ArrayLike | None = None,
    trials: ArrayLike | None = None, solver: Any = "auto", solver_options: Mapping[str, Any] | None = None,
    start: ArrayLike | None = None, tol: float | None = None, max_iter: int | None = None,
    dispersion: float | None = None, feature_names: list[str] | None = None, alpha: float = 0.0,
    l1_ratio: float = 0.0, penalty_factor: Any = None, lower: Any = None, upper: Any = None,
    standardize: bool = False, n_threads: int | None = None, **deprecated_solver_options: Any,
) -> GLMResult:
    """Fit a GLM from a design matrix and a response.

    Parameters
    ----------
    X : ndarray, DataFrame or scipy.sparse matrix of shape (n_samples, n_columns)
        Not copied; float32 stays float32 in the design. A DataFrame's categorical (or
        string) columns are factors, kept as integer codes.
    y : array of shape (n_samples,)
    family, link : as in :func:`glm`
    intercept : bool, default True
        Add an intercept (an implicit column of ones, named ``"Intercept"``).
    weights, offset, trials : array of shape (n_samples,), optional
    solver, solver_options, start, tol, max_iter, dispersion, n_threads : as in :func:`glm`
    feature_names : list of str, optional
        Defaults to DataFrame columns, else ``x1 … xp``.
    alpha, l1_ratio, penalty_factor, lower, upper, standardize : optional
        Elastic-net penalty and bounds, as in :func:`glm`; penalised fits return a
        :class:`~glmkit.penalized.PenalizedGLMResult` (a DataFrame's factors then get a
        column per level).
    **deprecated_solver_options
        As in :func:`glm`.

    Returns
    -------
    GLMResult (PenalizedGLMResult for a penalised fit, NegBinResult with θ estimated)

    Examples
    --------
    >>> import numpy as np, glmkit as gk
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> fit = gk.glm_fit(X, [1.0, 3.0, 5.0, 7.0])
    >>> np.round(fit.coef.to_numpy(), 10)
    array([1., 2.])
    """
    arguments = dict(locals())
    options = _options("glm_fit", solver, solver_options, tol, max_iter, start, n_threads, dispersion,
                       deprecated_solver_options)

    def problem_of(fam: Family, all_levels: bool) -> Problem:
        return problem_from_arrays(X, y, fam, intercept=intercept, weights=weights, offset=offset, trials=trials,
                                   feature_names=feature_names, all_levels=all_levels)

    result = _route(problem_of, family, link, ElasticNet(alpha, l1_ratio, penalty_factor, lower, upper),
                    standardize, options)
    return _recorded(result, glm_fit, arguments)
