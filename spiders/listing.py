"""HTML listing pages (agency newsrooms, report tables): selectors from sources.toml.

[source.listing] names the item, link, title, date (or date_parts), teaser and how to reach the
next page; the spider stops paginating at `max_pages` or at the first page whose items are all
already stored, then follows each new item to its article page.
"""

from __future__ import annotations

from typing import Any

from w3lib.url import add_or_replace_parameter

from monitor.urls import is_http_url
from spiders import dates
from spiders.base import SourceSpider
from spiders.selectors import first_link, first_text, select, texts

DEFAULT_MAX_PAGES = 3


class ListingSpider(SourceSpider):
    name = "listing"

    @property
    def cfg(self) -> dict[str, Any]:
        return dict(self.source.options.get("listing", {}))

    async def start(self):
        yield self.page_request(self.source.url, self.parse_listing, page=1)

    def parse_listing(self, response):
        if self.not_modified(response):
            return
        cfg = self.cfg
        if not hasattr(response, "text"):
            self.anomaly("not-html", f"{response.url} did not return an HTML page")
            self.fail(response.url, "listing URL did not return an HTML page")
            return
        nodes = select(response, cfg["item"])
        if not nodes:
            self.anomaly("selector-empty", f"item selector {cfg['item']!r} matches nothing "
                                           f"on {response.url}")
            return
        entries = [e for e in (self.read_item(node, response) for node in nodes) if e]
        self.saw(len(entries))
        if cfg.get("date") or cfg.get("date_parts"):
            if entries and not any(e.get("raw_date") for e in entries):
                self.anomaly("selector-empty", f"date selector matches nothing on {response.url}")
        known = self.known([e["url"] for e in entries])
        fresh = [e for e in entries if e["url"] not in known]
        follow = self.source.options.get("follow", True)
        admitted = self.within_cap(fresh)
        for entry in admitted:
            yield self.follow_or_item(entry["url"], entry, follow=follow)
        if len(admitted) < len(fresh):
            return  # over the cap: the next pass carries on from here
        page = response.meta.get("page", 1)
        if entries and not fresh:
            self.logger.info("source %s: page %d has only known items; stop", self.source.id, page)
            return
        if page >= int(cfg.get("max_pages", DEFAULT_MAX_PAGES)):
            return
        next_url = self.next_page(response, page)
        if next_url:
            yield self.page_request(next_url, self.parse_listing, page=page + 1)

    def read_item(self, node, response) -> dict[str, Any] | None:
        cfg = self.cfg
        link = first_link(node, cfg.get("link", "a"))
        if not link:
            self.problem(response.url, f"item without a link (selector {cfg.get('link', 'a')!r})")
            return None
        url = response.urljoin(link)
        if not is_http_url(url):
            self.problem(response.url, f"item link is not http(s): {link!r}")
            return None
        title = first_text(node, cfg.get("title")) or first_text(node, cfg.get("link", "a")) or ""
        entry: dict[str, Any] = {
            "url": url,
            "title": title,
            "summary": " ".join(texts(node, cfg.get("teaser"))),
            "published": None,
            "updated": None,
            "outlet": None,
        }
        raw_date = self.raw_date(node)
        entry["raw_date"] = raw_date
        if raw_date:
            entry["published"] = dates.parse_date(
                raw_date, cfg.get("date_format"), self.source.options.get("timezone"))
            if entry["published"] is None:
                self.problem(url, f"date {raw_date!r} not readable"
                                  + (f" with format {cfg['date_format']!r}"
                                     if cfg.get("date_format") else ""))
            self.check_date(entry["published"], url)
        return entry

    def raw_date(self, node) -> str | None:
        cfg = self.cfg
        if cfg.get("date_parts"):
            parts = [first_text(node, expr) for expr in cfg["date_parts"]]
            return " ".join(p for p in parts if p) or None
        return first_text(node, cfg.get("date"))

    def next_page(self, response, page: int) -> str | None:
        cfg = self.cfg
        if cfg.get("next_page"):
            link = first_link(response, cfg["next_page"])
            return response.urljoin(link) if link else None
        if cfg.get("page_param"):
            number = int(cfg.get("page_start", 1)) + page - 1
            return add_or_replace_parameter(self.source.url, cfg["page_param"], str(number))
        return None
