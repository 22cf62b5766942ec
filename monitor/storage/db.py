"""The database connection: busy timeout, immediate transactions, JSON columns, timestamps.

Table modules build on this one; `monitor.storage.schema` opens the file and migrates it."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# sqlite-utils imports numpy and pandas when they are installed, only to map their scalar
# types to column types when it infers a table from rows. Every table here is created by a
# migration with declared types, and numpy alone was a third of an idle pass (0.2 s of 0.6;
# issue 16), so sqlite-utils is imported as if neither were installed (its own fallback,
# `except ImportError`). The first `monitor.storage` import does this; modules outside
# storage import sqlite_utils for type hints only.
_HIDDEN = ("numpy", "pandas")
_saved = {name: sys.modules.get(name) for name in _HIDDEN}
if "sqlite_utils" not in sys.modules:
    sys.modules.update(dict.fromkeys(_HIDDEN))  # None in sys.modules: the import fails
try:
    import sqlite_utils
finally:
    for _name, _module in _saved.items():
        if _module is None:
            sys.modules.pop(_name, None)
        else:
            sys.modules[_name] = _module

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
