"""RSS 0.9x/1.0/2.0 and Atom feeds: feedparser reads the bytes Scrapy fetched.

Entries lead to article pages (unless `follow = false`). Google News search feeds are recognised
by host: their opaque `news.google.com/rss/articles/...` links are resolved to the publisher's URL
(by `monitor.urls.resolve_google_news` when present, else by following the redirect), the
publisher is recorded from `<source url>`, and the " - Publisher" suffix leaves the headline.
"""

from __future__ import annotations

import calendar
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import feedparser
import scrapy
from parsel import Selector
from w3lib.html import remove_tags, replace_entities

from monitor.urls import is_http_url
from spiders.base import SourceSpider

GOOGLE_NEWS_HOST = "news.google.com"


def entry_time(entry: Any, key: str) -> str | None:
    """feedparser's parsed time (always UTC) as ISO 8601, or None."""
    parsed = entry.get(f"{key}_parsed")
    if not parsed:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
    except (OverflowError, ValueError):
        return None


def parse_feed_bytes(body: bytes, headers: dict[str, str]) -> feedparser.FeedParserDict:
    """Parse without ever letting feedparser fetch anything itself."""
    return feedparser.parse(io.BytesIO(body), response_headers=headers)


def entry_to_dict(entry: Any) -> dict[str, Any]:
    """The fields of a feed entry we keep; the summary is the fallback article text."""
    source = entry.get("source") or {}
    return {
        "title": " ".join(entry.get("title", "").split()),
        "summary": plain_text(entry.get("summary", "")),
        "content": (entry.get("content") or [{}])[0].get("value"),
        "published": entry_time(entry, "published") or entry_time(entry, "updated"),
        "updated": entry_time(entry, "updated"),
        "outlet": source.get("title") if isinstance(source, dict) else None,
        "outlet_url": source.get("href") if isinstance(source, dict) else None,
    }


def plain_text(html: str) -> str:
    """Feed summaries are often escaped HTML; the fallback article text must be plain."""
    return " ".join(replace_entities(remove_tags(html or "")).split())


FULL_TEXT_CHARS = 1500


def carries_summary_only(data: dict[str, Any]) -> bool:
    """Follow to the page unless the feed carries the full text (content:encoded, long)."""
    return len(plain_text(data.get("content") or "")) < FULL_TEXT_CHARS


def is_google_news(url: str) -> bool:
    return (urlsplit(url).hostname or "").lower() == GOOGLE_NEWS_HOST


def split_publisher(title: str, outlet: str | None) -> tuple[str, str | None]:
    """"Headline - Publisher" -> ("Headline", "Publisher"); the <source> name wins when given."""
    title = title.strip()
    if outlet:
        for sep in (" - ", " – ", " | "):
            suffix = f"{sep}{outlet}"
            if title.endswith(suffix):
                return title[: -len(suffix)].strip(), outlet
    head, sep, tail = title.rpartition(" - ")
    if sep and head and 0 < len(tail) <= 60:
        return head.strip(), outlet or tail.strip(" |") or None
    return title, outlet


def _resolver():
    """monitor.urls.resolve_google_news when another branch provides it, else None."""
    from monitor import urls

    return getattr(urls, "resolve_google_news", None)


def resolve_google_news_link(url: str) -> str | None:
    """The publisher URL for an opaque Google News link, without network, when decodable."""
    resolve = _resolver()
    if resolve is None:
        return None
    try:
        resolved = resolve(url)
    except Exception:  # noqa: BLE001 - a resolver failure only means "follow the redirect"
        return None
    if resolved and is_http_url(resolved) and not is_google_news(resolved):
        return resolved
    return None


def publisher_link_in_page(html: str) -> str | None:
    """A Google News interstitial page names the publisher URL in data-n-au or a plain link."""
    page = Selector(text=html)
    for candidate in (
        page.css("[data-n-au]::attr(data-n-au)").get(),
        page.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content")
        .re_first(r"url=(\S+)"),
        page.css("noscript a::attr(href), a[jsname]::attr(href)").get(),
    ):
        if candidate and is_http_url(candidate) and not is_google_news(candidate):
            return candidate
    return None


