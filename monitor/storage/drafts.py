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


@migrations()
def m002_versions_and_review(db: sqlite_utils.Database) -> None:
    """Every text a draft has had (generated, regenerated, edited) and the review bookkeeping."""
    db["draft_versions"].create(
        {"id": int, "draft_id": int, "version": int, "text": str, "hash": str, "kind": str,
         "actor": str, "note": str, "created_at": str},
        pk="id",
        foreign_keys=[("draft_id", "drafts", "id")],
    )
    db["draft_versions"].create_index(["draft_id", "version"], unique=True)
    db["draft_events"].create_index(["draft_id"])
    for column in ("approved_version",):
        db["drafts"].add_column(column, int)
    for column in ("published_at", "sources", "update_path", "update_hash", "incident_type"):
        db["drafts"].add_column(column, str)


@migrations()
def m003_publishing(db: sqlite_utils.Database) -> None:
    """Where and which version of a draft was published, so a re-run does not repeat it."""
    db["drafts"].add_column("published_version", int)
    db["drafts"].add_column("published_path", str)
    db["drafts"].add_column("wordpress_id", int)


JSON_COLUMNS = ("flags", "privacy", "sources")


def decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    for key in JSON_COLUMNS:
        row[key] = loads(row.get(key), [])
    return row


def _encode(record: dict[str, Any]) -> dict[str, Any]:
    row = dict(record)
    for key in JSON_COLUMNS:
        if key in row:
            row[key] = dumps(row[key])
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
    row = _encode(record)
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


def update_draft(
    db: sqlite_utils.Database, draft_id: int, changes: dict[str, Any], *, action: str,
    actor: str = "monitor", note: str | None = None, detail: Any = None,
    now: datetime | None = None,
) -> None:
    """Change a draft row by id and record why in the audit trail, in one transaction."""
    with db.atomic():
        db["drafts"].update(draft_id, {**_encode(changes), "updated_at": utcnow_iso(now)})
        log_event(db, draft_id, action, actor=actor, note=note, detail=detail, now=now)


def transition(
    db: sqlite_utils.Database, draft_id: int, *, allowed_from: tuple[str, ...], to: str,
    changes: dict[str, Any], action: str, actor: str, note: str | None = None,
    expected_version: int | None = None, now: datetime | None = None,
) -> bool:
    """Move a draft to state `to` only if it is in `allowed_from` (and at `expected_version`).

    The check and the change are one UPDATE, so two reviewers acting at once cannot both win.
    Returns False when the draft was not in an allowed state (nothing changed).
    """
    marks = ",".join("?" for _ in allowed_from)
    sql = (f"UPDATE drafts SET status = ?, updated_at = ? WHERE id = ? AND status IN ({marks})")
    params: list[Any] = [to, utcnow_iso(now), draft_id, *allowed_from]
    if expected_version is not None:
        sql += " AND version = ?"
        params.append(expected_version)
    with db.atomic():
        if db.execute(sql, params).rowcount != 1:
            return False
        if changes:
            db["drafts"].update(draft_id, _encode(changes))
        log_event(db, draft_id, action, actor=actor, note=note, now=now)
    return True


def add_version(
    db: sqlite_utils.Database, draft_id: int, *, expected_version: int | None, text: str,
    text_hash: str, kind: str, actor: str, note: str | None = None,
    changes: dict[str, Any] | None = None, now: datetime | None = None,
) -> int | None:
    """Record `text` as the draft's next version if the draft is still at `expected_version`.

    `expected_version=None` records the text as the draft's current version number (the first
    version, or a file that predates version history). Returns the new version number, or None
    when someone else saved a newer version first (optimistic locking in one UPDATE).
    Call inside `db.atomic()` to tie the version to other work (such as writing the file).
    """
    stamp = utcnow_iso(now)
    with db.atomic():
        if expected_version is None:
            version = db.execute("SELECT version FROM drafts WHERE id = ?",
                                 [draft_id]).fetchone()[0]
        else:
            cursor = db.execute(
                "UPDATE drafts SET version = version + 1, updated_at = ? "
                "WHERE id = ? AND version = ?", [stamp, draft_id, expected_version])
            if cursor.rowcount != 1:
                return None
            version = expected_version + 1
        db["draft_versions"].insert(
            {"draft_id": draft_id, "version": version, "text": text, "hash": text_hash,
             "kind": kind, "actor": actor, "note": note, "created_at": stamp},
            replace=False,
        )
        if changes:
            db["drafts"].update(draft_id, _encode(changes))
        log_event(db, draft_id, kind, actor=actor, note=note, detail={"version": version},
                  now=now)
        return version


def versions(db: sqlite_utils.Database, draft_id: int) -> list[dict[str, Any]]:
    """Every stored text of a draft, oldest first."""
    return [dict(r) for r in db["draft_versions"].rows_where(
        "draft_id = ?", [draft_id], order_by="version")]


def get_version(db: sqlite_utils.Database, draft_id: int, version: int) -> dict[str, Any] | None:
    rows = list(db["draft_versions"].rows_where(
        "draft_id = ? AND version = ?", [draft_id, version]))
    return dict(rows[0]) if rows else None


def latest_version(db: sqlite_utils.Database, draft_id: int) -> dict[str, Any] | None:
    rows = list(db["draft_versions"].rows_where(
        "draft_id = ?", [draft_id], order_by="version DESC", limit=1))
    return dict(rows[0]) if rows else None


def events(db: sqlite_utils.Database, draft_id: int) -> list[dict[str, Any]]:
    """The audit trail of one draft, oldest first."""
    rows = []
    for row in db["draft_events"].rows_where("draft_id = ?", [draft_id], order_by="id"):
        row = dict(row)
        row["detail"] = loads(row.get("detail"), None)
        rows.append(row)
    return rows


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
