"""BLAS thread control: small problems run single-threaded, ``n_threads`` caps the rest.

Multi-threaded BLAS on a small XᵀWX costs more in synchronisation than it saves, and on a
shared machine it oversubscribes the cores. One ``ThreadpoolController`` is created lazily
(inspecting the loaded libraries costs ~1 ms); each library's count is then set and
restored directly (~1 µs).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["blas_threads", "SMALL_PROBLEM"]

SMALL_PROBLEM = 2_000_000  # n_samples · n_features at or below which one thread is used

_controller = None


def _get_controller():  # type: ignore[no-untyped-def]
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


@contextlib.contextmanager
def blas_threads(n_threads: int | None, size: int) -> Iterator[None]:
    """Limit BLAS threads to ``n_threads``, or to 1 when ``size`` (n·p) is small.

    Parameters
    ----------
    n_threads : int or None
        Explicit cap; None lets large problems use the BLAS default.
    size : int
        n_samples × n_features of the problem.
    """
    if n_threads is not None and n_threads < 1:
        raise ValueError(f"n_threads must be a positive integer or None; got {n_threads!r}.")
    limit = n_threads if n_threads is not None else (1 if size <= SMALL_PROBLEM else None)
    if limit is None:
        yield
        return
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
