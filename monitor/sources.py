"""Sources are data: `sources.toml` lists what we watch, one [[source]] table each."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.urls import is_http_url

KINDS = {"feed", "listing", "api", "sitemap"}


class SourcesError(Exception):
    """The sources file cannot be used at all (missing, unreadable, not TOML)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one source, named by id and field."""

    source_id: str
    field: str
    message: str
    severity: str = "error"  # "error": the source is skipped; "warning": it still runs

    def __str__(self) -> str:
        return f"{self.source_id}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    kind: str
    url: str
    interval_minutes: int = 60
    language: str | None = None
    enabled: bool = True
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def selectors(self) -> dict[str, str]:
        """Per-source CSS/XPath selectors (article body, listing item, ...)."""
        return dict(self.options.get("selectors", {}))


COMMON_KEYS = {"id", "name", "kind", "url", "interval_minutes", "language", "enabled"}

# Keys any kind may carry besides COMMON_KEYS, and the keys of each kind (README "Sources").
SHARED_OPTIONS = {"timezone", "follow", "spider", "selectors", "expected_cadence_hours"}
KIND_OPTIONS = {
    "feed": {"max_items", "google_news"},
    "listing": {"listing"},
    "api": {"api"},
    "sitemap": {"sitemap"},
}
ARTICLE_SELECTOR_KEYS = {"body", "title", "date", "date_format"}
LISTING_KEYS = {"item", "link", "title", "date", "date_parts", "date_format", "teaser",
                "next_page", "page_param", "page_start", "max_pages"}
LISTING_SELECTORS = ("item", "link", "title", "date", "teaser", "next_page")
API_KEYS = {"results", "key", "title", "url", "date", "date_format", "text", "outlet", "next",
            "max_pages"}
SITEMAP_KEYS = {"include", "max_items", "max_sitemaps"}


def is_xpath(expr: str) -> bool:
    """Selectors starting with /, ./, ( or xpath: are XPath; anything else is CSS."""
    return expr.startswith(("/", "./", "(", "xpath:"))


def selector_error(expr: Any) -> str | None:
    """Why a CSS/XPath selector cannot be used, or None when it compiles."""
    from cssselect import SelectorError
    from lxml.etree import XPathError
    from parsel import Selector
    from parsel.csstranslator import HTMLTranslator

    if not isinstance(expr, str) or not expr.strip():
        return "empty selector"
    try:
        if is_xpath(expr):
            Selector(text="<html></html>").xpath(expr.removeprefix("xpath:"))
        else:
            HTMLTranslator().css_to_xpath(expr)
    except (SelectorError, XPathError, ValueError) as exc:
        kind = "XPath" if is_xpath(expr) else "CSS"
        return f"{kind} selector {expr!r} does not parse: {exc}"
    return None


def date_format_error(fmt: Any) -> str | None:
    """Why a strptime format is unusable (a directive Python does not know), or None."""
    if not isinstance(fmt, str) or not fmt:
        return "must be a non-empty strptime format"
    try:
        datetime.strptime(datetime(2026, 8, 7, 13, 5, 9).strftime(fmt), fmt)
    except ValueError as exc:
        return f"strptime format {fmt!r} is unusable: {exc}"
    return None


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def check_options(sid: str, entry: dict[str, Any]) -> list[Problem]:
    """Kind-specific keys: unknown keys (warnings), selectors, formats, numbers (errors)."""
    kind = entry.get("kind")
    problems: list[Problem] = []
    if kind not in KINDS:
        return problems
    allowed = COMMON_KEYS | SHARED_OPTIONS | KIND_OPTIONS[kind]
    for key in sorted(set(entry) - allowed):
        problems.append(Problem(sid, key, f"unknown key for kind {kind!r}; known: "
                                          f"{', '.join(sorted(allowed - COMMON_KEYS))}",
                                "warning"))
    if "timezone" in entry:
        try:
            ZoneInfo(str(entry["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(Problem(sid, "timezone", f"unknown timezone {entry['timezone']!r}"))
    if "expected_cadence_hours" in entry:
        value = entry["expected_cadence_hours"]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            problems.append(Problem(sid, "expected_cadence_hours", "must be a positive number"))
    for key in ("follow", "google_news"):
        if key in entry and not isinstance(entry[key], bool):
            problems.append(Problem(sid, key, "must be true or false"))
    if "max_items" in entry and not _positive_int(entry["max_items"]):
        problems.append(Problem(sid, "max_items", "must be a positive whole number"))
    problems += _check_table(sid, entry, "selectors", ARTICLE_SELECTOR_KEYS,
                             ("body", "title", "date"), required=())
    if kind == "listing":
        if "listing" not in entry:
            problems.append(Problem(sid, "listing", "missing: a listing needs at least "
                                                    "listing.item"))
        else:
            problems += _check_table(sid, entry, "listing", LISTING_KEYS, LISTING_SELECTORS,
                                     required=("item",))
    if kind == "api":
        problems += _check_table(sid, entry, "api", API_KEYS, (), required=())
    if kind == "sitemap":
        problems += _check_table(sid, entry, "sitemap", SITEMAP_KEYS, (), required=())
    return problems


def _check_table(sid: str, entry: dict[str, Any], name: str, keys: set[str],
                 selector_keys: tuple[str, ...], required: tuple[str, ...]) -> list[Problem]:
    if name not in entry:
        return []
    table = entry[name]
    if not isinstance(table, dict):
        return [Problem(sid, name, "must be a table")]
    problems = []
    for key in sorted(set(table) - keys):
        problems.append(Problem(sid, f"{name}.{key}", f"unknown key; known: "
                                                      f"{', '.join(sorted(keys))}", "warning"))
    for key in required:
        if not table.get(key):
            problems.append(Problem(sid, f"{name}.{key}", "missing"))
    for key in selector_keys:
        if key in table and (error := selector_error(table[key])):
            problems.append(Problem(sid, f"{name}.{key}", error))
    if "date_parts" in table:
        parts = table["date_parts"]
        if not isinstance(parts, list) or not parts:
            problems.append(Problem(sid, f"{name}.date_parts", "must be a list of selectors"))
        else:
            for number, expr in enumerate(parts, 1):
                if error := selector_error(expr):
                    problems.append(Problem(sid, f"{name}.date_parts[{number}]", error))
    if "date_format" in table and (error := date_format_error(table["date_format"])):
        problems.append(Problem(sid, f"{name}.date_format", error))
    for key in ("max_pages", "max_items", "max_sitemaps"):
        if key in table and not _positive_int(table[key]):
            problems.append(Problem(sid, f"{name}.{key}", "must be a positive whole number"))
    if "page_start" in table and not isinstance(table["page_start"], int):
        problems.append(Problem(sid, f"{name}.page_start", "must be a whole number"))
    if "include" in table:
        try:
            re.compile(str(table["include"]))
        except re.error as exc:
            problems.append(Problem(sid, f"{name}.include", f"not a regular expression: {exc}"))
    for key in sorted(set(table) & {"results", "key", "title", "url", "date", "text", "outlet",
                                    "next", "page_param"} - set(selector_keys)):
        if not isinstance(table[key], str):
            problems.append(Problem(sid, f"{name}.{key}", "must be a string"))
    return problems


def read_sources_file(path: Path) -> list[dict[str, Any]]:
    """The raw [[source]] tables; raises SourcesError when the file itself is unusable."""
    if not path.exists():
        raise SourcesError(f"sources file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourcesError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SourcesError(f"{path}: cannot read: {exc}") from None
    entries = data.get("source", [])
    if not isinstance(entries, list):
        raise SourcesError(f"{path}: expected [[source]] tables")
    return entries


SOURCE_ID = re.compile(r"(?!.*\.\.)[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_entry(entry: dict[str, Any], index: int, seen: set[str]) -> list[Problem]:
    """Every problem with one [[source]] table (empty list when it is usable)."""
    sid = str(entry.get("id") or f"#{index + 1}")
    problems = []
    if not entry.get("id"):
        problems.append(Problem(sid, "id", "missing"))
    elif not isinstance(entry["id"], str) or not SOURCE_ID.fullmatch(entry["id"]):
        # Ids name database rows, `--source ID`, log lines and table columns: a "/", ".." or a
        # newline would let one id pose as a path or forge a line of the health table.
        problems.append(Problem(sid.encode("unicode_escape").decode("ascii")[:60], "id",
                                "must be letters, digits, '-', '_' or '.' (no '/', '..', "
                                "spaces or control characters), at most 100 characters"))
    elif sid in seen:
        problems.append(Problem(sid, "id", "duplicate id"))
    if entry.get("kind") not in KINDS:
        problems.append(
            Problem(sid, "kind", f"unknown kind {entry.get('kind')!r}; use one of {sorted(KINDS)}")
        )
    if not entry.get("url"):
        problems.append(Problem(sid, "url", "missing"))
    elif not is_http_url(str(entry["url"])):
        problems.append(Problem(sid, "url", f"not an http(s) URL: {entry['url']!r}"))
    interval = entry.get("interval_minutes", 60)
    if not _positive_int(interval):
        problems.append(Problem(sid, "interval_minutes", "must be a positive whole number"))
    problems += check_options(sid, entry)
    return problems


def load_sources(path: Path) -> tuple[list[Source], list[Problem]]:
    """Usable sources and the problems of the rest: one bad line never disables the others."""
    sources: list[Source] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, entry in enumerate(read_sources_file(path)):
        entry_problems = check_entry(entry, index, seen)
        problems.extend(entry_problems)
        if entry.get("id"):
            seen.add(str(entry["id"]))
        if any(p.severity == "error" for p in entry_problems):
            continue
        options = {k: v for k, v in entry.items() if k not in COMMON_KEYS}
        sources.append(
            Source(
                id=str(entry["id"]),
                name=str(entry.get("name") or entry["id"]),
                kind=entry["kind"],
                url=str(entry["url"]),
                interval_minutes=entry.get("interval_minutes", 60),
                language=entry.get("language"),
                enabled=bool(entry.get("enabled", True)),
                options=options,
            )
        )
    return sources, problems


def select(sources: list[Source], ids: list[str] | None) -> list[Source]:
    """The sources named by id (all enabled ones when none named); unknown ids are an error."""
    if not ids:
        return [s for s in sources if s.enabled]
    by_id = {s.id: s for s in sources}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise SourcesError(f"unknown source id: {', '.join(unknown)}")
    return [by_id[i] for i in ids]
