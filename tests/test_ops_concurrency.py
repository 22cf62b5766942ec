"""Two `monitor run` at once (cron overlapping itself): exactly one does the work."""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.opskit import ops_config, scalar, slow_snapshot, start, wait_for


@pytest.fixture(scope="module")
def race(tmp_path_factory):
    """Start two passes together against a slow server; collect both outcomes."""
    from monitor.snapshot import serve_snapshot

    folder = tmp_path_factory.mktemp("race")
    root = slow_snapshot(folder / "snap", feed_delay=1.5)
    config = ops_config(folder)
    with serve_snapshot(root) as (base, state):
        children = [start(config, "run", "--snapshot", base, "--no-digests") for _ in range(2)]
        outcomes = [(c.wait(timeout=240), *c.communicate()) for c in children]
        feed_hits = state.hits.get("www.ice.gov/rss/ice-breaking-news", 0)
    return folder, outcomes, feed_hits


def test_exactly_one_run_succeeds(race):
    _, outcomes, _ = race
    assert sorted(code for code, _, _ in outcomes) == [0, 75]


def test_the_other_says_a_run_is_in_progress(race):
    _, outcomes, _ = race
    busy = [err for code, _, err in outcomes if code == 75]
    assert busy and busy[0].startswith("monitor: another run is in progress (pid ")


def test_the_other_names_the_working_process(race):
    folder, outcomes, _ = race
    busy = next(err for code, _, err in outcomes if code == 75)
    pid = scalar(folder / "monitor.db", "SELECT pid FROM runs")
    assert f"(pid {pid})" in busy


def test_only_one_run_is_recorded(race):
    folder, _, _ = race
    assert scalar(folder / "monitor.db", "SELECT COUNT(*) FROM runs") == 1


def test_each_feed_is_fetched_once(race):
    _, _, feed_hits = race
    assert feed_hits == 1


def test_articles_are_stored_once(race):
    folder, _, _ = race
    assert scalar(folder / "monitor.db", "SELECT COUNT(*) FROM articles") == 10


def test_status_during_a_run_names_it(tmp_path, make_snapshot_server):
    base, _ = make_snapshot_server(slow_snapshot(tmp_path / "snap", feed_delay=4))
    config = ops_config(tmp_path)
    db = tmp_path / "monitor.db"
    child = start(config, "run", "--snapshot", base, "--no-digests")
    try:
        assert wait_for(lambda: db.exists() and scalar(db, "SELECT COUNT(*) FROM runs") == 1)
        result = run_cli("status", config=config)
    finally:
        child.wait(timeout=240)
    assert f"Now:        run #1 in progress (pid {child.pid}, since" in result.stdout
