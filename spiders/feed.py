"""RSS and Atom feeds: feedparser reads the bytes Scrapy fetched; entries lead to article pages."""

from __future__ import annotations

import calendar
import io
from datetime import UTC, datetime
from typing import Any

import feedparser
import scrapy

from monitor.urls import is_http_url
from spiders.base import SourceSpider


def entry_time(entry: Any, key: str) -> str | None:
    """feedparser's parsed time (always UTC) as ISO 8601, or None."""
    parsed = entry.get(f"{key}_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()


def parse_feed_bytes(body: bytes, headers: dict[str, str]) -> feedparser.FeedParserDict:
    """Parse without ever letting feedparser fetch anything itself."""
    return feedparser.parse(io.BytesIO(body), response_headers=headers)


def entry_to_dict(entry: Any) -> dict[str, Any]:
    """The fields of a feed entry we keep; the summary is the fallback article text."""
    source = entry.get("source") or {}
    return {
        "title": entry.get("title", "").strip(),
        "summary": entry.get("summary", ""),
        "content": (entry.get("content") or [{}])[0].get("value"),
        "published": entry_time(entry, "published"),
        "updated": entry_time(entry, "updated"),
        "outlet": source.get("title") if isinstance(source, dict) else None,
        "outlet_url": source.get("href") if isinstance(source, dict) else None,
    }


class FeedSpider(SourceSpider):
    name = "feed"

    async def start(self):
        yield scrapy.Request(self.source.url, callback=self.parse_feed, errback=self.feed_failed)

    def parse_feed(self, response):
        headers = {k.decode().lower(): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        parsed = parse_feed_bytes(response.body, headers)
        entries = parsed.entries
        if not entries:
            ctype = headers.get("content-type", "")
            if "html" in ctype or response.body.lstrip()[:15].lower().startswith(b"<!doctype html"):
                self.fail(response.url, "feed URL returned an HTML page, not a feed")
            elif parsed.bozo:
                self.fail(response.url, f"malformed feed: {parsed.get('bozo_exception')}")
            else:
                self.crawler.stats.set_value("monitor/empty_feed", True)
            return
        if parsed.bozo:
            self.logger.warning("source %s: feed has errors but was read: %s",
                                self.source.id, parsed.get("bozo_exception"))
        self.crawler.stats.inc_value("monitor/entries_seen", len(entries))
        follow = self.source.options.get("follow", True)
        for entry in entries:
            link = entry.get("link")
            if not link or not is_http_url(link):
                self.fail(response.url, f"entry without an http(s) link: {entry.get('title')!r}")
                continue
            data = entry_to_dict(entry)
            if follow:
                yield self.article_request(link, data)
            else:
                yield self.make_item(data, link, {"original_url": link},
                                     html=data.get("content") or data.get("summary"))

    def feed_failed(self, failure):
        reason = failure.getErrorMessage() or failure.type.__name__
        self.fail(failure.request.url, f"feed fetch failed: {reason}")
