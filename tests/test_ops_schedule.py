"""When sources and digests are due: pure functions, time passed in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from monitor.runner import digest_due, due_sources, next_due
from monitor.scheduler import Watcher, WatchOptions
from monitor.sources import Source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def source(sid: str, minutes: int = 30, enabled: bool = True) -> Source:
    return Source(id=sid, name=sid, kind="feed", url=f"https://{sid}.example/feed",
                  interval_minutes=minutes, enabled=enabled)


def ids(sources):
    return [s.id for s in sources]


def test_never_crawled_source_is_due():
    assert ids(due_sources([source("a")], {}, NOW)) == ["a"]


def test_source_inside_its_interval_is_not_due():
    last = {"a": NOW - timedelta(minutes=29)}
    assert due_sources([source("a")], last, NOW) == []


def test_source_past_its_interval_is_due():
    last = {"a": NOW - timedelta(minutes=30)}
    assert ids(due_sources([source("a")], last, NOW)) == ["a"]


def test_each_source_keeps_its_own_interval():
    last = {"fast": NOW - timedelta(minutes=20), "slow": NOW - timedelta(minutes=20)}
    sources = [source("fast", 15), source("slow", 60)]
    assert ids(due_sources(sources, last, NOW)) == ["fast"]


def test_disabled_source_is_never_due():
    assert due_sources([source("a", enabled=False)], {}, NOW) == []


def test_jitter_delays_a_source():
    last = {"a": NOW - timedelta(minutes=30)}
    jitter = {"a": timedelta(minutes=2)}
    assert due_sources([source("a")], last, NOW, jitter=jitter) == []


def test_interval_override_in_seconds():
    last = {"a": NOW - timedelta(seconds=5)}
    assert ids(due_sources([source("a")], last, NOW, override_seconds=5)) == ["a"]


def test_next_due_adds_interval_and_jitter():
    last = NOW - timedelta(minutes=10)
    when = next_due(source("a", 30), last, jitter=timedelta(seconds=90))
    assert when == NOW + timedelta(minutes=20, seconds=90)


def test_jitter_spreads_sources_with_the_same_interval():
    sources = [source(f"s{i}", 60) for i in range(8)]
    watcher = Watcher(config=None, sources=sources, options=WatchOptions(jitter=0.1),
                      rng=random.Random(7))
    offsets = {watcher.jitter[s.id] for s in sources}
    assert len(offsets) == 8 and max(offsets) <= timedelta(minutes=6)


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
