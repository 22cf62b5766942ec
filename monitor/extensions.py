"""The monitor's Scrapy extensions, listed in `monitor.settings.EXTENSIONS`.

Like Scrapy's own (`scrapy/extensions/corestats.py`), each is built by `from_crawler` and turns
itself off with `NotConfigured` unless its setting asks for it, so a crawl pays nothing for an
extension it does not use:

- `ProgressExtension`: reports items and finished sources to the callable in `MONITOR_PROGRESS`
  (the progress display of `monitor run`).
- `OneLineErrors`: with `MONITOR_ONE_LINE_ERRORS` (a run without -v), an error Scrapy logs is one
  short line with its cause, not a traceback and a dumped item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

ProgressCallback = Callable[[str, str, Any], None]


def describe(exc: BaseException) -> str:
    """One line for an operator: what failed, without a traceback."""
    if isinstance(exc, OSError) and exc.strerror:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"{exc.strerror}{where}"
    return str(exc) or exc.__class__.__name__


def source_of(spider: Any) -> str:
    """The source id a spider crawls (its name when it has no source)."""
    source = getattr(spider, "source", None)
    return getattr(source, "id", None) or getattr(spider, "name", "?")


class ProgressExtension:
    """Reports items and finished sources to the callable in the MONITOR_PROGRESS setting."""

    def __init__(self, callback: ProgressCallback) -> None:
        self.callback = callback

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        callback = crawler.settings.get("MONITOR_PROGRESS")
        if not callable(callback):
            raise NotConfigured("no progress callback")
        extension = cls(callback)
        crawler.signals.connect(extension.item_done, signal=signals.item_scraped)
        crawler.signals.connect(extension.item_done, signal=signals.item_dropped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_done(self, item: Any = None, spider: Any = None, **_: Any) -> None:
        self.callback("item", source_of(spider), None)

    def spider_closed(self, spider: Any, reason: str) -> None:
        self.callback("source_done", source_of(spider), reason)


class OneLineErrors:
    """Without -v, an error Scrapy logs (say, an item that could not be stored because the disk
    is full) is printed as one short line with its cause, not a traceback and a dumped item."""

    MAX_CHARS = 200

    @classmethod
    def from_crawler(cls, crawler: Any) -> OneLineErrors:
        if not crawler.settings.getbool("MONITOR_ONE_LINE_ERRORS"):
            raise NotConfigured("verbose")
        extension = cls()
        extension.filter_handlers()
        # Scrapy replaces its root log handler after building extensions (Crawler.crawl calls
        # _update_root_log_handler), so filter again once the engine runs.
        crawler.signals.connect(extension.filter_handlers, signal=signals.engine_started)
        return extension

    def filter_handlers(self, **_: Any) -> None:
        for handler in logging.getLogger().handlers:
            if not any(isinstance(f, OneLineFilter) for f in handler.filters):
                handler.addFilter(OneLineFilter(self.MAX_CHARS))


class OneLineFilter(logging.Filter):
    """Cuts an ERROR record to its first line (at most `limit` characters) and its cause."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR:
            return True
        message = record.getMessage().splitlines()[0] if record.getMessage() else ""
        if len(message) > self.limit:
            message = message[: self.limit] + "…"
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message} ({describe(record.exc_info[1])})"
        record.msg, record.args = message, ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
