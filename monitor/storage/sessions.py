"""Review-page sessions kept on the server, so signing out (or a password change) revokes a
copied cookie at once instead of leaving it valid until it expires.

Only a SHA-256 of each session id is stored: reading the database gives no usable session.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import utcnow_iso

migrations = Migrations("review_sessions")


@migrations()
def m001_review_sessions(db: sqlite_utils.Database) -> None:
    db["review_sessions"].create(
        {"id_hash": str, "reviewer": str, "created_at": str, "expires_at": str},
        pk="id_hash",
    )


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: sqlite_utils.Database, reviewer: str, *, now: datetime, hours: float) -> str:
    """A new session id for this reviewer (the cookie carries it; the row makes it valid)."""
    session_id = secrets.token_urlsafe(32)
    with db.atomic():
        db.execute("DELETE FROM review_sessions WHERE expires_at < ?", [utcnow_iso(now)])
        db["review_sessions"].insert({
            "id_hash": _hash(session_id), "reviewer": reviewer, "created_at": utcnow_iso(now),
            "expires_at": utcnow_iso(now + timedelta(hours=hours))})
    return session_id


def is_live(db: sqlite_utils.Database, session_id: str | None, *, now: datetime) -> bool:
    if not session_id:
        return False
    row = db.execute("SELECT expires_at FROM review_sessions WHERE id_hash = ?",
                     [_hash(session_id)]).fetchone()
    return row is not None and row[0] > utcnow_iso(now)


def end(db: sqlite_utils.Database, session_id: str | None) -> None:
    """Sign-out: the session id stops working everywhere, whoever holds a copy."""
    if session_id:
        with db.atomic():
            db.execute("DELETE FROM review_sessions WHERE id_hash = ?", [_hash(session_id)])
