"""What each reviewer has seen: the incidents they opened (at which version) and their visits.

Reviewers are the names they sign in with (one shared password, names recorded with every
action), so "new for you" is kept per name in the database, not in a browser cookie: it
follows the attorney from the office PC to the laptop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import utcnow_iso

migrations = Migrations("reviewers")


@migrations()
def m001_reads_and_visits(db: sqlite_utils.Database) -> None:
    db["reviewer_reads"].create(
        {"reviewer": str, "incident_id": int, "incident_version": int, "read_at": str},
        pk=("reviewer", "incident_id"),
    )
    db["reviewer_visits"].create(
        {"reviewer": str, "last_visit_at": str, "previous_visit_at": str},
        pk="reviewer",
    )


def mark_read(db: sqlite_utils.Database, reviewer: str, incident_id: int, version: int,
              now: datetime | None = None) -> None:
    """Record that `reviewer` opened this incident as it was at `version`."""
    db.execute(
        "INSERT INTO reviewer_reads (reviewer, incident_id, incident_version, read_at) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (reviewer, incident_id) DO UPDATE SET "
        "incident_version = MAX(incident_version, excluded.incident_version), "
        "read_at = excluded.read_at",
        [reviewer, incident_id, version, utcnow_iso(now)])


def mark_all_read(db: sqlite_utils.Database, reviewer: str,
                  versions: dict[int, int], now: datetime | None = None) -> None:
    """Mark every incident in `versions` (id -> version) as read, in one transaction."""
    with db.atomic():
        for incident_id, version in versions.items():
            mark_read(db, reviewer, incident_id, version, now)


def reads(db: sqlite_utils.Database, reviewer: str) -> dict[int, int]:
    """incident id -> the version this reviewer last opened."""
    return {row[0]: row[1] for row in db.execute(
        "SELECT incident_id, incident_version FROM reviewer_reads WHERE reviewer = ?",
        [reviewer]).fetchall()}


def visit(db: sqlite_utils.Database, reviewer: str, now: datetime,
          gap_minutes: float = 30.0) -> str | None:
    """Record an inbox view; return when the reviewer's previous visit ended (None: first).

    Views less than `gap_minutes` apart are one visit, so reloading the inbox does not make
    everything old; a view after a longer pause starts a new visit.
    """
    stamp = utcnow_iso(now)
    with db.atomic():
        row = db.execute("SELECT last_visit_at, previous_visit_at FROM reviewer_visits "
                         "WHERE reviewer = ?", [reviewer]).fetchone()
        if row is None:
            db["reviewer_visits"].insert({"reviewer": reviewer, "last_visit_at": stamp,
                                          "previous_visit_at": None})
            return None
        last, previous = row
        if last and (now - datetime.fromisoformat(last)).total_seconds() > gap_minutes * 60:
            previous = last
        db.execute("UPDATE reviewer_visits SET last_visit_at = ?, previous_visit_at = ? "
                   "WHERE reviewer = ?", [stamp, previous, reviewer])
        return previous


def visit_record(db: sqlite_utils.Database, reviewer: str) -> dict[str, Any] | None:
    rows = list(db["reviewer_visits"].rows_where("reviewer = ?", [reviewer]))
    return dict(rows[0]) if rows else None
