"""BLAS thread control: small problems single-threaded, n_threads caps, counts restored."""

from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import glmkit as gk
from glmkit import _threads as threads
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


def _machine(monkeypatch, *, cpus, runnable, files=None):
    """Pretend this process may use ``cpus`` cores and ``runnable`` tasks run (this one included)."""
    fake = {"/proc/loadavg": f"0.50 0.40 0.30 {runnable}/300 12345", **(files or {})}
    monkeypatch.setattr(threads, "_read", fake.get)
    monkeypatch.setattr(threads.os, "sched_getaffinity", lambda pid: set(range(cpus)))


def test_large_problems_keep_the_default_on_a_quiet_machine_and_n_threads_caps_them(two_threads, monkeypatch):
    _machine(monkeypatch, cpus=2, runnable=1)
    before = _blas_counts()
    with blas_threads(None, SMALL_PROBLEM + 1):
        assert _blas_counts() == before
    with blas_threads(1, SMALL_PROBLEM + 1):
        assert set(_blas_counts()) == {1}
    with blas_threads(64, 10):  # a cap above the current count changes nothing
        assert _blas_counts() == before
    assert _blas_counts() == before


def test_busy_cores_are_left_to_their_work(two_threads, monkeypatch):
    _machine(monkeypatch, cpus=2, runnable=3)  # two other processes running on two cores
    with blas_threads(None, SMALL_PROBLEM + 1):
        assert set(_blas_counts()) == {1}
    _machine(monkeypatch, cpus=8, runnable=4)
    assert threads.default_threads(SMALL_PROBLEM + 1) == 5


@pytest.mark.parametrize("files, expected", [
    ({"/sys/fs/cgroup/cpu.max": "150000 100000"}, 1),  # cgroup v2: 1.5 CPUs → 1 thread
    ({"/sys/fs/cgroup/cpu.max": "max 100000"}, 8),
    ({"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "300000", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"}, 3),
    ({"/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000"}, 8),
])
def test_the_cgroup_quota_caps_the_usable_cores(monkeypatch, files, expected):
    _machine(monkeypatch, cpus=8, runnable=1, files=files)
    assert threads.usable_cpus() == expected
    assert threads.default_threads(SMALL_PROBLEM + 1) == expected
    assert threads.default_threads(SMALL_PROBLEM) == 1


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
