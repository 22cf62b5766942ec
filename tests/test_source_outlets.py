"""Outlet and advocate feeds: Guardian, CBS News, InfoMigrants, WordPress (Immigration Impact,
ACLU) and AILA, each followed to the article page."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

OUTLETS = ["guardian-us-immigration", "cbs-news-immigration", "infomigrants-en",
           "immigration-impact", "aclu", "aila-news"]


@pytest.fixture(scope="module")
def outlets(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("outlets"), *OUTLETS)


def items(crawled, source_id):
    return stored(crawled["config"], source_id, keys=("url", "published", "outlet"))


def test_guardian_items_drop_tracking_parameters(outlets):
    assert items(outlets, "guardian-us-immigration") == [
        ("https://www.theguardian.com/sport/2026/nov/20/ice-hockey-minnesota-boston-overtime",
         utc("2026-11-20T23:10:00+00:00"), "The Guardian"),
        ("https://www.theguardian.com/us-news/2026/nov/19/ice-posted-personal-details-asylum-"
         "seekers-online", utc("2026-11-19T14:02:11+00:00"), "The Guardian"),
        ("https://www.theguardian.com/us-news/2026/nov/20/otay-mesa-detention-death-ice-custody",
         utc("2026-11-20T18:30:00+00:00"), "The Guardian"),
    ]


def test_cbs_news_items(outlets):
    assert items(outlets, "cbs-news-immigration") == [
        ("https://www.cbsnews.com/news/green-card-lottery-dv-2028-registration-who-can-apply",
         utc("2026-11-16T12:00:00+00:00"), "CBS News"),
        ("https://www.cbsnews.com/news/honduran-man-dies-ice-custody-stewart-detention-center-"
         "georgia", utc("2026-11-22T22:05:00+00:00"), "CBS News"),
        ("https://www.cbsnews.com/news/ice-mistakenly-posted-personal-data-detained-immigrants",
         utc("2026-11-19T16:48:00+00:00"), "CBS News"),
    ]


def test_infomigrants_items(outlets):
    assert items(outlets, "infomigrants-en") == [
        ("https://www.infomigrants.net/en/post/68698/greek-coast-guard-rescues-migrants-off-crete",
         utc("2026-11-20T08:15:00+00:00"), "InfoMigrants"),
        ("https://www.infomigrants.net/en/post/68712/us-deportation-flights-to-central-america-"
         "rise-ahead-of-the-holidays", utc("2026-11-21T10:30:00+00:00"), "InfoMigrants"),
    ]


def test_wordpress_feed_items(outlets):
    assert items(outlets, "immigration-impact") == [
        ("https://immigrationimpact.com/2026/11/18/new-h1b-wage-rule-explained",
         utc("2026-11-18T14:00:00+00:00"), "Immigration Impact"),
        ("https://immigrationimpact.com/2026/11/20/ice-detainee-data-exposure-what-it-means",
         utc("2026-11-20T10:05:00+00:00"), "Immigration Impact"),
    ]


def test_aclu_items(outlets):
    assert [u for u, _, _ in items(outlets, "aclu")] == [
        "https://www.aclu.org/news/free-speech/court-blocks-county-library-book-removals",
        "https://www.aclu.org/press-releases/aclu-of-mississippi-condemns-worksite-raids-at-"
        "scott-county-poultry-plants",
        "https://www.aclu.org/press-releases/aclu-of-texas-warns-new-287g-agreements-will-harm-"
        "communities",
    ]


def test_aila_items(outlets):
    assert items(outlets, "aila-news") == [
        ("https://www.aila.org/library/aila-2027-annual-conference-registration-now-open",
         utc("2026-11-18T14:00:00+00:00"), "AILA"),
        ("https://www.aila.org/library/practice-alert-ice-posting-of-detainee-personal-"
         "information", utc("2026-11-20T21:00:00+00:00"), "AILA"),
    ]


def test_article_text_leaves_out_site_chrome(outlets):
    texts = [t for (t,) in stored(outlets["config"], keys=("text",))]
    assert not [t for t in texts if "All rights reserved" in t or "Newsletters" in t]
