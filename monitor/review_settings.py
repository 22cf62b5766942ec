"""The `[review]` table of monitor.toml, checked once so a typo is one clear line, not a trace.

Outside `monitor.web` so that checking it at load (`monitor.configure`) does not import Flask
for every command (issue 16); `monitor.web.settings` re-exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.config import Config, ConfigError

KEYS = {"password_hash", "host", "port", "allow_remote", "session_hours", "secure_cookies",
        "cookie_samesite", "trusted_hosts"}


@dataclass(frozen=True)
class ReviewSettings:
    password_hash: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    allow_remote: bool = False
    session_hours: float = 12.0
    secure_cookies: bool = False
    cookie_samesite: str = "Lax"
    trusted_hosts: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> ReviewSettings:
        table: dict[str, Any] = dict(config.review)
        where = f"{config.path}: [review]"
        unknown = sorted(set(table) - KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r}")
        if "password" in table:
            raise ConfigError(f"{where} must not hold a password; set password_hash")

        def text(key: str, default: str) -> str:
            value = table.get(key, default)
            if not isinstance(value, str):
                raise ConfigError(f"{where} {key} must be a string")
            return value

        def flag(key: str) -> bool:
            value = table.get(key, False)
            if not isinstance(value, bool):
                raise ConfigError(f"{where} {key} must be true or false")
            return value

        port = table.get("port", 8000)
        if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
            raise ConfigError(f"{where} port must be a number from 0 to 65535")
        hours = table.get("session_hours", 12)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            raise ConfigError(f"{where} session_hours must be a positive number")
        samesite = text("cookie_samesite", "Lax")
        if samesite not in ("Lax", "Strict"):
            raise ConfigError(f"{where} cookie_samesite must be \"Lax\" or \"Strict\"")
        hosts = table.get("trusted_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h for h in hosts):
            raise ConfigError(f"{where} trusted_hosts must be a list of host names")
        return cls(
            password_hash=text("password_hash", ""),
            host=text("host", "127.0.0.1") or "127.0.0.1",
            port=port,
            allow_remote=flag("allow_remote"),
            session_hours=float(hours),
            secure_cookies=flag("secure_cookies"),
            cookie_samesite=samesite,
            trusted_hosts=tuple(hosts),
        )
