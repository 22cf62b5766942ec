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


@migrations()
def m002_item_kinds_and_state(db: sqlite_utils.Database) -> None:
    """Items are incidents, drafts or source problems; `state` is what the recipient saw."""
    db.execute("ALTER TABLE digest_items ADD COLUMN kind TEXT NOT NULL DEFAULT 'incident'")
    db.execute("ALTER TABLE digest_items ADD COLUMN ref TEXT")
    db.execute("ALTER TABLE digest_items ADD COLUMN state TEXT")
    db.execute("UPDATE digest_items SET ref = CAST(incident_id AS TEXT) WHERE ref IS NULL")
    db["digest_items"].create_index(["recipient", "kind", "ref"])
    db.execute("ALTER TABLE digests ADD COLUMN frequency TEXT")
    db.execute("ALTER TABLE digests ADD COLUMN updated_at TEXT")
    db["digests"].create_index(["recipient", "status"])


def last_sent_versions(db: sqlite_utils.Database, recipient: str) -> dict[int, int]:
    """For one recipient: the newest incident version that reached them in a sent digest."""
    rows = db.execute(
        """SELECT i.incident_id, MAX(i.incident_version) FROM digest_items i
           JOIN digests d ON d.id = i.digest_id
           WHERE i.recipient = ? AND d.status = 'sent' AND i.kind = 'incident'
           GROUP BY i.incident_id""",
        [recipient],
    ).fetchall()
    return dict(rows)


def delivered(db: sqlite_utils.Database, recipient: str) -> dict[tuple[str, str], dict[str, Any]]:
    """What last reached one recipient, per (kind, ref): version and the state they saw.

    Only digests the SMTP server accepted count; failed or interrupted attempts do not.
    """
    rows = db.execute(
        """SELECT i.kind, i.ref, i.incident_version, i.state, d.sent_at FROM digest_items i
           JOIN digests d ON d.id = i.digest_id
           WHERE i.recipient = ? AND d.status = 'sent' ORDER BY d.sent_at, d.id, i.id""",
        [recipient],
    ).fetchall()
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, ref, version, state, sent_at in rows:
        seen[(kind, ref)] = {"version": version, "state": loads(state, {}), "sent_at": sent_at}
    return seen


