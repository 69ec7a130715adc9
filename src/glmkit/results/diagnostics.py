"""Robust covariances and influence diagnostics of a plain fit (they need the training data).

:class:`Diagnostics` is part of :class:`~glmkit.GLMResult`: R's ``sandwich`` covariances
(``cov_robust``) and ``influence.measures`` (leverages, Cook's distances, standardised and
studentised residuals, dfbeta(s)), computed by ``inference/`` on first use.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from ..design.dask import is_dask_collection
from .._lazy import lazy_module
from ..errors import InputError

if TYPE_CHECKING:
    import pandas as pd
else:
    pd = lazy_module("pandas")  # imported when first used, not with glmkit

__all__ = ["Diagnostics"]


class Diagnostics:
    """Robust covariances and influence measures (a part of :class:`~glmkit.GLMResult`).

    >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
    >>> isinstance(fit, Diagnostics)
    True
    """

    # -- robust covariance -----------------------------------------------------------------
    def _cluster_labels(self, cluster: Any) -> Any:
        """Cluster labels for the rows used: a column of the fit's data, or given values."""
        if cluster is None or not isinstance(cluster, str):
            if isinstance(cluster, pd.Series) and len(cluster) != len(self.index):
                return cluster.loc[self.index].to_numpy()
            return cluster
        if self.data is None:
            raise InputError(
                f"cluster={cluster!r} names a column, but this result keeps no data (fits from arrays do "
                "not); pass the labels as an array with one value per row used."
            )
        if is_dask_collection(self.data):  # the rows used, partition by partition
            return self.data_spec.rows_used(self.data, cluster)
        if not isinstance(self.data, pd.DataFrame):  # polars, pyarrow, …: rows used are positions
            from ..intake.frames import column_values

            return column_values(self.data, cluster, "cluster")[np.asarray(self.index)]
        data = self.data
        if cluster not in data.columns:
            raise InputError(f"cluster={cluster!r} names no column of the data; columns: {', '.join(map(str, data.columns[:30]))}.")
        if not data.index.is_unique:
            raise InputError("The data's row index has duplicates, so the rows used cannot be matched; pass cluster as an array.")
        return data[cluster].to_numpy()[data.index.get_indexer(self.index)]

    def cov_robust(self, kind: str | None = None, cluster: Any = None, cadjust: bool = True) -> pd.DataFrame:
        """Sandwich covariance of the coefficients, identical to R's ``sandwich`` package.

        Parameters
        ----------
        kind : {"HC0", "HC1", "HC2", "HC3"} or {"CR0", "CR1"}, optional
            Default ``"HC3"`` (as ``vcovHC``), or ``"CR0"`` with ``cluster`` (as ``vcovCL``
            for a glm: type HC0 with the G/(G − 1) adjustment). CR1 adds (n − 1)/(n − k).
        cluster : str, array of shape (n_samples,) or (n_samples, n_ways), optional
            A column of the data (formula fits) or cluster labels of the rows used.
        cadjust : bool, default True
            Multiply cluster-robust covariances by G/(G − 1).

        Returns
        -------
        DataFrame of shape (n_features, n_features), NaN for aliased coefficients.

        Notes
        -----
        See :mod:`glmkit.inference.robust` for the formulas.

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.cov_robust("HC0").round(5).iloc[:2, :2].to_numpy().tolist()
        [[0.01359, -0.00784], [-0.00784, 0.01088]]
        """
        from ..inference.robust import robust_covariance

        if isinstance(kind, str):
            kind = kind.upper()
        cov = robust_covariance(self.model, kind, self._cluster_labels(cluster), cadjust)
        return pd.DataFrame(cov, index=self.names, columns=self.names)

    def cov_fixest(self, vcov: str = "iid", cluster: Any = None, ssc: Any = None) -> pd.DataFrame:
        """The covariance as fixest computes it, with its small-sample corrections by name.

        Parameters
        ----------
        vcov : {"iid", "hetero", "cluster"}, default "iid"
            ``"cluster"`` needs ``cluster``.
        cluster : str, list of str or array, optional
            A column (``"firm"``), several (``"firm+year"`` or a list: multi-way), or labels of
            the rows used (one column per cluster variable).
        ssc : SmallSample, optional
            fixest's ``ssc()`` (default: fixest's default, ``adj=True, fixef_k="nested",
            cluster_adj=True, cluster_df="min"``); see :mod:`glmkit.inference.fixest` for the
            formulas and the mapping to pyfixest's names.

        Returns
        -------
        DataFrame of shape (n_features, n_features), NaN for aliased coefficients.

        Examples
        --------
        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> cov = fit.cov_fixest("cluster", cluster="tension")
        >>> cov.shape
        (4, 4)
        """
        from ..inference.fixest import fixest_covariance

        codes = None
        if vcov == "cluster" and cluster is not None:
            names = cluster.split("+") if isinstance(cluster, str) else cluster
            if isinstance(names, list) and all(isinstance(c, str) for c in names):
                columns = [self._cluster_labels(c.strip()) for c in names]
            else:
                arr = np.asarray(cluster)
                columns = [arr] if arr.ndim == 1 else [arr[:, j] for j in range(arr.shape[1])]
            codes = [pd.factorize(pd.Series(c))[0] for c in columns]
        cov = fixest_covariance(self.model, vcov, codes, ssc, self.dispersion)
        return pd.DataFrame(cov, index=self.names, columns=self.names)

    def _robust_std_err(self, cov: Any, cluster: Any) -> NDArray[np.floating]:
        if isinstance(cov, pd.DataFrame):
            matrix = cov.to_numpy(dtype=float)
        elif cov is None or isinstance(cov, str):
            matrix = self.cov_robust(cov, cluster).to_numpy()
        else:
            matrix = np.asarray(cov, dtype=float)
        if matrix.shape != (len(self.names), len(self.names)):
            raise InputError(f"cov must be {len(self.names)}×{len(self.names)}; got shape {matrix.shape}.")
        return np.sqrt(np.diag(matrix))

    # -- influence and diagnostics -----------------------------------------------------------
    @cached_property
    def _influence(self):  # type: ignore[no-untyped-def]
        from ..inference.influence import influence

        return influence(self.model, self.dispersion)

    def hat_values(self) -> pd.Series:
        """Leverages hᵢ (R's ``hatvalues``); NaN for rows of zero weight.

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.hat_values().head(2).round(4).tolist()
        [0.0827, 0.0827]
        """
        return pd.Series(self._influence.hat, index=self.index, name="hat")

    def cooks_distance(self) -> pd.Series:
        """Cook's distances (R's ``cooks.distance.glm``).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.cooks_distance().head(2).round(4).tolist()
        [0.1222, 0.0628]
        """
        return pd.Series(self._influence.cooks_distance, index=self.index, name="cooks_distance")

    def standardized_residuals(self, kind: Literal["deviance", "pearson"] = "deviance") -> pd.Series:
        """Residuals / √(φ(1 − h)) (R's ``rstandard.glm``).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.standardized_residuals().head(2).round(4).tolist()
        [-2.4898, -1.7475]
        """
        return pd.Series(self._influence.rstandard(kind), index=self.index, name=f"standardized_{kind}")

    def studentized_residuals(self) -> pd.Series:
        """Likelihood (deletion) residuals (R's ``rstudent.glm``).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.studentized_residuals().head(2).round(4).tolist()
        [-2.4768, -1.7411]
        """
        return pd.Series(self._influence.rstudent, index=self.index, name="studentized")

    def dfbeta(self) -> pd.DataFrame:
        """Approximate change in each coefficient when a row is dropped (R's ``dfbeta``).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.dfbeta().shape
        (54, 4)
        """
        names = [self.names[j] for j in self.model.kept]
        return pd.DataFrame(self._influence.dfbeta, index=self.index, columns=names)

    def dfbetas(self) -> pd.DataFrame:
        """dfbeta scaled by the leave-one-out σ and the unscaled standard errors (R's ``dfbetas``).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.dfbetas().shape
        (54, 4)
        """
        names = [self.names[j] for j in self.model.kept]
        return pd.DataFrame(self._influence.dfbetas, index=self.index, columns=names)

    def influence(self) -> pd.DataFrame:
        """R's ``influence.measures`` table: dfbetas, dffit, cov_r, cook_d, hat (one row per observation).

        >>> fit = gk.glm("breaks ~ wool + tension", gk.datasets.load_warpbreaks(), family="poisson")
        >>> fit.influence().columns.tolist()[-4:]
        ['dffit', 'cov_r', 'cook_d', 'hat']
        """
        inf = self._influence
        table = self.dfbetas().add_prefix("dfb_")
        table["dffit"] = inf.dffits
        table["cov_r"] = inf.covratio
        table["cook_d"] = inf.cooks_distance
        table["hat"] = inf.hat
        return table

