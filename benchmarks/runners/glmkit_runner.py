"""glmkit: ``gk.glm_fit`` on arrays, ``gk.glm`` on formulas, ``gk.glm_path`` for P6.

glmkit is being written alongside this harness, so every call is defensive: a missing
entry point, a missing keyword or an exception inside glmkit becomes
"not available (<error>)" in the table instead of a crash.  Coefficients from a
DataFrame fit (P4) are matched to the canonical order by name; if glmkit uses treatment
coding (dropping a reference level) the dropped level is set to 0 and the coefficient
error is flagged, because that is a different parametrisation of the penalised problem.
"""

from __future__ import annotations

import re

import numpy as np

from benchmarks.runners.base import (FitOutput, NotApplicable, NotAvailable, Runner, categorical_frame,
                                     small_frame)


def _import():
    try:
        import glmkit
        # glmkit imports these on first use (a light `import glmkit`); the other libraries
        # import theirs with the package, so they are loaded here, outside the timed region.
        import pandas  # noqa: F401
        import scipy.sparse  # noqa: F401
    except Exception as exc:  # ImportError, or an error inside a half-written package
        raise NotAvailable(f"import glmkit failed: {type(exc).__name__}: {exc}") from exc
    return glmkit


def _call(fn_name: str, *args, **kwargs):
    gk = _import()
    fn = getattr(gk, fn_name, None)
    if fn is None:
        raise NotAvailable(f"glmkit has no {fn_name}()")
    try:
        return fn(*args, **kwargs)
    except Exception as exc:
        raise NotAvailable(f"{fn_name}: {type(exc).__name__}: {exc}") from exc


def _as_vector(coef) -> tuple[np.ndarray, list[str] | None]:
    index = getattr(coef, "index", None)
    names = [str(k) for k in index] if index is not None else None
    return np.asarray(coef, dtype=float).ravel(), names


_LEVEL = re.compile(r"^cat\W.*?(\d+)\]?$")


def _by_name(values, names, problem) -> tuple[np.ndarray, str]:
    """Map a named coefficient vector of the P4 DataFrame fit to canonical order."""
    n_numeric = problem.n_features - problem.n_levels
    out = np.zeros(problem.n_features + 1)
    seen = np.zeros(problem.n_features + 1, dtype=bool)
    numeric = {f"x{j + 1}": 1 + problem.n_levels + j for j in range(n_numeric)}
    for value, name in zip(values, names):
        if name.lower() in ("(intercept)", "intercept", "const"):
            slot = 0
        elif name in numeric:
            slot = numeric[name]
        else:
            match = _LEVEL.match(name)
            if match is None:
                raise NotAvailable(f"cannot map coefficient name {name!r}")
            slot = 1 + int(match.group(1))
        out[slot] = value
        seen[slot] = True
    missing = int((~seen).sum())
    note = (f"{missing} level(s) absent from glmkit's coefficients (treatment coding?): "
            "set to 0; a different parametrisation, coef error not comparable"
            if missing else "")
    return out, note


class GlmkitRunner(Runner):
    name = "glmkit"
    distribution = "glmkit"
    accuracy: dict = {}  # glmkit's default tolerance

    def prepare(self, problem, data, reference):
        gk = _import()
        if problem.kind == "categorical":
            return {"X": categorical_frame(problem, data), "y": data["y"]}
        prepared = {"X": data["X"], "y": data["y"]}
        if problem.kind == "path":
            import inspect

            accepts = inspect.signature(getattr(gk, "glm_path", lambda: None)).parameters
            prepared["quiet"] = {"progress": False} if "progress" in accepts else {}
            if "early_stop" in accepts:  # the whole grid, as the peers fit it
                prepared["quiet"]["early_stop"] = False
        return prepared

    def fit(self, problem, prepared):
        if problem.kind == "path":
            return _call("glm_path", prepared["X"], prepared["y"], family=problem.family,
                         l1_ratio=problem.l1_ratio, n_alphas=problem.n_alphas,
                         alpha_min_ratio=problem.alpha_min_ratio, **prepared["quiet"])
        penalty = ({"alpha": problem.alpha, "l1_ratio": problem.l1_ratio}
                   if problem.penalised else {})
        # The link is explicit: glmkit's default Gamma link is R's (inverse), ours is log.
        return _call("glm_fit", prepared["X"], prepared["y"], family=problem.family,
                     link=problem.link, **penalty, **self.accuracy)

    def extract(self, problem, fitted):
        if problem.kind == "path":
            return self._extract_path(problem, fitted)
        values, names = _as_vector(fitted.coef)
        note = ""
        if problem.kind == "categorical" and names is not None:
            values, note = _by_name(values, names, problem)
        elif values.shape[0] != problem.n_features + 1:
            raise NotAvailable(f"expected {problem.n_features + 1} coefficients, "
                               f"got {values.shape[0]}")
        return FitOutput(values, _int_or_none(getattr(fitted, "n_iter", None)),
                         _bool_or_none(getattr(fitted, "converged", None)), note=note)

    def _extract_path(self, problem, path):
        alphas = None
        for attr in ("alphas", "alpha"):
            if getattr(path, attr, None) is not None:
                alphas = np.asarray(getattr(path, attr), dtype=float).ravel()
                break
        coef = None
        for attr in ("coef_path", "coefs", "coef"):
            value = getattr(path, attr, None)
            if value is not None:
                coef = np.asarray(value, dtype=float)
                break
        if coef is None:  # a sequence of fitted results
            fits = list(getattr(path, "fits", None) or getattr(path, "results", None)
                        or path)
            coef = np.array([_as_vector(f.coef)[0] for f in fits])
        p1 = problem.n_features + 1
        if coef.ndim != 2 or p1 not in coef.shape:
            raise NotAvailable(f"cannot read the path coefficients (shape {coef.shape})")
        if coef.shape[1] != p1:
            coef = coef.T
        n_iter = getattr(path, "n_iter", None)
        if n_iter is not None and np.ndim(n_iter) > 0:
            n_iter = int(np.sum(n_iter))
        converged = getattr(path, "converged", None)
        if converged is not None and np.ndim(converged) > 0:
            converged = bool(np.all(converged))
        return FitOutput(coef, _int_or_none(n_iter), _bool_or_none(converged),
                         alphas=alphas, note="iterations summed over the path")

    def prepare_formula(self, problem, data):
        _import()
        frame, formula = small_frame(problem, data)
        return {"frame": frame, "formula": formula}

    def fit_formula(self, problem, prepared):
        return _call("glm", prepared["formula"], data=prepared["frame"],
                     family=problem.family)


def _int_or_none(value):
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None


def _bool_or_none(value):
    return None if value is None else bool(value)


class GlmkitLooseRunner(GlmkitRunner):
    """glmkit asked for about scikit-learn's accuracy (``tol=1e-4``), dense unpenalised problems."""

    name = "glmkit-tol1e-4"
    accuracy = {"tol": 1e-4}

    def check(self, problem):
        if problem.kind != "dense":
            raise NotApplicable("benchmarked on the dense unpenalised problems (P1-P3) only")


RUNNER = GlmkitRunner()
RUNNERS = {"glmkit": RUNNER, "glmkit-tol1e-4": GlmkitLooseRunner()}
