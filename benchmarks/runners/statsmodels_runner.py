"""statsmodels: GLM(y, [1 X], family).fit(), i.e. IRLS with its default tolerance.

Only unpenalised problems: GLM.fit() has no penalty, and fit_regularized (elastic net by
coordinate descent in Python) is a different algorithm we do not benchmark.
"""

from __future__ import annotations

import numpy as np

from benchmarks.runners.base import FitOutput, Runner, Skipped, small_frame


def _family(problem):
    import statsmodels.api as sm

    if problem.family == "poisson":
        return sm.families.Poisson()
    if problem.family == "binomial":
        return sm.families.Binomial()
    return sm.families.Gamma(link=sm.families.links.Log())


class StatsmodelsRunner(Runner):
    name = "statsmodels"
    distribution = "statsmodels"

    def check(self, problem):
        if problem.penalised:
            raise Skipped("penalised problem: GLM.fit() is unpenalised IRLS; "
                          "fit_regularized is not benchmarked")

    def prepare(self, problem, data, reference):
        import statsmodels.api as sm  # noqa: F401

        X = data["X"]
        exog = np.empty((X.shape[0], X.shape[1] + 1))
        exog[:, 0] = 1.0
        exog[:, 1:] = X
        return {"exog": exog, "y": data["y"]}

    def fit(self, problem, prepared):
        import statsmodels.api as sm

        return sm.GLM(prepared["y"], prepared["exog"], family=_family(problem)).fit()

    def extract(self, problem, result):
        history = getattr(result, "fit_history", {}) or {}
        n_iter = history.get("iteration")
        return FitOutput(np.asarray(result.params, dtype=float),
                         None if n_iter is None else int(n_iter), bool(result.converged))

    def prepare_formula(self, problem, data):
        import statsmodels.formula.api  # noqa: F401

        frame, formula = small_frame(problem, data)
        return {"frame": frame, "formula": formula}

    def fit_formula(self, problem, prepared):
        import statsmodels.formula.api as smf

        return smf.glm(prepared["formula"], data=prepared["frame"],
                       family=_family(problem)).fit()


RUNNER = StatsmodelsRunner()
