"""Pickling without the training data, and model files: what every GLMResult can do.

What needs the training data, and so is unavailable after a data-free pickle or a load:
residuals, fitted values and the linear predictor of the training rows, influence
measures (hat values, Cook's distances, dfbeta), robust (sandwich) covariance, profile
intervals, prediction at the training rows (``predict()`` without ``newdata``), anova,
drop1/add1 and other refits. What does not: predict on new data (with standard errors
and intervals), summary, coefficients, covariance, Wald tests and intervals, deviances,
log-likelihood, AIC and BIC.
"""

from __future__ import annotations

from typing import Any

from .stored import StoredModel

__all__ = ["PortableResult"]


class PortableResult:
    """Mixin of :class:`~glmkit.results.GLMResult`: data-free pickles and model files."""

    model: Any

    @property
    def holds_training_data(self) -> bool:
        """False for a result loaded from a model file or unpickled without its data."""
        return not isinstance(self.model, StoredModel)

    def without_data(self) -> "Any":
        """This result without the training data: predict, summary and Wald inference only.

        Dispersion, log-likelihood, AIC and BIC are computed first; residuals, fitted
        values, influence, robust covariance, profile intervals, anova and refits then
        raise :class:`~glmkit.errors.NoTrainingDataError`. This is what a pickle holds
        unless :meth:`keep_data` asks otherwise.

        Examples
        --------
        >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
        >>> slim = fit.without_data()
        >>> slim.holds_training_data, bool(slim.std_err.equals(fit.std_err))
        (False, True)
        """
        if not self.holds_training_data:
            return self
        for name in ("_dispersion", "loglik", "aic", "bic"):
            getattr(self, name)
        state = {k: v for k, v in self.__dict__.items() if k not in ("_influence", "_keep_data")}
        state["model"] = StoredModel.from_model(self.model)
        if state.get("_call") is not None:  # the call's arguments without the data
            state["_call"] = state["_call"].without_data()
        new = object.__new__(type(self))
        new.__dict__.update(state)
        return new

    def keep_data(self, keep: bool = True) -> "Any":
        """A copy of this result whose pickle keeps the training data (design, y, weights, data).

        By default a pickle drops them (a fit on 200,000 rows pickles to a few kB, not
        megabytes); keep them for influence, residuals, robust covariance, profile
        intervals and refits after unpickling.

        Examples
        --------
        >>> import pickle, numpy as np, glmkit as gk
        >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
        >>> pickle.loads(pickle.dumps(fit)).holds_training_data
        False
        >>> pickle.loads(pickle.dumps(fit.keep_data())).holds_training_data
        True
        """
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__["_keep_data"] = bool(keep)
        return new

    def __getstate__(self) -> dict[str, Any]:
        source = self if self.__dict__.get("_keep_data") else self.without_data()
        return {k: v for k, v in source.__dict__.items() if k != "_influence"}

    def __copy__(self) -> "Any":
        return self.keep_data(bool(self.__dict__.get("_keep_data")))

    def __deepcopy__(self, memo: dict) -> "Any":
        import copy

        new = object.__new__(type(self))
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def save(self, path: Any) -> None:
        """Write this fit to a model file (JSON; see ``docs/model-files.md``), read by :func:`glmkit.load`.

        The file holds what predict (with standard errors and intervals), summary and
        Wald inference need, and no training data; loading runs no code.

        Raises
        ------
        UnsavableModelError
            For a user-defined family, link or formula transform the file cannot name.

        Examples
        --------
        >>> import os, tempfile, numpy as np, glmkit as gk
        >>> fit = gk.glm_fit(np.arange(6.0)[:, None], [1, 1, 2, 3, 5, 8], family="poisson")
        >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
        >>> fit.save(path)
        >>> gk.load(path).coef.equals(fit.coef)
        True
        """
        from ..persist import write_model_file
        from .model_record import encode_result

        write_model_file(path, type(self).__name__, encode_result(self))

