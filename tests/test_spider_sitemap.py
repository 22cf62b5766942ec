"""The sitemap spider over real HTTP: news:title, news:publication_date, include filter."""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "feeds.sources.toml"


@pytest.fixture(scope="module")
def mapped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sitemap")
    config = config_for(folder, SOURCES)
    with serve_snapshot(SITES / "feeds") as (base, state):
        result = crawl(config, base, "nytimes-news-sitemap")
        assert result.returncode == 0, result.stderr
        yield config, state, result


def test_news_sitemap_items(mapped):
    config, _, _ = mapped
    assert articles(config) == [
        {"title": "Deportation Flights Rise to a Record",
         "url": "https://www.nytimes.com/2026/11/19/us/deportation-flights-record.html",
         "published": "2026-11-19T11:30:00-05:00", "source_id": "nytimes-news-sitemap"},
        {"title": "ICE Exposed Personal Data of Thousands of Detainees",
         "url": "https://www.nytimes.com/2026/11/20/us/ice-detention-data-breach.html",
         "published": "2026-11-20T14:05:00+00:00", "source_id": "nytimes-news-sitemap"},
    ]


def test_publication_name_is_the_outlet(mapped):
    config, _, _ = mapped
    db = open_db(config.parent / "monitor.db")
    assert {r["outlet"] for r in db["articles"].rows} == {"The New York Times"}


def test_entries_outside_the_include_pattern_are_not_fetched(mapped):
    _, state, _ = mapped
    assert not [p for p in state.hits if "sports" in p]
