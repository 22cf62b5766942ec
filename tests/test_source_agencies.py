"""DHS, CBP and USCIS markup end to end: listings, feeds and their release pages, stored.

What each listing lists (CBP, USCIS, EOIR, DHS OIG) is asserted without a crawl in
tests/test_spider_parse.py; these keep what needs the pipelines (article text, relevance).
"""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

DHS = "https://www.dhs.gov/news/2026/11/"
CBP = "https://www.cbp.gov/newsroom/"
USCIS = "https://www.uscis.gov/newsroom/"
LAREDO = (CBP + "local-media-release/"
          "border-patrol-agents-rescue-11-migrants-locked-freight-car-near-laredo")


def crawled(tmp_path_factory, source_id):
    return crawl_sources(tmp_path_factory.mktemp(source_id), source_id)


@pytest.fixture(scope="module")
def dhs(tmp_path_factory):
    return crawled(tmp_path_factory, "dhs-press-releases")


@pytest.fixture(scope="module")
def cbp_feed(tmp_path_factory):
    return crawled(tmp_path_factory, "cbp-media-releases-feed")


@pytest.fixture(scope="module")
def uscis_feed(tmp_path_factory):
    return crawled(tmp_path_factory, "uscis-news-feed")


def test_dhs_press_release_items_over_two_pages(dhs):
    assert stored(dhs["config"]) == [
        ("DHS Extends REAL ID Grace Period for Visitors to Federal Facilities",
         DHS + "12/dhs-extends-real-id-grace-period-federal-facilities",
         utc("2026-11-12T00:00:00-05:00"), "dhs-press-releases"),
        ("DHS Announces New Advisory Council Subcommittee on Cybersecurity Workforce",
         DHS + "17/dhs-announces-new-advisory-council-subcommittee-cybersecurity-workforce",
         utc("2026-11-17T00:00:00-05:00"), "dhs-press-releases"),
        ("DHS Orders Independent Review After ICE Posting of Detainee Information",
         DHS + "19/dhs-orders-independent-review-after-ice-posting-detainee-information",
         utc("2026-11-19T00:00:00-05:00"), "dhs-press-releases"),
        ("Statement on the Worksite Enforcement Operation in Mississippi",
         DHS + "20/statement-worksite-enforcement-operation-mississippi",
         utc("2026-11-20T00:00:00-05:00"), "dhs-press-releases"),
    ]


def test_dhs_body_is_the_release_text(dhs):
    texts = dict(stored(dhs["config"], keys=("url", "text")))
    text = texts[DHS + "19/dhs-orders-independent-review-after-ice-posting-detainee-information"]
    assert text.startswith("WASHINGTON – The Department of Homeland Security today directed")


def test_cbp_feed_items(cbp_feed):
    assert stored(cbp_feed["config"], keys=("url", "published")) == [
        (LAREDO,
         utc("2026-11-19T16:45:00+00:00")),
        (CBP + "local-media-release/cbp-officers-seize-methamphetamine-otay-mesa-cargo-facility",
         utc("2026-11-18T19:20:00+00:00")),
        (CBP + "national-media-release/cbp-releases-october-2026-monthly-update",
         utc("2026-11-20T21:00:00+00:00")),
    ]


def test_cbp_body_leaves_out_the_agency_boilerplate(cbp_feed):
    texts = [t for (t,) in stored(cbp_feed["config"], keys=("text",))]
    assert not [t for t in texts if "unified border agency" in t]


@pytest.mark.parametrize("slug", [
    "news-releases/uscis-welcomes-new-citizens-veterans-day-naturalization-ceremonies",
    "alerts/beware-of-scams-targeting-diversity-visa-lottery-entrants",
])
def test_uscis_hard_negatives_are_not_relevant(uscis_feed, slug):
    relevant = dict(stored(uscis_feed["config"], keys=("url", "relevant")))
    assert relevant[USCIS + slug] == 0
