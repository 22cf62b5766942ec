"""`monitor status` warnings: what an operator must act on (pure function, time passed in)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.sources import Source
from monitor.status import LOW_DISK_BYTES, warnings

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCES = [Source(id="a", name="A", kind="feed", url="https://a.example/feed",
                  interval_minutes=30)]
PLENTY = 10 * LOW_DISK_BYTES


def facts(*, finished_ago=timedelta(minutes=5), status="ok", health="ok",
          failed_attempts=0, in_progress=None):
    finished = (NOW - finished_ago).isoformat()
    return {
        "last_run": {"id": 4, "status": status, "finished_at": finished},
        "in_progress": in_progress,
        "sources": [{"id": "a", "enabled": True, "status": "ok", "health": health}],
        "digests": [{"email": "x@example.com", "failed_attempts": failed_attempts}],
    }


def test_healthy_monitor_has_no_warning():
    assert warnings(facts(), SOURCES, NOW, PLENTY) == []


def test_overdue_pass_is_a_warning():
    found = warnings(facts(finished_ago=timedelta(hours=2)), SOURCES, NOW, PLENTY)
    assert found == ["no pass has finished for 2 h: is cron, the timer or `monitor watch` "
                     "running?"]


def test_pass_in_progress_is_not_overdue():
    found = warnings(facts(finished_ago=timedelta(hours=2), in_progress={"pid": 5}), SOURCES,
                     NOW, PLENTY)
    assert found == []


def test_failed_last_pass_is_a_warning():
    assert warnings(facts(status="failed"), SOURCES, NOW, PLENTY) == ["the last pass (#4) failed"]


def test_source_in_error_is_a_warning():
    found = warnings(facts(health="error"), SOURCES, NOW, PLENTY)
    assert found == ["1 source(s) unhealthy (see `monitor sources`): a (error)"]


def test_silent_source_is_not_a_warning():
    # the states `monitor sources` exits 1 on (monitor.health.ALARMS) are the ones status warns on
    assert warnings(facts(health="silent"), SOURCES, NOW, PLENTY) == []


def test_failed_digest_is_a_warning():
    found = warnings(facts(failed_attempts=2), SOURCES, NOW, PLENTY)
    assert found == ["digest to x@example.com: 2 failed attempt(s) since the last one sent"]


def test_low_disk_is_a_warning():
    found = warnings(facts(), SOURCES, NOW, LOW_DISK_BYTES // 2)
    assert found == ["only 100.0 MB free beside the database"]


def test_no_pass_yet_is_a_warning():
    assert warnings({**facts(), "last_run": None}, SOURCES, NOW, PLENTY) == [
        "no pass has run yet"]
