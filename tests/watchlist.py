"""Helpers for the watch-list tests: crawl shipped sources from the bundled demo snapshot."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.snapshot import serve_snapshot
from monitor.sources import load_sources
from monitor.storage import open_db
from tests.conftest import DEMO_SNAPSHOT, ROOT, run_cli, write_config

SOURCES_FILE = ROOT / "sources.toml"


def shipped_sources():
    """The sources of the shipped watch list (all of them, enabled or not)."""
    sources, _problems = load_sources(SOURCES_FILE)
    return sources


def crawl_sources(folder: Path, *source_ids: str) -> dict[str, Any]:
    """Crawl the named sources (all enabled ones when none) over HTTP from the demo snapshot.

    Returns the CLI result, the snapshot server's request log and the config path.
    """
    config = write_config(folder)
    args = ["crawl"]
    for sid in source_ids:
        args += ["--source", sid]
    with serve_snapshot(DEMO_SNAPSHOT) as (base, state):
        result = run_cli(*args, "--snapshot", base, config=config)
        log = list(state.log)
    assert result.returncode == 0, result.stderr[-2000:]
    return {"result": result, "log": log, "config": config}


def utc(iso: str | None) -> str | None:
    """An ISO 8601 time with an offset as the same instant in UTC; anything else unchanged.

    Dates are compared as instants: "2026-11-22T14:30:00-05:00" from a page and
    "2026-11-22T19:30:00+00:00" from a feed are the same publication time. A date without an
    offset is returned as it is, so it can never equal an expected instant.
    """
    try:
        parsed = datetime.fromisoformat(iso) if iso else None
    except ValueError:
        return iso
    if parsed is None or parsed.tzinfo is None:
        return iso
    return parsed.astimezone(UTC).isoformat()


def stored(config: Path, source_id: str | None = None,
           keys: tuple[str, ...] = ("title", "url", "published", "source_id")) -> list[tuple]:
    """Stored articles as tuples of `keys`, ordered by URL (optionally of one source).

    `published` comes back as a UTC instant (see `utc`); compare it with `utc(expected)`.
    """
    db = open_db(config.parent / "monitor.db")
    where, params = ("source_id = ?", [source_id]) if source_id else (None, [])
    rows = [tuple(utc(r[k]) if k == "published" else r[k] for k in keys)
            for r in db["articles"].rows_where(where, params, order_by="url")]
    db.close()
    return rows


def crawl_records(config: Path) -> dict[str, dict[str, Any]]:
    """The latest source_crawls row per source id, JSON columns decoded."""
    db = open_db(config.parent / "monitor.db")
    records = {}
    for row in db["source_crawls"].rows_where(order_by="id"):
        for key in ("errors", "http_errors", "parse_problems", "anomalies"):
            if isinstance(row.get(key), str):
                row[key] = json.loads(row[key])
        records[row["source_id"]] = row
    db.close()
    return records
