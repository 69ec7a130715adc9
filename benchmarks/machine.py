"""What the benchmark ran on: CPU, cores, memory, load, library versions, BLAS."""

from __future__ import annotations

import os
import platform
from importlib import metadata

DISTRIBUTIONS = ["glmkit", "numpy", "scipy", "pandas", "statsmodels", "glum", "tabmat",
                 "scikit-learn", "formulaic", "threadpoolctl"]


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gb() -> float | None:
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def _versions() -> dict[str, str]:
    out = {}
    for dist in DISTRIBUTIONS:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out


def _blas() -> list[str]:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed"]
    return [f"{i.get('internal_api')} {i.get('version')} ({i.get('user_api')}, "
            f"{i.get('architecture', '-')}, {os.path.basename(i.get('filepath', ''))})"
            for i in threadpool_info()]


def describe() -> dict:
    """A JSON-able description of this machine and software stack."""
    import numpy  # noqa: F401  (loads BLAS so threadpoolctl can see it)
    import scipy.linalg  # noqa: F401

    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:
        affinity = None
    return {
        "cpu": _cpu_model(),
        "logical_cpus": os.cpu_count(),
        "cpus_available": affinity,
        "memory_gb": _mem_total_gb(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": _versions(),
        "blas": _blas(),
        "loadavg": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def fingerprint(info: dict) -> str:
    """What must match for two results to be comparable."""
    return f"{info['cpu']} x{info['logical_cpus']}, {info['memory_gb']:.0f} GB"
