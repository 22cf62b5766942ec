"""The one rule for "is a source due?", shared by `monitor crawl --due`, `monitor run` and
`monitor watch` (and shown by `monitor status`), so cron and the watch loop always agree.

The rule: a source is due when its interval has passed since its last crawl *started*, less
a small tolerance that only ever brings the crawl forward:

- measured from the start, not the end, so a slow crawl does not push the schedule back, and a
  crawl that failed counts like any other (a broken site is retried at its interval, neither
  hammered nor dropped);
- a crawl started but not recorded yet (a pass in flight, one killed mid-crawl) counts from
  its start too: the caller passes the attempts it knows of (`merge_starts`);
- the tolerance is `min(1 minute, interval / 10)` — cron fires on the minute and a crawl starts a
  few seconds later, so without it a 15-minute source read at 10:00:05 would be judged not due
  at 10:15:00 and wait until 10:30 — plus a spread of up to `SPREAD` of the interval, so
  sources sharing an interval do not all fire at the same tick of `watch`;
- the spread is derived from a hash of the source id and its last start, not drawn at random:
  `crawl --due`, `run` and `watch` compute the same due time from the same database.

An interval is thus a promise that a source is read at least that often (when the scheduler runs
at least that often), at most `SPREAD` plus a minute early. Everything here is pure: `now` and
the last starts are passed in; `last_starts` is the one read of the database.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.sources import Source
from monitor.storage import sources as source_store

SLACK = timedelta(minutes=1)  # cron fires on the minute; the crawl starts seconds later
SLACK_FRACTION = 0.1  # ... but never more than this fraction of a short interval
SPREAD = 0.1  # sources sharing an interval spread over up to this fraction of it


def parse_time(value: str | None) -> datetime | None:
    """A stored ISO timestamp as an aware datetime (naive ones are UTC), or None."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def interval_of(source: Source, override_seconds: float | None = None) -> timedelta:
    """The source's interval, or the one `watch --interval` imposes on every source."""
    if override_seconds:
        return timedelta(seconds=override_seconds)
    return timedelta(minutes=source.interval_minutes)


def spread_fraction(source_id: str, last_start: datetime) -> float:
    """A number in [0, 1), the same for the same source and last start in every process."""
    key = f"{source_id}|{last_start.astimezone(UTC).isoformat()}".encode()
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2 ** 64


def tolerance(source_id: str, last_start: datetime, interval: timedelta) -> timedelta:
    """How early a source may be crawled: the cron slack plus its spread (see the module)."""
    slack = min(SLACK, interval * SLACK_FRACTION)
    return slack + interval * (SPREAD * spread_fraction(source_id, last_start))


def next_due(source: Source, last_start: datetime | None, *,
             override_seconds: float | None = None) -> datetime | None:
    """When the source is next due; None when it was never crawled (so it is due now)."""
    if last_start is None:
        return None
    interval = interval_of(source, override_seconds)
    return last_start + interval - tolerance(source.id, last_start, interval)


def is_due(source: Source, last_start: datetime | None, now: datetime, *,
           override_seconds: float | None = None) -> bool:
    """The rule itself: enabled, and never crawled or its (tolerant) interval has passed."""
    if not source.enabled:
        return False
    when = next_due(source, last_start, override_seconds=override_seconds)
    return when is None or when <= now


def due_sources(sources: Iterable[Source], last: Mapping[str, datetime], now: datetime, *,
                override_seconds: float | None = None) -> list[Source]:
    """The sources due at `now`, in the order given."""
    return [s for s in sources
            if is_due(s, last.get(s.id), now, override_seconds=override_seconds)]


def merge_starts(recorded: Mapping[str, datetime],
                 attempted: Mapping[str, datetime]) -> dict[str, datetime]:
    """The latest known start of each source: crawls recorded, or attempts not recorded yet."""
    merged = dict(recorded)
    for source_id, when in attempted.items():
        merged[source_id] = max(when, merged.get(source_id, when))
    return merged


def last_starts(db: Any) -> dict[str, datetime]:
    """When each source's latest recorded crawl started (finished, for a row without a start)."""
    times = {}
    for row in source_store.latest_crawls(db):
        when = parse_time(row.get("started_at") or row.get("finished_at"))
        if when:
            times[row["source_id"]] = when
    return times
