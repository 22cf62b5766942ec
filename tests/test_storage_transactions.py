"""Issue 18 #8: read-then-write transactions take the write lock first (`BEGIN IMMEDIATE`).

With a deferred `BEGIN`, a transaction that reads (the draft row) and then writes fails at once
with "database is locked" (SQLITE_BUSY_SNAPSHOT) when another connection committed a write in
between: the 15 s busy timeout cannot help, because waiting would not make the snapshot current.
That is how `monitor draft` aborted in `update_draft` while attorneys saved on the review page.
Two real connections to one real SQLite file, interleaved by hand, reproduce it exactly.
"""

from __future__ import annotations

import sqlite3

import pytest

from monitor.storage import drafts as draft_store
from monitor.storage import open_db
from monitor.storage.db import BUSY_TIMEOUT_MS


@pytest.fixture
def two_connections(tmp_path):
    path = tmp_path / "monitor.db"
    first = open_db(path)
    first["incidents"].insert({"id": 1, "title": "t", "version": 1}, alter=True)
    draft_id = draft_store.save_draft(first, {"incident_id": 1, "path": "d.md", "version": 1,
                                              "incident_version": 1, "status": "pending",
                                              "generated_hash": "h", "flags": []})
    second = open_db(path)
    yield first, second, draft_id
    first.close()
    second.close()


def test_read_then_write_survives_a_write_in_between(two_connections):
    """The monitor reads the draft, a reviewer's save lands, the monitor writes: no abort."""
    monitor, reviewer, draft_id = two_connections
    reviewer.execute("PRAGMA busy_timeout = 0")  # do not wait: say at once if it must
    outcome = {}
    with monitor.atomic():
        row = draft_store.get_draft(monitor, draft_id)  # the read that opens the snapshot
        try:
            reviewer["drafts"].update(draft_id, {"note": "saved on the review page"})
            outcome["reviewer"] = "wrote first"
        except sqlite3.OperationalError as exc:
            outcome["reviewer"] = str(exc)  # must wait for the monitor's transaction
        draft_store.update_draft(monitor, row["id"], {"flags": ["x"]}, action="test")
    assert outcome["reviewer"] == "database is locked"
    assert draft_store.get_draft(reviewer, draft_id)["flags"] == ["x"]
    reviewer.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    reviewer["drafts"].update(draft_id, {"note": "saved on the review page"})  # after: fine
    assert draft_store.get_draft(monitor, draft_id)["note"] == "saved on the review page"


def test_nested_atomic_blocks_still_use_savepoints(two_connections):
    monitor, _, draft_id = two_connections
    with monitor.atomic():
        with pytest.raises(RuntimeError), monitor.atomic():
            monitor["drafts"].update(draft_id, {"note": "rolled back"})
            raise RuntimeError
        monitor["drafts"].update(draft_id, {"status": "approved"})
    row = draft_store.get_draft(monitor, draft_id)
    assert (row["note"], row["status"]) == (None, "approved")
