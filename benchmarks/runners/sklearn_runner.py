"""scikit-learn: PoissonRegressor / GammaRegressor / LogisticRegression with defaults.

Their objectives are ours: PoissonRegressor and GammaRegressor minimise
1/(2N) sum deviance + alpha/2 |w|^2; LogisticRegression minimises
C sum logloss + 1/2 |w|^2, which divided by C N is 1/2 mean deviance + alpha/2 |w|^2
with alpha = 1 / (C N); no penalty is C = inf.  The intercept is unpenalised for the
default lbfgs solver.  P4's categorical is passed as a sparse one-hot matrix of all
levels (scikit-learn's regressors take no categorical columns).
"""

from __future__ import annotations

import numpy as np

from benchmarks.problems import design_matrix
from benchmarks.runners.base import FitOutput, NotApplicable, Runner


class SklearnRunner(Runner):
    name = "sklearn"
    distribution = "scikit-learn"
    solver: dict = {}  # the default, lbfgs

    def check(self, problem):
        if problem.l1_ratio > 0:
            raise NotApplicable("PoissonRegressor has no L1 / elastic-net penalty")

    def prepare(self, problem, data, reference):
        import sklearn.linear_model  # noqa: F401

        return {"X": design_matrix(problem, data), "y": data["y"]}

    def _estimator(self, problem, n_samples):
        from sklearn import linear_model as lm

        if problem.family == "poisson":
            return lm.PoissonRegressor(alpha=problem.alpha, **self.solver)
        if problem.family == "gamma":
            return lm.GammaRegressor(alpha=problem.alpha, **self.solver)
        C = np.inf if problem.alpha == 0 else 1.0 / (problem.alpha * n_samples)
        return lm.LogisticRegression(C=C, **self.solver)

    def fit(self, problem, prepared):
        model = self._estimator(problem, prepared["y"].shape[0])
        return model.fit(prepared["X"], prepared["y"])

    def extract(self, problem, model):
        n_iter = int(np.max(model.n_iter_))
        coef = np.concatenate([np.ravel(model.intercept_), np.ravel(model.coef_)])
        return FitOutput(coef, n_iter, n_iter < model.max_iter)


class SklearnNewtonRunner(SklearnRunner):
    """scikit-learn's ``solver="newton-cholesky"`` (its other solver for these models), dense
    unpenalised problems only."""

    name = "sklearn-newton"
    solver = {"solver": "newton-cholesky"}

    def check(self, problem):
        super().check(problem)
        if problem.kind != "dense":
            raise NotApplicable("benchmarked on the dense unpenalised problems (P1-P3) only")


RUNNER = SklearnRunner()
RUNNERS = {"sklearn": RUNNER, "sklearn-newton": SklearnNewtonRunner()}
