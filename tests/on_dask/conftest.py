"""A distributed LocalCluster (threads in one process, for speed) shared by the Dask tests."""

import pytest

pytest.importorskip("dask.array", reason="the [dask] extra (dask) is not installed")
distributed = pytest.importorskip("distributed", reason="the [dask] extra (distributed) is not installed")


@pytest.fixture(scope="session")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                       dashboard_address=None)
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()
