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


# --- the whole file's shape, checked on load -------------------------------------------------

@dataclass(frozen=True)
class Key:
    """What one key may hold: a kind (see KINDS), a lower/upper bound, or a set of choices."""

    kind: str
    minimum: float | None = None
    maximum: float | None = None
    above: float | None = None  # strictly greater than this
    choices: tuple[str, ...] = ()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


KINDS: dict[str, tuple[str, Any]] = {
    "string": ("a string", lambda v: isinstance(v, str)),
    "integer": ("an integer", lambda v: isinstance(v, int) and not isinstance(v, bool)),
    "number": ("a number", _is_number),
    "boolean": ("true or false", lambda v: isinstance(v, bool)),
    "strings": ("a list of strings", lambda v: isinstance(v, list)
                and all(isinstance(i, str) for i in v)),
    "table": ("a table", lambda v: isinstance(v, dict)),
}
TEXT, INT, NUMBER, BOOL, STRINGS, TABLE = (Key(k) for k in KINDS)
PORT = Key("integer", minimum=0, maximum=65535)
POSITIVE = Key("number", above=0)
NON_NEGATIVE = Key("number", minimum=0)
COUNT = Key("integer", minimum=1)

SCHEMA: dict[str, dict[str, Key]] = {
    "firm": {"name": TEXT, "phone": TEXT, "site_url": TEXT, "email": TEXT,
             "call_to_action": TEXT},
    "paths": {k: TEXT for k in ("sources", "database", "drafts", "var", "templates")},
    "relevance": {"threshold": Key("number", minimum=0, maximum=1)},  # a probability
    "smtp": {"host": TEXT, "port": PORT, "security": Key("string", choices=(
        "none", "starttls", "ssl")), "username": TEXT, "password_env": TEXT, "sender": TEXT,
        "timeout": POSITIVE},
    "recipients": {"email": TEXT, "name": TEXT, "frequency": Key("string", choices=(
        "immediate", "daily", "weekly")), "min_score": NUMBER, "incident_types": STRINGS},
    "digest": {"immediate_min_score": NON_NEGATIVE, "schedule_slack_minutes": NON_NEGATIVE,
               "timezone": TEXT, "draft_url": TEXT, "max_age_days": NON_NEGATIVE},
    "crawl": {"scrapy": TABLE, "max_items_per_source": COUNT},
    "drafts": {"max_words_per_source": COUNT, "max_quote_words": Key("integer", minimum=0),
               "max_sentences_per_source": COUNT, "max_fact_sentences": COUNT,
               "max_words_per_sentence": COUNT, "min_body_words": COUNT,
               "max_body_words": COUNT, "spanish_templates": BOOL},
    "privacy": {"public_names": STRINGS},
    "publish": {"folder": TEXT, "wordpress_url": TEXT, "wordpress_user": TEXT,
                "wordpress_password_env": TEXT, "timeout": POSITIVE, "front_matter": TABLE},
    "review": {"password_hash": TEXT, "host": TEXT, "port": PORT, "allow_remote": BOOL,
               "session_hours": POSITIVE, "secure_cookies": BOOL,
               "cookie_samesite": Key("string", choices=("Lax", "Strict")),
               "trusted_hosts": STRINGS},
    # monitor.health.Thresholds; the digest's source problems use them too
    "health": {"failures": COUNT, "stale_hours": NON_NEGATIVE, "silent_days": NON_NEGATIVE},
}
ARRAYS = {"recipients"}  # [[recipients]]: an array of tables
# Keys that moved: an old file gets told where, not just "unknown key".
MOVED = {("digest", "source_failures"): "[health] failures",
         ("digest", "source_stale_hours"): "[health] stale_hours",
         ("digest", "source_silent_days"): "[health] silent_days"}
# Secrets are named by environment variable, never written in the file.
SECRETS = {"smtp": (("password",), "password_env"),
           "publish": (("wordpress_password", "password"), "wordpress_password_env"),
           "review": (("password",), "password_hash")}
