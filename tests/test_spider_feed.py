"""The feed spider over real HTTP: RSS 0.92, 1.0, 2.0, Atom, and Google News redirect links."""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from spiders.feed import split_publisher
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "feeds.sources.toml"


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feeds")
    config = config_for(folder, SOURCES)
    with serve_snapshot(SITES / "feeds") as (base, state):
        result = crawl(config, base, "ice-breaking-news", "border-wire-091", "asylum-observer-rdf",
                       "courtlistener-immigration", "google-news-worksite-raids")
        assert result.returncode == 0, result.stderr
        yield config, state, result


def test_rss2_drupal_feed_items(fed):
    config, _, _ = fed
    assert articles(config, "ice-breaking-news") == [
        {"title": "Detainee dies in ICE custody at Otay Mesa",
         "url": "https://www.ice.gov/news/releases/detainee-dies-at-otay-mesa",
         "published": "2026-11-19T23:40:00+00:00", "source_id": "ice-breaking-news"},
        {"title": "ICE arrests 41 in Houston operation",
         "url": "https://www.ice.gov/news/releases/ice-arrests-41-in-houston-operation",
         "published": "2026-11-20T15:15:00+00:00", "source_id": "ice-breaking-news"},
    ]


def test_rss2_article_body_from_source_selector(fed):
    config, _, _ = fed
    db = open_db(config.parent / "monitor.db")
    row = next(db["articles"].rows_where("url LIKE '%ice-arrests-41%'"))
    assert "five-day enforcement operation" in row["text"] and "mission" not in row["text"]


def test_rss092_feed_items(fed):
    config, _, _ = fed
    assert articles(config, "border-wire-091") == [
        {"title": "Border Patrol reports fewer crossings in October",
         "url": "https://feeds.example-091.org/stories/fewer-crossings-october",
         "published": "2026-11-18T12:00:00+00:00", "source_id": "border-wire-091"},
    ]


def test_rss1_rdf_feed_items(fed):
    config, _, _ = fed
    assert articles(config, "asylum-observer-rdf") == [
        {"title": "Asylum backlog passes four million cases",
         "url": "https://feeds.example-rdf.org/2026/asylum-backlog",
         "published": "2026-11-18T08:30:00+00:00", "source_id": "asylum-observer-rdf"},
    ]


def test_atom_courtlistener_items(fed):
    config, _, _ = fed
    assert articles(config, "courtlistener-immigration") == [
        {"title": "Doe v. Immigration and Customs Enforcement",
         "url": "https://www.courtlistener.com/opinion/10456789/"
                "doe-v-immigration-and-customs-enforcement",
         "published": "2026-11-19T08:00:00+00:00", "source_id": "courtlistener-immigration"},
    ]


def test_google_news_links_resolve_to_publishers(fed):
    config, _, _ = fed
    assert articles(config, "google-news-worksite-raids") == [
        {"title": "Worksite raid at Nebraska meat plant detains 76",
         "url": "https://www.nbcnews.com/news/us-news/worksite-raid-nebraska-plant",
         "published": "2026-11-20T15:33:16+00:00", "source_id": "google-news-worksite-raids"},
        {"title": "Redada en planta de Nebraska deja 76 detenidos",
         "url": "https://www.univision.com/noticias/inmigracion/redada-en-planta-de-nebraska",
         "published": "2026-11-20T17:02:00+00:00", "source_id": "google-news-worksite-raids"},
    ]


def test_google_news_records_the_publisher(fed):
    config, _, _ = fed
    db = open_db(config.parent / "monitor.db")
    outlets = sorted(r["outlet"] for r in db["articles"].rows_where(
        "source_id = 'google-news-worksite-raids'"))
    assert outlets == ["NBC News", "Univision"]


def test_google_news_second_crawl_fetches_no_article(fed):
    config, _, _ = fed
    with serve_snapshot(SITES / "feeds") as (base, state):
        crawl(config, base, "google-news-worksite-raids")
        assert [p for p in state.hits if "/rss/articles/" in p or "univision" in p] == []


def test_headline_publisher_split_without_source_element():
    assert split_publisher("ICE raid in Omaha - Omaha World-Herald", None) == (
        "ICE raid in Omaha", "Omaha World-Herald")


def test_full_text_feed_entries_are_not_followed():
    from spiders.feed import carries_summary_only

    assert carries_summary_only({"content": "<p>" + "word " * 400 + "</p>"}) is False


def test_summary_only_feed_entries_are_followed():
    from spiders.feed import carries_summary_only

    assert carries_summary_only({"content": None, "summary": "A short teaser."}) is True
