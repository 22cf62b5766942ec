"""Conditional GET: an unchanged listing answers 304 the second time; nothing new is stored."""

from __future__ import annotations

import shutil

import pytest

from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "kinds.sources.toml"
LISTING = "www.uscis.gov/newsroom/all-news"


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conditional")
    config = config_for(folder, SOURCES)
    with serve_snapshot(SITES / "kinds") as (base, state):
        first = crawl(config, base, "uscis-all-news")
        assert first.returncode == 0, first.stderr
        mark = len(state.log)
        second = crawl(config, base, "uscis-all-news")
        assert second.returncode == 0, second.stderr
        yield config, state.log[mark:], first, second


def test_first_crawl_stores_the_listed_articles(twice):
    assert len(articles(twice[0])) == 2


def test_validator_is_kept_per_source_url(twice):
    db = open_db(twice[0].parent / "monitor.db")
    row = next(db["http_cache"].rows_where("url = ?", [f"https://{LISTING}"]))
    assert (row["source_id"], row["etag"].startswith('"')) == ("uscis-all-news", True)


def test_second_crawl_sends_if_none_match(twice):
    _, log, _, _ = twice
    sent = [e["headers"].get("If-None-Match") for e in log if e["path"].endswith(LISTING)]
    assert sent and all(sent)


def test_second_crawl_is_reported_not_modified(twice):
    assert "not modified (304)" in twice[3].stdout


def test_second_crawl_stores_nothing_new(twice):
    assert "0 new articles" in twice[3].stdout


def test_second_crawl_fetches_no_article_page(twice):
    _, log, _, _ = twice
    assert [e["path"] for e in log if "/newsroom/alerts/" in e["path"]
            or "/newsroom/news-releases/" in e["path"]] == []


def test_not_modified_crawl_counts_as_success_in_health(twice):
    db = open_db(twice[0].parent / "monitor.db")
    assert db["sources"].get("uscis-all-news")["health_state"] == "ok"


def test_changed_listing_is_read_again(tmp_path):
    site = shutil.copytree(SITES / "kinds", tmp_path / "site")
    config = config_for(tmp_path, SOURCES)
    page = site / LISTING
    with serve_snapshot(site) as (base, _):
        crawl(config, base, "uscis-all-news")
        html = page.read_text(encoding="utf-8").replace(
            "/newsroom/alerts/uscis-reaches-h-2b-cap", "/newsroom/alerts/uscis-new-alert")
        page.write_text(html, encoding="utf-8")
        (site / "www.uscis.gov/newsroom/alerts/uscis-new-alert").write_text(
            (site / "www.uscis.gov/newsroom/alerts/uscis-reaches-h-2b-cap").read_text(
                encoding="utf-8").replace("H-2B Cap", "H-2B Cap Again"), encoding="utf-8")
        again = crawl(config, base, "uscis-all-news")
    assert "1 new articles" in again.stdout


def test_validators_are_not_saved_when_the_source_failed(tmp_path):
    site = shutil.copytree(SITES / "kinds", tmp_path / "site")
    (site / "www.uscis.gov/newsroom/alerts/uscis-reaches-h-2b-cap").unlink()
    config = config_for(tmp_path, SOURCES)
    with serve_snapshot(site) as (base, _):
        crawl(config, base, "uscis-all-news")
    db = open_db(tmp_path / "monitor.db")
    assert db["http_cache"].count == 0


@pytest.fixture
def store_failed_once(tmp_path):
    """First crawl: SQLite refuses to store one article (as a full disk would); then the
    refusal is lifted and the source is crawled again."""
    config = config_for(tmp_path, SOURCES)
    db = open_db(tmp_path / "monitor.db")
    db.execute("CREATE TRIGGER refuse BEFORE INSERT ON articles WHEN NEW.url LIKE '%h-2b-cap%' "
               "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END")
    with serve_snapshot(SITES / "kinds") as (base, _):
        crawl(config, base, "uscis-all-news")
        validators_after_failure = db["http_cache"].count
        db.execute("DROP TRIGGER refuse")
        crawl(config, base, "uscis-all-news")
    return db, validators_after_failure


def test_validators_are_not_saved_when_an_article_could_not_be_stored(store_failed_once):
    _, validators_after_failure = store_failed_once
    assert validators_after_failure == 0


def test_article_that_could_not_be_stored_arrives_on_the_next_crawl(store_failed_once):
    db, _ = store_failed_once
    stored = db.execute("SELECT COUNT(*) FROM articles WHERE url LIKE '%h-2b-cap%'").fetchone()
    assert stored[0] == 1