# Scrapy settings in [crawl.scrapy] whose type a typo would break deep inside a crawl.
SCRAPY_KEYS: dict[str, Key] = {
    **{k: BOOL for k in ("ROBOTSTXT_OBEY", "AUTOTHROTTLE_ENABLED", "RETRY_ENABLED",
                         "MONITOR_CONDITIONAL_GET", "COOKIES_ENABLED", "REDIRECT_ENABLED",
                         "HTTPCACHE_ENABLED", "TELNETCONSOLE_ENABLED")},
    **{k: NON_NEGATIVE for k in ("AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY",
                                 "DOWNLOAD_DELAY", "CLOSESPIDER_TIMEOUT")},
    **{k: POSITIVE for k in ("AUTOTHROTTLE_TARGET_CONCURRENCY", "DOWNLOAD_TIMEOUT")},
    **{k: Key("integer", minimum=0) for k in (
        "RETRY_TIMES", "REDIRECT_MAX_TIMES", "DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE",
        "MONITOR_EXTRACT_WORKERS", "CLOSESPIDER_ITEMCOUNT", "CLOSESPIDER_PAGECOUNT",
        "DEPTH_LIMIT", "MONITOR_MAX_ITEMS_PER_SOURCE")},
    **{k: COUNT for k in ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN",
                          "CONCURRENT_ITEMS")},
    **{k: TEXT for k in ("USER_AGENT", "LOG_LEVEL")},
}


def _describe(key: Key) -> str:
    if key.choices:
        return " or ".join(f'"{c}"' for c in key.choices)
    text = KINDS[key.kind][0]
    if key.above is not None:
        text += f" > {key.above:g}"
    if key.minimum is not None and key.maximum is not None:
        text += f" from {key.minimum:g} to {key.maximum:g}"
    elif key.minimum is not None:
        text += f" >= {key.minimum:g}"
    return text


def _fits(key: Key, value: Any) -> bool:
    if not KINDS[key.kind][1](value):
        return False
    if key.choices:
        return value in key.choices
    if key.kind in ("integer", "number"):
        return not ((key.minimum is not None and value < key.minimum)
                    or (key.maximum is not None and value > key.maximum)
                    or (key.above is not None and value <= key.above))
    return True


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 40 else text[:37] + "..."


def check_shape(data: dict[str, Any], path: Path) -> None:
    """Every table, key and value type of the file at once, before anything uses a value.

    A wrong type would otherwise surface far away (a Twisted traceback mid-crawl, `monitor
    draft` crashing); the message names the table, the key and what it must be.
    """
    for table, value in data.items():
        if table not in SCHEMA:
            known = ", ".join(f"[{t}]" for t in SCHEMA)
            raise ConfigError(f"{path}: unknown table [{table}] (known: {known})")
        entries = value if table in ARRAYS else [value]
        if table in ARRAYS and not isinstance(value, list):
            raise ConfigError(f"{path}: '{table}' must be [[{table}]] tables")
        for number, entry in enumerate(entries, start=1):
            where = f"[[{table}]] #{number}" if table in ARRAYS else f"[{table}]"
            if not isinstance(entry, dict):
                raise ConfigError(f"{path}: {where} must be a table")
            _check_table(entry, SCHEMA[table], where, path, table)
    scrapy = (data.get("crawl") or {}).get("scrapy") or {}
    for name, value in scrapy.items():
        if not isinstance(name, str) or not name.isupper() and not name.startswith("MONITOR_"):
            raise ConfigError(f"{path}: [crawl.scrapy] {name!r} is not a Scrapy setting "
                              "(they are upper case, e.g. DOWNLOAD_DELAY)")
        key = SCRAPY_KEYS.get(name)
        if key is not None and not _fits(key, value):
            raise ConfigError(f"{path}: [crawl.scrapy] {name} must be {_describe(key)} "
                              f"(got {_shown(value)})")


def _check_table(entry: dict[str, Any], keys: dict[str, Key], where: str, path: Path,
                 table: str) -> None:
    secrets, instead = SECRETS.get(table, ((), ""))
    for name, value in entry.items():
        if name in secrets:
            raise ConfigError(f"{path}: {where} must not hold a password; set {instead} instead")
        key = keys.get(name)
        if key is None and (table, name) in MOVED:
            raise ConfigError(f"{path}: {where} {name} has moved to {MOVED[table, name]} (one "
                              "source-health judgement for `monitor sources` and the digest)")
        if key is None:
            raise ConfigError(f"{path}: {where} unknown key {name!r} "
                              f"(known: {', '.join(keys)})")
        if not _fits(key, value):
            raise ConfigError(f"{path}: {where} {name} must be {_describe(key)} "
                              f"(got {_shown(value)})")


def config_path_from(explicit: str | os.PathLike | None) -> Path:
    """Where the config lives: explicit flag, then MONITOR_CONFIG, then ./monitor.toml."""
    return Path(explicit or os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG)


def read_config(path: str | os.PathLike | None = None) -> Config:
    """Read the config file and check its shape (tables, keys, types); a one-line
    ConfigError says what is wrong. `monitor.configure.load_config` adds each table's own
    checks: use that one to load a config."""
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
    check_shape(data, path)
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
