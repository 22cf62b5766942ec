"""The `[digest]` table of monitor.toml, apart from `monitor.digest` (which re-exports it).

`monitor.configure` checks every table for every command; here the check no longer imports the
digest's templates, mail and triage for `monitor crawl` (issue 16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.config import Config, ConfigError
from monitor.urls import is_http_url


@dataclass(frozen=True)
class DigestSettings:
    """The `[digest]` table of monitor.toml; every key optional."""

    immediate_min_score: float = 7.0
    schedule_slack_minutes: int = 60
    timezone: str = "UTC"
    draft_url: str = ""
    max_age_days: float = 30.0

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def draft_link(self, draft: dict[str, Any]) -> str:
        """The review page's URL for a draft, when `draft_url` is configured (http(s) only)."""
        if not self.draft_url:
            return ""
        url = self.draft_url.format(id=draft["id"], incident_id=draft["incident_id"])
        return url if is_http_url(url) else ""


def digest_settings(config: Config) -> DigestSettings:
    """Read and check `[digest]`; a bad value is a one-line ConfigError."""
    data = config.raw.get("digest", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{config.path}: 'digest' must be a table")
    try:
        settings = DigestSettings(**data)
    except TypeError as exc:
        raise ConfigError(f"{config.path}: [digest]: {exc}") from None
    for key in ("immediate_min_score", "schedule_slack_minutes", "max_age_days"):
        value = getattr(settings, key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{config.path}: [digest] {key} must be a number >= 0")
    try:
        ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{config.path}: [digest] timezone {settings.timezone!r} is not a "
                          "known time zone (e.g. America/New_York)") from None
    if settings.draft_url and not is_http_url(settings.draft_url):
        raise ConfigError(f"{config.path}: [digest] draft_url must be an http(s) URL")
    return settings
