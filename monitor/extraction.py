"""Turn a fetched page into clean article text and metadata (trafilatura does the hard part)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import trafilatura
from parsel import Selector


def extract(
    html: str,
    url: str,
    *,
    now: datetime,
    selectors: dict[str, str] | None = None,
    feed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Extract title, text, dates and language from a page.

    `selectors` are per-source CSS selectors (`body`, `title`, `date`) that win over trafilatura.
    `feed` is what the feed said about the entry (title, summary, published); it is the fallback
    when the page yields nothing. Returns a dict with keys: title, text, method, published,
    published_source, updated, updated_source, date_flags, language, sitename.
    """
    selectors = selectors or {}
    feed = feed or {}
    text = ""
    method = "trafilatura"
    meta = None
    if html:
        if selectors.get("body"):
            parts = Selector(text=html).css(selectors["body"]).css("::text").getall()
            text = " ".join(" ".join(parts).split())
            method = "selector"
        if not text:
            method = "trafilatura"
            text = trafilatura.extract(html, url=url, favor_precision=True) or ""
        meta = trafilatura.extract_metadata(html, default_url=url)
    if not text:
        text = feed.get("summary") or ""
        method = "feed-summary"
    title = (meta.title if meta and meta.title else None) or feed.get("title") or ""
    published = feed.get("published")
    published_source = "feed" if published else None
    if not published and meta and meta.date:
        published, published_source = meta.date, "page-meta"
    if not published:
        published, published_source = now.isoformat(), "first-seen"
    return {
        "title": title.strip(),
        "text": text.strip(),
        "method": method,
        "published": published,
        "published_source": published_source,
        "updated": None,
        "updated_source": None,
        "date_flags": [],
        "language": "es" if _looks_spanish(f"{title} {text}") else "en",
        "sitename": meta.sitename if meta else None,
    }


def _looks_spanish(text: str) -> bool:
    words = text.lower().split()
    stopwords = {"el", "la", "los", "las", "de", "que", "y", "en", "por", "para"}
    hits = sum(w in stopwords for w in words)
    return bool(words) and hits / len(words) > 0.12
