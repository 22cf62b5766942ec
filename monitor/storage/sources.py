"""The sources table mirrors sources.toml so history and health can refer to a source."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, utcnow_iso

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
    with db.atomic():
        for source in sources:
            db["sources"].upsert(
                {
                    "id": source.id, "name": source.name, "kind": source.kind, "url": source.url,
                    "config": dumps(source.options), "updated_at": utcnow_iso(now),
                },
                pk="id",
            )


def record_source_crawl(db: sqlite_utils.Database, record: dict[str, Any]) -> int:
    """One row per source per crawl: what happened, how many items, which errors."""
    row = dict(record)
    row["errors"] = dumps(row.get("errors", []))
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
