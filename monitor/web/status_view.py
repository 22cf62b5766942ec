"""The status page's wording of `monitor.status.gather` facts: times relative to now. Pure.

`monitor status` is a terminal screen; the review page shows the same facts as a page, and a
time in the past is never "next … ago": a source whose next crawl time has passed is due now,
overdue by so long (nothing crawled it: the scheduler is not running, or the pass failed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def parse(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def span(delta: timedelta) -> str:
    """"45 s", "12 min", "1 h 23 min", "3 days" — exact enough to act on, short to read."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def relative(stamp: str | None, now: datetime) -> str:
    when = parse(stamp)
    if when is None:
        return "never"
    delta = now - when
    return f"in {span(-delta)}" if delta < timedelta(0) else f"{span(delta)} ago"


def clock(stamp: str | None) -> str:
    when = parse(stamp)
    return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if when else ""


def due_text(stamp: str | None, now: datetime) -> tuple[str, bool]:
    """(what to say about a next-due time, whether it is overdue)."""
    when = parse(stamp)
    if when is None:
        return "", False
    if when <= now:
        return f"due now, overdue by {span(now - when)}", True
    return f"in {span(when - now)}", False
