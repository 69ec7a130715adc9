"""Write the figures of docs/margins.md (run from the repository root)."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402

import glmkit as gk  # noqa: E402
from glmkit.plots import effect_figure, forest_figure  # noqa: E402

warpbreaks = gk.glm("breaks ~ wool * tension", gk.datasets.load_warpbreaks(), family="poisson")
forest_figure(warpbreaks, exponentiate=True, title="Poisson rate ratios, warpbreaks").savefig(
    "docs/figures/forest_warpbreaks.png", dpi=110)
contrasts = gk.emmeans(warpbreaks, "tension", by="wool", type="response").contrast()
forest_figure(contrasts, reference=1.0, log_scale=True, title="Pairwise rate ratios of tension within wool (Tukey)").savefig(
    "docs/figures/forest_contrasts.png", dpi=110)
effect_figure(warpbreaks, "tension", by="wool").savefig("docs/figures/effect_warpbreaks_tension.png", dpi=110)
birthwt = gk.glm("low ~ age + lwt + C(race) + smoke", pd.read_csv("tests/reference/data/birthwt.csv"),
                 family="binomial")
effect_figure(birthwt, "lwt", by="smoke").savefig("docs/figures/effect_birthwt_lwt.png", dpi=110)
