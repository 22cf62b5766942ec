"""Opening (and creating or upgrading) the database file: WAL, every table family's migrations.

Above the table modules, which build on `monitor.storage.db`, so nothing imports in a circle.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

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
from monitor.storage.db import BUSY_TIMEOUT_MS, Database, StorageError


def migration_sets() -> Iterable[Migrations]:
    """Every migration set, in dependency order (later sets may reference earlier tables)."""
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
