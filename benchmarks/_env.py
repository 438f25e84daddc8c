"""What a benchmark's figures depend on, printed before its table so a ratio can be reproduced.

Every benchmark calls :func:`describe` first: package versions of crmstudy and of the peers it is
compared with, the data shape, the BLAS/OpenMP thread pools, the processor count and the machine
load when it started.  Ratios measured under load differ from ratios on a quiet machine (the
1-minute load average is printed for that reason), so report them together.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from importlib import metadata

__all__ = ["describe", "timed"]


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe(title: str, *, peers: tuple[str, ...] = (), shape: str = "") -> dict:
    """Print and return the conditions of a benchmark run."""
    from threadpoolctl import threadpool_info

    pools = sorted({f"{p['internal_api']}:{p['num_threads']}" for p in threadpool_info()})
    info = {
        "benchmark": title,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "cpus": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "threads": ", ".join(pools) or "none",
        "packages": {p: _version(p) for p in ("crmstudy", "numpy", "pandas", "scipy", *peers)},
        "shape": shape,
        "argv": " ".join(sys.argv[1:]),
    }
    print(f"== {title}")
    print(f"   python {info['python']} on {info['machine']}, {info['cpus']} cpus, "
          f"load (1 min) {info['load_1min']}, thread pools: {info['threads']}")
    print("   " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()))
    if shape:
        print(f"   data: {shape}")
    return info


def timed(func, repeat: int = 1):
    """Best wall time of ``repeat`` calls, and the last call's value."""
    best, value = float("inf"), None
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        value = func()
        best = min(best, time.perf_counter() - start)
    return best, value
