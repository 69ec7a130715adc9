"""BLAS thread control: small problems and busy machines run single-threaded.

Multi-threaded BLAS on a small XᵀWX costs more in synchronisation than it saves, and on a
machine whose cores are already busy its threads spin against the other processes (a
lasso path ran 3× slower with two busy processes on two cores than on one thread). So,
unless the caller gives ``n_threads``, a fit uses more than one BLAS thread only when the
problem is large *and* cores are measurably idle:

- the cores this process may use: its CPU affinity, capped by the cgroup CPU quota
  (cgroup v2 ``cpu.max`` or v1 ``cpu.cfs_quota_us``), as container schedulers set it;
- the cores other work is using now: the kernel's count of runnable tasks
  (``/proc/loadavg``), less this one.

One ``ThreadpoolController`` is created lazily (inspecting the loaded libraries costs
~1 ms); each library's count is then set and restored directly (~1 µs).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Iterator

__all__ = ["blas_threads", "SMALL_PROBLEM", "usable_cpus", "idle_cpus", "default_threads"]

SMALL_PROBLEM = 2_000_000  # n_samples · n_features at or below which one thread is used

_controller = None


def _get_controller():  # type: ignore[no-untyped-def]
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as fh:
            return fh.read().strip()
    except OSError:
        return None


def _cgroup_quota() -> float:
    """CPUs allowed by the cgroup quota (inf when none is set or none can be read)."""
    v2 = _read("/sys/fs/cgroup/cpu.max")
    if v2 is not None:
        quota, _, period = v2.partition(" ")
        if quota != "max" and period:
            return int(quota) / int(period)
        return math.inf
    quota_v1, period_v1 = _read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"), _read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
    if quota_v1 and period_v1 and int(quota_v1) > 0:
        return int(quota_v1) / int(period_v1)
    return math.inf


def usable_cpus() -> int:
    """Cores this process may run on: its CPU affinity, capped by the cgroup CPU quota.

    Examples
    --------
    >>> usable_cpus() >= 1
    True
    """
    try:
        affinity = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        affinity = os.cpu_count() or 1
    quota = _cgroup_quota()
    return max(1, affinity if math.isinf(quota) else min(affinity, math.floor(quota)))


def idle_cpus(cpus: int) -> int:
    """Of ``cpus`` usable cores, how many no other runnable task occupies right now.

    Reads the kernel's instantaneous count of runnable tasks (``/proc/loadavg``; the
    1-minute load average where that is not available), less this process's own.

    Examples
    --------
    >>> 0 <= idle_cpus(usable_cpus()) <= usable_cpus()
    True
    """
    text = _read("/proc/loadavg")
    if text is not None:
        running = int(text.split()[3].split("/")[0]) - 1  # the reading thread counts itself
    else:
        try:
            running = math.ceil(os.getloadavg()[0])
        except (AttributeError, OSError):
            return cpus
    return max(0, min(cpus, cpus - running))


def default_threads(size: int) -> int:
    """BLAS threads a fit of ``size`` = n·p uses when the caller does not say.

    One for small problems; otherwise this process's usable cores that are idle now, and
    at least one.

    Examples
    --------
    >>> default_threads(100)
    1
    """
    if size <= SMALL_PROBLEM:
        return 1
    cpus = usable_cpus()
    return max(1, idle_cpus(cpus)) if cpus > 1 else 1


@contextlib.contextmanager
def blas_threads(n_threads: int | None, size: int) -> Iterator[None]:
    """Limit BLAS threads to ``n_threads``, or to :func:`default_threads` of ``size`` (n·p).

    Parameters
    ----------
    n_threads : int or None
        Explicit cap; None chooses by problem size and idle cores.
    size : int
        n_samples × n_features of the problem.
    """
    if n_threads is not None and n_threads < 1:
        raise ValueError(f"n_threads must be a positive integer or None; got {n_threads!r}.")
    limit = n_threads if n_threads is not None else default_threads(size)
    # Set and restore each BLAS library's count directly (µs each), only where it exceeds
    # the limit; threadpoolctl's own ``limit`` context re-inspects every library (~30 µs).
    changed = []
    for lib in _get_controller().lib_controllers:
        if lib.user_api == "blas":
            current = lib.get_num_threads()
            if current is not None and current > limit:
                lib.set_num_threads(limit)
                changed.append((lib, current))
    try:
        yield
    finally:
        for lib, current in changed:
            lib.set_num_threads(current)
