"""Online backup: a consistent copy of the live database, safe while a run is writing.

Uses SQLite's online backup API (what `sqlite3 DB ".backup FILE"` does), never a file copy: a
copy of a WAL database taken mid-write can be torn. The copy is written beside the target,
checked with `PRAGMA integrity_check`, then renamed into place.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

from monitor.storage.db import BUSY_TIMEOUT_MS, StorageError


def backup_database(source: str | os.PathLike, target: str | os.PathLike) -> Path:
    """Copy `source` to `target` (replacing it) and return the target path."""
    source, target = Path(source), Path(target)
    if not source.exists():
        raise StorageError(f"no database at {source}")
    if target.resolve() == source.resolve():
        raise StorageError("the backup file must not be the database itself")
    partial = target.with_name(f".{target.name}.partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        with closing(_connect(source)) as live, closing(_connect(partial)) as copy:
            live.backup(copy, pages=1024)
            verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if verdict != "ok":
            raise StorageError(f"backup of {source} failed its integrity check: {verdict}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"cannot back up {source} to {target}: {exc}") from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StorageError(f"cannot write backup {target}: {exc.strerror}") from None
    return target


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000)
