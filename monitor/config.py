"""The firm's configuration file (`monitor.toml`): who we are, where things go, who gets mail.

Secrets never live here: SMTP and review passwords are named by environment variable.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_CONFIG = "monitor.toml"


class ConfigError(Exception):
    """A configuration problem the operator must fix; its message is one clear line."""


@dataclass(frozen=True)
class Firm:
    name: str
    phone: str
    site_url: str
    email: str = ""
    call_to_action: str = ""


@dataclass(frozen=True)
class Smtp:
    host: str = "127.0.0.1"
    port: int = 25
    security: str = "none"  # none | starttls | ssl
    username: str = ""
    password_env: str = ""
    sender: str = "monitor@localhost"
    timeout: float = 30.0

    @property
    def password(self) -> str | None:
        """Read the password from the environment at the moment it is needed."""
        return os.environ.get(self.password_env) if self.password_env else None


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    frequency: str = "daily"  # immediate | daily | weekly
    min_score: float = 0.0
    incident_types: tuple[str, ...] = ()


@dataclass(frozen=True)
class Config:
    path: Path
    firm: Firm
    sources_path: Path
    database_path: Path
    drafts_dir: Path
    var_dir: Path
    templates_dir: Path
    smtp: Smtp
    recipients: tuple[Recipient, ...]
    relevance_threshold: float | None = None
    crawl: dict[str, Any] = field(default_factory=dict)
    review: dict[str, Any] = field(default_factory=dict)
    publish: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def lock_path(self) -> Path:
        return self.database_path.with_suffix(self.database_path.suffix + ".lock")

    @property
    def user_agent(self) -> str:
        return f"ImmigrationNewsMonitor/0.1 (+{self.firm.site_url}; {self.firm.name})"


def config_path_from(explicit: str | os.PathLike | None) -> Path:
    """Where the config lives: explicit flag, then MONITOR_CONFIG, then ./monitor.toml."""
    return Path(explicit or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)


def load_config(path: str | os.PathLike | None = None) -> Config:
    """Read and validate the config file; raise ConfigError with a one-line reason."""
    path = config_path_from(path)
    if not path.exists():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    base = path.resolve().parent
    return _build(path, base, data)


def _build(path: Path, base: Path, data: dict[str, Any]) -> Config:
    firm_data = _table(data, "firm", path)
    for key in ("name", "phone", "site_url"):
        if not isinstance(firm_data.get(key), str) or not firm_data[key].strip():
            raise ConfigError(f"{path}: [firm] needs a non-empty '{key}'")
    try:
        firm = Firm(**firm_data)
    except TypeError as exc:
        raise ConfigError(f"{path}: [firm]: {exc}") from None
    paths = _table(data, "paths", path, required=False)
    smtp_data = dict(_table(data, "smtp", path, required=False))
    if "password" in smtp_data:
        raise ConfigError(f"{path}: [smtp] must not hold a password; set password_env instead")
    try:
        smtp = Smtp(**smtp_data)
    except TypeError as exc:
        raise ConfigError(f"{path}: [smtp]: {exc}") from None
    if smtp.security not in {"none", "starttls", "ssl"}:
        raise ConfigError(f"{path}: [smtp] security must be none, starttls or ssl")
    recipients = []
    for index, entry in enumerate(data.get("recipients", [])):
        if not isinstance(entry, dict) or "email" not in entry:
            raise ConfigError(f"{path}: [[recipients]] #{index + 1} needs an 'email'")
        entry = dict(entry)
        entry["incident_types"] = tuple(entry.get("incident_types", ()))
        try:
            recipient = Recipient(**entry)
        except TypeError as exc:
            raise ConfigError(f"{path}: [[recipients]] #{index + 1}: {exc}") from None
        if recipient.frequency not in {"immediate", "daily", "weekly"}:
            raise ConfigError(
                f"{path}: [[recipients]] {recipient.email}: frequency must be "
                "immediate, daily or weekly"
            )
        recipients.append(recipient)
    relevance = _table(data, "relevance", path, required=False)

    def resolve(key: str, default: str) -> Path:
        return (base / paths.get(key, default)).resolve()

    return Config(
        path=path,
        firm=firm,
        sources_path=resolve("sources", "sources.toml"),
        database_path=resolve("database", "var/monitor.db"),
        drafts_dir=resolve("drafts", "drafts"),
        var_dir=resolve("var", "var"),
        templates_dir=resolve("templates", "templates"),
        smtp=smtp,
        recipients=tuple(recipients),
        relevance_threshold=relevance.get("threshold"),
        crawl=_table(data, "crawl", path, required=False),
        review=_table(data, "review", path, required=False),
        publish=_table(data, "publish", path, required=False),
        raw=data,
    )


def _table(data: dict[str, Any], name: str, path: Path, required: bool = True) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        if required:
            raise ConfigError(f"{path}: missing [{name}] table")
        return {}
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: '{name}' must be a table")
    return value
