"""Opening the database: WAL, busy timeout, migrations, clear errors instead of tracebacks."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

BUSY_TIMEOUT_MS = 15_000


class StorageError(Exception):
    """The database cannot be used (unwritable, disk full, corrupt); message is one line."""


def utcnow_iso(now: datetime | None = None) -> str:
    """Timestamps are stored as ISO 8601 in UTC so they sort as text."""
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(value: str | None, default: Any = None) -> Any:
    if value in (None, ""):
        return default
    return json.loads(value)


def migration_sets() -> Iterable[Migrations]:
    """Every migration set, in dependency order (later sets may reference earlier tables)."""
    from monitor.storage import (
        articles,
        digests,
        drafts,
        incidents,
        reviewers,
        runs,
        sources,
    )

    modules = [sources, articles, incidents, drafts, digests, runs, reviewers]
    return [module.migrations for module in modules]


def open_db(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and create or upgrade) the database file."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        db = sqlite_utils.Database(conn)
        if migrate:
            for migrations in migration_sets():
                migrations.apply(db)
    except sqlite3.OperationalError as exc:
        raise StorageError(f"cannot open database {path}: {exc}") from None
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"database {path} is unusable: {exc}") from None
    except OSError as exc:
        raise StorageError(f"cannot create database folder for {path}: {exc}") from None
    return db


def integrity_ok(db: sqlite_utils.Database) -> bool:
    return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
