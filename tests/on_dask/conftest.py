"""A distributed LocalCluster (threads in one process, for speed) started by each Dask test module (and closed after it, so no other test runs on it)."""

import pytest

pytest.importorskip("dask.array", reason="the [dask] extra (dask) is not installed")
distributed = pytest.importorskip("distributed", reason="the [dask] extra (distributed) is not installed")


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
