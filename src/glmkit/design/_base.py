"""The design-matrix protocol: everything a solver or inference routine asks of X.

Solvers never index X directly; they call ``matvec`` (Xβ), ``rmatvec`` (Xᵀv) and
``sandwich`` (XᵀWX). That seam is where dense BLAS, sparse and categorical storage
(and Dask) plug in without any solver changing.

A design may also offer, and the objective then uses:

- ``sandwich_and_rmatvec(w, v)``: (XᵀWX, Xᵀv) in one pass;
- ``evaluate_in_blocks(coef, offset, block_terms, with_gram, gram_sample)``: a whole
  IRLS/Newton evaluation (η, the loss terms through ``block_terms``, Xᵀg, XᵀHX) in one
  pass over X, optionally with XᵀHX estimated from a sample of the row chunks;
- ``sampled_sandwich_and_rmatvec(w, v, sample)``: a row-sample estimate of XᵀWX with
  the exact Xᵀv and diagonal (cheap starting values on large data);
- ``whole_array()``: X with its intercept column as one array where the data are small
  (None otherwise): an evaluation is then a handful of whole-array products;
- ``column_products(single)``: X̃v and X̃ᵀ(h·u) over the explicit columns, in float32 on
  indicator designs (a sparse design's conjugate-gradient products).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = ["Design"]

Array = NDArray[np.floating]


@runtime_checkable
class Design(Protocol):
    """Protocol of a design matrix X of shape (n_samples, n_features)."""

    @property
    def shape(self) -> tuple[int, int]: ...

    @property
    def dtype(self) -> np.dtype: ...

    def matvec(self, coef: Array) -> Array:
        """Xβ, shape (n_samples,)."""
        ...

    def rmatvec(self, v: Array) -> Array:
        """Xᵀv, shape (n_features,)."""
        ...

    def sandwich(self, weights: Array) -> Array:
        """XᵀWX with W = diag(weights), shape (n_features, n_features), dense."""
        ...

    def select_columns(self, columns: NDArray[np.intp]) -> "Design":
        """The design restricted to the given columns."""
        ...

    def take_rows(self, rows: NDArray[np.intp]) -> "Design":
        """The design on the given rows (cross-validation folds)."""
        ...

    def toarray(self) -> Array:
        """X as a dense ndarray (for small problems and diagnostics)."""
        ...

    def row_quadratic_form(self, matrix: Array) -> Array:
        """diag(X M Xᵀ) without forming the n×n matrix, shape (n_samples,)."""
        ...
