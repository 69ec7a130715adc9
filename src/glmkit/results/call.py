"""How a fit was made, and a fit made again with changes: R's ``fit$call`` and ``update()``.

``glm``, ``glm_fit`` and ``glm_nb`` record their entry point and arguments on the result
(:class:`FitCall`). ``GLMResult.update`` changes some arguments and calls the entry point
again, so every route (the negative binomial's θ, a penalty, any solver option) is taken
exactly as a first fit would take it. A formula change is read as R's ``update.formula``
(:mod:`glmkit.intake.formula_update`) against the fit's own terms, so a ``.`` means what
the fit contains.

The call holds the data by reference, as the result does; a data-free pickle keeps the
call without its data arguments, and ``update`` then asks for them.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError, NoTrainingDataError
from ..inference.terms import model_terms
from ..intake.formula import FormulaSpec
from ..intake.formula_update import FormulaParts, FormulaTerm, update_formula

__all__ = ["FitCall", "with_call", "model_formula", "update_fit"]


class _Dropped(enum.Enum):
    """Marks a data argument left out of a data-free pickle."""

    DATA = "not kept"

    def __repr__(self) -> str:
        return "<not kept>"


def _show(value: Any) -> str:
    if isinstance(value, (str, int, float, bool, type(None), _Dropped)):
        return repr(value)
    shape = getattr(value, "shape", None)
    label = type(value).__name__
    return f"<{label} {shape[0]}x{shape[1]}>" if isinstance(shape, tuple) and len(shape) == 2 else f"<{label}>"


@dataclass(frozen=True)
class FitCall:
    """The entry point of a fit and the arguments it was given (R's ``fit$call``).

    Attributes
    ----------
    function : callable
        ``glmkit.glm``, ``glmkit.glm_fit`` or ``glmkit.glm_nb``.
    given : tuple of (str, object) pairs
        Every argument of the call, by name (data by reference, not copied).
    data_arguments : tuple of str
        Arguments that may hold data (a frame, arrays); a data-free pickle leaves out those
        that are not column names.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson")
    >>> fit.call
    glm(formula='breaks ~ wool', data=<DataFrame 54x3>, family='poisson')
    >>> fit.call.arguments["family"]
    'poisson'
    """

    function: Callable[..., Any]
    given: tuple[tuple[str, Any], ...]
    data_arguments: tuple[str, ...] = ()

    @property
    def arguments(self) -> dict[str, Any]:
        """The arguments as a new dict (changing it changes nothing here).

        >>> gk.glm_fit(np.arange(4.0)[:, None], [1, 2, 2, 4]).call.arguments["intercept"]
        True
        """
        return dict(self.given)

    def with_arguments(self, **changes: Any) -> FitCall:
        """The same call with some arguments changed; an unknown name is a ``TypeError``.

        >>> call = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson").call
        >>> call.with_arguments(family="quasipoisson").arguments["family"]
        'quasipoisson'
        """
        known = self.arguments
        unknown = sorted(set(changes) - set(known))
        if unknown:
            raise TypeError(f"{self.function.__name__}() got unexpected keyword argument(s) {unknown}; "
                            f"it takes: {', '.join(known)}.")
        return replace(self, given=tuple({**known, **changes}.items()))

    def evaluate(self) -> Any:
        """Call the entry point with these arguments (a new fit).

        >>> fit = gk.glm("breaks ~ wool", gk.datasets.load_warpbreaks(), family="poisson")
        >>> bool(fit.call.evaluate().deviance == fit.deviance)
        True
        """
        missing = [name for name, value in self.given if isinstance(value, _Dropped)]
        if missing:
            raise NoTrainingDataError(
                f"This fit was unpickled without its data, so {', '.join(missing)} must be given again: "
                f"fit.update(..., {'=..., '.join(missing)}=...), or pickle fit.keep_data() to keep them."
            )
        return self.function(**self.arguments)

    def without_data(self) -> FitCall:
        """This call with its data arguments (other than column names) left out.

        >>> call = gk.glm_fit(np.arange(4.0)[:, None], [1, 2, 2, 4]).call.without_data()
        >>> call.arguments["X"]
        <not kept>
        """
        def kept(name: str, value: Any) -> Any:
            keep = name not in self.data_arguments or isinstance(value, (str, type(None)))
            return value if keep else _Dropped.DATA

        return replace(self, given=tuple((n, kept(n, v)) for n, v in self.given))

    def __repr__(self) -> str:
        defaults = {name: p.default for name, p in inspect.signature(self.function).parameters.items()}
        shown = [f"{name}={_show(value)}" for name, value in self.given
                 if name not in defaults or not _same(value, defaults[name])]
        return f"{self.function.__name__}({', '.join(shown)})"


def _same(value: Any, default: Any) -> bool:
    return value is default or (isinstance(value, (str, int, float, bool)) and type(value) is type(default)
                                 and value == default)


def with_call(result: Any, call: FitCall) -> Any:
    """A copy of ``result`` that records ``call`` (read back as ``result.call``).

    Examples
    --------
    >>> fit = gk.glm_fit(np.arange(4.0)[:, None], [1, 2, 2, 4])
    >>> with_call(fit, fit.call).call is fit.call
    True
    """
    new = object.__new__(type(result))
    new.__dict__.update(result.__dict__)
    new.__dict__["_call"] = call
    return new


def model_formula(result: Any) -> FormulaParts:
    """The formula of a formula fit as its terms stand (a data ``.`` expanded, offsets kept).

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> model_formula(fit).text
    'breaks ~ wool + tension + wool:tension'
    """
    spec = result.data_spec
    if result.formula is None or not isinstance(spec, FormulaSpec):
        raise InputError("This fit was made from arrays and has no formula; change its arguments only "
                         "(e.g. fit.update(weights=w)), or fit a formula with gk.glm(formula, data).")
    terms, intercept = model_terms(result)
    return FormulaParts(result.formula.split("~", 1)[0].strip(),
                        tuple(FormulaTerm(t.label, t.factors) for t in terms), intercept is not None,
                        tuple(spec.offset_terms))


def update_fit(result: Any, formula: str | None, changes: dict[str, Any]) -> Any:
    """``result`` fitted again with its formula updated (R's ``update.formula``) and arguments changed.

    The implementation of :meth:`glmkit.GLMResult.update`.

    Examples
    --------
    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> update_fit(fit, ". ~ . - wool", {}).formula
    'breaks ~ tension'
    """
    call: FitCall | None = result.call
    if call is None:
        raise InputError("This result does not record how it was fitted (it was loaded from a model file or "
                         "built by hand); fit it again with gk.glm / gk.glm_fit / gk.glm_nb.")
    if "formula" in changes:
        if formula is not None:
            raise TypeError("update() got the formula twice: positionally and as formula=.")
        formula = changes.pop("formula")
    if formula is not None:
        if "formula" not in call.arguments:
            model_formula(result)  # raises: a fit from arrays has no formula
        changes = {**changes, "formula": update_formula(model_formula(result), formula).text}
    return call.with_arguments(**changes).evaluate()
