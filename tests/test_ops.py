"""`monitor run`, `status` and `backup` over real HTTP on 127.0.0.1 and a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from tests.conftest import DEMO_SNAPSHOT, copy_snapshot, run_cli
from tests.opskit import ops_config, query, scalar


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory):
    """One pass shared by the tests that only read what it left behind."""
    folder = tmp_path_factory.mktemp("shared")
    config = ops_config(folder)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        result = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    return config, base, result


@pytest.fixture
def config_path(workdir: Path) -> Path:
    """These tests crawl the small watch list (tests/conftest.py SMALL_SOURCES)."""
    return ops_config(workdir)


@pytest.fixture
def first_run(config_path: Path, snapshot_server):
    """A pass of its own, for tests that run again on top of it."""
    base, _ = snapshot_server
    result = run_cli("run", "--snapshot", base, "--no-digests", config=config_path)
    return config_path, base, result


def db_path(config_path: Path) -> Path:
    return config_path.parent / "monitor.db"


def test_run_exits_zero(shared_run):
    _, _, result = shared_run
    assert result.returncode == 0, result.stderr


def test_run_stores_the_articles(shared_run):
    config_path, _, _ = shared_run
    assert scalar(db_path(config_path), "SELECT COUNT(*) FROM articles") == 10


def test_run_writes_a_draft_per_incident(shared_run):
    config_path, _, _ = shared_run
    path = db_path(config_path)
    assert scalar(path, "SELECT COUNT(*) FROM drafts") == scalar(
        path, "SELECT COUNT(*) FROM incidents")


def test_run_prints_a_summary(shared_run):
    _, _, result = shared_run
    assert "Articles:        10 new, 10 in total" in result.stdout


def test_run_is_recorded_with_its_stats(shared_run):
    config_path, _, _ = shared_run
    status, stats = query(db_path(config_path), "SELECT status, stats FROM runs")[0]
    assert (status, json.loads(stats)["new_articles"]) == ("ok", 10)


def test_second_run_crawls_nothing_that_is_not_due(first_run):
    config_path, base, _ = first_run
    run_cli("run", "--snapshot", base, "--no-digests", config=config_path)
    stats = json.loads(scalar(db_path(config_path), "SELECT stats FROM runs ORDER BY id DESC"))
    assert stats["sources_crawled"] == 0


def test_second_run_fetches_nothing_from_the_server(first_run, snapshot_server):
    config_path, base, _ = first_run
    _, state = snapshot_server
    before = len(state.log)
    run_cli("run", "--snapshot", base, "--no-digests", config=config_path)
    assert len(state.log) == before


def test_force_crawls_every_source_again(first_run):
    config_path, base, _ = first_run
    run_cli("run", "--snapshot", base, "--force", "--no-digests", config=config_path)
    stats = json.loads(scalar(db_path(config_path), "SELECT stats FROM runs ORDER BY id DESC"))
    assert stats["sources_crawled"] == 3


def test_source_option_crawls_only_that_source(first_run):
    config_path, base, _ = first_run
    run_cli("run", "--snapshot", base, "--source", "ice-breaking-news", "--no-digests",
            config=config_path)
    rows = query(db_path(config_path),
                 "SELECT source_id FROM source_crawls WHERE run_id = (SELECT MAX(id) FROM runs)")
    assert rows == [("ice-breaking-news",)]


def test_unknown_source_is_a_one_line_error(config_path):
    result = run_cli("run", "--source", "nope", config=config_path)
    assert (result.returncode, result.stderr.strip()) == (
        2, "monitor: error: unknown source id: nope")


def test_quiet_run_prints_nothing(config_path, snapshot_server):
    base, _ = snapshot_server
    result = run_cli("run", "--snapshot", base, "--quiet", "--no-digests", config=config_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_non_interactive_run_shows_no_progress_line(shared_run):
    _, _, result = shared_run
    assert "crawling:" not in result.stdout


def test_run_with_failing_source_still_exits_zero(tmp_path, make_snapshot_server):
    root = copy_snapshot(tmp_path / "snap")
    (root / "www.ice.gov" / "rss" / "ice-breaking-news").unlink()  # the feed is gone: 404
    base, _ = make_snapshot_server(root)
    config = ops_config(tmp_path)
    result = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    assert result.returncode == 0, result.stderr


def test_run_with_failing_source_is_recorded_as_degraded(tmp_path, make_snapshot_server):
    root = copy_snapshot(tmp_path / "snap")
    (root / "www.ice.gov" / "rss" / "ice-breaking-news").unlink()
    base, _ = make_snapshot_server(root)
    config = ops_config(tmp_path)
    run_cli("run", "--snapshot", base, "--no-digests", config=config)
    assert scalar(tmp_path / "monitor.db", "SELECT status FROM runs") == "degraded"


def test_status_reports_last_run(shared_run):
    config_path, _, _ = shared_run
    result = run_cli("status", config=config_path)
    assert "Last run:   #1 ok" in result.stdout


def test_status_reports_drafts_pending(shared_run):
    config_path, _, _ = shared_run
    pending = scalar(db_path(config_path), "SELECT COUNT(*) FROM drafts WHERE status='pending'")
    result = run_cli("status", config=config_path)
    assert f"Drafts:     {pending} pending review" in result.stdout


def test_status_reports_each_source(shared_run):
    config_path, _, _ = shared_run
    result = run_cli("status", config=config_path)
    assert "Sources:    3 (3 ok)" in result.stdout


def test_status_reports_undelivered_digest(shared_run):
    config_path, _, _ = shared_run
    incidents = scalar(db_path(config_path), "SELECT COUNT(*) FROM incidents")
    result = run_cli("status", config=config_path)
    assert f"{incidents} incidents undelivered, due now" in result.stdout


def test_status_reports_database_size(shared_run):
    config_path, _, _ = shared_run
    result = run_cli("status", config=config_path)
    assert f"Database:   {db_path(config_path)} (" in result.stdout


def test_status_json_is_machine_readable(shared_run):
    config_path, _, _ = shared_run
    facts = json.loads(run_cli("status", "--json", config=config_path).stdout)
    assert facts["last_run"]["stats"]["new_articles"] == 10


def test_status_without_database_says_so(config_path):
    result = run_cli("status", config=config_path)
    assert "no database" in result.stderr and result.returncode == 2


def test_backup_is_a_complete_copy(shared_run, tmp_path):
    config_path, _, _ = shared_run
    target = tmp_path / "backups" / "monitor-copy.db"
    run_cli("backup", str(target), config=config_path)
    assert open_db(target, migrate=False)["articles"].count == 10


def test_backup_passes_integrity_check(shared_run, tmp_path):
    config_path, _, _ = shared_run
    target = tmp_path / "copy.db"
    run_cli("backup", str(target), config=config_path)
    assert scalar(target, "PRAGMA integrity_check") == "ok"


def test_backup_onto_the_database_is_refused(shared_run):
    config_path, _, _ = shared_run
    result = run_cli("backup", str(db_path(config_path)), config=config_path)
    assert result.returncode == 2 and "must not be the database" in result.stderr
