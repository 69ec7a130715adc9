"""Stepwise selection by AIC, as R's ``step()``.

Each step tries the single-term deletions (:func:`~glmkit.drop1`) and, going forward, the
single-term additions (:func:`~glmkit.add1`) allowed by the scope and by marginality, and
makes the change with the smallest AIC column of those tables through ``fit.update("~ . ± term")``;
the new fit's own AIC (``extractAIC``) is recorded. This is R's algorithm, choices included:

* drop candidates are the terms not in the lower scope and not contained in another such
  term; add candidates are the terms of the upper scope not in the model and containing no
  other such term (R's ``factor.scope``): the intercept is never touched;
* a deletion with zero degrees of freedom (an aliased term) is made first, without
  comparing AICs, the last such term in the model's order; changes with zero df are
  otherwise not considered;
* the search stops when no change lowers the tables' AIC, when the refit's AIC is not
  lower than the current one by 1e-7, or after ``steps`` changes. There glmkit differs
  from R: R's ``step`` returns the refit it has just rejected (its AIC is higher than the
  path's last, and the path does not describe it); ``StepResult.fit`` is the model of the
  path's last row, and the rejected refit is kept as ``StepResult.rejected``;
* the AIC is :meth:`~glmkit.GLMResult.extract_aic` (R's ``extractAIC``): ``fit.aic + (k − 2)·edf``
  with edf = rows − residual df; for ``glm_nb`` fits −2 log L + k·edf, θ not counted;
  ``k = log(n)`` gives BIC. The tables rank with drop1/add1's AIC, which for families with
  an estimated dispersion (Gaussian, Gamma, …) is R's approximation at the current fit's
  dispersion; the path reports each refit's exact AIC.

For a negative binomial fit with θ estimated, the tables hold θ at its current estimate and
every accepted change re-estimates it, as R's ``step`` does on a ``glm.nb`` fit.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ..errors import AliasingWarning, InferenceError, InputError, UnknownNameError
from ..inference.anova import add1, drop1
from ..inference.terms import model_terms
from ..intake.formula_update import FormulaTerm, update_formula
from ..results.call import model_formula

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["step", "StepResult", "PathStep"]

Direction = Literal["both", "backward", "forward"]
_AIC_TOLERANCE = 1e-7  # R's: a zero-df deletion may raise the AIC by rounding


@dataclass(frozen=True)
class PathStep:
    """One row of the stepwise path (R's ``step()$anova``).

    Attributes
    ----------
    step : str
        ``""`` for the starting model, ``"- term"`` or ``"+ term"``.
    df : float
        Change in residual degrees of freedom (NaN for the start; negative for an addition).
    deviance : float
        Absolute change in residual deviance (NaN for the start).
    resid_df, resid_dev : float
        Residual degrees of freedom and deviance after the step.
    aic : float
        The AIC (with penalty ``k``) after the step.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> gk.step(fit).path[0].step
    ''
    """

    step: str
    df: float
    deviance: float
    resid_df: float
    resid_dev: float
    aic: float


@dataclass(frozen=True)
class StepResult:
    """What :func:`step` found: the final fit and the path that led to it.

    Attributes
    ----------
    fit : GLMResult
        The selected model.
    path : tuple of PathStep
        The starting model and each change made.
    initial_formula : str
        The starting model's formula (its terms written out).
    k : float
        The penalty per parameter (2 for AIC).
    rejected : GLMResult or None
        The refit that ended the search by not lowering the AIC (the model R's ``step``
        returns in that case), or None when the tables proposed no change.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> result = gk.step(fit)  # the interaction is kept: nothing is dropped
    >>> result.fit is fit, len(result.path)
    (True, 1)
    """

    fit: Any
    path: tuple[PathStep, ...]
    initial_formula: str
    k: float = 2.0
    rejected: Any = None

    @property
    def anova(self) -> pd.DataFrame:
        """The path as R's ``step()$anova``: Step, Df, Deviance, Resid. Df, Resid. Dev, AIC.

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> gk.step(fit).anova.columns.tolist()
        ['Step', 'Df', 'Deviance', 'Resid. Df', 'Resid. Dev', 'AIC']
        """
        import pandas as pd

        return pd.DataFrame(
            [(p.step, p.df, p.deviance, p.resid_df, p.resid_dev, p.aic) for p in self.path],
            columns=["Step", "Df", "Deviance", "Resid. Df", "Resid. Dev", "AIC"],
        )

    def __str__(self) -> str:
        return "\n".join([
            "Stepwise Model Path", "Analysis of Deviance Table", "", "Initial Model:", self.initial_formula, "",
            "Final Model:", str(self.fit.formula), "", self.anova.to_string(na_rep=""),
        ])


def _extract_aic(fit: Any, k: float) -> tuple[float, float]:
    edf, aic = fit.extract_aic(k)
    return aic, edf


def _scope_terms(parts_of_fit: Any, formula: str | None, which: str) -> list[FormulaTerm] | None:
    if formula is None:
        return None
    if not isinstance(formula, str):
        raise InputError(f"The {which} scope must be a formula such as '~ . + x:z'; got {type(formula).__name__}.")
    return list(update_formula(parts_of_fit, formula).terms)


def _scopes(fit: Any, scope: Any) -> tuple[list[FormulaTerm] | None, list[FormulaTerm] | None]:
    """(lower terms, upper terms) of R's scope: a formula (the upper) or {"lower": …, "upper": …}."""
    parts = model_formula(fit)
    if scope is None:
        return None, None
    if isinstance(scope, Mapping):
        unknown = sorted(set(scope) - {"lower", "upper"})
        if unknown:
            raise InputError(f"scope takes the keys 'lower' and 'upper'; got {unknown}.")
        return (_scope_terms(parts, scope.get("lower"), "lower"), _scope_terms(parts, scope.get("upper"), "upper"))
    return None, _scope_terms(parts, scope, "upper")


def _in_another(term: frozenset[str], others: list[frozenset[str]]) -> bool:
    """Whether another term has every factor of ``term``."""
    return any(term < other for other in others)


def _has_another(term: frozenset[str], others: list[frozenset[str]]) -> bool:
    """Whether every factor of another term is in ``term``."""
    return any(other < term for other in others)


def _candidates(fit: Any, lower: list[FormulaTerm] | None,
                upper: list[FormulaTerm] | None) -> tuple[list[str], list[str]]:
    """(terms that may be dropped, terms that may be added), as R's ``factor.scope``."""
    terms, _ = model_terms(fit)
    have = [t.factors for t in terms]
    low = [t.factors for t in lower or []]
    missing = [t.label for t in lower or [] if t.factors not in have]
    if missing:
        raise InputError(f"The lower scope has term(s) {missing} not in the model {fit.formula!r}.")
    rest = [t for t in terms if t.factors not in low]
    drop = [t.label for t in rest if not _in_another(t.factors, [u.factors for u in rest])]
    if upper is None:
        return drop, []
    up = [t.factors for t in upper]
    extra = [t.label for t in terms if t.factors not in up]
    if extra:
        raise InputError(f"The upper scope does not contain the model's term(s) {extra}; widen it, e.g. '~ . + …'.")
    new = [t for t in upper if t.factors not in have]
    add = [t.label for t in new if not _has_another(t.factors, [u.factors for u in new])]
    return drop, add


def _choose(fit: Any, drop: list[str], add: list[str], backward: bool, forward: bool, scale: float | None,
            k: float, trace: bool) -> str | None:
    """The change R's step makes next (``"- term"`` / ``"+ term"``), or None to stop."""
    import pandas as pd

    tables = []
    if backward and drop:
        table = drop1(fit, scope=drop, scale=scale, k=k)
        table.index = [table.index[0]] + [f"- {r}" for r in table.index[1:]]
        zero = [r for r, df in zip(table.index[1:], table["Df"].to_numpy()[1:]) if df == 0]
        if zero:
            return zero[-1]
        tables.append(table)
    if forward and add:
        table = add1(fit, scope=add, scale=scale, k=k)
        table.index = [table.index[0]] + [f"+ {r}" for r in table.index[1:]]
        tables.append(table if not tables else table.iloc[1:])
    if not tables:
        return None
    table = pd.concat(tables)[["Df", "Deviance", "AIC"]]
    table = table[~(table["Df"].to_numpy() == 0)]
    order = np.argsort(table["AIC"].to_numpy(), kind="stable")
    if trace:
        from ..inference.tables import anova_table

        print(anova_table(table.iloc[order], []).to_text(), end="\n\n")  # as R's print.anova
    return None if order[0] == 0 else str(table.index[order[0]])


def _changed(fit: Any, change: str) -> Any:
    """``fit.update("~ . <change>")``, refused if it uses other rows (R's check on nobs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AliasingWarning)  # the fit's `aliased` shows them
        new = fit.update(f"~ . {change}")
    if new.n_obs != fit.n_obs or not new.index.equals(fit.index):
        raise InputError(f"The number of rows in use has changed at step {change!r} ({fit.n_obs} -> {new.n_obs}): "
                         "remove missing values from the data first.")
    return new


def step(fit: Any, scope: str | Mapping[str, str] | None = None, direction: Direction = "both", k: float = 2.0,
         scale: float | None = None, steps: int = 1000, trace: bool = False) -> StepResult:
    """Choose a model by AIC in a stepwise search, as R's ``step()``.

    Parameters
    ----------
    fit : GLMResult
        A formula fit (``gk.glm`` or ``gk.glm_nb``) to start from.
    scope : str or mapping, optional
        The upper scope as a formula, where ``.`` stands for the fit's terms
        (``"~ .^2"``, ``"~ . + x3 + x1:x2"``), or ``{"lower": "~ x1", "upper": "~ x1 * x2 * x3"}``.
        Terms of the lower scope are never dropped. Without a scope only deletions are tried.
    direction : {"both", "backward", "forward"}, default "both"
    k : float, default 2
        Penalty per degree of freedom: 2 for AIC, ``np.log(n)`` for BIC.
    scale : float, optional
        A known dispersion for the drop1/add1 tables (R's ``scale``).
    steps : int, default 1000
        Most changes made.
    trace : bool, default False
        Print each step's table, as R's ``trace = 1``.

    Returns
    -------
    StepResult
        ``fit`` (the selected model) and ``path`` (also ``anova``, a DataFrame as R's
        ``step()$anova``).

    Raises
    ------
    InferenceError
        The family has no AIC (quasi families).
    InputError
        A fit from arrays (it has no terms to add or drop by formula), a scope that does not
        contain the model, or a change that alters the rows used (missing values in a term).

    Notes
    -----
    The algorithm, tolerances and tie-breaking are R's (see :mod:`glmkit.selection.stepwise`).
    The refits along the path do not warn about aliased columns (R's ``glm`` never does);
    ``fit.aliased`` of the result shows them. Other warnings (convergence, separation) pass.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson")
    >>> result = gk.step(fit, scope="~ . + tension + wool:tension")
    >>> result.anova["Step"].tolist()
    ['', '+ tension', '+ wool:tension']
    """
    if direction not in ("both", "backward", "forward"):
        raise UnknownNameError(f"Unknown direction {direction!r}; valid: 'both', 'backward', 'forward'.")
    lower, upper = _scopes(fit, scope)
    backward, forward = direction != "forward", direction != "backward"
    aic, edf = _extract_aic(fit, k)
    if not np.isfinite(aic):
        raise InferenceError(f"AIC is not defined for this model (AIC = {aic}), so step cannot proceed; "
                             "the quasi families have no likelihood.")
    n_obs = fit.n_obs
    initial = model_formula(fit).text
    path = [PathStep("", np.nan, np.nan, n_obs - edf, fit.deviance, aic)]
    if trace:
        print(f"Start:  AIC={aic:.2f}\n{initial}\n")
    for _ in range(int(steps)):
        change = _choose(fit, *_candidates(fit, lower, upper), backward, forward, scale, k, trace)
        if change is None:
            break
        new = _changed(fit, change)
        new_aic, edf = _extract_aic(new, k)
        if trace:
            print(f"Step:  AIC={new_aic:.2f}\n{new.formula}\n")
        if new_aic >= aic + _AIC_TOLERANCE:
            return StepResult(fit, tuple(path), initial, float(k), rejected=new)
        path.append(PathStep(change, (n_obs - edf) - path[-1].resid_df, abs(new.deviance - fit.deviance),
                             n_obs - edf, new.deviance, new_aic))
        fit, aic = new, new_aic
    return StepResult(fit, tuple(path), initial, float(k))
