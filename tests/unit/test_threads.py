"""BLAS thread control: small problems single-threaded, n_threads caps, counts restored."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import glmkit as gk
from glmkit._threads import SMALL_PROBLEM, blas_threads


def _blas_counts():
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


@pytest.fixture
def two_threads():
    with threadpool_limits(limits=2, user_api="blas"):
        if not _blas_counts() or max(_blas_counts()) < 2:
            pytest.skip("this BLAS runs one thread only: there is nothing to limit")
        yield


def test_small_problems_run_single_threaded_and_the_count_is_restored(two_threads):
    before = _blas_counts()
    with blas_threads(None, SMALL_PROBLEM):
        assert set(_blas_counts()) == {1}
    assert _blas_counts() == before


def test_large_problems_keep_the_default_and_n_threads_caps_them(two_threads):
    before = _blas_counts()
    with blas_threads(None, SMALL_PROBLEM + 1):
        assert _blas_counts() == before
    with blas_threads(1, SMALL_PROBLEM + 1):
        assert set(_blas_counts()) == {1}
    with blas_threads(64, 10):  # a cap above the current count changes nothing
        assert _blas_counts() == before
    assert _blas_counts() == before


def test_counts_are_restored_when_the_fit_fails(two_threads):
    before = _blas_counts()
    with pytest.raises(RuntimeError):
        with blas_threads(1, 10):
            raise RuntimeError("inside")
    assert _blas_counts() == before


def test_n_threads_must_be_positive():
    X = np.random.default_rng(0).normal(size=(20, 2))
    with pytest.raises(ValueError, match="n_threads"):
        gk.glm_fit(X, np.ones(20), family="poisson", n_threads=0)
