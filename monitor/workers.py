"""A shared process pool for CPU-bound work (text extraction) kept off the reactor thread."""

from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

_pool: ProcessPoolExecutor | None = None


def extract_job(html, url, now, selectors, feed):
    """Text extraction in a worker process.

    It lives here, not in monitor.pipelines, so that a worker unpickling it imports only
    monitor.extraction (trafilatura), not Scrapy and the storage layer: about 50 MB less per
    worker (see bench/crawl.py).
    """
    from monitor import extraction

    return extraction.extract(html or "", url, now=now, selectors=selectors, feed=feed)


def pool(workers: int) -> ProcessPoolExecutor | None:
    """The process-wide pool (None when workers is 0: callers then work inline)."""
    global _pool
    if workers <= 0:
        return None
    if _pool is None:
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that already imported the extractor: they start fast and
        # share its pages instead of each importing trafilatura from scratch.
        context.set_forkserver_preload(["monitor.workers", "monitor.extraction"])
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        atexit.register(shutdown)
    return _pool


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
