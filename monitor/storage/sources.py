"""The sources table mirrors sources.toml so history and health can refer to a source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("sources")


@migrations()
def m001_sources(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {"id": str, "name": str, "kind": str, "url": str, "config": str, "updated_at": str},
        pk="id",
    )
    db["source_crawls"].create(
        {
            "id": int, "run_id": int, "source_id": str, "started_at": str, "finished_at": str,
            "status": str, "items_seen": int, "new_items": int, "errors": str,
        },
        pk="id",
    )
    db["source_crawls"].create_index(["source_id", "started_at"])


def sync_sources(
    db: sqlite_utils.Database, sources: list[Any], now: datetime | None = None
) -> None:
    """Record the current definition of each source (kept even if it later leaves the file)."""
    if not sources:
        return
    with db.atomic():  # one statement for all: upsert() per row re-reads the schema each time
        db["sources"].upsert_all(
            [{"id": source.id, "name": source.name, "kind": source.kind, "url": source.url,
              "config": dumps(source.options), "updated_at": utcnow_iso(now)}
             for source in sources],
            pk="id",
        )


def record_source_crawl(db: sqlite_utils.Database, record: dict[str, Any]) -> int:
    """One row per source per crawl: what happened, how many items, which errors."""
    row = dict(record)
    for key in CRAWL_JSON_FIELDS:
        if key in row or key == "errors":
            row[key] = dumps(row.get(key, []))
    with db.atomic():
        return db["source_crawls"].insert(row).last_pk


def latest_crawls(db: sqlite_utils.Database) -> list[dict]:
    """The most recent crawl of each source."""
    return list(
        db.query(
            """SELECT c.* FROM source_crawls c
               JOIN (SELECT source_id, MAX(id) AS id FROM source_crawls GROUP BY source_id) m
               ON c.id = m.id ORDER BY c.source_id"""
        )
    )


@migrations()
def m002_http_cache_and_health(db: sqlite_utils.Database) -> None:
    """Conditional GET validators per URL; richer per-crawl records; health kept per source."""
    db["http_cache"].create(
        {"url": str, "source_id": str, "etag": str, "last_modified": str, "updated_at": str},
        pk="url",
    )
    db["source_crawls"].add_column("http_errors", str)
    db["source_crawls"].add_column("parse_problems", str)
    db["source_crawls"].add_column("anomalies", str)
    db["source_crawls"].add_column("not_modified", int)
    for column, kind in (
        ("health_state", str), ("health_reasons", str), ("consecutive_failures", int),
        ("last_success", str), ("last_new_item", str), ("health_checked_at", str),
    ):
        db["sources"].add_column(column, kind)


@migrations()
def m003_newest_item(db: sqlite_utils.Database) -> None:
    """The newest publication date a source listed in a crawl: silence is judged on it."""
    db["source_crawls"].add_column("newest_item", str)


@migrations()
def m004_robots_txt(db: sqlite_utils.Database) -> None:
    """A stored copy of each site's robots.txt, so a pass does not fetch it again (issue 16)."""
    db["robots_txt"].create(
        {"origin": str, "status": int, "body": bytes, "fetched_at": str}, pk="origin",
    )


def robots_copy(db: sqlite_utils.Database, origin: str) -> dict[str, Any] | None:
    """The stored robots.txt of `origin` (scheme://host[:port]) with its fetch time, or None."""
    rows = list(db["robots_txt"].rows_where("origin = ?", [origin]))
    return rows[0] if rows else None


def save_robots(db: sqlite_utils.Database, origin: str, status: int, body: bytes,
                now: datetime | None = None) -> None:
    """Remember a robots.txt answer (the body as served) and when it was fetched."""
    db["robots_txt"].upsert({"origin": origin, "status": status, "body": body,
                             "fetched_at": utcnow_iso(now)}, pk="origin")


CRAWL_JSON_FIELDS = ("errors", "http_errors", "parse_problems", "anomalies")


def validators(db: sqlite_utils.Database, url: str) -> dict[str, Any] | None:
    """The ETag / Last-Modified last seen for this URL, or None."""
    rows = list(db["http_cache"].rows_where("url = ?", [url]))
    return rows[0] if rows else None


def save_validators(
    db: sqlite_utils.Database, entries: list[dict[str, Any]], now: datetime | None = None
) -> None:
    """Remember validators (url, source_id, etag, last_modified) after a successful crawl."""
    if not entries:
        return
    stamp = utcnow_iso(now)
    with db.atomic():
        db["http_cache"].upsert_all(
            [{**e, "updated_at": stamp} for e in entries], pk="url",
        )


def crawl_history(
    db: sqlite_utils.Database, source_id: str, limit: int = 100
) -> list[dict[str, Any]]:
    """A source's crawls, newest first, JSON columns decoded (the input of monitor.health)."""
    rows = db.execute(
        "SELECT * FROM source_crawls WHERE source_id = ? ORDER BY id DESC LIMIT ?",
        [source_id, limit],
    )
    columns = [c[0] for c in rows.description]
    history = []
    for values in rows.fetchall():
        row = dict(zip(columns, values, strict=True))
        for key in CRAWL_JSON_FIELDS:
            row[key] = loads(row.get(key), [])
        history.append(row)
    return history


def crawl_marks(db: sqlite_utils.Database, source_id: str) -> dict[str, Any]:
    """Facts over a source's whole crawl history that silence is judged on (`crawl_history`
    keeps only the latest crawls): newest entry date listed, last crawl with a new item, first
    crawl."""
    row = db.execute(
        """SELECT MAX(newest_item),
                  MAX(CASE WHEN new_items > 0 THEN COALESCE(finished_at, started_at) END),
                  MIN(started_at)
           FROM source_crawls WHERE source_id = ?""", [source_id],
    ).fetchone()
    return {"newest_item": row[0], "last_new_crawl": row[1], "first_crawl": row[2]}


def crawled_sources(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Each source with a crawl on record: id, name and options (from its last definition)."""
    rows = db.execute(
        """SELECT c.source_id, s.name, s.config FROM
             (SELECT DISTINCT source_id FROM source_crawls) c
           LEFT JOIN sources s ON s.id = c.source_id ORDER BY c.source_id"""
    ).fetchall()
    found = []
    for sid, name, config in rows:
        options = loads(config, {})
        found.append({"id": sid, "name": name or sid,
                      "options": options if isinstance(options, dict) else {}})
    return found


def update_health(db: sqlite_utils.Database, source_id: str, health: dict[str, Any]) -> None:
    """Keep the latest computed health on the source row (for status pages and digests)."""
    row = dict(health)
    row["health_reasons"] = dumps(row.get("health_reasons", []))
    with db.atomic():
        if db["sources"].count_where("id = ?", [source_id]):
            db["sources"].update(source_id, row)


def known_sources(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(db["sources"].rows_where(order_by="id"))
