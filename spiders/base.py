"""What every source spider shares: the source it crawls and how it hands over articles."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import scrapy

from monitor.items import ArticleItem
from monitor.sources import Source


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source (passed as `source=`)."""

    source: Source

    def __init__(self, source: Source, *args: Any, **kwargs: Any):
        super().__init__(*args, name=self.name, **kwargs)
        self.source = source

    def fail(self, where: str, message: str) -> None:
        """Record a source problem for the health table and say it plainly in the log."""
        self.crawler.stats.inc_value("monitor/source_errors")
        errors = self.crawler.stats.get_value("monitor/error_messages") or []
        errors.append(f"{where}: {message}")
        self.crawler.stats.set_value("monitor/error_messages", errors)
        self.logger.error("source %s: %s: %s", self.source.id, where, message)

    def article_request(self, url: str, entry: dict[str, Any], **extra: Any) -> scrapy.Request:
        """Fetch an article page; on failure the entry still becomes an article from its summary."""
        meta = {"article": True, "original_url": url, "entry": entry, **extra}
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              meta=meta)

    def parse_article(self, response):
        html = response.text if hasattr(response, "text") else None
        yield self.make_item(response.meta["entry"], response.url, response.meta, html=html)

    def article_failed(self, failure):
        request = failure.request
        if failure.check(scrapy.exceptions.IgnoreRequest):
            return
        self.fail(request.meta.get("original_url", request.url), f"article fetch failed: "
                  f"{failure.getErrorMessage() or failure.type.__name__}")
        yield self.make_item(request.meta["entry"], request.meta["original_url"], request.meta,
                             html=None, error=failure.getErrorMessage())

    def make_item(self, entry: dict[str, Any], url: str, meta: dict[str, Any], *,
                  html: str | None, error: str | None = None) -> ArticleItem:
        return ArticleItem(
            source_id=self.source.id,
            source_name=self.source.name,
            url=url,
            original_url=meta.get("original_url", url),
            outlet=entry.get("outlet"),
            html=html,
            fetch_error=error,
            feed=entry,
            selectors=self.source.selectors,
            language_hint=self.source.language,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
