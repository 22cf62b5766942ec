"""Per-source article selectors: date and title from the article page; a body that vanished."""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from tests.sites import SITES, articles, config_for, crawl

SOURCES_TEXT = '''
[[source]]
id = "cbp-articles"
name = "CBP: media releases (dates from the article page)"
kind = "listing"
url = "https://www.cbp.gov/newsroom/media-releases/all"
timezone = "America/New_York"
selectors = { body = ".nr-body", date = ".release-date", date_format = "%a, %m/%d/%Y" }
listing = { item = "li.usa-collection__item", link = ".usa-collection__heading a", max_pages = 1 }
'''


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("article-selectors")
    sources = folder / "sources.toml"
    sources.write_text(SOURCES_TEXT, encoding="utf-8")
    config = config_for(folder, sources)
    with serve_snapshot(SITES / "kinds") as (base, _):
        result = crawl(config, base)
        assert result.returncode == 0, result.stderr
    return config, result


def test_dates_come_from_the_article_date_selector(crawled):
    config, _ = crawled
    assert [a["published"] for a in articles(config)] == [
        "2026-08-06T00:00:00-04:00", "2026-08-07T00:00:00-04:00"]


def test_body_selector_matching_nothing_is_an_anomaly(crawled):
    config, _ = crawled
    db = open_db(config.parent / "monitor.db")
    row = next(db["source_crawls"].rows_where("source_id = 'cbp-articles'"))
    assert "article body selector '.nr-body' matches nothing" in row["anomalies"]
