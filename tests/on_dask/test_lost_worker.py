"""A worker process killed mid-fit: Dask recomputes its blocks and the fit gives the same numbers."""

import os
import signal
import threading
import time

import numpy as np
import pytest

import glmkit as gk

da = pytest.importorskip("dask.array", reason="the [dask] extra is not installed")
distributed = pytest.importorskip("distributed", reason="the [dask] extra (distributed) is not installed")


def test_fit_survives_a_killed_worker_with_the_same_coefficients():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(40_000, 8))
    y = rng.poisson(np.exp(0.2 + X @ np.linspace(-0.2, 0.2, 8))).astype(float)
    Xd, yd = da.from_array(X, chunks=(2_000, 8)), da.from_array(y, chunks=2_000)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    try:
        with distributed.Client(cluster) as client:
            start = time.perf_counter()
            expected = gk.glm_fit(Xd, yd, "poisson")
            duration = time.perf_counter() - start
            pid = next(iter(client.run(os.getpid).values()))
            killed_at: list[float] = []

            def kill() -> None:
                killed_at.append(time.perf_counter())
                os.kill(pid, signal.SIGKILL)

            timer = threading.Timer(duration / 3, kill)
            start = time.perf_counter()
            timer.start()
            fit = gk.glm_fit(Xd, yd, "poisson")
            end = time.perf_counter()
            timer.join()
    finally:
        cluster.close()
    assert killed_at and start < killed_at[0] < end, "the worker was not killed during the fit"
    assert np.array_equal(fit.coef.to_numpy(), expected.coef.to_numpy())
    assert fit.deviance == expected.deviance
    np.testing.assert_allclose(fit.coef, gk.glm_fit(X, y, "poisson").coef, rtol=1e-10)
