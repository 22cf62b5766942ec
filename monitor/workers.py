"""A shared process pool for CPU-bound work (extraction and judging) kept off the reactor thread."""

from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

_pool: ProcessPoolExecutor | None = None

# What a worker needs, imported (and its tables loaded, see `warm`) once in the forkserver, so
# workers start fast and share those pages instead of each loading them.
PRELOAD = ["monitor.workers", "monitor.extraction", "monitor.relevance", "monitor.facts"]


def extract_job(html, url, now, selectors, feed):
    """Text extraction in a worker process.

    It lives here, not in monitor.pipelines, so that a worker unpickling it imports only
    monitor.extraction (trafilatura), not Scrapy and the storage layer: about 50 MB less per
    worker (see bench/crawl.py).
    """
    from monitor import extraction

    return extraction.extract(html or "", url, now=now, selectors=selectors, feed=feed)


def article_job(html, url, now, selectors, feed, language_hint, threshold) -> dict[str, Any]:
    """Extraction, then relevance and facts, of one article: one pool round trip, not two.

    Judging costs about as much CPU as extraction (the taxonomy's regexes, the model, the facts);
    done in the main process it held the reactor thread and the crawl ran at a quarter of the
    extraction floor on a busy machine (issue 16). Returns {"extracted", "judgement", "facts"};
    the last two are None when there is nothing to judge (the item is dropped).
    """
    extracted = extract_job(html, url, now, selectors, feed)
    if language_hint and not extracted.get("language"):
        extracted["language"] = language_hint
    if not extracted["text"] and not extracted["title"]:
        return {"extracted": extracted, "judgement": None, "facts": None}
    judgement, facts = judge_extracted(extracted, threshold)
    return {"extracted": extracted, "judgement": judgement, "facts": facts}


def judge_extracted(data: dict[str, Any], threshold: float | None) -> tuple[Any, dict]:
    """Relevance judgement and facts of extracted text (pure; inline or in a worker)."""
    from monitor import facts, relevance

    language = data.get("language") or "en"
    judgement = relevance.judge(data["title"], data["text"], language=language,
                                threshold=threshold)
    return judgement, facts.extract_facts(data["title"], data["text"], language=language)


def warm() -> None:
    """Load the extractor's, the rules' and the model's tables (run in the forkserver)."""
    from monitor import extraction

    extraction.detect_language("warming the language identifier up")
    # an English and a Spanish text, and words only one of them knows: the lemmatiser loads a
    # language's dictionary (tens of MB) the first time a word needs it
    for title, text, language in (
        ("ICE agents arrested workers", "Agents detained xqzv workers.", "en"),
        ("Agentes de ICE detuvieron trabajadores", "Detuvieron a xqzv trabajadores.", "es"),
    ):
        judge_extracted({"title": title, "text": text, "language": language}, None)


def pool(workers: int) -> ProcessPoolExecutor | None:
    """The process-wide pool (None when workers is 0: callers then work inline)."""
    global _pool
    if workers <= 0:
        return None
    if _pool is None:
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that already imported and warmed what they need.
        context.set_forkserver_preload(PRELOAD + ["monitor.worker_preload"])
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
        atexit.register(shutdown)
    return _pool


def shutdown() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
