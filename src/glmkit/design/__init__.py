"""Design matrices behind one protocol (dense, sparse, categorical, mixed)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._base import BlockTerms, ColumnProducts, Design, DesignBase, StepPass, is_sparse
from .absorbed import AbsorbedDesign
from .categorical import CategoricalDesign
from .effects import FixedEffects
from .dask import DaskDesign
from .dense import DenseDesign
from .mixed import MixedDesign
from .sparse import SparseDesign

__all__ = ["BlockTerms", "ColumnProducts", "Design", "DesignBase", "StepPass", "DenseDesign", "SparseDesign", "CategoricalDesign", "MixedDesign", "AbsorbedDesign", "FixedEffects", "DaskDesign", "as_design"]


def as_design(X: Any, intercept: bool = False) -> Design:
    """Wrap an ndarray, DataFrame or scipy.sparse matrix as a :class:`Design` (no copy of dense data).

    >>> import scipy.sparse as sp
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> type(as_design(X)).__name__, type(as_design(sp.csr_matrix(X))).__name__
    ('DenseDesign', 'SparseDesign')
    """
    if isinstance(X, DesignBase):
        return X
    if is_sparse(X):
        return SparseDesign(X, intercept=intercept)
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    return DenseDesign(np.asarray(X), intercept=intercept)
