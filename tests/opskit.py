"""Helpers for the operations tests: slow snapshots, `monitor` child processes, DB probes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROOT, copy_snapshot, small_sources, write_config

ICE_PAGE = "https://www.ice.gov/news/releases/{}"
ICE_SLUGS = ("ice-host-hiring-event-dallas",
             "ice-statement-inadvertent-posting-detainee-information")


def slow_snapshot(target: Path, *, feed_delay: float = 0.0, page_delay: float = 0.0) -> Path:
    """The demo snapshot with scripted delays: on every feed, and on two ICE article pages."""
    copy_snapshot(target)
    routes = []
    if feed_delay:
        for url in ("https://www.ice.gov/rss/ice-breaking-news",
                    "https://www.theguardian.com/us-news/usimmigration/rss",
                    "https://news.google.com/rss/search?q=%22bajo+custodia+de+ICE%22+OR+"
                    "%22datos+personales%22+inmigrantes+ICE+when%3A1d&hl=es-419&gl=US"
                    "&ceid=US:es-419"):
            routes.append(f'[[route]]\nurl = "{url}"\ndelay = {feed_delay}\n')
    if page_delay:
        for slug in ICE_SLUGS:
            routes.append(f'[[route]]\nurl = "{ICE_PAGE.format(slug)}"\ndelay = {page_delay}\n')
    # Appended: the snapshot's own routes (Google News redirects, API queries) must stay.
    with (target / "_routes.toml").open("a", encoding="utf-8") as handle:
        handle.write("\n" + "\n".join(routes))
    return target


def ops_config(folder: Path, **kwargs) -> Path:
    """A test config crawling the small three-source watch list unless told otherwise."""
    kwargs.setdefault("sources", small_sources(folder))
    return write_config(folder, **kwargs)


def monitor_command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--config", str(config), *args]


def start(config: Path, *args: str) -> subprocess.Popen[str]:
    """A `monitor` child process (output captured), as cron or systemd would start it."""
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_CONFIG"}
    return subprocess.Popen(monitor_command(config, *args), cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def query(db_path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the database without migrating or writing (safe while a run is writing)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=15)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def scalar(db_path: Path, sql: str, params: tuple = ()) -> object:
    rows = query(db_path, sql, params)
    return rows[0][0] if rows else None


def wait_for(condition: Callable[[], bool], timeout: float = 120.0, step: float = 0.05) -> bool:
    """Poll until condition() is true; False on timeout (the test then fails on its assert)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except sqlite3.Error:
            pass  # the database is being created
        time.sleep(step)
    return False


def table_exists(db_path: Path, table: str) -> bool:
    return db_path.exists() and bool(
        query(db_path, "SELECT 1 FROM sqlite_master WHERE name = ?", (table,)))


def set_templates(config: Path, templates: Path) -> None:
    """Point an existing test config at another templates folder."""
    lines = config.read_text(encoding="utf-8").splitlines()
    lines = [f'templates = "{templates}"' if line.startswith("templates = ") else line
             for line in lines]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
