"""A read-only database and a full disk give one clear line, never a traceback, and lose nothing.

Tests run as root, for whom chmod blocks nothing, so the read-only cases use a real read-only
bind mount and the full disk a real, tiny tmpfs, each inside a private mount namespace
(`unshare -rm`, util-linux; works for root and, with user namespaces, for other users).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from monitor.snapshot import serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, ROOT, run_cli
from tests.opskit import ops_config, query, scalar


def in_namespace(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a shell script in a private mount namespace (its mounts vanish with it)."""
    full_env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    full_env.update(env, PY=sys.executable)
    return subprocess.run(["unshare", "-rm", "sh", "-c", "set -e\n" + script],
                          capture_output=True, text=True, cwd=ROOT, env=full_env, timeout=300)


READ_ONLY = 'mount --bind "$TARGET" "$TARGET"\nmount -o remount,bind,ro "$TARGET"\n'
RUN = '"$PY" -m monitor --config "$CONFIG" run --force --no-digests --snapshot "$BASE"'


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A database from one normal pass, and the server to crawl again."""
    folder = tmp_path_factory.mktemp("ro")
    config = ops_config(folder)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        first = run_cli("run", "--snapshot", base, "--no-digests", config=config)
        assert first.returncode == 0, first.stderr
        yield folder, config, base


@pytest.fixture(scope="module")
def read_only_folder(populated):
    folder, config, base = populated
    return in_namespace(READ_ONLY + f"exec {RUN}", TARGET=str(folder), CONFIG=str(config),
                        BASE=base)


@pytest.fixture(scope="module")
def read_only_file(populated):
    folder, config, base = populated
    return in_namespace(READ_ONLY + f"exec {RUN}", TARGET=str(folder / "monitor.db"),
                        CONFIG=str(config), BASE=base)


def test_read_only_folder_exits_2(read_only_folder):
    assert read_only_folder.returncode == 2, read_only_folder.stderr


def test_read_only_folder_is_one_clear_line(read_only_folder, populated):
    folder, _, _ = populated
    assert read_only_folder.stderr.splitlines() == [
        f"monitor: error: cannot create lock file {folder / 'monitor.db.lock'}: "
        "Read-only file system"]


def test_read_only_database_exits_2(read_only_file):
    assert read_only_file.returncode == 2, read_only_file.stderr


def test_read_only_database_is_one_clear_line(read_only_file, populated):
    folder, _, _ = populated
    assert read_only_file.stderr.splitlines() == [
        f"monitor: error: database {folder / 'monitor.db'} is not writable: "
        "attempt to write a readonly database"]


def test_read_only_runs_lose_nothing(read_only_folder, read_only_file, populated):
    folder, _, _ = populated
    db = folder / "monitor.db"
    assert (scalar(db, "PRAGMA integrity_check"), scalar(db, "SELECT COUNT(*) FROM articles"),
            scalar(db, "SELECT COUNT(*) FROM runs")) == ("ok", 10, 1)


def test_status_works_on_a_read_only_database(populated):
    folder, config, _ = populated
    script = READ_ONLY + '"$PY" -m monitor --config "$CONFIG" status'
    result = in_namespace(script, TARGET=str(folder), CONFIG=str(config))
    assert result.returncode == 0 and "Last run:   #1 ok" in result.stdout


INTEGRITY = ("import sqlite3, sys; "
             "print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])")


# -- disk full -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def disk_full(tmp_path_factory):
    """A pass on a 600 KiB disk (full mid-pass), then the same disk grown and a second pass."""
    folder = tmp_path_factory.mktemp("full")
    data = folder / "data"
    data.mkdir()
    config = ops_config(folder)
    text = config.read_text(encoding="utf-8")
    text = text.replace(f'database = "{folder / "monitor.db"}"',
                        f'database = "{data / "monitor.db"}"')
    text = text.replace(f'drafts = "{folder / "drafts"}"', f'drafts = "{data / "drafts"}"')
    config.write_text(text, encoding="utf-8")
    script = (
        'mount -t tmpfs -o size=600k tmpfs "$DATA"\n'
        f'{RUN} >"$OUT/full.out" 2>"$OUT/full.err" || echo $? >"$OUT/full.rc"\n'
        'mount -o remount,size=50m "$DATA"\n'
        f'{RUN} >"$OUT/again.out" 2>"$OUT/again.err" || echo $? >"$OUT/again.rc"\n'
        '"$PY" -c "$INTEGRITY" "$DATA/monitor.db" >"$OUT/integrity"\n'
        '"$PY" -m monitor --config "$CONFIG" backup "$OUT/after.db"\n'
        'ls "$DATA/drafts" >"$OUT/drafts"\n'
    )
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        result = in_namespace(script, DATA=str(data), OUT=str(folder), CONFIG=str(config),
                              BASE=base, INTEGRITY=INTEGRITY)
    assert result.returncode == 0, result.stderr

    def read(name: str) -> str:
        path = folder / name
        return path.read_text(encoding="utf-8") if path.exists() else ""

    return folder, read


def test_full_disk_exits_1(disk_full):
    _, read = disk_full
    assert read("full.rc").strip() == "1"


def test_full_disk_error_names_the_cause(disk_full):
    _, read = disk_full
    assert read("full.err").splitlines()[-1].endswith("database or disk is full")


def test_full_disk_prints_no_traceback(disk_full):
    _, read = disk_full
    assert "Traceback" not in read("full.err")


def test_after_freeing_space_the_next_run_succeeds(disk_full):
    _, read = disk_full
    assert (read("again.rc"), read("again.err")) == ("", "")


def test_after_freeing_space_the_database_is_intact(disk_full):
    _, read = disk_full
    assert read("integrity").strip() == "ok"


def test_after_freeing_space_every_article_is_stored_once(disk_full):
    folder, _ = disk_full
    rows = query(folder / "after.db", "SELECT COUNT(*), COUNT(DISTINCT url) FROM articles")
    assert rows == [(10, 10)]


def test_after_freeing_space_every_incident_has_its_draft(disk_full):
    folder, read = disk_full
    db = folder / "after.db"
    drafts = scalar(db, "SELECT COUNT(*) FROM drafts")
    assert drafts == scalar(db, "SELECT COUNT(*) FROM incidents") == len(read("drafts").split())
