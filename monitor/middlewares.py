"""Downloader middlewares: skip known articles; serve the offline snapshot instead of the web."""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from monitor.storage import articles, open_db
from monitor.urls import canonical_url

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class KnownArticleFilter:
    """Never refetch an article page that is already stored (requests marked meta['article'])."""

    def __init__(self, database: str):
        self.db = open_db(database)

    @classmethod
    def from_crawler(cls, crawler):
        database = crawler.settings.get("MONITOR_DATABASE")
        if not database:
            raise NotConfigured("MONITOR_DATABASE not set")
        middleware = cls(database)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_request(self, request: Request):
        if not request.meta.get("article") or request.meta.get("refetch"):
            return None
        url = request.meta.get("original_url", request.url)
        if articles.known_urls(self.db, [url, canonical_url(url)]):
            raise IgnoreRequest(f"already stored: {url}")
        return None

    def spider_closed(self, spider):
        self.db.close()


class SnapshotRewrite:
    """With MONITOR_SNAPSHOT_BASE set, every request goes to the local snapshot server.

    https://www.ice.gov/rss/x is fetched as {base}/www.ice.gov/rss/x, and the response is handed
    back under its production URL, so spiders, redirects and storage never know the difference.
    Nothing leaves loopback in this mode.
    """

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler):
        base = crawler.settings.get("MONITOR_SNAPSHOT_BASE")
        if not base:
            raise NotConfigured("no snapshot")
        return cls(base)

    def process_request(self, request: Request):
        parts = urlsplit(request.url)
        if parts.hostname in LOOPBACK:
            return None
        local = f"{self.base}/{parts.netloc}{parts.path or '/'}"
        if parts.query:
            local += f"?{parts.query}"
        meta = {**request.meta, "snapshot_original": request.url}
        return request.replace(url=local, meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response):
        original = request.meta.get("snapshot_original")
        if original and response.url.startswith(self.base):
            return response.replace(url=original)
        return response
