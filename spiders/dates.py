"""Dates as sources print them -> ISO 8601 with a timezone (pure; no clock, no network)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

# Agencies publish in Washington's time; a date without an offset is read in the source's zone.
DEFAULT_TIMEZONE = "UTC"
FUTURE_TOLERANCE = timedelta(days=1)


def zone(name: str | None) -> ZoneInfo:
    """The named IANA zone (UTC when unnamed); raises ValueError for an unknown name."""
    try:
        return ZoneInfo(name or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def parse_date(text: str | None, fmt: str | None = None, tz: str | None = None) -> str | None:
    """Read a date as printed ("August 7, 2026", "Aug 07 2026", "2026-09-11T13:40:20Z").

    With `fmt` the text must match that strptime format; without it dateutil guesses.
    A value without an offset is taken in `tz` (the source's timezone, default UTC).
    Returns ISO 8601 with an offset, or None when the text is not a date.
    """
    if not text:
        return None
    text = " ".join(str(text).split())
    try:
        if fmt:
            value = datetime.strptime(text, fmt)
        else:
            value = dateutil_parser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone(tz))
    return value.isoformat()


def is_future(iso: str | None, now: datetime) -> bool:
    """A date more than a day ahead of `now` is an anomaly (wrong format, wrong zone, typo)."""
    if not iso:
        return False
    try:
        value = datetime.fromisoformat(iso)
    except ValueError:
        return False
    if value.tzinfo is None:
        value = value.replace(tzinfo=now.tzinfo)
    return value > now + FUTURE_TOLERANCE
