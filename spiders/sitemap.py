"""Google News sitemaps (`news:title`, `news:publication_date`) and sitemap indexes."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector
from scrapy.utils.gz import gunzip

from monitor.urls import is_http_url
from spiders import dates
from spiders.base import SourceSpider

DEFAULT_MAX_ITEMS = 100
DEFAULT_MAX_SITEMAPS = 3


def read_sitemap(body: bytes) -> tuple[str, list[dict[str, Any]]]:
    """("urlset" | "sitemapindex" | "", entries) from a sitemap document (gzip or not)."""
    if body[:2] == b"\x1f\x8b":
        body = gunzip(body)
    sel = Selector(body=body, type="xml")
    sel.remove_namespaces()
    root = sel.xpath("name(/*)").get() or ""
    if root == "sitemapindex":
        locs = [" ".join((x or "").split()) for x in sel.xpath("/sitemapindex/sitemap/loc/text()")
                .getall()]
        return root, [{"url": u} for u in locs if u]
    entries = []
    for node in sel.xpath("/urlset/url"):
        entries.append({
            "url": " ".join((node.xpath("loc/text()").get() or "").split()),
            "title": " ".join((node.xpath("news/title/text()").get() or "").split()),
            "published": (node.xpath("news/publication_date/text()").get() or "").strip(),
            "lastmod": (node.xpath("lastmod/text()").get() or "").strip(),
            "outlet": " ".join((node.xpath("news/publication/name/text()").get() or "").split()),
            "keywords": " ".join((node.xpath("news/keywords/text()").get() or "").split()),
        })
    return root, entries


class SitemapSpider(SourceSpider):
    name = "sitemap"

    @property
    def cfg(self) -> dict[str, Any]:
        return dict(self.source.options.get("sitemap", {}))

    async def start(self):
        yield self.page_request(self.source.url, self.parse_sitemap, depth=0)

    def parse_sitemap(self, response):
        if self.not_modified(response):
            return
        cfg = self.cfg
        try:
            root, entries = read_sitemap(response.body)
        except (OSError, ValueError) as exc:
            self.fail(response.url, f"sitemap not readable: {exc}")
            return
        if root == "sitemapindex":
            if response.meta.get("depth", 0) > 0:
                return
            for child in entries[: int(cfg.get("max_sitemaps", DEFAULT_MAX_SITEMAPS))]:
                if is_http_url(child["url"]):
                    yield self.page_request(child["url"], self.parse_sitemap, depth=1)
            return
        if root != "urlset":
            kind = "HTML page" if b"<html" in response.body[:2048].lower() else "document"
            self.anomaly("not-sitemap", f"{response.url} returned an {kind}, not a sitemap")
            self.fail(response.url, f"not a sitemap (root element {root or 'none'!r})")
            return
        pattern = re.compile(cfg["include"], re.I) if cfg.get("include") else None
        chosen = []
        for raw in entries:
            if not is_http_url(raw["url"]):
                self.problem(response.url, f"entry without an http(s) <loc>: {raw['url']!r}")
                continue
            if pattern and not (pattern.search(raw["url"]) or pattern.search(raw["title"])
                                or pattern.search(raw["keywords"])):
                continue
            published = dates.parse_date(raw["published"] or raw["lastmod"],
                                         tz=self.source.options.get("timezone"))
            if (raw["published"] or raw["lastmod"]) and not published:
                self.problem(raw["url"], f"date {raw['published'] or raw['lastmod']!r} "
                                         "not readable")
            self.check_date(published, raw["url"])
            chosen.append({"url": raw["url"], "title": raw["title"], "summary": "",
                           "published": published, "updated": None,
                           "outlet": raw["outlet"] or None})
        chosen.sort(key=lambda e: e["published"] or "", reverse=True)
        chosen = chosen[: int(cfg.get("max_items", DEFAULT_MAX_ITEMS))]
        self.saw(len(chosen))
        known = self.known([e["url"] for e in chosen])
        follow = self.source.options.get("follow", True)
        for entry in self.within_cap([e for e in chosen if e["url"] not in known]):
            yield self.follow_or_item(entry["url"], entry, follow=follow)
