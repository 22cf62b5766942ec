"""Incidents: one story, many articles. `version` grows whenever an incident changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("incidents")


@migrations()
def m001_incidents(db: sqlite_utils.Database) -> None:
    db["incidents"].create(
        {
            "id": int, "title": str, "incident_type": str, "score": float, "facts": str,
            "why": str, "primary_article_id": int, "article_count": int, "first_seen": str,
            "last_seen": str, "updated_at": str, "version": int, "status": str,
        },
        pk="id",
        defaults={"version": 1, "status": "new", "article_count": 0},
    )
    db["incidents"].create_index(["updated_at"])


def decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    row["facts"] = loads(row.get("facts"), {})
    return row


def create_incident(
    db: sqlite_utils.Database, record: dict[str, Any], now: datetime | None = None
) -> int:
    stamp = utcnow_iso(now)
    row = {
        **record,
        "facts": dumps(record.get("facts", {})),
        "first_seen": stamp,
        "last_seen": stamp,
        "updated_at": stamp,
        "version": 1,
        "status": "new",
    }
    with db.atomic():
        return db["incidents"].insert(row).last_pk


def update_incident(
    db: sqlite_utils.Database, incident_id: int, changes: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Apply changes and bump the version so digests and drafts notice."""
    stamp = utcnow_iso(now)
    row = dict(changes)
    if "facts" in row:
        row["facts"] = dumps(row["facts"])
    with db.atomic():
        db.execute(
            "UPDATE incidents SET version = version + 1, status = 'updated', "
            "last_seen = ?, updated_at = ? WHERE id = ?",
            [stamp, stamp, incident_id],
        )
        if row:
            db["incidents"].update(incident_id, row)


def get_incident(db: sqlite_utils.Database, incident_id: int) -> dict[str, Any] | None:
    rows = list(db["incidents"].rows_where("id = ?", [incident_id]))
    return decode(rows[0]) if rows else None


def list_incidents(
    db: sqlite_utils.Database, *, since: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    where, params = ("updated_at > ?", [since]) if since else (None, [])
    return [
        decode(r)
        for r in db["incidents"].rows_where(
            where, params, order_by="updated_at DESC, id DESC", limit=limit
        )
    ]


def count(db: sqlite_utils.Database) -> int:
    return db["incidents"].count
