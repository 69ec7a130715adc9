"""``glmkit demo``: the textbook GLM experiments, run with glmkit's parts.

The experiments are the classic ones of a from-scratch GLM chapter: simulate N = 1000 rows
with D = 10 columns (an intercept and 9 standard-normal features) and a true β ~ N(0, 1)
from seed 123, then fit

* linear regression, y = Xβ + N(0, 1) noise, by the normal equations and by glmkit;
* logistic regression, y ~ Bernoulli(sigmoid(Xβ)), by the textbook's gradient descent
  (summed log-likelihood gradient, fixed learning rate 1e-4, at most 1e5 iterations, a
  random start), by gradient descent with glmkit's default line search, and by IRLS;
* Poisson regression with β/2, y ~ Poisson(exp(Xβ/2)), the same way with learning rate 1e-5.

Each solver runs on the same :class:`~glmkit.Objective` (built by
:func:`~glmkit.build_objective`) from the same random start, and the demo records when
its iterates first come within 1e-8 (relative, max-norm) of the MLE. The one-line
``gk.glm_fit`` is run as well and must agree. Then a real dataset (warpbreaks) is fitted
and summarised, and two figures are written.

The random start is β₀ ~ N(0, 0.1²), not N(0, 1): with a fixed learning rate of 1e-5,
Poisson gradient descent diverges from most N(0, 1) starts (exp(Xβ₀) reaches e¹⁰, so the
first step overshoots), which is the textbook method's weakness, not the data's.

Nothing here is numerical code of its own beyond the textbook's normal equations: the
solvers, losses and fits are glmkit's.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np
from numpy.typing import NDArray

from .api import glm, glm_fit
from .datasets import load_warpbreaks
from .parts import build_objective
from .solvers import IRLS, ClosedForm, GradientDescent, IterationRecord

__all__ = ["Simulation", "SolverRun", "ModelReport", "DemoResult", "simulate", "run_demo", "DEFAULT_OUTPUT_DIR"]

Array = NDArray[np.float64]

SEED = 123
N_SAMPLES = 1000
N_FEATURES = 10
START_SCALE = 0.1  # β₀ ~ N(0, START_SCALE²)
MLE_RTOL = 1e-8  # "reached the MLE": max|β − β̂| ≤ MLE_RTOL · max|β̂|
GD_MAX_ITER = 100_000
GD_TOL = 1e-12  # per-observation gradient norm: far below MLE_RTOL, so GD runs past it
LEARNING_RATES = {"logistic": 1e-4, "poisson": 1e-5}
DEFAULT_OUTPUT_DIR = "glmkit-demo-output"
IRLS_REPEATS = 3  # IRLS runs take about a millisecond: time the fastest of a few


@dataclass(frozen=True)
class Simulation:
    """The simulated data of the three experiments.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        First column all ones (the intercept), the rest standard normal.
    beta : ndarray of shape (n_features,)
        True coefficients of the linear and logistic models, ~ N(0, 1).
    y_linear, y_logistic, y_poisson : ndarray of shape (n_samples,)
    beta_poisson : ndarray of shape (n_features,)
        β / 2, the true coefficients of the Poisson model.
    start : ndarray of shape (n_features,)
        The random start of the iterative solvers, ~ N(0, 0.1²).
    """

    X: Array
    beta: Array
    y_linear: Array
    y_logistic: Array
    beta_poisson: Array
    y_poisson: Array
    start: Array


def simulate(seed: int = SEED, n_samples: int = N_SAMPLES, n_features: int = N_FEATURES) -> Simulation:
    """Draw the demo's data from ``numpy.random.default_rng(seed)``.

    The draws are made in this order: the features, β, the Gaussian noise, the Bernoulli
    responses, the Poisson responses, the random start.

    Examples
    --------
    >>> sim = simulate()
    >>> sim.X.shape, bool((sim.X[:, 0] == 1).all())
    ((1000, 10), True)
    """
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n_samples), rng.standard_normal((n_samples, n_features - 1))])
    beta = rng.standard_normal(n_features)
    eta = X @ beta
    y_linear = eta + rng.standard_normal(n_samples)
    y_logistic = rng.binomial(1, 1.0 / (1.0 + np.exp(-eta))).astype(float)
    beta_poisson = beta / 2
    y_poisson = rng.poisson(np.exp(X @ beta_poisson)).astype(float)
    start = START_SCALE * rng.standard_normal(n_features)
    return Simulation(X, beta, y_linear, y_logistic, beta_poisson, y_poisson, start)


@dataclass(frozen=True)
class SolverRun:
    """One solver's run on one model.

    Attributes
    ----------
    label : str
    coef : ndarray of shape (n_features,)
    n_iter : int
        Iterations run (1 for a direct solve).
    seconds : float
        Time of the whole run.
    iterations_to_mle, seconds_to_mle : int and float, or None
        When the iterates first came within ``MLE_RTOL`` of the MLE; None if never.
    converged : bool
    message : str
    history : tuple of IterationRecord
    """

    label: str
    coef: Array
    n_iter: int
    seconds: float
    iterations_to_mle: int | None
    seconds_to_mle: float | None
    converged: bool
    message: str
    history: tuple[IterationRecord, ...] = ()


@dataclass(frozen=True)
class ModelReport:
    """The results of one experiment.

    Attributes
    ----------
    title : str
    true_coef, mle : ndarray of shape (n_features,)
        The simulation's coefficients and the reference MLE (IRLS; least squares for the
        linear model).
    loss_at_mle : float
    runs : tuple of SolverRun
    glm_fit_coef : ndarray of shape (n_features,)
        ``gk.glm_fit`` with its defaults (and glmkit's own start values).
    glm_fit_seconds : float
    glm_fit_call : str
    """

    title: str
    true_coef: Array
    mle: Array
    loss_at_mle: float
    runs: tuple[SolverRun, ...]
    glm_fit_coef: Array
    glm_fit_seconds: float
    glm_fit_call: str

    def run(self, label: str) -> SolverRun:
        """The run with this label."""
        for r in self.runs:
            if r.label == label:
                return r
        raise KeyError(label)


@dataclass(frozen=True)
class DemoResult:
    """What ``run_demo`` computed and wrote."""

    models: dict[str, ModelReport]
    dataset_fit: Any
    dataset_gd_difference: float
    figures: tuple[Path, ...]
    seconds: float


# -- measuring solvers -------------------------------------------------------------------
def _reached(coef: Array, mle: Array) -> bool:
    return bool(np.max(np.abs(coef - mle)) <= MLE_RTOL * np.max(np.abs(mle)))


def _run_normal_equations(X: Array, y: Array, mle: Array) -> SolverRun:
    """The textbook: β̂ = (XᵀX)⁻¹ Xᵀy, solved directly."""
    t0 = time.perf_counter()
    coef = np.linalg.solve(X.T @ X, X.T @ y)
    seconds = time.perf_counter() - t0
    ok = _reached(coef, mle)
    return SolverRun("normal eq.", coef, 1, seconds, 1 if ok else None, seconds if ok else None, True, "direct solve")


def _run_once(label: str, solver: Any, objective: Any, start: Array, mle: Array) -> SolverRun:
    t0 = time.perf_counter()
    result = solver.solve(objective, start)
    seconds = time.perf_counter() - t0
    ok = _reached(result.coef, mle)
    return SolverRun(label, result.coef, result.n_iter, seconds, result.n_iter if ok else None,
                     seconds if ok else None, result.converged, result.message, result.history)


def _run_gradient_descent(label: str, solver: GradientDescent, objective: Any, start: Array, mle: Array) -> SolverRun:
    """Run GD once, noting from its callback when the iterates first reach the MLE."""
    first: list[tuple[int, float]] = []
    t0 = 0.0

    def watch(iteration: int, coef: Array) -> None:
        if not first and _reached(coef, mle):
            first.append((iteration, time.perf_counter() - t0))

    traced = dataclasses.replace(solver, callback=watch, record_history=True)
    t0 = time.perf_counter()
    result = traced.solve(objective, start)
    seconds = time.perf_counter() - t0
    it, sec = first[0] if first else (None, None)
    return SolverRun(label, result.coef, result.n_iter, seconds, it, sec, result.converged,
                     result.message, result.history)


def _run_irls(objective: Any, start: Array, mle: Array) -> SolverRun:
    """Run IRLS to convergence, then again with max_iter = 1, 2, … to find its k-th iterate.

    IRLS is deterministic, so the run stopped after k iterations holds exactly its k-th
    iterate, and its time is the time to get there.
    """
    def timed(solver: IRLS) -> tuple[Any, float]:
        best, result = np.inf, None
        for _ in range(IRLS_REPEATS):
            t0 = time.perf_counter()
            result = solver.solve(objective, start)
            best = min(best, time.perf_counter() - t0)
        return result, best

    full, seconds = timed(IRLS(record_history=True))
    first: tuple[int, float] | None = None
    for k in range(1, full.n_iter + 1):
        partial, sec = timed(IRLS(max_iter=k))
        if _reached(partial.coef, mle):
            first = (k, sec)
            break
    it, sec = first if first else (None, None)
    return SolverRun("IRLS", full.coef, full.n_iter, seconds, it, sec, full.converged, full.message, full.history)


def _timed_glm_fit(X: Array, y: Array, family: str) -> tuple[Array, float]:
    t0 = time.perf_counter()
    fit = glm_fit(X, y, family=family, intercept=False)
    return fit.coef.to_numpy(), time.perf_counter() - t0


def _linear(sim: Simulation) -> ModelReport:
    X, y = sim.X, sim.y_linear
    mle = np.linalg.lstsq(X, y, rcond=None)[0]  # QR-based least squares: the reference
    objective = build_objective(X, y, "gaussian")
    runs = (
        _run_normal_equations(X, y, mle),
        _run_once("closed form", ClosedForm(), objective, np.zeros(X.shape[1]), mle),
    )
    coef, seconds = _timed_glm_fit(X, y, "gaussian")
    return ModelReport(
        "Linear regression: y = X beta + e, e ~ N(0, 1)", sim.beta, mle, objective.value(mle), runs,
        coef, seconds, 'gk.glm_fit(X, y, family="gaussian", intercept=False)',
    )


def _iterative(sim: Simulation, key: str, family: str, y: Array, truth: Array, title: str) -> ModelReport:
    X, start = sim.X, sim.start
    objective = build_objective(X, y, family)
    mle = IRLS().solve(objective, start).coef  # the reference MLE
    lr = LEARNING_RATES[key]
    runs = (
        _run_gradient_descent(f"GD lr {lr:.0e}".replace("e-0", "e-"), GradientDescent(learning_rate=lr, tol=GD_TOL, max_iter=GD_MAX_ITER),
                              objective, start, mle),
        _run_gradient_descent("GD Armijo", GradientDescent(tol=GD_TOL, max_iter=GD_MAX_ITER), objective, start, mle),
        _run_irls(objective, start, mle),
    )
    coef, seconds = _timed_glm_fit(X, y, family)
    return ModelReport(title, truth, mle, objective.value(mle), runs, coef, seconds,
                       f'gk.glm_fit(X, y, family="{family}", intercept=False)')


# -- printing ------------------------------------------------------------------------------
def _ms(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1e3:.1f} ms" if seconds >= 1e-3 else f"{seconds * 1e3:.3f} ms"


def format_table(report: ModelReport) -> str:
    """The table of one experiment: coefficients, then iterations and times per solver."""
    labels = [r.label for r in report.runs]
    width = max(13, *(len(s) + 2 for s in labels))
    head = f"{'':<22}{'true':>{width}}" + "".join(f"{s:>{width}}" for s in labels)
    lines = [head, "-" * len(head)]
    for j, b in enumerate(report.true_coef):
        lines.append(f"{'b' + str(j):<22}{b:>{width}.6f}" + "".join(f"{r.coef[j]:>{width}.6f}" for r in report.runs))
    lines.append("-" * len(head))

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"{name:<22}{'':>{width}}" + "".join(f"{c:>{width}}" for c in cells))

    row("reached MLE (1e-8) at", [
        f"it. {r.iterations_to_mle}" if r.iterations_to_mle is not None else f"no (<{r.n_iter})" for r in report.runs
    ])
    row("time to reach MLE", [_ms(r.seconds_to_mle) for r in report.runs])
    row("iterations run", [str(r.n_iter) for r in report.runs])
    row("total time", [_ms(r.seconds) for r in report.runs])
    row("converged", ["yes" if r.converged else "NO" for r in report.runs])
    row("max |b - b_MLE|", [f"{np.max(np.abs(r.coef - report.mle)):.1e}" for r in report.runs])
    return "\n".join(lines)


def _print_model(out: TextIO, number: int, report: ModelReport, note: str) -> None:
    print(f"\n[{number}] {report.title}", file=out)
    if note:
        print(note, file=out)
    print(file=out)
    print(format_table(report), file=out)
    diff = float(np.max(np.abs(report.glm_fit_coef - report.mle)))
    print(f"\nOne line: {report.glm_fit_call}\n  with glmkit's default solver and start values, gives the same "
          f"estimates to {diff:.1e}\n  in {_ms(report.glm_fit_seconds)}, input checks and set-up included.", file=out)


# -- the demo --------------------------------------------------------------------------
def run_demo(output_dir: str | os.PathLike[str] = DEFAULT_OUTPUT_DIR, *, out: TextIO | None = None) -> DemoResult:
    """Run the experiments, print the tables and the dataset summary, write the figures.

    Parameters
    ----------
    output_dir : path, default "glmkit-demo-output"
        Created if needed; receives ``coefficients.png`` and ``convergence.png``.
    out : text stream, default sys.stdout

    Returns
    -------
    DemoResult
    """
    out = out or sys.stdout
    t_start = time.perf_counter()
    sim = simulate()
    n, d = sim.X.shape
    print("glmkit demo: the GLM built from its parts, on the textbook experiments", file=out)
    print("=" * 72, file=out)
    print(
        f"Data: seed {SEED}, N = {n} rows, D = {d} columns (an intercept and {d - 1} standard-normal\n"
        f"features), true beta ~ N(0, 1). Iterative solvers start from the same random\n"
        f"beta0 ~ N(0, {START_SCALE}^2) (from N(0, 1) starts the textbook's fixed-step Poisson GD\n"
        f"diverges for most draws). GD = gradient descent on the summed negative log-likelihood,\n"
        f"at most {GD_MAX_ITER} iterations, stopping when |gradient| / N <= {GD_TOL:g}: with a\n"
        f"fixed learning rate (the textbook's) or glmkit's default Armijo line search.\n"
        f"'Reached MLE (1e-8)': the first iterate with max|b - b_MLE| <= 1e-8 * max|b_MLE|,\n"
        f"b_MLE = the converged IRLS estimate (least squares for the linear model).",
        file=out,
    )

    models = {
        "linear": _linear(sim),
        "logistic": _iterative(sim, "logistic", "binomial", sim.y_logistic, sim.beta,
                               "Logistic regression: y ~ Bernoulli(sigmoid(X beta))"),
        "poisson": _iterative(sim, "poisson", "poisson", sim.y_poisson, sim.beta_poisson,
                              "Poisson regression: beta -> beta / 2, y ~ Poisson(exp(X beta))"),
    }
    notes = {
        "linear": "The normal equations (X'X) b = X'y in numpy, against glmkit's closed-form solver.",
        "logistic": "Textbook GD (learning rate 1e-4) and GD with line search, against IRLS (glmkit's default).",
        "poisson": "Textbook GD (learning rate 1e-5) and GD with line search, against IRLS (glmkit's default).",
    }
    for i, (key, report) in enumerate(models.items(), start=1):
        _print_model(out, i, report, notes[key])

    fit, gd_diff = _warpbreaks(out)

    figures = _figures(models, n, Path(output_dir))

    seconds = time.perf_counter() - t_start
    print("\nFigures:", file=out)
    print(f"  {figures[0].resolve()}  true against estimated beta, one panel per model, 45-degree line", file=out)
    print(f"  {figures[1].resolve()}  loss and gradient norm against iteration, GD against IRLS", file=out)
    print(f"Done in {seconds:.1f} s.", file=out)
    return DemoResult(models, fit, gd_diff, figures, seconds)


def _warpbreaks(out: TextIO) -> tuple[Any, float]:
    """[4] R's warpbreaks by IRLS and by gradient descent; the summary printed."""
    data = load_warpbreaks()
    formula = "breaks ~ wool + tension"
    fit = glm(formula, data=data, family="poisson")
    gd_fit = glm(formula, data=data, family="poisson", solver="gd", tol=1e-10)
    gd_diff = float(np.max(np.abs(gd_fit.coef.to_numpy() - fit.coef.to_numpy())))
    print("\n[4] A real dataset: warpbreaks, the number of warp breaks per loom for two wools", file=out)
    print("    and three tensions (54 looms). Source: L. H. C. Tippett (1950), Technological", file=out)
    print("    Applications of Statistics, Wiley, p. 106; R's datasets::warpbreaks.", file=out)
    print(f'    fit = gk.glm("{formula}", data=glmkit.datasets.load_warpbreaks(), family="poisson")\n', file=out)
    print(fit.summary(), file=out)
    ratio = fit.deviance / fit.df_resid
    print(f"\nThe same model by gradient descent (line search): coefficients agree to {gd_diff:.1e}.", file=out)
    print(f"Residual deviance / df = {ratio:.2f}: the counts vary more than a Poisson allows; see", file=out)
    print('family="quasipoisson" or "negative_binomial" for honest standard errors.', file=out)
    return fit, gd_diff


def _figures(models: dict, n: int, directory: Path) -> tuple[Path, Path]:
    """coefficients.png and convergence.png in ``directory`` (created if needed)."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display needed, none used
    from .plots import coefficient_figure, convergence_figure

    directory.mkdir(parents=True, exist_ok=True)
    coef_fig = coefficient_figure({
        f"{title} (N={n})": (report.true_coef, {r.label: r.coef for r in report.runs})
        for title, report in (("Linear", models["linear"]), ("Logistic", models["logistic"]),
                              ("Poisson", models["poisson"]))
    })
    conv_fig = convergence_figure(
        {f"{title} regression": {r.label: r for r in models[key].runs}
         for key, title in (("logistic", "Logistic"), ("poisson", "Poisson"))},
        optima={f"{title} regression": models[key].loss_at_mle
                for key, title in (("logistic", "Logistic"), ("poisson", "Poisson"))},
    )
    figures = (directory / "coefficients.png", directory / "convergence.png")
    coef_fig.savefig(figures[0], dpi=110)
    conv_fig.savefig(figures[1], dpi=110)
    return figures
