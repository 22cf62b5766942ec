"""What every source spider shares: the source it crawls, health bookkeeping, article hand-over.

Health bookkeeping lives in the crawler's stats (read by `monitor.crawl` after the run):
`monitor/entries_seen`, `monitor/error_messages` (the source failed somewhere),
`monitor/http_errors`, `monitor/parse_problems` (an entry could not be read), `monitor/anomalies`
(the source answered but something looks wrong), `monitor/not_modified` (304 answers) and
`monitor/newest_item` (the newest date among the entries listed, UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from monitor.items import ArticleItem
from monitor.sources import Source
from monitor.textclean import clean_code_points, clean_value
from monitor.urls import canonical_url
from spiders import dates
from spiders.selectors import first_text, select

MAX_LISTED = 20  # messages kept per list in the stats, so one broken page cannot flood the table
# New articles one source may hand over in one pass ([crawl] max_items_per_source; 0 = no cap).
# A feed of 10,000 items would otherwise hold the run lock for many minutes in one pass.
DEFAULT_MAX_ITEMS_PER_SOURCE = 200


class SourceSpider(scrapy.Spider):
    """A spider bound to one configured source (passed as `source=`)."""

    source: Source

    def __init__(self, source: Source, *args: Any, **kwargs: Any):
        super().__init__(*args, name=self.name, **kwargs)
        self.source = source
        self._db = None

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.item_not_stored, signal=signals.item_error)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.response_received, signal=signals.response_received)
        return spider

    def response_received(self, response: Any = None, request: Any = None, **_: Any) -> None:
        """Count the answers this source gave (robots.txt aside): a source that ends with none
        and no error recorded was silently dropped somewhere (see monitor.crawl)."""
        url = getattr(request, "url", "") or ""
        if not url.endswith("/robots.txt"):
            self.crawler.stats.inc_value("monitor/responses")

    def request_dropped(self, request: Any = None, **_: Any) -> None:
        """The scheduler refused a request: for a source page this is a redirect loop (A -> B
        -> A: the dupefilter drops the repeat without a word) or a duplicate of its own URL."""
        if request is None or request.meta.get("article"):
            return
        chain = [*request.meta.get("redirect_urls", []), request.url]
        original = request.meta.get("snapshot_original") or request.url
        own = {self.source.url}
        if self.settings.get("MONITOR_SNAPSHOT_BASE"):
            from monitor.snapshot import local_url

            own.add(local_url(self.settings.get("MONITOR_SNAPSHOT_BASE"), self.source.url))
        if (chain[0] if len(chain) > 1 else original) not in own:
            # A listing's "next" link back to a page already read, or page 9 redirecting to
            # page 1: the normal end of pagination, not a fault.
            return
        shown = " -> ".join(chain) if len(chain) > 1 else original
        reason = "redirect loop" if len(chain) > 1 else "duplicate of the source's own URL"
        self.fail(shown, f"request dropped as a duplicate ({reason}): the page was never read")

    # --- health bookkeeping -------------------------------------------------------------

    def item_not_stored(self, item: Any = None, failure: Any = None, **_: Any) -> None:
        """An article the pipeline could not process or store is a source error in health
        (before, only a Scrapy log line said so and the source showed `ok`)."""
        url = (item or {}).get("original_url") or (item or {}).get("url") or "an article"
        reason = failure.getErrorMessage() if failure is not None else "unknown error"
        kind = failure.type.__name__ if failure is not None else "Error"
        self.fail(url, f"article could not be stored: {kind}: {' '.join(reason.split())[:200]}")

    def _append(self, key: str, message: str) -> None:
        values = self.crawler.stats.get_value(key) or []
        if len(values) < MAX_LISTED:
            values.append(message)
        self.crawler.stats.set_value(key, values)

    def fail(self, where: str, message: str) -> None:
        """Record a source problem for the health table and say it plainly in the log."""
        self.crawler.stats.inc_value("monitor/source_errors")
        self._append("monitor/error_messages", f"{where}: {message}")
        self.logger.error("source %s: %s: %s", self.source.id, where, message)

    def problem(self, where: str, message: str) -> None:
        """One entry could not be read; the rest of the source still counts."""
        self._append("monitor/parse_problems", f"{where}: {message}")
        self.logger.warning("source %s: %s: %s", self.source.id, where, message)

    def anomaly(self, kind: str, message: str) -> None:
        """The source answered, but not as it used to (see monitor.health)."""
        self._append("monitor/anomalies", f"{kind}: {message}")
        self.logger.warning("source %s: anomaly %s: %s", self.source.id, kind, message)

    def saw(self, count: int) -> None:
        self.crawler.stats.inc_value("monitor/entries_seen", count)

    def check_date(self, iso: str | None, where: str) -> None:
        """A date in the future is an anomaly; otherwise remember the newest item's date."""
        if not iso:
            return
        if dates.is_future(iso, datetime.now(UTC)):
            self.anomaly("future-date", f"{where}: date {iso} is in the future")
            return
        try:
            stamp = datetime.fromisoformat(iso).astimezone(UTC).isoformat(timespec="seconds")
        except ValueError:
            return
        newest = self.crawler.stats.get_value("monitor/newest_item")
        if newest is None or stamp > newest:
            self.crawler.stats.set_value("monitor/newest_item", stamp)

    # --- requests -----------------------------------------------------------------------

    def page_request(self, url: str, callback, **meta: Any) -> scrapy.Request:
        """A feed, listing or API page: conditional GET, and a 304 reaches the callback."""
        return scrapy.Request(
            url, callback=callback, errback=self.page_failed,
            meta={"conditional": True, "handle_httpstatus_list": [304], **meta},
        )

    def not_modified(self, response) -> bool:
        """True for a 304: nothing changed since the last crawl, so nothing to parse."""
        if response.status == 304:
            self.logger.info("source %s: %s not modified", self.source.id, response.url)
            return True
        return False

    def page_failed(self, failure):
        request = failure.request
        url = request.meta.get("snapshot_original") or request.url
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            self.fail(url, f"page skipped: {failure.getErrorMessage()}")
            return
        if failure.check(HttpError):
            status = failure.value.response.status
            self._append("monitor/http_errors", f"HTTP {status} {url}")
            self.fail(url, f"HTTP {status}")
            return
        reason = self.failure_reason(failure).replace(request.url, url)
        self._append("monitor/http_errors", f"{failure.type.__name__} {url}")
        self.fail(url, f"fetch failed: {reason}")

    def within_cap(self, entries: list[Any]) -> list[Any]:
        """The new entries this pass may still take; the rest wait for the next pass.

        Call with entries already filtered for known URLs, so the next pass, which skips what
        this one stored, takes the following ones. An overflow is an `item-cap` anomaly in
        health, and keeps the source's validators unsaved so a 304 cannot hide the rest.
        """
        cap = self.settings.getint("MONITOR_MAX_ITEMS_PER_SOURCE", DEFAULT_MAX_ITEMS_PER_SOURCE)
        if cap <= 0:
            return entries
        stats = self.crawler.stats
        taken = entries[:max(cap - (stats.get_value("monitor/admitted") or 0), 0)]
        stats.inc_value("monitor/admitted", len(taken))
        if len(taken) < len(entries):
            stats.inc_value("monitor/over_cap", len(entries) - len(taken))
        return taken

    def failure_reason(self, failure: Any) -> str:
        """A download failure in words. A body that outgrows DOWNLOAD_MAXSIZE without a
        Content-Length is cancelled mid-stream, and Scrapy's error then carries no message."""
        message = failure.getErrorMessage() or ""
        if failure.check(DownloadCancelledError) and not message.strip():
            maxsize = failure.request.meta.get("download_maxsize") or self.settings.getint(
                "DOWNLOAD_MAXSIZE")
            return (f"response larger than DOWNLOAD_MAXSIZE ({maxsize:,} bytes): download "
                    "cancelled")
        return message or failure.type.__name__

    def known(self, urls: list[str]) -> set[str]:
        """Which of these article URLs are already stored (as linked or canonical)."""
        database = self.settings.get("MONITOR_DATABASE")
        if not database or not urls:
            return set()
        from monitor.storage import articles, open_db

        if self._db is None:
            self._db = open_db(database)
        candidates = {u: {u, canonical_url(u)} for u in urls}
        found = articles.known_urls(self._db, sorted({c for cs in candidates.values() for c in cs}))
        return {u for u, cs in candidates.items() if cs & found}

    def closed(self, reason: str) -> None:
        over = self.crawler.stats.get_value("monitor/over_cap") if self.crawler else 0
        if over:
            cap = self.settings.getint("MONITOR_MAX_ITEMS_PER_SOURCE",
                                       DEFAULT_MAX_ITEMS_PER_SOURCE)
            self.anomaly("item-cap", f"{over} new entries beyond the cap of {cap} articles per "
                                     "pass ([crawl] max_items_per_source); they are read on the "
                                     "next pass")
        if self._db is not None:
            self._db.close()
            self._db = None

    # --- articles -----------------------------------------------------------------------

    def follow_or_item(self, url: str, entry: dict[str, Any], *, follow: bool):
        """Fetch the article page, or (follow = false) make the item from what the source said."""
        if follow:
            return self.article_request(url, entry)
        return self.make_item(entry, url, {"original_url": url}, html=entry.get("content"))

    def article_request(self, url: str, entry: dict[str, Any], **extra: Any) -> scrapy.Request:
        """Fetch an article page; on failure the entry still becomes an article from its summary."""
        meta = {"article": True, "original_url": url, "entry": entry, **extra}
        return scrapy.Request(url, callback=self.parse_article, errback=self.article_failed,
                              meta=meta)

    def parse_article(self, response):
        html = response.text if hasattr(response, "text") else None
        entry = dict(response.meta["entry"])
        if html and self.source.selectors:
            page = response.selector if hasattr(response, "selector") else Selector(text=html)
            self.apply_article_selectors(page, entry, response.url)
            body = self.source.selectors.get("body")
            if body and not select(page, body):
                self.anomaly("selector-empty", f"article body selector {body!r} matches nothing "
                                               f"on {response.url}")
        yield self.make_item(entry, response.url, response.meta, html=html)

    def apply_article_selectors(self, page: Selector, entry: dict[str, Any], url: str) -> None:
        """Per-source article `title` / `date` selectors fill what the listing did not say."""
        selectors = self.source.selectors
        if selectors.get("date") and not entry.get("published"):
            raw = first_text(page, selectors["date"])
            published = dates.parse_date(raw, selectors.get("date_format"),
                                         self.source.options.get("timezone"))
            if published:
                entry["published"] = published
                self.check_date(published, url)
            else:
                self.problem(url, f"article date {raw!r} not readable "
                                  f"(selector {selectors['date']!r})")
        if selectors.get("title") and not entry.get("title"):
            entry["title"] = first_text(page, selectors["title"]) or ""

    def article_failed(self, failure):
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            return
        if failure.check(HttpError):
            reason = f"HTTP {failure.value.response.status}"
            self._append("monitor/http_errors",
                         f"{reason} {request.meta.get('original_url', request.url)}")
        else:
            reason = self.failure_reason(failure)
        self.fail(request.meta.get("original_url", request.url), f"article fetch failed: {reason}")
        yield self.make_item(request.meta["entry"], request.meta["original_url"], request.meta,
                             html=None, error=reason)

    def make_item(self, entry: dict[str, Any], url: str, meta: dict[str, Any], *,
                  html: str | None, error: str | None = None) -> ArticleItem:
        # Selectors that are not article-body selectors stay out of the extractor's way.
        selectors = {k: v for k, v in self.source.selectors.items() if k == "body"}
        # The item boundary: nothing scraped goes further with a code point that cannot be
        # stored (a lone surrogate from a JSON escape drops the article in SQLite) or that YAML
        # forbids (the draft's front matter would not parse).
        entry = clean_value(entry)
        return ArticleItem(
            source_id=self.source.id,
            source_name=self.source.name,
            url=clean_code_points(url),
            original_url=clean_code_points(meta.get("original_url", url)),
            outlet=entry.get("outlet"),
            html=clean_code_points(html) if html else html,
            fetch_error=error,
            feed=entry,
            selectors=selectors,
            language_hint=self.source.language,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
