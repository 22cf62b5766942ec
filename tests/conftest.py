"""Shared fixtures: a real snapshot server on 127.0.0.1, a config in a temp folder, the CLI."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.snapshot import serve_snapshot

ROOT = Path(__file__).resolve().parents[1]
DEMO_SNAPSHOT = ROOT / "demo" / "snapshot"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Tests run crawls fast against loopback; everything else stays as in production.
FAST_CRAWL = """
[crawl.scrapy]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
MONITOR_EXTRACT_WORKERS = 0
"""


@pytest.fixture
def snapshot_server():
    """The bundled demo snapshot served on a free loopback port: (base URL, state)."""
    with serve_snapshot(DEMO_SNAPSHOT) as served:
        yield served


@pytest.fixture
def make_snapshot_server():
    """Serve any folder as a snapshot: call with the folder, get (base URL, state)."""
    stack = []

    def start(root: Path):
        manager = serve_snapshot(root)
        stack.append(manager)
        return manager.__enter__()

    yield start
    for manager in reversed(stack):
        manager.__exit__(None, None, None)


# An agency feed, an outlet feed and a Spanish-language Google News search from the watch list:
# enough for the whole pipeline, small enough for tests that run it many times.
SMALL_SOURCES = ("ice-breaking-news", "guardian-us-immigration", "google-news-es-custodia-datos")


def small_sources(folder: Path, ids: tuple[str, ...] = SMALL_SOURCES) -> Path:
    """A sources file holding only these [[source]] tables of the shipped watch list, verbatim."""
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    blocks = text.split("[[source]]")[1:]
    ids_of = [re.search(r'^id = "([^"]+)"', b, re.M) for b in blocks]
    chosen = [b for b, m in zip(blocks, ids_of, strict=True) if m and m.group(1) in ids]
    assert len(chosen) == len(ids), "a small-sources id is missing from sources.toml"
    path = folder / "small-sources.toml"
    path.write_text("".join(f"[[source]]{b}" for b in chosen), encoding="utf-8")
    return path


def write_config(folder: Path, sources: Path | None = None, extra: str = "") -> Path:
    """A monitor.toml in `folder` pointing at temp paths and the repo's templates."""
    sources = sources or ROOT / "sources.toml"
    config = folder / "monitor.toml"
    config.write_text(
        f"""
[firm]
name = "Test Immigration Law"
phone = "(555) 010-9999"
site_url = "https://law.example.com"
call_to_action = "Call us today."

[paths]
sources = "{sources}"
database = "{folder / 'monitor.db'}"
drafts = "{folder / 'drafts'}"
var = "{folder / 'var'}"
templates = "{ROOT / 'templates'}"

[smtp]
host = "127.0.0.1"
port = 1
sender = "monitor@law.example.com"
timeout = 5

[[recipients]]
email = "attorney@law.example.com"
frequency = "daily"
{extra}
{FAST_CRAWL}
""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def config_path(workdir: Path) -> Path:
    return write_config(workdir)


def run_cli(*args: str, config: Path | None = None, timeout: float = 240,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `monitor` in a subprocess: a fresh reactor per crawl, as in production."""
    command = [sys.executable, "-m", "monitor"]
    if config is not None:
        command += ["--config", str(config)]
    full_env = {**os.environ, **(env or {})}
    full_env.pop("MONITOR_CONFIG", None)
    return subprocess.run(command + list(args), capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env=full_env)


def copy_snapshot(target: Path) -> Path:
    shutil.copytree(DEMO_SNAPSHOT, target)
    return target


@pytest.fixture(scope="module")
def corpus_config(tmp_path_factory):
    """A monitor.toml for drafting real corpus families the way bench/draft_quality.py does."""
    from bench import draft_quality

    return draft_quality.bench_config(Path(tmp_path_factory.mktemp("drafts")))


@pytest.fixture(scope="module")
def corpus_families():
    """The corpus's reports by incident (both splits), as bench/draft_quality.py reads them."""
    from bench import draft_quality

    return {**draft_quality.incidents("test"), **draft_quality.incidents("dev")}


def run_coroutine(coroutine):
    """Run a coroutine to its end on a loop of its own, in a thread of its own.

    An earlier test in the same xdist worker may have left the asyncio reactor's loop set on
    the main thread, where `asyncio.run` then refuses to start; a fresh thread has no loop.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()
