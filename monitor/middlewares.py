"""Downloader middlewares: skip known articles; conditional GET; robots.txt kept between
passes; serve the offline snapshot."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from monitor import robots
from monitor.snapshot import rewritten_url
from monitor.storage import articles, open_db
from monitor.storage import sources as source_store
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


class ConditionalGet:
    """ETag / Last-Modified for feed, listing and API pages (requests marked meta['conditional']).

    Sends If-None-Match / If-Modified-Since from the last successful crawl; a 304 reaches the
    spider as "not modified" and costs no parsing. New validators are saved when the spider
    closes, and only if the source recorded no error and every item was stored, so a crawl that
    failed half-way (or could not store an article) is fetched in full next time.
    """

    def __init__(self, database: str, stats):
        self.db = open_db(database)
        self.stats = stats
        self.pending: dict[str, dict[str, str | None]] = {}
        self.items_failed = 0

    @classmethod
    def from_crawler(cls, crawler):
        database = crawler.settings.get("MONITOR_DATABASE")
        if not database or not crawler.settings.getbool("MONITOR_CONDITIONAL_GET", True):
            raise NotConfigured("conditional GET off")
        middleware = cls(database, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.item_failed, signal=signals.item_error)
        return middleware

    def item_failed(self, *args, **kwargs) -> None:
        """An article the feed led to could not be processed or stored (say, a full disk): a 304
        next time would hide it for good, so this crawl's validators must not be kept."""
        self.items_failed += 1

    @staticmethod
    def _url(request: Request) -> str:
        return request.meta.get("snapshot_original") or request.url

    def process_request(self, request: Request):
        if not request.meta.get("conditional") or b"If-None-Match" in request.headers \
                or b"If-Modified-Since" in request.headers:
            return None
        cached = source_store.validators(self.db, self._url(request))
        if cached and cached.get("etag"):
            request.headers["If-None-Match"] = cached["etag"]
        if cached and cached.get("last_modified"):
            request.headers["If-Modified-Since"] = cached["last_modified"]
        return None

    def process_response(self, request: Request, response: Response):
        if not request.meta.get("conditional"):
            return response
        if response.status == 304:
            self.stats.inc_value("monitor/not_modified")
        elif 200 <= response.status < 300:
            etag = response.headers.get(b"ETag")
            modified = response.headers.get(b"Last-Modified")
            if etag or modified:
                self.pending[self._url(request)] = {
                    "etag": etag.decode("latin-1") if etag else None,
                    "last_modified": modified.decode("latin-1") if modified else None,
                }
        return response

    def spider_closed(self, spider, reason=None):
        try:
            # Over the per-pass item cap, the rest of the feed waits for the next pass: a 304
            # then would hide it, so the validators of a capped crawl are not kept either.
            clean = (not self.stats.get_value("monitor/source_errors") and not self.items_failed
                     and not self.stats.get_value("monitor/over_cap"))
            if clean and reason in (None, "finished"):
                source_id = getattr(getattr(spider, "source", None), "id", None)
                source_store.save_validators(
                    self.db, [{"url": u, "source_id": source_id, **v}
                              for u, v in self.pending.items()])
        finally:
            self.db.close()


class StoredRobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, reading a stored copy first (see monitor.robots).

    A copy fresher than MONITOR_ROBOTS_MAX_AGE is parsed instead of fetched; an answer fetched
    is stored (5xx aside) for the next pass and, through the shared memo `run_crawl` gives
    every crawler of a pass (MONITOR_ROBOTS_MEMO), for the other sources on the same site.
    Rules are applied by Scrapy's own code path (`process_request_2`), unchanged.
    """

    def __init__(self, crawler):
        super().__init__(crawler)
        self.database = crawler.settings.get("MONITOR_DATABASE")
        self.max_age = crawler.settings.getfloat("MONITOR_ROBOTS_MAX_AGE", robots.MAX_AGE)
        self.snapshot = crawler.settings.get("MONITOR_SNAPSHOT_BASE")
        memo = crawler.settings.get("MONITOR_ROBOTS_MEMO")
        if isinstance(memo, RobotsMemo):
            self._parsers = memo.parsers  # one parser (or pending fetch) per site for the pass
        self.db = open_db(self.database) if self.database else None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def _key(self, request: Request) -> str:
        return robots.store_key(request.url, self.snapshot)

    async def robot_parser(self, request: Request):
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers and self.db is not None:
            copy = source_store.robots_copy(self.db, self._key(request))
            if robots.is_fresh(copy, datetime.now(UTC), self.max_age):
                self._stats.inc_value("monitor/robots_stored_copy")
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler,
                                                           copy["body"])
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if self.db is not None and robots.worth_storing(response.status):
            source_store.save_robots(self.db, self._key(request), response.status,
                                     response.body)
        await super()._parse_robots(response, netloc, request)

    def spider_closed(self, spider: Any = None, reason: Any = None) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


class RobotsMemo:
    """The robots.txt parsers of one pass, shared by its crawlers: Scrapy deep-copies each
    crawler's settings, and this object copies as itself."""

    def __init__(self) -> None:
        self.parsers: dict[str, Any] = {}

    def __deepcopy__(self, memo: dict) -> RobotsMemo:
        return self

    def __copy__(self) -> RobotsMemo:
        return self


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
        local = rewritten_url(self.base, request.url)
        # robots.txt was checked on the production URL (StoredRobotsTxt runs first); the
        # loopback server's own robots.txt is not the site's
        meta = {**request.meta, "snapshot_original": request.url, "dont_obey_robotstxt": True}
        return request.replace(url=local, meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response):
        original = request.meta.get("snapshot_original")
        if original and response.url.startswith(self.base):
            return response.replace(url=original)
        return response
