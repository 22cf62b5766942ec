"""monitor.health.assess: states from crawl history (pure; `now` passed in)."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.health import assess

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def crawl(day: int, status: str = "ok", seen: int = 5, new: int = 0, **extra):
    stamp = datetime(2026, 11, day, 6, 0, tzinfo=UTC).isoformat()
    return {"started_at": stamp, "finished_at": stamp, "status": status, "items_seen": seen,
            "new_items": new, "errors": extra.pop("errors", []), **extra}


def test_never_crawled():
    assert assess("s", [], now=NOW).state == "never"


def test_ok():
    assert assess("s", [crawl(24, new=1)], now=NOW).state == "ok"


def test_one_failure_is_error_not_yet_failing():
    history = [crawl(24, "failed", 0, errors=["HTTP 500"]), crawl(23)]
    assert assess("s", history, now=NOW).state == "error"


def test_n_consecutive_failures_is_failing():
    history = [crawl(d, "failed", 0) for d in (24, 23, 22)] + [crawl(21)]
    assert assess("s", history, now=NOW, failure_threshold=3).state == "failing"


def test_consecutive_failures_counted_until_last_success():
    history = [crawl(24, "failed", 0), crawl(23, "failed", 0), crawl(22), crawl(21, "failed", 0)]
    assert assess("s", history, now=NOW).consecutive_failures == 2


def test_last_success_skips_failures():
    history = [crawl(24, "failed", 0), crawl(22)]
    assert assess("s", history, now=NOW).last_success.startswith("2026-11-22")


def test_zero_items_where_there_used_to_be_some_is_anomaly():
    history = [crawl(24, seen=0), crawl(23, seen=12)]
    health = assess("s", history, now=NOW)
    assert (health.state, "zero items" in health.reasons[0]) == ("anomaly", True)


def test_zero_items_after_a_not_modified_crawl_compares_with_the_last_real_read():
    history = [crawl(24, seen=0), crawl(23, seen=0, not_modified=1), crawl(22, seen=7)]
    assert assess("s", history, now=NOW).state == "anomaly"


def test_not_modified_is_not_zero_items():
    history = [crawl(24, seen=0, not_modified=1), crawl(23, seen=12)]
    assert assess("s", history, now=NOW).state == "ok"


def test_recorded_anomaly_is_reported():
    history = [crawl(24, anomalies=["selector-empty: item selector matches nothing"])]
    assert assess("s", history, now=NOW).reasons == (
        "selector-empty: item selector matches nothing",)


def test_silent_beyond_expected_cadence():
    history = [crawl(24), crawl(20, new=3)]
    assert assess("s", history, now=NOW, expected_cadence_hours=48).state == "silent"


def test_not_silent_within_cadence():
    history = [crawl(24), crawl(23, new=3)]
    assert assess("s", history, now=NOW, expected_cadence_hours=48).state == "ok"


def test_last_new_item_is_the_latest_crawl_with_new_items():
    history = [crawl(24), crawl(21, new=2), crawl(20, new=1)]
    assert assess("s", history, now=NOW).last_new_item.startswith("2026-11-21")


def test_parse_problems_degrade():
    history = [crawl(24, parse_problems=["entry without a link"])]
    assert assess("s", history, now=NOW).state == "degraded"


def test_newest_listed_date_counts_as_new_item():
    history = [crawl(24, newest_item="2026-11-23T10:00:00+00:00"), crawl(20, new=3)]
    assert assess("s", history, now=NOW, expected_cadence_hours=48).state == "ok"


def test_old_newest_listed_date_is_silent():
    history = [crawl(24, newest_item="2026-11-10T10:00:00+00:00")]
    assert assess("s", history, now=NOW, expected_cadence_hours=72).state == "silent"
