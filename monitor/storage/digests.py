"""Digests: what each recipient was sent, so nothing is missed and nothing is sent twice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("digests")


@migrations()
def m001_digests(db: sqlite_utils.Database) -> None:
    db["digests"].create(
        {
            "id": int, "recipient": str, "created_at": str, "sent_at": str, "status": str,
            "subject": str, "message_id": str, "error": str, "items": str, "attempts": int,
        },
        pk="id",
        defaults={"status": "pending", "attempts": 0},
    )
    db["digest_items"].create(
        {"id": int, "digest_id": int, "recipient": str, "incident_id": int,
         "incident_version": int},
        pk="id",
        foreign_keys=[("digest_id", "digests", "id")],
    )
    db["digest_items"].create_index(["recipient", "incident_id"])


def last_sent_versions(db: sqlite_utils.Database, recipient: str) -> dict[int, int]:
    """For one recipient: the newest incident version that reached them in a sent digest."""
    rows = db.execute(
        """SELECT i.incident_id, MAX(i.incident_version) FROM digest_items i
           JOIN digests d ON d.id = i.digest_id
           WHERE i.recipient = ? AND d.status = 'sent' GROUP BY i.incident_id""",
        [recipient],
    ).fetchall()
    return dict(rows)


def last_sent_at(db: sqlite_utils.Database, recipient: str) -> str | None:
    row = db.execute(
        "SELECT MAX(sent_at) FROM digests WHERE recipient = ? AND status = 'sent'", [recipient]
    ).fetchone()
    return row[0]


def record_digest(
    db: sqlite_utils.Database, recipient: str, subject: str, items: list[dict[str, Any]],
    *, status: str, message_id: str | None = None, error: str | None = None,
    now: datetime | None = None,
) -> int:
    """Record an attempt; only status 'sent' marks its incidents as delivered."""
    stamp = utcnow_iso(now)
    with db.atomic():
        digest_id = db["digests"].insert(
            {
                "recipient": recipient, "created_at": stamp,
                "sent_at": stamp if status == "sent" else None, "status": status,
                "subject": subject, "message_id": message_id, "error": error,
                "items": dumps(items), "attempts": 1,
            }
        ).last_pk
        db["digest_items"].insert_all(
            {"digest_id": digest_id, "recipient": recipient, "incident_id": item["incident_id"],
             "incident_version": item["incident_version"]}
            for item in items
        )
        return digest_id


def list_digests(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    where, params = ("status = ?", [status]) if status else (None, [])
    rows = db["digests"].rows_where(where, params, order_by="id")
    return [{**r, "items": loads(r["items"], [])} for r in rows]
