"""Small classic datasets bundled with glmkit (no network needed).

Each loader returns a fresh :class:`pandas.DataFrame` read from a CSV shipped inside the
package, with factors as pandas categoricals in the level order of the original source
(so the first level is the baseline, as in R).
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when a dataset is loaded, not with glmkit
    import pandas as pd

__all__ = ["load_warpbreaks", "DATASETS"]


def _read(name: str) -> pd.DataFrame:
    import pandas as pd

    with resources.files(__name__).joinpath(f"{name}.csv").open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def load_warpbreaks() -> pd.DataFrame:
    """The number of warp breaks per loom, by type of wool and tension (54 rows).

    A count response for Poisson (or quasi-Poisson, negative binomial) regression: 9 looms
    for each of the 2 × 3 combinations of wool and tension.

    Returns
    -------
    DataFrame of shape (54, 3)
        ``breaks`` (int): the number of breaks in a fixed length of yarn;
        ``wool`` (categorical, levels A, B): the type of wool;
        ``tension`` (categorical, levels L, M, H): low, medium or high tension.

    Notes
    -----
    Source: L. H. C. Tippett (1950), *Technological Applications of Statistics*, Wiley,
    p. 106; distributed with R as ``datasets::warpbreaks`` (the values here are R's,
    written out by ``tests/reference/r/core_glm.R``). R's own help page fits
    ``glm(breaks ~ wool + tension, family = poisson)``.

    Examples
    --------
    >>> import glmkit as gk
    >>> from glmkit.datasets import load_warpbreaks
    >>> df = load_warpbreaks()
    >>> df.shape, list(df["tension"].cat.categories)
    ((54, 3), ['L', 'M', 'H'])
    >>> fit = gk.glm("breaks ~ wool + tension", data=df, family="poisson")
    >>> round(fit.deviance, 2), fit.df_resid
    (210.39, 50)
    """
    import pandas as pd

    df = _read("warpbreaks")
    df["wool"] = pd.Categorical(df["wool"], categories=["A", "B"])
    df["tension"] = pd.Categorical(df["tension"], categories=["L", "M", "H"])
    return df


DATASETS = {"warpbreaks": load_warpbreaks}
