"""monitor.health.assess: states from crawl history (pure; `now` passed in)."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.health import DIGEST_STATES, STATES, Thresholds, assess, rank

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


# -- the thresholds, the ordering and the whole-history marks ------------------------------

def test_not_crawled_for_longer_than_stale_hours_is_stale():
    assert assess("s", [crawl(21, new=1)], now=NOW).state == "stale"


def test_stale_hours_zero_turns_stale_off():
    limits = Thresholds(stale_hours=0, silent_days=0)
    assert assess("s", [crawl(21, new=1)], now=NOW, thresholds=limits).state == "ok"


def test_a_failing_source_is_failing_not_stale():
    history = [crawl(d, "failed", 0) for d in (20, 19, 18)]
    assert assess("s", history, now=NOW).state == "failing"


def test_without_a_cadence_silence_is_judged_on_silent_days():
    history = [crawl(24), crawl(23), crawl(15, new=2)]
    assert assess("s", history, now=NOW).state == "silent"


def test_the_source_cadence_wins_over_silent_days():
    history = [crawl(24), crawl(15, new=2)]
    assert assess("s", history, now=NOW, expected_cadence_hours=24 * 14).state == "ok"


def test_marks_see_a_new_item_older_than_the_history_kept():
    # a source crawled every few minutes: the kept history holds no new item, the marks do
    history = [crawl(24)]
    marks = {"last_new_crawl": "2026-11-23T06:00:00+00:00", "first_crawl": "2026-10-01"}
    assert assess("s", history, now=NOW, marks=marks).state == "ok"


def test_marks_make_a_long_quiet_source_silent_though_its_kept_history_is_recent():
    marks = {"last_new_crawl": "2026-11-01T06:00:00+00:00", "first_crawl": "2026-10-01"}
    assert assess("s", [crawl(24)], now=NOW, marks=marks).state == "silent"


def test_failure_threshold_from_thresholds():
    history = [crawl(24, "failed", 0), crawl(23, "failed", 0), crawl(22)]
    assert assess("s", history, now=NOW, thresholds=Thresholds(failures=2)).state == "failing"


def test_latest_error_kept_on_one_line():
    history = [crawl(24, "failed", 0, errors=["first", "HTTP 503\nService  Unavailable"])]
    assert assess("s", history, now=NOW).last_error == "HTTP 503 Service Unavailable"


def test_states_sort_most_serious_first():
    assert sorted(["ok", "silent", "failing", "stale", "never"], key=rank) == [
        "failing", "stale", "silent", "never", "ok"]


def test_an_unknown_state_sorts_before_every_known_one():
    assert rank("exploded") < rank(STATES[0])


def test_thresholds_read_from_the_health_table():
    class Config:
        raw = {"health": {"failures": 5, "stale_hours": 12}}
    assert Thresholds.from_config(Config()) == Thresholds(5, 12, 7.0)


def test_the_digest_announces_no_single_failure():
    assert "error" not in DIGEST_STATES and "failing" in DIGEST_STATES


def test_stored_history_longer_than_kept_still_judges_silence_on_the_whole(tmp_path):
    # 150 crawls every 10 minutes, the only new item in the first: crawl_history keeps 100
    from datetime import timedelta

    from monitor.health import of_source
    from monitor.storage import open_db
    from monitor.storage import sources as source_store

    db = open_db(tmp_path / "monitor.db")
    start = NOW - timedelta(days=9)
    for n in range(150):
        stamp = (start + timedelta(minutes=10 * n)).isoformat()
        source_store.record_source_crawl(db, {
            "source_id": "s", "started_at": stamp, "finished_at": stamp, "status": "ok",
            "items_seen": 3, "new_items": 3 if n == 0 else 0, "errors": []})
    judged = of_source(db, "s", {}, Thresholds(stale_hours=0), NOW)
    assert (judged.state, judged.last_new_item[:10]) == ("silent", "2026-11-15")


def test_errors_of_a_degraded_crawl_stay_listed_when_the_source_is_also_silent():
    history = [crawl(24, "degraded", errors=["article could not be stored: disk full"]),
               crawl(10, new=2)]
    assert "article could not be stored: disk full" in assess("s", history, now=NOW).reasons
