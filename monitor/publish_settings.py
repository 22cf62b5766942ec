"""The `[publish]` table of monitor.toml, apart from `monitor.publish` (which re-exports it).

`monitor.configure` checks every table for every command; here the check no longer imports the
publisher (and through it the drafter) for `monitor crawl` (issue 16).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from monitor.config import Config, ConfigError

DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class PublishSettings:
    """The `[publish]` table of monitor.toml."""

    folder: Path | None = None
    wordpress_url: str = ""
    wordpress_user: str = ""
    wordpress_password_env: str = ""
    timeout: float = DEFAULT_TIMEOUT
    front_matter: tuple[tuple[str, Any], ...] = ()  # extra keys, e.g. layout = "post"

    @classmethod
    def from_config(cls, config: Config) -> PublishSettings:
        table = dict(config.publish)
        where = f"{config.path}: [publish]"
        if "wordpress_password" in table or "password" in table:
            raise ConfigError(f"{where} must not hold a password; set wordpress_password_env")
        unknown = set(table) - {"folder", "wordpress_url", "wordpress_user",
                                "wordpress_password_env", "timeout", "front_matter"}
        if unknown:
            raise ConfigError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        folder = table.get("folder")
        if folder is not None and (not isinstance(folder, str) or not folder.strip()):
            raise ConfigError(f"{where} folder must be a path")
        url = table.get("wordpress_url", "")
        if url:
            _check_wordpress_url(url, where)
            for key in ("wordpress_user", "wordpress_password_env"):
                if not table.get(key):
                    raise ConfigError(f"{where} wordpress_url needs {key}")
        extra = table.get("front_matter", {})
        if not isinstance(extra, dict) or not all(
                re.fullmatch(r"[A-Za-z_][\w-]*", k) for k in extra):
            raise ConfigError(f"{where} front_matter must be a table of simple keys")
        base = config.path.resolve().parent
        return cls(
            front_matter=tuple(sorted(extra.items())),
            folder=(base / folder).resolve() if folder else None,
            wordpress_url=url.rstrip("/"),
            wordpress_user=table.get("wordpress_user", ""),
            wordpress_password_env=table.get("wordpress_password_env", ""),
            timeout=float(table.get("timeout", DEFAULT_TIMEOUT)),
        )

    @property
    def targets(self) -> list[str]:
        return [name for name, on in (("folder", self.folder), ("wordpress", self.wordpress_url))
                if on]


def _check_wordpress_url(url: str, where: str) -> None:
    """https only; plain http is allowed for a loopback server (tests, a local WordPress)."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        host = parts.hostname
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = host == "localhost"
        if loopback:
            return
    raise ConfigError(f"{where} wordpress_url must be an https:// URL (got {url!r})")