class FeedSpider(SourceSpider):
    name = "feed"

    async def start(self):
        yield self.page_request(self.source.url, self.parse_feed)

    @property
    def google_news(self) -> bool:
        return bool(self.source.options.get("google_news", is_google_news(self.source.url)))

    def parse_feed(self, response):
        if self.not_modified(response):
            return
        headers = {k.decode().lower(): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        parsed = parse_feed_bytes(response.body, headers)
        entries = parsed.entries
        if not entries:
            ctype = headers.get("content-type", "")
            head = response.body.lstrip()[:200].lower()
            if "html" in ctype or head.startswith((b"<!doctype html", b"<html")):
                self.anomaly("not-feed", f"{response.url} returned an HTML page, not a feed")
                self.fail(response.url, "feed URL returned an HTML page, not a feed")
            elif parsed.bozo:
                self.fail(response.url, f"malformed feed: {parsed.get('bozo_exception')}")
            elif not parsed.get("version"):
                self.fail(response.url, "not a feed (no RSS or Atom root element)")
            return
        if parsed.bozo:
            self.problem(response.url, f"feed has errors but was read: "
                                       f"{parsed.get('bozo_exception')}")
        max_items = self.source.options.get("max_items")
        if max_items:
            entries = entries[: int(max_items)]
        self.saw(len(entries))
        follow_option = self.source.options.get("follow")
        google_news = self.google_news
        linked = []
        for entry in entries:
            link = (entry.get("link") or "").strip()
            if not link or not is_http_url(link):
                self.problem(response.url, f"entry without an http(s) link: "
                                           f"{entry.get('title')!r}")
                continue
            data = entry_to_dict(entry)
            self.check_date(data["published"], link)  # every entry listed counts for health
            linked.append((link, data))
        # Known entries are skipped here (the known-article filter would drop them anyway), so
        # the per-pass cap counts only new ones and the next pass carries on where this stopped.
        known = self.known([link for link, _ in linked])
        for link, data in self.within_cap([(k, d) for k, d in linked if k not in known]):
            follow = carries_summary_only(data) if follow_option is None else follow_option
            if google_news:
                data["title"], data["outlet"] = split_publisher(data["title"], data["outlet"])
                yield from self.google_news_entry(link, data, follow)
            elif follow:
                yield self.article_request(link, data)
            else:
                yield self.make_item(data, link, {"original_url": link},
                                     html=data.get("content"))

    def google_news_entry(self, link: str, data: dict[str, Any], follow: bool):
        """Publisher URL if it can be decoded; else follow the redirect; else keep the summary."""
        if not is_google_news(link):
            yield self.article_request(link, data) if follow else self.make_item(
                data, link, {"original_url": link}, html=None)
            return
        publisher = resolve_google_news_link(link)
        if publisher:
            if self.known([publisher]):
                return
            if follow:
                yield self.article_request(publisher, data, original_url=link, google_news=link)
            else:
                yield self.make_item(data, publisher, {"original_url": link}, html=None)
            return
        # Follow Google's redirect with Scrapy; the known-article filter sees the GN link.
        yield scrapy.Request(link, callback=self.parse_google_news, errback=self.article_failed,
                             meta={"article": True, "original_url": link, "entry": data,
                                   "google_news": link})

    def parse_google_news(self, response):
        """After redirects: a publisher page, or Google's interstitial naming the publisher."""
        if not is_google_news(response.url):
            yield from self.parse_article(response)
            return
        html = response.text if hasattr(response, "text") else ""
        publisher = publisher_link_in_page(html)
        if publisher:
            meta = {k: response.meta[k] for k in ("original_url", "entry", "google_news")}
            yield self.article_request(publisher, meta["entry"], **{
                "original_url": meta["original_url"], "google_news": meta["google_news"]})
            return
        entry = response.meta["entry"]
        self.problem(response.url, f"Google News link not resolved to the publisher: "
                                   f"{entry.get('title')!r}")
        yield self.make_item(entry, response.meta["original_url"], response.meta,
                             html=None)

