"""Opening the database: WAL, busy timeout, migrations, clear errors instead of tracebacks."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
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


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose transactions take the write lock when they begin.

    `atomic()` opens an outermost transaction with `BEGIN IMMEDIATE` instead of a deferred
    `BEGIN`. A deferred transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote in between (its read snapshot is stale; the busy
    timeout cannot help). With IMMEDIATE the other writer waits up to the busy timeout instead.
    Nested blocks keep using savepoints.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator[Database]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise


def migration_sets() -> Iterable[Migrations]:
    """Every migration set, in dependency order (later sets may reference earlier tables)."""
    from monitor.storage import (
        articles,
        digests,
        drafts,
        incidents,
        reviewers,
        runs,
        sessions,
        sources,
    )

    modules = [sources, articles, incidents, drafts, digests, runs, reviewers, sessions]
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
        db = Database(conn)
        if migrate:
            for migrations in migration_sets():
                migrations.apply(db)
    except sqlite3.OperationalError as exc:
        raise StorageError(f"cannot open database {path}: {exc}{_full_disk(path)}") from None
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"database {path} is unusable: {exc}") from None
    except OSError as exc:
        raise StorageError(f"cannot create database folder for {path}: {exc}") from None
    return db


def _full_disk(path: Path) -> str:
    """SQLite says "disk I/O error" when it cannot create the -shm file on a full disk."""
    try:
        full = shutil.disk_usage(path.parent).free == 0
    except OSError:
        return ""
    return "; the disk is full" if full else ""


def open_db_readonly(path: str | Path) -> tuple[sqlite_utils.Database, str | None]:
    """Open an existing database only to read it, for `monitor status` on a sick machine.

    A normal open creates the `-shm` file and may write (migrations, WAL mode); on a full disk
    that fails with "disk I/O error". Read-only mode asks for no new space when the `-shm` is
    already there; when even that fails, `immutable=1` reads the main file as it stands (what
    a pass left in the WAL is not seen: the second value says so, else it is None).
    """
    path = Path(path)
    if not path.exists():
        raise StorageError(f"no database at {path}")
    errors = []
    for query in ("mode=ro", "mode=ro&immutable=1"):
        try:
            conn = sqlite3.connect(f"file:{path}?{query}", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            note = ("read as a snapshot of the main file: changes still in the WAL are not "
                    "shown") if "immutable" in query else None
            return sqlite_utils.Database(conn), note
        except sqlite3.Error as exc:
            errors.append(str(exc))
    raise StorageError(f"cannot read database {path}: {errors[-1]}")


def integrity_ok(db: sqlite_utils.Database) -> bool:
    return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
