"""JSON APIs; the defaults read the Federal Register documents API.

[source.api] names where the result list is and which field holds the key, title, URL, date and
text (dotted paths such as `agency.name`), and the field with the next page's URL (cursor
pagination). An answer without a result list is an empty page, not an error.
"""

from __future__ import annotations

import json
from typing import Any

from monitor.urls import is_http_url
from spiders import dates
from spiders.base import SourceSpider

# The Federal Register API: /api/v1/documents.json?conditions[agencies][]=...&order=newest
DEFAULTS: dict[str, Any] = {
    "results": "results",
    "key": "document_number",
    "title": "title",
    "url": "html_url",
    "date": "publication_date",
    "text": "abstract",
    "next": "next_page_url",
    "outlet": None,
    "date_format": None,
    "max_pages": 2,
}


def field(record: Any, path: str | None) -> Any:
    """The value at a dotted path (`a.b.0.c`), or None when any step is missing."""
    if not path:
        return None
    value = record
    for step in path.split("."):
        if isinstance(value, dict):
            value = value.get(step)
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            return None
    return value


class ApiSpider(SourceSpider):
    name = "api"

    @property
    def cfg(self) -> dict[str, Any]:
        return {**DEFAULTS, **self.source.options.get("api", {})}

    async def start(self):
        yield self.page_request(self.source.url, self.parse_page, page=1)

    def parse_page(self, response):
        if self.not_modified(response):
            return
        cfg = self.cfg
        try:
            data = json.loads(response.body)
        except ValueError as exc:
            looks_html = response.body.lstrip()[:1] == b"<"
            if looks_html:
                self.anomaly("not-json", f"{response.url} returned HTML instead of JSON")
            self.fail(response.url, f"API answer is not JSON: {exc}")
            return
        records = field(data, cfg["results"]) if cfg["results"] else data
        if records is None:
            records = []  # the Federal Register leaves `results` out of an empty answer
        if not isinstance(records, list):
            self.fail(response.url, f"{cfg['results']!r} is not a list")
            return
        entries = [e for e in (self.read_record(r, response.url) for r in records) if e]
        self.saw(len(entries))
        known = self.known([e["url"] for e in entries])
        fresh = [e for e in entries if e["url"] not in known]
        follow = self.source.options.get("follow", False)
        admitted = self.within_cap(fresh)
        for entry in admitted:
            if follow:
                yield self.article_request(entry["url"], entry)
            else:
                yield self.make_item(entry, entry["url"], {"original_url": entry["url"]},
                                     html=None)
        page = response.meta.get("page", 1)
        if (entries and not fresh) or len(admitted) < len(fresh):
            return  # all known, or over the cap (the next pass carries on)
        next_url = field(data, cfg["next"]) if cfg["next"] else None
        if next_url and page < int(cfg["max_pages"]) and is_http_url(str(next_url)):
            yield self.page_request(str(next_url), self.parse_page, page=page + 1)

    def read_record(self, record: Any, page_url: str) -> dict[str, Any] | None:
        cfg = self.cfg
        key = field(record, cfg["key"])
        url = field(record, cfg["url"])
        if not url or not is_http_url(str(url)):
            self.problem(page_url, f"record {key!r} has no http(s) {cfg['url']!r}")
            return None
        raw_date = field(record, cfg["date"])
        published = dates.parse_date(str(raw_date), cfg["date_format"],
                                     self.source.options.get("timezone")) if raw_date else None
        if raw_date and not published:
            self.problem(str(url), f"date {raw_date!r} not readable")
        self.check_date(published, str(url))
        text = field(record, cfg["text"])
        return {
            "key": str(key) if key is not None else None,
            "url": str(url),
            "title": str(field(record, cfg["title"]) or "").strip(),
            "summary": str(text or "").strip(),
            "published": published,
            "updated": None,
            "outlet": field(record, cfg["outlet"]) if cfg["outlet"] else None,
        }
