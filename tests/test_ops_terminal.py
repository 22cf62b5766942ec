"""Interactive runs show progress; SIGTERM stops a run between stages; deploy files stay valid."""

from __future__ import annotations

import os
import pty
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, run_cli
from tests.opskit import ops_config, scalar, slow_snapshot, start, wait_for

DEPLOY = ROOT / "deploy"


def run_on_terminal(config: Path, *args: str) -> tuple[int, str]:
    """Run `monitor` with stdout on a pseudo-terminal, as a person at a shell would."""
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    child = subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), *args],
                             stdout=slave, stderr=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    return child.wait(timeout=240), b"".join(chunks).decode("utf-8", "replace")


def test_terminal_run_shows_sources_done_out_of_total(tmp_path, snapshot_server):
    base, _ = snapshot_server
    code, output = run_on_terminal(ops_config(tmp_path), "run", "--snapshot", base,
                                   "--no-digests")
    assert code == 0 and "crawling: 3/3 sources done, 10 items" in output


def test_terminal_run_shows_each_stage(tmp_path, snapshot_server):
    base, _ = snapshot_server
    _, output = run_on_terminal(ops_config(tmp_path), "run", "--snapshot", base,
                                "--no-digests")
    assert re.search(r"cluster….*draft…", output, re.S)


def test_quiet_terminal_run_prints_nothing(tmp_path, snapshot_server):
    base, _ = snapshot_server
    _, output = run_on_terminal(ops_config(tmp_path), "run", "--snapshot", base,
                                "--no-digests", "--quiet")
    assert output == ""


def test_sigterm_stops_a_run_and_records_it(tmp_path, make_snapshot_server):
    base, _ = make_snapshot_server(slow_snapshot(tmp_path / "snap", page_delay=3))
    config = ops_config(tmp_path)
    db = tmp_path / "monitor.db"
    child = start(config, "run", "--snapshot", base, "--no-digests")
    assert wait_for(lambda: db.exists() and scalar(db, "SELECT COUNT(*) FROM articles") >= 1)
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=120)
    assert (code, scalar(db, "SELECT status FROM runs")) == (143, "stopped")


def test_run_after_a_stopped_run_finishes_the_work(tmp_path, make_snapshot_server):
    base, _ = make_snapshot_server(slow_snapshot(tmp_path / "snap", page_delay=3))
    config = ops_config(tmp_path)
    db = tmp_path / "monitor.db"
    child = start(config, "run", "--snapshot", base, "--no-digests")
    assert wait_for(lambda: db.exists() and scalar(db, "SELECT COUNT(*) FROM articles") >= 1)
    child.send_signal(signal.SIGTERM)
    child.wait(timeout=120)
    run_cli("run", "--snapshot", base, "--no-digests", "--force", config=config)
    assert scalar(db, "SELECT COUNT(*) FROM drafts") == scalar(db, "SELECT COUNT(*) FROM incidents")


def exec_args(unit: str) -> list[str]:
    line = next(x for x in (DEPLOY / unit).read_text().splitlines() if x.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))[1:]


def test_timer_service_runs_a_quiet_pass():
    assert exec_args("monitor-run.service") == ["run", "--quiet"]


def test_watch_service_runs_watch():
    assert exec_args("monitor-watch.service") == ["watch"]


def test_service_accepts_the_busy_exit_status():
    assert "SuccessExitStatus=75" in (DEPLOY / "monitor-run.service").read_text()


def test_cron_lines_use_existing_commands_and_options():
    lines = [x for x in (DEPLOY / "monitor.cron").read_text().splitlines()
             if x and not x.startswith("#") and "=" not in x.split()[0]]
    invocations = [shlex.split(x.replace("\\%", "%"))[7:] for x in lines]
    checks = [run_cli(*args[:-1] if args[0] == "backup" else args, "--help")
              for args in invocations]
    assert [c.returncode for c in checks] == [0] * len(lines) and len(lines) == 2
