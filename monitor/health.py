"""Source health from crawl history (pure): a source that breaks must never go quiet unnoticed.

States, most serious first:
- `failing`: the last N crawls (default 3) failed in a row.
- `error`: the last crawl failed, fewer than N in a row so far.
- `anomaly`: the source answered but something looks wrong: zero items where there used to be
  some, a feed URL now returning HTML, a selector matching nothing, a date in the future.
- `silent`: no new item for longer than the source's `expected_cadence_hours` (judged on the
  newest entry date the source lists, so a feed whose items another source stored first is
  not silent).
- `degraded`: the last crawl worked but had errors (an article page failed) or parse problems
  (an entry without a link, a malformed feed that could still be read).
- `ok`; `never`: not crawled yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_FAILURE_THRESHOLD = 3
FAILED = "failed"


@dataclass(frozen=True)
class Health:
    source_id: str
    state: str
    consecutive_failures: int = 0
    last_crawl: str | None = None
    last_success: str | None = None
    last_new_item: str | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

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
    failure_threshold: int = DEFAULT_FAILURE_THRESHOLD,
) -> Health:
    """Health of one source from its crawls (newest first, as `crawl_history` returns them)."""
    if not history:
        return Health(source_id, "never", reasons=("not crawled yet",))
    latest = history[0]
    failures = 0
    for crawl in history:
        if crawl.get("status") != FAILED:
            break
        failures += 1
    last_success = next((_when(c) for c in history if c.get("status") != FAILED), None)
    last_new = _last_new_item(history)
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
    silent = _silent(history, last_new, now, expected_cadence_hours)
    if silent:
        reasons.append(silent)
        if state == "ok":
            state = "silent"
    if state == "ok" and latest.get("status") == "degraded":
        state = "degraded"
        reasons.extend(str(e) for e in (latest.get("errors") or [])[:3])
    problems = latest.get("parse_problems") or []
    if state in {"ok", "degraded"} and problems:
        state = "degraded"
        reasons.append(f"{len(problems)} parse problem{'s' if len(problems) != 1 else ''}: "
                       f"{problems[0]}")
    return Health(source_id, state, failures, _when(latest), last_success, last_new,
                  tuple(reasons))


def _last_new_item(history: Sequence[dict[str, Any]]) -> str | None:
    """When the source last had something new: the newest entry date it listed, or else the
    last crawl that stored a new article (an item another source stored first still counts)."""
    dated = [c["newest_item"] for c in history if c.get("newest_item")]
    stored = next((_when(c) for c in history if (c.get("new_items") or 0) > 0), None)
    candidates = [d for d in (max(dated) if dated else None, stored) if d]
    if not candidates:
        return None
    return max(candidates, key=lambda d: _parse(d) or datetime.min.replace(tzinfo=UTC))


def _silent(history: Sequence[dict[str, Any]], last_new: str | None, now: datetime,
            cadence_hours: float | None) -> str | None:
    if not cadence_hours:
        return None
    since = _parse(last_new) or _parse(history[-1].get("started_at"))
    if since is None:
        return None
    if since.tzinfo is None:
        since = since.replace(tzinfo=now.tzinfo)
    quiet = now - since
    if quiet > timedelta(hours=float(cadence_hours)):
        return (f"silent: no new item for {quiet.total_seconds() / 3600:.0f} h "
                f"(expected every {cadence_hours:g} h)")
    return None
