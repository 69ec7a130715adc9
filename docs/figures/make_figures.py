"""Regenerate the figures of docs/reporting.md: python docs/figures/make_figures.py (from the repository root)."""

from pathlib import Path

import pandas as pd

import glmkit as gk
from glmkit.plots import diagnostic_figure

HERE = Path(__file__).parent
DATA = HERE.parents[1] / "tests" / "reference" / "data"

warpbreaks = gk.datasets.load_warpbreaks()
fit = gk.glm("breaks ~ wool + tension", warpbreaks, family="poisson")
diagnostic_figure(fit).savefig(HERE / "diagnostics_warpbreaks.png", dpi=100)

mtcars = pd.read_csv(DATA / "mtcars.csv", index_col="model")
fit = gk.glm("mpg ~ wt + hp", mtcars, family="gamma", link="log")
diagnostic_figure(fit).savefig(HERE / "diagnostics_mtcars.png", dpi=100)
