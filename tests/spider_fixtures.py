"""Spider unit tests, city-scrapers style: a spider built from its source entry, a response built
from a frozen fixture file, and what its callback yields. No server, no database, no reactor.

The fixtures are the recorded copies of the shipped sources in `demo/snapshot/` (the files the
snapshot server would serve for each production URL, `_routes.toml` included) and the files in
`tests/fixtures/`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.test import get_crawler

from monitor.items import ArticleItem
from monitor.snapshot import _content_type, _key, load_routes
from monitor.sources import Source, load_sources
from tests.conftest import DEMO_SNAPSHOT, ROOT, run_coroutine

FIXTURES = ROOT / "tests" / "fixtures"


@cache
def shipped() -> dict[str, Source]:
    """The shipped watch list (sources.toml), by id."""
    sources, _problems = load_sources(ROOT / "sources.toml")
    return {s.id: s for s in sources}


def source(source_id: str, **changes: Any) -> Source:
    """A shipped source, optionally with options changed (say `follow = false`)."""
    base = shipped()[source_id]
    if not changes:
        return base
    return Source(**{**base.__dict__, "options": {**base.options, **changes}})


@cache
def _loader() -> SpiderLoader:
    return SpiderLoader.from_settings(Settings({"SPIDER_MODULES": ["spiders"]}))


def spider_for(src: Source, **settings: Any) -> scrapy.Spider:
    """The spider `monitor crawl` would build for this source, with its own fresh stats."""
    spider_cls = _loader().load(src.options.get("spider", src.kind))
    crawler = get_crawler(spider_cls, {"MONITOR_MAX_ITEMS_PER_SOURCE": 200, **settings})
    return spider_cls.from_crawler(crawler, source=src)


@cache
def _routes(root: Path) -> dict[str, dict[str, Any]]:
    return load_routes(root)


def snapshot_file(url: str, root: Path = DEMO_SNAPSHOT) -> tuple[Path, dict[str, Any]]:
    """The recorded file for a production URL, resolved as the snapshot server resolves it."""
    route = _routes(root).get(_key(url), {})
    relative = route.get("file") or _key(url).split("?")[0]
    relative = unquote(relative)
    path = root / relative
    if relative.endswith("/"):
        path = next(root / (relative + n) for n in ("index.html", "index.xml", "index.json")
                    if (root / (relative + n)).is_file())
    return path, route


def response(url: str, *, path: Path | None = None, content_type: str | None = None,
             status: int = 200, meta: dict[str, Any] | None = None,
             body: bytes | None = None) -> Response:
    """A Scrapy response for `url` with the body of its fixture (or `path`, or `body`)."""
    route: dict[str, Any] = {}
    if body is None:
        if path is None:
            path, route = snapshot_file(url)
        body = path.read_bytes()
    ctype = content_type or route.get("content_type") or _content_type(
        path or Path(urlsplit(url).path), body)
    headers = {"Content-Type": ctype}
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    request = Request(url, meta=dict(meta or {}))
    return cls(url=url, status=status, body=body, headers=headers, request=request)


@dataclass
class Parsed:
    """What one callback yielded, split the way the assertions need it."""

    spider: scrapy.Spider
    items: list[ArticleItem] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    @property
    def stats(self) -> dict[str, Any]:
        return self.spider.crawler.stats.get_stats()

    @property
    def urls(self) -> list[str]:
        """Article URLs handed on: items' URLs and article requests' URLs, in order."""
        return [i["url"] for i in self.items] + [r.url for r in self.requests
                                                  if r.meta.get("article")]

    @property
    def pages(self) -> list[str]:
        """Further source pages requested (pagination, sitemap children)."""
        return [r.url for r in self.requests if not r.meta.get("article")]

    @property
    def entries(self) -> list[dict[str, Any]]:
        """The feed/listing entries handed on, from items and article requests alike."""
        return [dict(i["feed"]) for i in self.items] + [dict(r.meta["entry"]) for r in
                                                         self.requests if "entry" in r.meta]


def collect(spider: scrapy.Spider, output: Iterable[Any] | None) -> Parsed:
    parsed = Parsed(spider)
    for value in output or ():
        if isinstance(value, Request):
            parsed.requests.append(value)
        elif isinstance(value, ArticleItem):
            parsed.items.append(value)
        else:
            raise AssertionError(f"callback yielded {value!r}")
    return parsed


def start_request(spider: scrapy.Spider) -> Request:
    """The spider's first request, from its own `start()` (URL, callback and meta)."""
    async def first() -> Request:
        async for request in spider.start():
            return request
        raise AssertionError(f"{spider.name} spider made no start request")

    return run_coroutine(first())


def parse_source(source_id: str, **changes: Any) -> Parsed:
    """Build the source's spider, and feed its start request's callback the recorded answer."""
    spider = spider_for(source(source_id, **changes))
    start = start_request(spider)
    return collect(spider, start.callback(response(start.url, meta=start.meta)))


def follow(parsed: Parsed, request: Request, *, path: Path | None = None,
           body: bytes | None = None, content_type: str | None = None) -> Parsed:
    """Feed a request the spider made (an article, a next page) its recorded answer."""
    answer = response(request.url, path=path, body=body, content_type=content_type,
                      meta=request.meta)
    return collect(parsed.spider, request.callback(answer))


def every_page(source_id: str, keys: tuple[str, ...] = ("title", "url", "published"),
               **changes: Any) -> list[tuple[Any, ...]]:
    """The entries of the source's first page and every page it goes on to (pagination,
    sitemap children), as tuples of `keys` sorted by URL, the way `stored` lists articles."""
    first = parse_source(source_id, **changes)
    found, waiting = [], [first]
    while waiting:
        parsed = waiting.pop()
        found += [{**entry, "url": url} for url, entry in zip(parsed.urls, parsed.entries,
                                                              strict=True)]
        waiting += [follow(parsed, r) for r in parsed.requests if not r.meta.get("article")]
    return sorted((tuple(e.get(k) for k in keys) for e in found), key=lambda row: row[
        keys.index("url")] if "url" in keys else row)
