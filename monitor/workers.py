"""A shared process pool for CPU-bound work (text extraction) kept off the reactor thread."""

from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def pool(workers: int) -> ProcessPoolExecutor | None:
    """The process-wide pool (None when workers is 0: callers then work inline)."""
    global _pool
    if workers <= 0:
        return None
    if _pool is None:
        _pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("forkserver")
        )
        atexit.register(shutdown)
    return _pool


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
