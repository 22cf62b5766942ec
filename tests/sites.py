"""Helpers for the spider, fault and health tests: crawl a fixture site over real HTTP."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from monitor.storage import open_db
from tests.conftest import FIXTURES, run_cli, write_config

SITES = FIXTURES / "sites"


def config_for(folder: Path, sources: Path, scrapy: dict[str, Any] | None = None) -> Path:
    """write_config, with Scrapy settings of the test replacing the fast-crawl defaults."""
    config = write_config(folder, sources)
    if scrapy:
        text = config.read_text(encoding="utf-8")
        lines = text.splitlines()
        keys = {k.upper() for k in scrapy}
        lines = [ln for ln in lines if ln.split("=")[0].strip() not in keys]
        body = "\n".join(lines)
        extra = "\n".join(f"{k.upper()} = {_toml(v)}" for k, v in scrapy.items())
        body = body.replace("[crawl.scrapy]", f"[crawl.scrapy]\n{extra}", 1)
        config.write_text(body + "\n", encoding="utf-8")
    return config


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def crawl(config: Path, base: str, *source_ids: str) -> subprocess.CompletedProcess:
    args = ["crawl", "--snapshot", base]
    for sid in source_ids:
        args += ["--source", sid]
    return run_cli(*args, config=config)


def articles(config: Path, source_id: str | None = None) -> list[dict[str, Any]]:
    """Stored articles as (title, url, published, source_id) dicts, ordered by URL."""
    db = open_db(config.parent / "monitor.db")
    where, params = ("source_id = ?", [source_id]) if source_id else (None, [])
    rows = [
        {k: r[k] for k in ("title", "url", "published", "source_id")}
        for r in db["articles"].rows_where(where, params, order_by="url")
    ]
    db.close()
    return rows
