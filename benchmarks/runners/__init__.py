"""One module per library; each fits one problem (see ``benchmarks.runners.base``)."""

from benchmarks.runners.base import LIBRARIES, get_runner

__all__ = ["LIBRARIES", "get_runner"]
