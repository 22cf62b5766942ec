"""Commands that change stored state wait for no one: while a pass holds the lock they exit 75."""

from __future__ import annotations

import pytest

from monitor.configure import load_config
from monitor.lock import RunLock
from tests.conftest import run_cli


@pytest.fixture
def held_lock(config_path):
    lock = RunLock(load_config(config_path).lock_path)
    lock.acquire()
    yield config_path
    lock.release()


@pytest.mark.parametrize("command", [["draft"], ["crawl"], ["demo"], ["digest"]])
def test_state_changing_command_refuses_while_a_pass_runs(held_lock, command):
    result = run_cli(*command, config=held_lock)
    assert (result.returncode, "another run is in progress" in result.stderr) == (75, True)


def test_read_only_command_runs_while_a_pass_runs(held_lock):
    assert run_cli("search", "ICE", config=held_lock).returncode == 0


def test_lock_is_released_after_a_command(config_path):
    run_cli("draft", config=config_path)
    assert RunLock(load_config(config_path).lock_path).acquire() is not None
