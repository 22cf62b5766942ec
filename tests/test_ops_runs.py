"""The runs table: runs left 'running' by a dead process are closed, live ones are not."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from monitor.runner import TEMP_MAX_AGE, sweep_interrupted, sweep_temp_drafts
from monitor.storage import open_db
from monitor.storage import runs as run_store

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "monitor.db")


def add_running(db, command: str, pid: int) -> int:
    run_id = run_store.start_run(db, command, now=NOW)
    db["runs"].update(run_id, {"pid": pid})
    return run_id


def status_of(db, run_id: int) -> str:
    return db["runs"].get(run_id)["status"]


def test_killed_run_is_marked_interrupted(db):
    run_id = add_running(db, "run", dead_pid())
    sweep_interrupted(db, NOW)
    assert status_of(db, run_id) == "interrupted"


def test_run_row_is_closed_even_if_its_pid_was_reused(db):
    """The sweep runs under the run lock: no other `run` can be alive, whatever the pid says."""
    run_id = add_running(db, "run", os.getpid())
    sweep_interrupted(db, NOW)
    assert status_of(db, run_id) == "interrupted"


def test_other_command_still_alive_is_left_alone(db):
    run_id = add_running(db, "demo", os.getpid())
    sweep_interrupted(db, NOW)
    assert status_of(db, run_id) == "running"


def test_other_command_that_died_is_closed(db):
    run_id = add_running(db, "demo", dead_pid())
    sweep_interrupted(db, NOW)
    assert status_of(db, run_id) == "interrupted"


def test_finished_runs_are_untouched(db):
    run_id = run_store.start_run(db, "run", now=NOW)
    run_store.finish_run(db, run_id, status="ok", stats={}, errors=[], now=NOW)
    sweep_interrupted(db, NOW)
    assert status_of(db, run_id) == "ok"


def test_interrupted_run_says_why(db):
    add_running(db, "run", dead_pid())
    sweep_interrupted(db, NOW)
    assert run_store.recent_runs(db)[0]["errors"] == [
        "the run never recorded its end (process killed, or the database could not be written)"]


def test_old_temporary_draft_files_are_removed(tmp_path):
    leftover = tmp_path / ".2026-11-20-x-1.md.abc123.tmp"
    leftover.write_text("half a draft")
    os.utime(leftover, (1000, 1000))
    sweep_temp_drafts(tmp_path, now=1000 + TEMP_MAX_AGE + 1)
    assert not leftover.exists()


def test_fresh_temporary_draft_files_are_kept(tmp_path):
    fresh = tmp_path / ".2026-11-20-x-1.md.abc123.tmp"
    fresh.write_text("being written")
    os.utime(fresh, (1000, 1000))
    sweep_temp_drafts(tmp_path, now=1000 + 5)
    assert fresh.exists()


def test_drafts_are_never_swept(tmp_path):
    draft = tmp_path / "2026-11-20-x-1.md"
    draft.write_text("a draft")
    os.utime(draft, (1000, 1000))
    sweep_temp_drafts(tmp_path, now=10**9)
    assert draft.exists()
