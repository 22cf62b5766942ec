"""When digests are due: pure functions, time passed in (sources: tests/test_due.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.digest import digest_due

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_first_digest_is_due():
    assert digest_due("daily", None, NOW)


def test_daily_digest_waits_a_day_less_the_slack():
    assert not digest_due("daily", NOW - timedelta(hours=22), NOW)


def test_daily_digest_due_after_a_day():
    assert digest_due("daily", NOW - timedelta(hours=24), NOW)


def test_weekly_digest_waits_a_week():
    assert not digest_due("weekly", NOW - timedelta(days=6), NOW)


def test_immediate_digest_is_always_due():
    assert digest_due("immediate", NOW - timedelta(minutes=1), NOW)
