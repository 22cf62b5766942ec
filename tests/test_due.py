"""monitor.due: the one rule for "is a source due?" (pure; `now` and the last starts passed in).

`crawl --due`, `run` and `watch` all call it, so these cases hold for all three commands.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

from monitor.due import (
    SPREAD,
    due_sources,
    is_due,
    merge_starts,
    next_due,
    spread_fraction,
    tolerance,
)
from monitor.sources import Source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def source(sid: str = "a", minutes: int = 30, enabled: bool = True) -> Source:
    return Source(id=sid, name=sid, kind="feed", url=f"https://{sid}.example/feed",
                  interval_minutes=minutes, enabled=enabled)


def ids(sources):
    return [s.id for s in sources]


def test_never_crawled_source_is_due():
    assert ids(due_sources([source()], {}, NOW)) == ["a"]


def test_never_crawled_source_has_no_next_due_time():
    assert next_due(source(), None) is None


def test_disabled_source_is_never_due():
    assert due_sources([source(enabled=False)], {}, NOW) == []


def test_source_halfway_through_its_interval_is_not_due():
    assert not is_due(source(), NOW - timedelta(minutes=15), NOW)


def test_source_at_its_interval_is_due():
    assert is_due(source(), NOW - timedelta(minutes=30), NOW)


def test_source_just_short_of_the_largest_tolerance_is_not_due():
    # 30 min less 1 min slack less 10% spread: nothing is ever due earlier than 26 min.
    assert not is_due(source(), NOW - timedelta(minutes=25, seconds=59), NOW)


def test_cron_firing_seconds_before_the_interval_still_finds_it_due():
    # crawled at 11:30:05 by a cron job every 30 minutes: 12:00:00 must not skip it to 12:30
    assert is_due(source(), datetime(2026, 11, 24, 11, 30, 5, tzinfo=UTC), NOW)


def test_failed_last_crawl_counts_like_any_other():
    # the rule reads only when the last crawl started: a failure is retried at its interval
    last = {"a": NOW - timedelta(minutes=10)}
    assert due_sources([source()], last, NOW) == []


def test_crawl_in_progress_is_not_due_again():
    attempted = {"a": NOW - timedelta(minutes=1)}  # launched, nothing recorded yet
    last = merge_starts({"a": NOW - timedelta(hours=3)}, attempted)
    assert due_sources([source()], last, NOW) == []


def test_merge_keeps_the_later_recorded_start():
    recorded = {"a": NOW - timedelta(minutes=1)}
    assert merge_starts(recorded, {"a": NOW - timedelta(minutes=2)}) == recorded


def test_each_source_keeps_its_own_interval():
    last = {"fast": NOW - timedelta(minutes=20), "slow": NOW - timedelta(minutes=20)}
    assert ids(due_sources([source("fast", 15), source("slow", 60)], last, NOW)) == ["fast"]


def test_interval_override_in_seconds():
    last = {"a": NOW - timedelta(seconds=5)}
    assert ids(due_sources([source()], last, NOW, override_seconds=5)) == ["a"]


def test_slack_of_a_short_interval_is_a_tenth_of_it_not_a_minute():
    last = NOW - timedelta(seconds=5)
    assert tolerance("a", last, timedelta(seconds=10)) <= timedelta(seconds=2)


def test_spread_stays_within_its_bounds_over_many_starts():
    interval = timedelta(minutes=60)
    starts = [NOW - timedelta(minutes=m) for m in range(500)]
    spans = [tolerance("a", s, interval) for s in starts]
    low, high = timedelta(minutes=1), timedelta(minutes=1) + interval * SPREAD
    assert all(low <= span < high for span in spans)


def test_spread_uses_its_range():
    fractions = [spread_fraction(f"s{i}", NOW) for i in range(200)]
    assert min(fractions) < 0.1 and max(fractions) > 0.9


def test_spread_separates_sources_sharing_an_interval():
    last = NOW - timedelta(minutes=50)
    whens = {next_due(source(f"s{i}", 60), last) for i in range(8)}
    assert len(whens) == 8


def test_spread_is_the_same_in_another_process():
    # a stable hash, not a random draw: cron `crawl --due` and `watch` agree on the due time
    code = ("from datetime import datetime; from monitor.due import spread_fraction; "
            "last = datetime.fromisoformat('2026-11-24T11:10:00+00:00'); "
            "print(repr(spread_fraction('a', last)))")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": "random"})
    assert float(other.stdout) == spread_fraction("a", NOW - timedelta(minutes=50))


def test_next_due_is_never_later_than_the_interval():
    last = NOW - timedelta(minutes=10)
    assert next_due(source(), last) <= last + timedelta(minutes=30) - timedelta(minutes=1)
