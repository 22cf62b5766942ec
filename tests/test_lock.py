"""The run lock: exclusive, names its holder, never blocked by a dead process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.lock import LockBusy, LockError, RunLock, read_pid

HOLD = """
import sys, time
from monitor.lock import RunLock
lock = RunLock(sys.argv[1]).acquire()
print("held", flush=True)
time.sleep(600)
"""


@pytest.fixture
def lock_path(tmp_path: Path) -> Path:
    return tmp_path / "monitor.db.lock"


@pytest.fixture
def other_process(lock_path: Path):
    """A separate process holding the lock (flock is per open file, so use a real process)."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(lock_path)], text=True,
                             stdout=subprocess.PIPE, cwd=Path(__file__).resolve().parents[1])
    assert child.stdout.readline().strip() == "held"
    yield child
    child.kill()
    child.wait()


def test_lock_records_the_holder_pid(lock_path):
    with RunLock(lock_path):
        assert read_pid(lock_path) == os.getpid()


def test_second_holder_is_refused_with_the_first_pid(lock_path, other_process):
    with pytest.raises(LockBusy) as caught:
        RunLock(lock_path).acquire()
    assert str(caught.value) == f"another run is in progress (pid {other_process.pid})"


def test_lock_of_a_killed_process_is_free_at_once(lock_path, other_process):
    other_process.send_signal(signal.SIGKILL)
    other_process.wait()
    with RunLock(lock_path):
        assert read_pid(lock_path) == os.getpid()


def test_stale_pid_in_the_file_does_not_block(lock_path):
    lock_path.write_text("999999\n")
    with RunLock(lock_path):
        assert read_pid(lock_path) == os.getpid()


def test_garbage_in_the_lock_file_does_not_block(lock_path):
    lock_path.write_text("not a pid")
    with RunLock(lock_path):
        assert read_pid(lock_path) == os.getpid()


def test_lock_can_be_taken_again_after_release(lock_path):
    RunLock(lock_path).acquire().release()
    with RunLock(lock_path):
        assert read_pid(lock_path) == os.getpid()


def test_released_lock_leaves_no_pid_behind(lock_path):
    RunLock(lock_path).acquire().release()
    assert read_pid(lock_path) is None


def test_unwritable_lock_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(LockError, match="cannot create lock file"):
        RunLock(blocker / "monitor.db.lock").acquire()
