"""The shipped watch list: real sources, each with a recorded copy that crawls without errors."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

import pytest
from w3lib.url import safe_url_string

from monitor.snapshot import local_url, serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, run_cli
from tests.watchlist import SOURCES_FILE, crawl_records, crawl_sources, shipped_sources, stored

SOURCES = shipped_sources()
IDS = [s.id for s in SOURCES]
BY_ID = {s.id: s for s in SOURCES}


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """One crawl of every enabled source, then the clustering and drafting stage."""
    crawled = crawl_sources(tmp_path_factory.mktemp("watchlist"))
    drafted = run_cli("draft", config=crawled["config"])
    assert drafted.returncode == 0, drafted.stderr[-2000:]
    return crawled


@pytest.fixture(scope="module")
def snapshot():
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _state):
        yield base


def test_at_least_25_enabled_sources():
    assert len([s for s in SOURCES if s.enabled]) >= 25


def test_sources_check_reports_nothing(config_path):
    result = run_cli("sources", "check", config=config_path)
    assert (result.returncode, "0 errors, 0 warnings" in result.stdout) == (0, True)


@pytest.mark.parametrize("source_id", IDS)
def test_source_url_is_a_production_https_url(source_id):
    host = urlsplit(BY_ID[source_id].url).hostname or ""
    assert BY_ID[source_id].url.startswith("https://") and "example" not in host


@pytest.mark.parametrize("source_id", IDS)
def test_source_has_interval_and_language(source_id):
    entry = BY_ID[source_id]
    assert (entry.interval_minutes > 0, entry.language in {"en", "es"}) == (True, True)


@pytest.mark.parametrize("source_id", IDS)
def test_source_has_a_recorded_copy(snapshot, source_id):
    url = safe_url_string(local_url(snapshot, BY_ID[source_id].url))  # encoded as Scrapy does
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert answer.status == 200


@pytest.mark.parametrize("source_id", IDS)
def test_source_crawls_without_errors(everything, source_id):
    record = crawl_records(everything["config"])[source_id]
    problems = {k: record[k] for k in ("errors", "http_errors", "parse_problems", "anomalies")
                if record[k]}
    assert (record["status"], problems, record["items_seen"] > 0) == ("ok", {}, True)


@pytest.mark.parametrize("kind", ["feed", "listing", "api", "sitemap"])
def test_every_source_kind_is_on_the_watch_list(kind):
    assert [s.id for s in SOURCES if s.kind == kind]


def test_the_data_breach_is_reported_by_the_agency_outlets_and_spanish_media(everything):
    rows = stored(everything["config"], keys=("text", "outlet", "language"))
    reports = {(outlet, language) for text, outlet, language in rows if "6,252" in text}
    outlets = {outlet for outlet, _ in reports}
    assert (len(outlets) >= 6, "es" in {lang for _, lang in reports}) == (True, True)


def test_two_deaths_in_custody_at_different_facilities_stay_apart(everything):
    rows = stored(everything["config"], keys=("title", "incident_id"))
    otay = {i for title, i in rows if i and "Otay Mesa" in title and "custody" in title}
    stewart = {i for title, i in rows if i and "Stewart" in title and "custody" in title}
    assert (bool(otay), bool(stewart), otay & stewart) == (True, True, set())


def test_demo_snapshot_stays_small():
    size = sum(p.stat().st_size for p in DEMO_SNAPSHOT.rglob("*") if p.is_file())
    assert size < 400_000


def test_sources_file_names_no_made_up_outlet():
    assert "example-latino" not in SOURCES_FILE.read_text(encoding="utf-8")
