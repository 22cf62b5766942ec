"""Drafts: one per incident, with versions, review state and an audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("drafts")

STATES = ("pending", "approved", "rejected")


@migrations()
def m001_drafts(db: sqlite_utils.Database) -> None:
    db["drafts"].create(
        {
            "id": int, "incident_id": int, "path": str, "version": int,
            "incident_version": int, "status": str, "generated_hash": str, "title": str,
            "created_at": str, "updated_at": str, "reviewer": str, "reviewed_at": str,
            "note": str, "flags": str, "privacy": str,
        },
        pk="id",
        foreign_keys=[("incident_id", "incidents", "id")],
        defaults={"status": "pending", "version": 1},
    )
    db["drafts"].create_index(["incident_id"], unique=True)
    db["draft_events"].create(
        {"id": int, "draft_id": int, "at": str, "action": str, "actor": str, "note": str,
         "detail": str},
        pk="id",
        foreign_keys=[("draft_id", "drafts", "id")],
    )


def decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    row["flags"] = loads(row.get("flags"), [])
    row["privacy"] = loads(row.get("privacy"), [])
    return row


def draft_for_incident(db: sqlite_utils.Database, incident_id: int) -> dict[str, Any] | None:
    rows = list(db["drafts"].rows_where("incident_id = ?", [incident_id]))
    return decode(rows[0]) if rows else None


def get_draft(db: sqlite_utils.Database, draft_id: int) -> dict[str, Any] | None:
    rows = list(db["drafts"].rows_where("id = ?", [draft_id]))
    return decode(rows[0]) if rows else None


def save_draft(
    db: sqlite_utils.Database, record: dict[str, Any], *, actor: str = "monitor",
    action: str = "generated", now: datetime | None = None,
) -> int:
    """Insert or update the draft row for an incident and log the event, in one transaction."""
    stamp = utcnow_iso(now)
    row = dict(record)
    for key in ("flags", "privacy"):
        if key in row:
            row[key] = dumps(row[key])
    with db.atomic():
        existing = draft_for_incident(db, row["incident_id"])
        if existing:
            draft_id = existing["id"]
            db["drafts"].update(draft_id, {**row, "updated_at": stamp})
        else:
            row.update({"created_at": stamp, "updated_at": stamp})
            draft_id = db["drafts"].insert(row).last_pk
        log_event(db, draft_id, action, actor=actor, now=now)
        return draft_id


def log_event(
    db: sqlite_utils.Database, draft_id: int, action: str, *, actor: str = "monitor",
    note: str | None = None, detail: Any = None, now: datetime | None = None,
) -> None:
    db["draft_events"].insert(
        {"draft_id": draft_id, "at": utcnow_iso(now), "action": action, "actor": actor,
         "note": note, "detail": dumps(detail) if detail is not None else None}
    )


def list_drafts(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    where, params = ("status = ?", [status]) if status else (None, [])
    return [decode(r) for r in db["drafts"].rows_where(where, params, order_by="id")]


def count(db: sqlite_utils.Database, status: str | None = None) -> int:
    if status:
        return db.execute("SELECT COUNT(*) FROM drafts WHERE status = ?", [status]).fetchone()[0]
    return db["drafts"].count