def start_attempt(
    db: sqlite_utils.Database, recipient: str, subject: str, items: list[dict[str, Any]], *,
    message_id: str, frequency: str | None = None, stale_before: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Claim the recipient and record the attempt as 'sending' before talking to SMTP.

    Returns None when another process is sending to this recipient right now (an attempt
    newer than `stale_before`), so two runs never mail the same digest twice. Older
    'sending' rows were interrupted (the process died mid-send) and become 'interrupted'.
    """
    stamp = utcnow_iso(now)
    db.execute("BEGIN IMMEDIATE")
    try:
        busy = db.execute(
            "SELECT COUNT(*) FROM digests WHERE recipient = ? AND status = 'sending' "
            "AND created_at > ?", [recipient, stale_before or ""],
        ).fetchone()[0]
        if busy:
            db.execute("ROLLBACK")
            return None
        db.execute(
            "UPDATE digests SET status = 'interrupted', updated_at = ? "
            "WHERE recipient = ? AND status = 'sending'", [stamp, recipient],
        )
        digest_id = db["digests"].insert(
            {
                "recipient": recipient, "created_at": stamp, "updated_at": stamp,
                "sent_at": None, "status": "sending", "subject": subject,
                "message_id": message_id, "error": None, "frequency": frequency,
                "items": dumps(_summaries(items)),
                "attempts": 1 + _failed_since_sent(db, recipient),
            }
        ).last_pk
        db["digest_items"].insert_all(_item_rows(digest_id, recipient, items))
        db.execute("COMMIT")
    except BaseException:
        if db.conn.in_transaction:
            db.execute("ROLLBACK")
        raise
    return digest_id


def _failed_since_sent(db: sqlite_utils.Database, recipient: str) -> int:
    last = last_sent_at(db, recipient) or ""
    return db.execute(
        "SELECT COUNT(*) FROM digests WHERE recipient = ? AND status IN ('failed', 'interrupted') "
        "AND created_at >= ?", [recipient, last],
    ).fetchone()[0]


def finish_attempt(
    db: sqlite_utils.Database, digest_id: int, *, sent: bool, error: str | None = None,
    now: datetime | None = None,
) -> None:
    """'sent' only once the server accepted the message; otherwise 'failed' with the reason."""
    stamp = utcnow_iso(now)
    with db.atomic():
        db["digests"].update(
            digest_id,
            {"status": "sent" if sent else "failed", "sent_at": stamp if sent else None,
             "error": error, "updated_at": stamp},
        )


def interrupted_attempt(db: sqlite_utils.Database, recipient: str) -> dict[str, Any] | None:
    """The newest attempt since the last sent digest that died mid-send (or still says so)."""
    rows = list(db.query(
        "SELECT message_id, items FROM digests WHERE recipient = ? AND status IN "
        "('sending', 'interrupted') AND id > COALESCE((SELECT MAX(id) FROM digests "
        "WHERE recipient = ? AND status = 'sent'), 0) ORDER BY id DESC LIMIT 1",
        [recipient, recipient],
    ))
    if not rows:
        return None
    return {"message_id": rows[0]["message_id"], "items": loads(rows[0]["items"], [])}


def delivery_summary(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Per recipient: last sent, failed attempts since then and the last error (for status)."""
    rows = db.execute(
        """SELECT recipient,
                  MAX(CASE WHEN status = 'sent' THEN sent_at END) AS last_sent_at
           FROM digests GROUP BY recipient ORDER BY recipient"""
    ).fetchall()
    summary = []
    for recipient, last_sent in rows:
        failed = db.execute(
            "SELECT COUNT(*), MAX(id) FROM digests WHERE recipient = ? "
            "AND status IN ('failed', 'interrupted') AND created_at >= ?",
            [recipient, last_sent or ""],
        ).fetchone()
        error = None
        if failed[1]:
            error = db.execute("SELECT error FROM digests WHERE id = ?", [failed[1]]).fetchone()[0]
        summary.append({"recipient": recipient, "last_sent_at": last_sent,
                        "failed_since": failed[0], "last_error": error})
    return summary


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
    """Record a finished attempt in one step; only status 'sent' marks its items delivered.

    `monitor.digest.send_due_digests` uses start_attempt/finish_attempt instead, which also
    guard against concurrent runs and an interrupted send.
    """
    stamp = utcnow_iso(now)
    with db.atomic():
        digest_id = db["digests"].insert(
            {
                "recipient": recipient, "created_at": stamp, "updated_at": stamp,
                "sent_at": stamp if status == "sent" else None, "status": status,
                "subject": subject, "message_id": message_id, "error": error,
                "items": dumps(_summaries(items)), "attempts": 1,
            }
        ).last_pk
        db["digest_items"].insert_all(_item_rows(digest_id, recipient, items))
        return digest_id


def _summaries(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in i.items() if k != "state"} for i in items]


def _item_rows(digest_id: int, recipient: str, items: list[dict[str, Any]]):
    for item in items:
        yield {
            "digest_id": digest_id, "recipient": recipient,
            "kind": item.get("kind", "incident"),
            "ref": str(item.get("ref", item.get("incident_id"))),
            "incident_id": item.get("incident_id"),
            "incident_version": item.get("incident_version"),
            "state": dumps(item.get("state", {})),
        }


def list_digests(db: sqlite_utils.Database, status: str | None = None) -> list[dict[str, Any]]:
    where, params = ("status = ?", [status]) if status else (None, [])
    rows = db["digests"].rows_where(where, params, order_by="id")
    return [{**r, "items": loads(r["items"], [])} for r in rows]
