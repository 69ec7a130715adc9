"""glum: GeneralizedLinearRegressor with its defaults, asked for the common objective.

Two entries: "glum" (glum's default solver, IRLS with coordinate descent) on every
problem, and "glum-lbfgs" (``solver="lbfgs"``, glum's tolerances otherwise) on the
problems where the default cannot run: P5, whose 20,000 columns make IRLS form a
20,000 × 20,000 dense Hessian (3 GB) and run out of memory.

glum's alpha is on the same scale as ours (1/2 mean deviance + penalty, intercept
unpenalised), so alpha and l1_ratio pass through unchanged.  P4 is given as a DataFrame
with a pandas Categorical (glum encodes all levels, drop_first=False by default); the
path P6 is glum's own path machinery (alpha_search=True) on the reference's alpha grid.
"""

from __future__ import annotations

import warnings

import numpy as np

from benchmarks.runners.base import FitOutput, Runner, Skipped, categorical_frame, small_frame

_FAMILY = {"poisson": "poisson", "binomial": "binomial", "gamma": "gamma"}


class GlumRunner(Runner):
    name = "glum"
    distribution = "glum"
    solver: dict = {}  # extra estimator arguments choosing the solver (default: glum's)

    def _estimator(self, problem, **extra):
        from glum import GeneralizedLinearRegressor

        kwargs = dict(family=_FAMILY[problem.family], link=problem.link,
                      alpha=problem.alpha, l1_ratio=problem.l1_ratio, fit_intercept=True,
                      **self.solver)
        kwargs.update(extra)
        return GeneralizedLinearRegressor(**kwargs)

    def prepare(self, problem, data, reference):
        import glum  # noqa: F401  (import cost excluded from the timing)

        if problem.kind == "categorical":
            return {"X": categorical_frame(problem, data), "y": data["y"]}
        return {"X": data["X"], "y": data["y"]}

    def fit(self, problem, prepared):
        if problem.kind == "path":
            # glum's own grid: alpha_max as the reference computes it (checked to agree
            # to ~1e-15), geometric down to alpha_max * alpha_min_ratio.
            model = self._estimator(problem, alpha=None, alpha_search=True,
                                    n_alphas=problem.n_alphas,
                                    min_alpha_ratio=problem.alpha_min_ratio)
        else:
            model = self._estimator(problem)
        return model.fit(prepared["X"], prepared["y"])

    def extract(self, problem, model):
        n_iter = int(model.n_iter_) if model.n_iter_ is not None else None
        converged = None if n_iter is None else n_iter < model.max_iter
        if problem.kind == "path":
            coef = np.column_stack([model.intercept_path_, model.coef_path_])
            return FitOutput(coef, n_iter, converged, alphas=np.asarray(model._alphas),
                             note="glum reports the iterations of the last alpha only")
        coef = np.concatenate([[model.intercept_], np.ravel(model.coef_)])
        return FitOutput(coef, n_iter, converged)

    def prepare_formula(self, problem, data):
        import glum  # noqa: F401

        frame, formula = small_frame(problem, data)
        return {"frame": frame, "formula": formula}

    def fit_formula(self, problem, prepared):
        model = self._estimator(problem, formula=prepared["formula"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            return model.fit(prepared["frame"])


class GlumLbfgsRunner(GlumRunner):
    """glum with ``solver="lbfgs"``: only where its default solver cannot run (P5)."""

    name = "glum-lbfgs"
    solver = {"solver": "lbfgs"}

    def check(self, problem):
        if problem.kind != "sparse":
            raise Skipped("glum's L-BFGS is benchmarked only where its default solver "
                          "cannot run (P5: a dense 20,000 x 20,000 Hessian)")


RUNNER = GlumRunner()
RUNNERS = {"glum": RUNNER, "glum-lbfgs": GlumLbfgsRunner()}
