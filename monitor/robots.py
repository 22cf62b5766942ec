"""robots.txt kept between passes: one stored copy per site, used for up to 24 hours.

An idle pass used to fetch every site's robots.txt again (twice per source in snapshot mode,
64 of its 96 requests; issue 16). RFC 9309 section 2.4 lets a crawler cache robots.txt and
asks that it not use a cached copy for more than 24 hours: that is the freshness here
(`MONITOR_ROBOTS_MAX_AGE`). Within it the stored rules are applied exactly as freshly fetched
ones (the same Protego parser Scrapy uses); after it, or when no copy is stored, the file is
fetched again before the site's first request. Pure functions; storage is
`monitor.storage.sources`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from protego import Protego

MAX_AGE = 24 * 3600  # seconds; RFC 9309 2.4


def origin(url: str) -> str:
    """scheme://host[:port] of a URL: whose robots.txt governs it."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def store_key(url: str, snapshot_base: str | None = None) -> str:
    """The stored copy's key: the origin, and the snapshot server when one serves the site (so
    a snapshot's robots.txt is never applied to the real site, nor the other way round)."""
    key = origin(url)
    return f"{key} via {snapshot_base.rstrip('/')}" if snapshot_base else key


def is_fresh(copy: dict | None, now: datetime, max_age: float = MAX_AGE) -> bool:
    """A stored copy younger than `max_age` seconds (a copy dated in the future is not)."""
    if not copy or not copy.get("fetched_at"):
        return False
    try:
        fetched = datetime.fromisoformat(copy["fetched_at"])
    except ValueError:
        return False
    return timedelta(0) <= now - fetched <= timedelta(seconds=max_age)


def worth_storing(status: int) -> bool:
    """Keep an answer the site gave on purpose (2xx, 3xx, 4xx); a 5xx is asked again next pass."""
    return status < 500


def allowed(body: bytes, url: str, user_agent: str) -> bool:
    """Whether robots.txt `body` lets `user_agent` fetch `url` (decoded as Scrapy does)."""
    return Protego.parse(body.decode("utf-8-sig", errors="ignore")).can_fetch(url, user_agent)
