"""Before Scrapy starts: ask each source's first page whether it changed since the last pass.

Every spider starts with one conditional GET of the source's own URL and stops there on a 304
(`SourceSpider.not_modified`). An idle pass, where every source answers 304, still paid for
Scrapy: its import, a crawler per source and a robots.txt request per site, about twenty
times the cost of the 304s themselves (issue 16). This module sends those first requests
itself, with the validators, user agent and headers Scrapy would send, and only after the
site's stored robots.txt (`monitor.robots`) allows the URL. A source that answers 304 is done
(nothing to parse, as in the spider); every other outcome - 200, a redirect, an error, no
stored validators, no fresh robots.txt copy - leaves the source to Scrapy, which fetches it
as it always did (so retries, errors and health are Scrapy's, unchanged).

Requests to one site go one after another, `DOWNLOAD_DELAY` apart; sites are asked in
parallel (in snapshot mode too, where every request goes to the one loopback server). No
Scrapy import here.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from monitor import robots
from monitor.sources import KINDS, Source
from monitor.storage import sources as source_store

if TYPE_CHECKING:
    import sqlite_utils

# Scrapy's Accept-Encoding: a server that varies its ETag by encoding (Apache's "-gzip")
# compares the validator it gave Scrapy. The body of a 304 is empty, so nothing is decoded.
ACCEPT_ENCODING = "gzip, deflate, br, zstd"
MAX_TIMEOUT = 10.0  # seconds: a slow site falls through to Scrapy's own timeout and retries


@dataclass(frozen=True)
class Probe:
    """One source's first request: where it goes and what it sends."""

    source_id: str
    url: str  # the URL asked (the snapshot server's in snapshot mode)
    headers: dict[str, str]
    site: str = ""  # the source's own URL: the politeness delay is per site

    @property
    def host(self) -> str:
        """The site asked. In snapshot mode that is the production host, not the loopback
        server every source shares (which made the pass ask one source at a time)."""
        return urlsplit(self.site or self.url).netloc


@dataclass(frozen=True)
class ProbeSettings:
    user_agent: str
    headers: dict[str, str]
    timeout: float
    delay: float
    obey_robots: bool
    robots_max_age: float
    snapshot_base: str | None
    enabled: bool

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> ProbeSettings:
        """From the crawl's settings (monitor.settings, monitor.toml, the caller's overrides)."""
        return cls(
            user_agent=str(values.get("USER_AGENT") or ""),
            headers={str(k): str(v) for k, v in
                     (values.get("DEFAULT_REQUEST_HEADERS") or {}).items()},
            timeout=min(float(values.get("DOWNLOAD_TIMEOUT") or MAX_TIMEOUT), MAX_TIMEOUT),
            delay=float(values.get("DOWNLOAD_DELAY") or 0),
            obey_robots=_flag(values.get("ROBOTSTXT_OBEY", True)),
            robots_max_age=float(values.get("MONITOR_ROBOTS_MAX_AGE") or robots.MAX_AGE),
            snapshot_base=values.get("MONITOR_SNAPSHOT_BASE") or None,
            enabled=_flag(values.get("MONITOR_CONDITIONAL_GET", True)),
        )


def _flag(value: Any) -> bool:
    """A boolean setting as Scrapy reads one (monitor.toml may give "false" or 0)."""
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)


def plan(db: sqlite_utils.Database, sources: list[Source], settings: ProbeSettings,
         now: datetime) -> list[Probe]:
    """The sources whose first request can be asked here: a built-in spider, validators from
    the last clean crawl, and (when robots.txt is obeyed) a fresh stored copy allowing it."""
    if not settings.enabled:
        return []
    probes = []
    for source in sources:
        if source.options.get("spider", source.kind) not in KINDS:
            continue  # a custom spider may start elsewhere
        request_url = safe_url_string(source.url)  # as scrapy.Request escapes it
        cached = source_store.validators(db, request_url)
        if not cached or not (cached.get("etag") or cached.get("last_modified")):
            continue
        if settings.obey_robots:
            copy = source_store.robots_copy(db, robots.store_key(source.url,
                                                                 settings.snapshot_base))
            if not robots.is_fresh(copy, now, settings.robots_max_age) or not robots.allowed(
                    copy["body"], request_url, settings.user_agent):
                continue  # Scrapy fetches robots.txt (or reports the URL forbidden)
        headers = {**settings.headers, "User-Agent": settings.user_agent,
                   "Accept-Encoding": ACCEPT_ENCODING}
        if cached.get("etag"):
            headers["If-None-Match"] = cached["etag"]
        if cached.get("last_modified"):
            headers["If-Modified-Since"] = cached["last_modified"]
        url = request_url
        if settings.snapshot_base:
            from monitor.snapshot import rewritten_url

            url = rewritten_url(settings.snapshot_base, request_url)
        probes.append(Probe(source.id, url, headers, request_url))
    return probes


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is left to Scrapy (its middleware follows it with the conditional meta)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


def not_modified(probe: Probe, timeout: float) -> bool:
    """True only for a 304 answer; anything else (or any error) is False."""
    request = urllib.request.Request(probe.url, headers=probe.headers, method="GET")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status == 304
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code == 304
    except (OSError, ValueError):
        return False


def unchanged(probes: list[Probe], settings: ProbeSettings) -> set[str]:
    """Ask every probe; the ids of the sources that answered 304."""
    by_host: dict[str, list[Probe]] = {}
    for probe in probes:
        by_host.setdefault(probe.host, []).append(probe)

    def ask_host(queue: list[Probe]) -> list[str]:
        done = []
        for number, probe in enumerate(queue):
            if number and settings.delay:
                time.sleep(settings.delay)  # DOWNLOAD_DELAY between requests to one site
            if not_modified(probe, settings.timeout):
                done.append(probe.source_id)
        return done

    if not by_host:
        return set()
    with ThreadPoolExecutor(max_workers=min(8, len(by_host))) as pool:
        return {sid for ids in pool.map(ask_host, by_host.values()) for sid in ids}
