"""Source health: the one judgement of whether a source works, for `monitor sources`, the web
sources page, `monitor status` and the digest's "Source problems" (a source that breaks must never
go quiet unnoticed). `assess` is pure (`now` and the crawl history passed in); `of_source` and
`of_crawled_sources` read the history through `monitor.storage.sources`.

States, most serious first (`STATES`, the order every listing sorts by):
- `failing`: the last N crawls (default 3) failed in a row.
- `error`: the last crawl failed, fewer than N in a row so far.
- `anomaly`: the source answered but something looks wrong: zero items where there used to be
  some, a feed URL now returning HTML, a selector matching nothing, a date in the future.
- `stale`: not crawled for longer than `[health] stale_hours` (48): cron, the timer or `watch`
  stopped reaching it.
- `silent`: no new item for longer than the source's `expected_cadence_hours`, or else
  `[health] silent_days` (7) (judged on the newest entry date the source lists, so a feed whose
  items another source stored first is not silent).
- `degraded`: the last crawl worked but had errors (an article page failed) or parse problems
  (an entry without a link, a malformed feed that could still be read).
- `ok`; `never`: not crawled yet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from monitor.storage import sources as source_store

if TYPE_CHECKING:
    import sqlite_utils

DEFAULT_FAILURE_THRESHOLD = 3
FAILED = "failed"

STATES = ("failing", "error", "anomaly", "stale", "silent", "degraded", "never", "ok")
ALARMS = frozenset({"failing", "error", "anomaly"})  # `monitor sources` exits 1 on these
# What the digest announces: one failed crawl (`error`) may be a blip, `degraded` is noise.
DIGEST_STATES = frozenset({"failing", "anomaly", "stale", "silent"})


def rank(state: str) -> int:
    """Sort key, most serious first; a state this version does not know sorts first."""
    return STATES.index(state) if state in STATES else -1


@dataclass(frozen=True)
class Thresholds:
    """The operator-tunable limits, `[health]` in monitor.toml (0 turns stale/silent off)."""

    failures: int = DEFAULT_FAILURE_THRESHOLD  # failed crawls in a row before `failing`
    stale_hours: float = 48.0  # not crawled for this long: `stale`
    silent_days: float = 7.0  # no new item this long, when the source names no cadence

    @classmethod
    def from_config(cls, config: Any) -> Thresholds:
        """Read `[health]` (its types are checked by `monitor.config`)."""
        data = (getattr(config, "raw", None) or {}).get("health") or {}
        known = {k: data[k] for k in ("failures", "stale_hours", "silent_days") if k in data}
        return cls(**known)


@dataclass(frozen=True)
class Health:
    source_id: str
    state: str
    consecutive_failures: int = 0
    last_crawl: str | None = None
    last_success: str | None = None
    last_new_item: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)
    last_error: str | None = None  # the latest crawl's last error, on one line

    @property
    def alarm(self) -> bool:
        return self.state in ALARMS

    def as_row(self, now: datetime) -> dict[str, Any]:
        """The fields kept on the sources table."""
        return {
            "health_state": self.state, "health_reasons": list(self.reasons),
            "consecutive_failures": self.consecutive_failures,
            "last_success": self.last_success, "last_new_item": self.last_new_item,
            "health_checked_at": now.isoformat(timespec="seconds"),
        }


def _when(crawl: dict[str, Any]) -> str | None:
    return crawl.get("finished_at") or crawl.get("started_at")


def _parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp)
    except ValueError:
        return None


def assess(
    source_id: str,
    history: Sequence[dict[str, Any]],
    *,
    now: datetime,
    expected_cadence_hours: float | None = None,
    failure_threshold: int | None = None,
    thresholds: Thresholds | None = None,
    marks: Mapping[str, Any] | None = None,
) -> Health:
    """Health of one source from its crawls (newest first, as `crawl_history` returns them).

    `marks` (`source_store.crawl_marks`) are facts over the whole history, which `history` may
    have cut short: the newest entry date listed, the last crawl with a new item, the first
    crawl. Without them a source crawled every few minutes would never look silent.
    """
    limits = thresholds or Thresholds()
    if failure_threshold is not None:
        limits = Thresholds(failure_threshold, limits.stale_hours, limits.silent_days)
    failure_threshold = limits.failures
    if not history:
        return Health(source_id, "never", reasons=("not crawled yet",))
    latest = history[0]
    failures = 0
    for crawl in history:
        if crawl.get("status") != FAILED:
            break
        failures += 1
    last_success = next((_when(c) for c in history if c.get("status") != FAILED), None)
    last_new = _last_new_item(history, marks or {})
    reasons: list[str] = []
    anomalies = list(latest.get("anomalies") or [])
    if latest.get("status") != FAILED and not latest.get("not_modified") \
            and not latest.get("items_seen"):
        before = [c for c in history[1:] if not c.get("not_modified")
                  and c.get("status") != FAILED]
        if before and (before[0].get("items_seen") or 0) > 0:
            anomalies.append(f"zero items: 0 seen, {before[0]['items_seen']} the time before")
    state = "ok"
    if latest.get("status") == FAILED:
        state = "failing" if failures >= failure_threshold else "error"
        reasons.append(f"{failures} consecutive failure{'s' if failures != 1 else ''}")
        reasons.extend(str(e) for e in (latest.get("errors") or [])[:3])
    elif anomalies:
        state = "anomaly"
        reasons.extend(str(a) for a in anomalies)
    stale = _older(_when(latest), now, limits.stale_hours)
    if stale and state == "ok":
        state = "stale"
        reasons.append(f"stale: not crawled for {stale.total_seconds() / 3600:.0f} h "
                       f"(more than {limits.stale_hours:g} h)")
    cadence = expected_cadence_hours or limits.silent_days * 24
    first = (marks or {}).get("first_crawl") or history[-1].get("started_at")
    silent = _silent(last_new or first, now, cadence)
    if silent:
        reasons.append(silent)
        if state == "ok":
            state = "silent"
    # A crawl that worked with errors is `degraded`; when a more serious state wins (a source
    # both silent and losing articles), its errors stay among the reasons all the same.
    if latest.get("status") == "degraded":
        state = "degraded" if state == "ok" else state
        reasons.extend(str(e) for e in (latest.get("errors") or [])[:3])
    problems = latest.get("parse_problems") or []
    if latest.get("status") != FAILED and problems:
        state = "degraded" if state == "ok" else state
        reasons.append(f"{len(problems)} parse problem{'s' if len(problems) != 1 else ''}: "
                       f"{problems[0]}")
    errors = latest.get("errors") or []
    last_error = " ".join(str(errors[-1]).split())[:300] if errors else None
    return Health(source_id, state, failures, _when(latest), last_success, last_new,
                  tuple(reasons), last_error)


def _last_new_item(history: Sequence[dict[str, Any]], marks: Mapping[str, Any]) -> str | None:
    """When the source last had something new: the newest entry date it listed, or else the
    last crawl that stored a new article (an item another source stored first still counts)."""
    dated = [c["newest_item"] for c in history if c.get("newest_item")]
    dated += [marks["newest_item"]] if marks.get("newest_item") else []
    stored = next((_when(c) for c in history if (c.get("new_items") or 0) > 0), None)
    stored = max((d for d in (stored, marks.get("last_new_crawl")) if d),
                 key=lambda d: _parse(d) or datetime.min.replace(tzinfo=UTC), default=None)
    candidates = [d for d in (max(dated) if dated else None, stored) if d]
    if not candidates:
        return None
    return max(candidates, key=lambda d: _parse(d) or datetime.min.replace(tzinfo=UTC))


def _older(stamp: str | None, now: datetime, hours: float | None) -> timedelta | None:
    """How long ago `stamp` was, when that is more than `hours` (0 or None: never)."""
    since = _parse(stamp)
    if not hours or since is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    quiet = now - since
    return quiet if quiet > timedelta(hours=float(hours)) else None


def _silent(since: str | None, now: datetime, cadence_hours: float | None) -> str | None:
    quiet = _older(since, now, cadence_hours)
    if quiet is None:
        return None
    return (f"silent: no new item for {quiet.total_seconds() / 3600:.0f} h "
            f"(expected every {cadence_hours:g} h)")


# -- reading the history (through monitor.storage; no SQL here) ------------------------------

def of_source(db: sqlite_utils.Database, source_id: str, options: Mapping[str, Any] | None,
              thresholds: Thresholds, now: datetime) -> Health:
    """Health of one source from its stored crawl history."""
    return assess(
        source_id, source_store.crawl_history(db, source_id), now=now,
        expected_cadence_hours=(options or {}).get("expected_cadence_hours"),
        thresholds=thresholds, marks=source_store.crawl_marks(db, source_id),
    )


def source_health(db: sqlite_utils.Database, source: Any, config: Any,
                  now: datetime) -> Health:
    """Health of a source from sources.toml (a `monitor.sources.Source`), `[health]` applied."""
    return of_source(db, source.id, source.options, Thresholds.from_config(config), now)


def of_crawled_sources(db: sqlite_utils.Database, thresholds: Thresholds,
                       now: datetime) -> list[tuple[dict[str, Any], Health]]:
    """Every source with a crawl on record (kept even if it left the file), with its health."""
    return [(row, of_source(db, row["id"], row["options"], thresholds, now))
            for row in source_store.crawled_sources(db)]
