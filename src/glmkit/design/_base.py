"""The design-matrix protocol: everything a solver, the objective or inference asks of X.

Solvers never index X and never ask what kind of design they hold: they call the methods
below. That seam is where dense BLAS, sparse and categorical storage (and Dask) plug in
without any solver or the objective changing.

A new design type subclasses :class:`DesignBase` and implements the eight core members
(``shape``, ``dtype``, ``matvec``, ``rmatvec``, ``sandwich``, ``select_columns``,
``toarray``, ``row_quadratic_form``). Every other member has a default in
:class:`DesignBase` that is either the generic answer built from the core (correct, not
the fastest) or an honest "not offered" (``None`` / ``False``) for which each caller has a
documented fallback. A design overrides a default only where it can do better.

Capabilities with a generic default (override for speed):

- ``sandwich_and_rmatvec(w, v)`` → (XᵀWX, Xᵀv), in one pass where the design can;
- ``sandwich_columns(w, columns)`` → XᵀWX restricted to sorted ``columns``;
- ``weighted_column_norms(w, columns=None)`` → Σᵢ wᵢ xᵢⱼ² (the diagonal of XᵀWX);
- ``sums_and_column_norms(w)`` → (Xᵀw, Σᵢ wᵢ xᵢⱼ²) over all columns;
- ``evaluate_in_blocks(coef, offset, block_terms, with_gram, gram_sample)`` → a whole
  Newton evaluation (η, Xᵀg, XᵀHX); the default is one "block" of all rows. Callers
  prefer it to separate products only where ``one_pass_evaluation`` is True.

Capabilities "not offered" by default (the caller's fallback in brackets):

- ``sampled_sandwich_and_rmatvec(w, v, sample)`` → (estimate, Xᵀv, diagonal, fraction) or
  None [form the exact XᵀWX with ``sandwich_and_rmatvec``];
- ``whole_array()`` → X with its intercept column as one float64 array on small data, or
  None [block-wise or matrix-free products];
- ``column_products(single)`` → :class:`ColumnProducts` over the explicit columns or None
  [``matvec`` / ``rmatvec`` on full coefficient vectors];
- ``arrow_sandwich(w)`` → :class:`~glmkit.design.mixed.ArrowGram` or None [a generic
  linear solver: conjugate gradients]; ``structured_gram`` says beforehand whether it can
  be offered at all;
- ``step_in_blocks(direction, eta, block_terms, gram_columns)`` → a fused line-search pass,
  or None [``matvec`` then an ordinary evaluation]; ``one_pass_steps`` says whether it
  pays;
- ``evaluate_loss(coef, loss, y, weights, offset, saturated, kind, with_gram)`` → (Σℓ, Xᵀg,
  XᵀHX, η, μ) in one pass where the design holds its rows apart (Dask), or None
  [``evaluate_in_blocks`` or separate products]; ``evaluates_loss`` says whether it is offered;
- ``take_rows(rows)`` → the design on some rows (cross-validation folds) [the default
  refuses with an :class:`~glmkit.errors.InputError`: such a design cannot be cross-validated];
- ``absorbed`` → the factors absorbed into the model rather than stored as columns
  (:class:`~glmkit.design.effects.FixedEffects`), or None (the default); a solver must
  declare ``absorbs_effects`` to fit such a design, and ``absorbed_parameters`` counts
  them (0 by default); ``refits`` (True by default) says whether sub-models may be
  refitted on the design (drop1, profile intervals);
- flags: ``intercept`` (an implicit first column of ones, never stored), ``binary`` (every
  stored entry is 0 or 1: Σ w x² = Xᵀw), ``one_pass_evaluation``, ``one_pass_steps``,
  ``structured_gram``, ``evaluates_loss``, all False by default.

Per-row maps: ``map_row_blocks(func, vectors, n_outputs)`` applies a numpy function to
row-aligned vectors (the default: to the whole vectors at once; a partitioned design: block by
block, lazily); ``sum_row_blocks(func, vectors)`` sums a row-additive float over the blocks;
``grouped_rmatvec(labels, n_groups, v)`` gives the per-group sums Σ_{i∈g} vᵢ xᵢ (cluster scores).

Shapes: n_samples rows; n_features columns, counting the implicit intercept (column 0).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from ..errors import InputError

__all__ = ["BlockTerms", "ColumnProducts", "Design", "DesignBase", "StepPass", "is_sparse"]


def is_sparse(X: Any) -> bool:
    """Whether X is a scipy.sparse matrix or array, without importing scipy.sparse (an
    object cannot be one if the module was never loaded; ``import glmkit`` stays light).

    >>> import scipy.sparse as sp
    >>> is_sparse(sp.eye(2, format="csr")), is_sparse(np.eye(2))
    (True, False)
    """
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and bool(sparse.issparse(X))

Array = NDArray[np.floating]

BlockTerms = Callable[[slice, Array], "tuple[Array, Array] | None"]
"""``block_terms(rows, eta_rows) -> (g, h)``: dℓ/dη and the Hessian weights of the rows
``rows`` (a slice) at η, or None to stop the pass (η invalid there)."""


class ColumnProducts(NamedTuple):
    """Products over a design's explicit columns X̃ (no implicit intercept), for
    Hessian-vector products X̃ᵀ(h·X̃v) applied many times (conjugate gradients).

    Attributes
    ----------
    mv : callable
        v ↦ X̃v, shape (n_samples,).
    wrmv : callable
        (h, u) ↦ X̃ᵀ(h·u), float64 (u may be a scalar: u = 1 gives X̃ᵀh).
    exact : bool
        ``mv`` is float64 (False: float32, so sums of its results carry float32 rounding).

    Examples
    --------
    >>> X = np.arange(6.0).reshape(3, 2)
    >>> products = ColumnProducts(mv=lambda v: X @ v, wrmv=lambda h, u: X.T @ (h * u), exact=True)
    >>> products.mv(np.ones(2))
    array([1., 5., 9.])
    """

    mv: Callable[[Array], Array]
    wrmv: Callable[[Array, Array], Array]
    exact: bool


class StepPass(NamedTuple):
    """What :meth:`Design.step_in_blocks` returns.

    Attributes
    ----------
    Xd : ndarray of shape (n_samples,)
        X·direction (always complete).
    eta : ndarray of shape (n_samples,)
        η + Xd.
    gradient : ndarray of shape (n_features,) or None
        Xᵀg at η + Xd; None when ``block_terms`` stopped the pass.
    gram : ndarray or None
        XᵀHX over the asked-for columns (None when not asked for or stopped).

    Examples
    --------
    >>> design = gk.design.as_design(np.arange(3.0)[:, None], intercept=True)
    >>> terms = lambda rows, eta: (np.zeros(eta.shape), np.ones(eta.shape))  # (dℓ/dη, d²ℓ/dη²)
    >>> design.step_in_blocks(np.array([0.1, 0.0]), np.zeros(3), terms, None).Xd
    array([0.1, 0.1, 0.1])
    """

    Xd: Array
    eta: Array
    gradient: Array | None
    gram: Array | None


@runtime_checkable
class Design(Protocol):
    """Protocol of a design matrix X of shape (n_samples, n_features); see the module notes.

    Implement it by subclassing :class:`DesignBase`.

    Examples
    --------
    >>> design = gk.design.as_design(np.arange(6.0).reshape(3, 2), intercept=True)
    >>> isinstance(design, Design), design.shape
    (True, (3, 3))
    >>> design.matvec(np.array([1.0, 1.0, 1.0]))
    array([ 2.,  6., 10.])
    """

    intercept: bool

    @property
    def shape(self) -> tuple[int, int]: ...

    @property
    def dtype(self) -> np.dtype: ...

    @property
    def binary(self) -> bool: ...

    @property
    def one_pass_evaluation(self) -> bool: ...

    @property
    def one_pass_steps(self) -> bool: ...

    @property
    def structured_gram(self) -> bool: ...

    @property
    def absorbed(self) -> Any: ...

    @property
    def absorbed_parameters(self) -> int: ...

    @property
    def refits(self) -> bool: ...

    def matvec(self, coef: Array) -> Array: ...

    def rmatvec(self, v: Array) -> Array: ...

    def sandwich(self, weights: Array) -> Array: ...

    def select_columns(self, columns: NDArray[np.intp]) -> "Design": ...

    def toarray(self) -> Array: ...

    def row_quadratic_form(self, matrix: Array) -> Array: ...

    def take_rows(self, rows: NDArray[np.intp]) -> "Design": ...

    def sandwich_and_rmatvec(self, weights: Array, v: Array) -> tuple[Array, Array]: ...

    def sandwich_columns(self, weights: Array, columns: NDArray[np.intp]) -> Array: ...

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array: ...

    def sums_and_column_norms(self, weights: Array) -> tuple[Array, Array]: ...

    def evaluate_in_blocks(self, coef: Array, offset: Array, block_terms: BlockTerms, with_gram: bool = True,
                           gram_sample: int = 1) -> tuple[Array, Array, Array | None] | None: ...

    def sampled_sandwich_and_rmatvec(self, weights: Array, v: Array,
                                     sample: int) -> tuple[Array, Array, Array, float] | None: ...

    def whole_array(self) -> Array | None: ...

    @property
    def evaluates_loss(self) -> bool: ...

    def evaluate_loss(self, coef: Array, loss: Any, y: Any, weights: Any, offset: Any, saturated: Any,
                      kind: str, with_gram: bool) -> tuple | None: ...

    def map_row_blocks(self, func: Callable, vectors: Any, n_outputs: int) -> tuple: ...

    def sum_row_blocks(self, func: Callable, vectors: Any) -> float: ...

    def grouped_rmatvec(self, labels: NDArray[np.intp], n_groups: int, v: Array) -> Array: ...

    def column_products(self, single: bool = False) -> ColumnProducts | None: ...

    def arrow_sandwich(self, weights: Array) -> object | None: ...

    def step_in_blocks(self, direction: Array, eta: Array, block_terms: BlockTerms,
                       gram_columns: NDArray[np.intp] | None = None) -> StepPass | None: ...


class DesignBase:
    """Defaults for every optional member of :class:`Design` (see the module notes).

    Subclasses implement ``shape``, ``dtype``, ``matvec``, ``rmatvec``, ``sandwich``,
    ``select_columns``, ``toarray`` and ``row_quadratic_form``, and set ``intercept``.

    Examples
    --------
    >>> design = gk.design.DenseDesign(np.arange(6.0).reshape(3, 2))
    >>> design.sandwich_columns(np.ones(3), np.array([0, 1]))  # a default inherited from DesignBase
    array([[20., 26.],
           [26., 35.]])
    """

    intercept: bool = False

    # -- flags -----------------------------------------------------------------------------
    @property
    def binary(self) -> bool:
        """Every stored entry is 0 or 1 (indicator columns): then Σ w x² = Xᵀw. Default False."""
        return False

    @property
    def one_pass_evaluation(self) -> bool:
        """``evaluate_in_blocks`` reads X once for η, Xᵀg and XᵀHX (worth preferring to
        separate products). Default False."""
        return False

    @property
    def one_pass_steps(self) -> bool:
        """``step_in_blocks`` is offered and pays (large data). Default False."""
        return False

    @property
    def structured_gram(self) -> bool:
        """``arrow_sandwich`` can return a structured XᵀWX (a factor's diagonal block). Default False."""
        return False

    @property
    def absorbed(self) -> Any:
        """Factors absorbed into the model, not stored as columns
        (:class:`~glmkit.design.effects.FixedEffects`), or None (the default)."""
        return None

    @property
    def absorbed_parameters(self) -> int:
        """Parameters the absorbed factors count for (degrees of freedom, AIC). Default 0."""
        return 0

    @property
    def refits(self) -> bool:
        """Sub-models may be refitted on this design (drop1, add1, profile). Default True."""
        return True

    @property
    def evaluates_loss(self) -> bool:
        """:meth:`evaluate_loss` is offered (a design whose rows are held apart, e.g. Dask). Default False."""
        return False

    # -- generic answers -------------------------------------------------------------------
    def map_row_blocks(self, func: Callable, vectors: Any, n_outputs: int) -> tuple:
        """``func(*vectors)`` for row-aligned ``vectors`` (n_samples each, None passed through), as a
        tuple of its ``n_outputs`` per-row outputs. The default applies it to the whole vectors
        at once; a partitioned design applies it block by block.

        >>> design = gk.design.as_design(np.ones((2, 1)))
        >>> design.map_row_blocks(np.add, [np.ones(2), np.arange(2.0)], 1)
        (array([1., 2.]),)
        """
        out = func(*vectors)
        return (out,) if n_outputs == 1 else tuple(out)

    def grouped_rmatvec(self, labels: NDArray[np.intp], n_groups: int, v: Array) -> Array:
        """Σ_{i ∈ g} vᵢ xᵢ for each group g = 0 … n_groups − 1 of the rows, shape (n_groups,
        n_features): cluster score sums. The default forms X densely; a partitioned design adds
        its blocks' group sums (a group may span blocks).

        >>> design = gk.design.as_design(np.arange(3.0)[:, None], intercept=True)
        >>> design.grouped_rmatvec(np.array([0, 1, 0]), 2, np.ones(3))
        array([[2., 2.],
               [1., 1.]])
        """
        X = np.asarray(self.toarray(), dtype=np.float64)  # type: ignore[attr-defined]
        sums = np.zeros((n_groups, X.shape[1]))
        np.add.at(sums, np.asarray(labels, dtype=np.intp), np.asarray(v, dtype=np.float64)[:, None] * X)
        return sums

    def sum_row_blocks(self, func: Callable, vectors: Any) -> float:
        """Σ over row blocks of ``func(*blocks)`` (a float additive over rows: a log-likelihood,
        a Pearson sum) for row-aligned ``vectors`` (None passed through). The default applies it
        to the whole vectors at once; a partitioned design sums block results in a fixed order.

        >>> design = gk.design.as_design(np.ones((3, 1)))
        >>> design.sum_row_blocks(lambda v: float(v.sum()), [np.arange(3.0)])
        3.0
        """
        return float(func(*vectors))

    def take_rows(self, rows: NDArray[np.intp]) -> "Design":
        """The design on the given rows. Default: not offered (an :class:`~glmkit.errors.InputError`)."""
        raise InputError(f"{type(self).__name__} does not offer row subsets (take_rows), which cross-validation "
                         "needs; fit the folds yourself or use a design type that offers them.")

    def sandwich_and_rmatvec(self, weights: Array, v: Array) -> tuple[Array, Array]:
        """(XᵀWX, Xᵀv); shapes (n_features, n_features) and (n_features,)."""
        return self.sandwich(weights), self.rmatvec(v)  # type: ignore[attr-defined]

    def sandwich_columns(self, weights: Array, columns: NDArray[np.intp]) -> Array:
        """XᵀWX restricted to the sorted ``columns`` (the intercept is column 0), shape (k, k)."""
        columns = np.asarray(columns, dtype=np.intp)
        if columns.size == self.shape[1]:  # type: ignore[attr-defined]
            return self.sandwich(weights)  # type: ignore[attr-defined]
        return self.select_columns(columns).sandwich(weights)  # type: ignore[attr-defined]

    def weighted_column_norms(self, weights: Array, columns: NDArray[np.intp] | None = None) -> Array:
        """Σᵢ wᵢ xᵢⱼ² for ``columns`` (default all), shape (k,): the diagonal of XᵀWX.

        The default takes the diagonal of ``sandwich_columns``; designs override it with one
        pass and no Gram.
        """
        w = np.asarray(weights, dtype=np.float64)
        if columns is None:
            return np.diag(self.sandwich(w)).copy()  # type: ignore[attr-defined]
        return np.diag(self.sandwich_columns(w, np.asarray(columns, dtype=np.intp))).copy()

    def sums_and_column_norms(self, weights: Array) -> tuple[Array, Array]:
        """(Xᵀw, Σᵢ wᵢ xᵢⱼ²) over all columns, each shape (n_features,); one product on a
        ``binary`` design."""
        sums = np.asarray(self.rmatvec(weights), dtype=np.float64)  # type: ignore[attr-defined]
        if self.binary:
            return sums, sums.copy()
        return sums, np.asarray(self.weighted_column_norms(weights), dtype=np.float64)

    def evaluate_in_blocks(self, coef: Array, offset: Array, block_terms: BlockTerms, with_gram: bool = True,
                           gram_sample: int = 1) -> tuple[Array, Array, Array | None] | None:
        """A whole Newton/IRLS evaluation at β: (η, Xᵀg, XᵀHX or None), or None when
        ``block_terms`` stopped the pass.

        ``block_terms(rows, eta_rows) -> (g, h) | None`` gives, per block of rows, the loss
        gradient g and Hessian weights h in η. ``gram_sample > 1`` allows XᵀHX estimated
        from every ``gram_sample``-th block, scaled by the share of rows used (the default
        ignores it: one block of all rows, exact). η and Xᵀg always use every row.
        """
        n = self.shape[0]  # type: ignore[attr-defined]
        eta = self.matvec(coef) + offset  # type: ignore[attr-defined]
        out = block_terms(slice(0, n), eta)
        if out is None:
            return None
        g, h = out
        if with_gram:
            gram, grad = self.sandwich_and_rmatvec(h, g)
            return eta, grad, gram
        return eta, self.rmatvec(g), None  # type: ignore[attr-defined]

    # -- not offered by default ------------------------------------------------------------
    def sampled_sandwich_and_rmatvec(self, weights: Array, v: Array,
                                     sample: int) -> tuple[Array, Array, Array, float] | None:
        """A cheap estimate of XᵀWX from a sample of the rows, or None (not offered).

        Returns (estimate, Xᵀv, diagonal, fraction): ``estimate`` is the sampled rows' Gram
        divided by ``fraction`` (the share of rows used, reading every ``sample``-th block);
        Xᵀv and ``diagonal`` (= diag XᵀWX) are exact. None: no cheap estimate, the caller
        forms the exact XᵀWX (``sandwich_and_rmatvec``).
        """
        return None

    def evaluate_loss(self, coef: Array, loss: Any, y: Any, weights: Any, offset: Any, saturated: Any,
                      kind: str, with_gram: bool) -> tuple | None:
        """(Σℓ, Xᵀg, XᵀHX or None, η, μ) at β in one pass, or None (the default: not offered;
        the objective evaluates with ``evaluate_in_blocks`` or separate products)."""
        return None

    def whole_array(self) -> Array | None:
        """X with its intercept column as one float64 array where whole-array products are
        cheapest (small data), else None (the default)."""
        return None

    def column_products(self, single: bool = False) -> ColumnProducts | None:
        """Products over the explicit columns for conjugate gradients, or None (the default:
        use ``matvec`` / ``rmatvec``). With ``single`` a design may return float32 products
        (``exact`` False)."""
        return None

    def arrow_sandwich(self, weights: Array) -> object | None:
        """XᵀWX in arrow form (a factor's diagonal block apart; see
        :class:`~glmkit.design.mixed.ArrowGram`), or None (the default)."""
        return None

    def step_in_blocks(self, direction: Array, eta: Array, block_terms: BlockTerms,
                       gram_columns: NDArray[np.intp] | None = None) -> StepPass | None:
        """One pass for a line-search step: X·direction, and Xᵀg (and XᵀHX over the sorted
        ``gram_columns``) at η + X·direction with ``block_terms`` as in
        :meth:`evaluate_in_blocks`. None (the default): not offered; the caller forms
        ``matvec(direction)`` and evaluates separately."""
        return None
