"""Model selection on fitted GLMs: stepwise search by AIC (:func:`step`, R's ``step()``)."""

from .stepwise import PathStep, StepResult, step

__all__ = ["step", "StepResult", "PathStep"]
