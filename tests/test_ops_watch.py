"""`monitor watch` with short intervals: several passes, then a clean stop on SIGTERM."""

from __future__ import annotations

import signal

import pytest

from monitor.snapshot import serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, small_sources
from tests.opskit import ops_config, query, scalar, slow_snapshot, start, wait_for

ICE_FEED = "www.ice.gov/rss/ice-breaking-news"


def finished_runs(db) -> int:
    return scalar(db, "SELECT COUNT(*) FROM runs WHERE status != 'running'") or 0


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    """Watch with 2-second intervals until two passes finished, then SIGTERM it."""
    folder = tmp_path_factory.mktemp("watch")
    config = ops_config(folder)
    db = folder / "monitor.db"
    with serve_snapshot(DEMO_SNAPSHOT) as (base, state):
        child = start(config, "watch", "--snapshot", base, "--interval", "2", "--tick", "0.5")
        # Two finished passes are not enough by themselves: on a loaded machine the second
        # may start before the ICE feed is due again and crawl only the other sources.
        two = wait_for(lambda: db.exists() and finished_runs(db) >= 2
                       and state.hits.get(ICE_FEED, 0) >= 2, timeout=180)
        child.send_signal(signal.SIGTERM)
        code = child.wait(timeout=180)
        out, err = child.communicate()
        hits = dict(state.hits)
    return folder, two, code, out, err, hits


def test_watch_runs_at_least_two_passes(watched):
    _, two, *_ = watched
    assert two


def test_watch_exits_zero_on_sigterm(watched):
    _, _, code, _, err, _ = watched
    assert code == 0, err


def test_watch_says_it_stopped(watched):
    _, _, _, out, _, _ = watched
    assert "watch stopped (SIGTERM)" in out


def test_watch_prints_a_line_per_pass(watched):
    _, _, _, out, _, _ = watched
    assert out.count(" pass ") >= 2


def test_watch_leaves_no_run_marked_running(watched):
    folder, *_ = watched
    assert scalar(folder / "monitor.db", "SELECT COUNT(*) FROM runs WHERE status='running'") == 0


def test_watch_leaves_an_intact_database(watched):
    folder, *_ = watched
    assert scalar(folder / "monitor.db", "PRAGMA integrity_check") == "ok"


def test_watch_crawls_each_feed_again_after_its_interval(watched):
    *_, hits = watched
    assert hits.get(ICE_FEED, 0) >= 2


def test_watch_passes_store_articles_once(watched):
    folder, *_ = watched
    rows = query(folder / "monitor.db", "SELECT url, COUNT(*) FROM articles GROUP BY url")
    assert len(rows) == 10 and {n for _, n in rows} == {1}


def test_sigterm_mid_pass_stops_the_pass_cleanly(tmp_path, make_snapshot_server):
    """SIGTERM while a pass is crawling a slow server: the watch waits for it, then exits 0."""
    base, _ = make_snapshot_server(slow_snapshot(tmp_path / "snap", page_delay=3))
    config = ops_config(tmp_path)
    db = tmp_path / "monitor.db"
    child = start(config, "watch", "--snapshot", base, "--interval", "60", "--tick", "0.5")
    assert wait_for(lambda: db.exists() and scalar(db, "SELECT COUNT(*) FROM articles") >= 1,
                    timeout=120)
    child.send_signal(signal.SIGTERM)
    code = child.wait(timeout=180)
    status = scalar(db, "SELECT status FROM runs ORDER BY id DESC")
    assert (code, status) == (0, "stopped")


def test_second_watch_on_the_same_database_is_refused(tmp_path, make_snapshot_server):
    base, _ = make_snapshot_server(slow_snapshot(tmp_path / "snap", feed_delay=2))
    config = ops_config(tmp_path)
    first = start(config, "watch", "--snapshot", base, "--interval", "60", "--tick", "0.5")
    try:
        assert wait_for(lambda: (tmp_path / "monitor.db.watch.lock").exists(), timeout=60)
        second = start(config, "watch", "--snapshot", base, "--interval", "60")
        code = second.wait(timeout=60)
        _, err = second.communicate()
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=180)
    assert (code, err.startswith("monitor: another watch is in progress (pid ")) == (75, True)


def test_source_added_while_watching_is_crawled(tmp_path, snapshot_server):
    base, _ = snapshot_server
    sources = small_sources(tmp_path, ("ice-breaking-news",))
    config = ops_config(tmp_path, sources=sources)
    db = tmp_path / "monitor.db"
    child = start(config, "watch", "--snapshot", base, "--interval", "600", "--tick", "0.5")
    try:
        assert wait_for(lambda: db.exists() and finished_runs(db) >= 1)
        small_sources(tmp_path, ("ice-breaking-news", "guardian-us-immigration"))
        added = wait_for(lambda: scalar(
            db, "SELECT COUNT(*) FROM source_crawls WHERE source_id LIKE 'guardian%'") >= 1)
    finally:
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=180)
    assert added
