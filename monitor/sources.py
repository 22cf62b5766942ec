"""Sources are data: `sources.toml` lists what we watch, one [[source]] table each."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


def check_entry(entry: dict[str, Any], index: int, seen: set[str]) -> list[Problem]:
    """Every problem with one [[source]] table (empty list when it is usable)."""
    sid = str(entry.get("id") or f"#{index + 1}")
    problems = []
    if not entry.get("id"):
        problems.append(Problem(sid, "id", "missing"))
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
    if not isinstance(interval, int) or interval <= 0:
        problems.append(Problem(sid, "interval_minutes", "must be a positive whole number"))
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
        if entry_problems:
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
