"""The listing spider over real HTTP: selectors from the sources file, dates, pagination."""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "kinds.sources.toml"


@pytest.fixture(scope="module")
def listed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("listing")
    config = config_for(folder, SOURCES)
    with serve_snapshot(SITES / "kinds") as (base, state):
        result = crawl(config, base, "uscis-all-news", "cbp-media-releases", "ice-newsroom")
        assert result.returncode == 0, result.stderr
        yield config, state, result


def test_uscis_listing_items_with_utc_dates(listed):
    config, _, _ = listed
    assert articles(config, "uscis-all-news") == [
        {"title": "USCIS Reaches H-2B Cap for First Half of FY 2027",
         "url": "https://www.uscis.gov/newsroom/alerts/uscis-reaches-h-2b-cap",
         "published": "2026-09-11T13:40:20+00:00", "source_id": "uscis-all-news"},
        {"title": "Naturalized U.S. Citizen Indicted for Lying to Obtain Citizenship",
         "url": "https://www.uscis.gov/newsroom/news-releases/naturalized-citizen-indicted",
         "published": "2026-09-03T18:36:10+00:00", "source_id": "uscis-all-news"},
    ]


def test_cbp_listing_dates_come_from_month_and_day_spans(listed):
    config, _, _ = listed
    assert articles(config, "cbp-media-releases") == [
        {"title": "Port seizure roundup",
         "url": "https://www.cbp.gov/newsroom/local-media-release/port-seizure-roundup",
         "published": "2026-08-06T00:00:00-04:00", "source_id": "cbp-media-releases"},
        {"title": "Counterfeit watches intercepted in Louisville",
         "url": "https://www.cbp.gov/newsroom/national-media-release/"
                "counterfeit-watches-intercepted",
         "published": "2026-08-07T00:00:00-04:00", "source_id": "cbp-media-releases"},
    ]


def test_ice_listing_follows_next_page_with_xpath_selectors(listed):
    config, _, _ = listed
    assert articles(config, "ice-newsroom") == [
        {"title": "ICE detainee passes away at Otay Mesa",
         "url": "https://www.ice.gov/news/releases/detainee-death-otay-mesa",
         "published": "2026-08-01T00:00:00-04:00", "source_id": "ice-newsroom"},
        {"title": "ICE HSI uncovers visa fraud scheme",
         "url": "https://www.ice.gov/news/releases/hsi-fraud-scheme",
         "published": "2026-08-06T00:00:00-04:00", "source_id": "ice-newsroom"},
        {"title": "ICE operation nets arrests in Houston",
         "url": "https://www.ice.gov/news/releases/ice-operation-nets-arrests",
         "published": "2026-08-07T00:00:00-04:00", "source_id": "ice-newsroom"},
    ]


def test_ice_listing_stops_at_max_pages(listed):
    _, state, _ = listed
    assert not [p for p in state.hits if "page=2" in p]


def test_second_crawl_stops_paginating_on_a_page_of_known_items(listed):
    config, _, _ = listed
    with serve_snapshot(SITES / "kinds") as (base, state):
        crawl(config, base, "ice-newsroom")
        assert not [p for p in state.hits if "page=1" in p]


def test_item_selector_matching_nothing_is_an_anomaly(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(
        SOURCES.read_text(encoding="utf-8").replace('item = "div.views-row"',
                                                    'item = "div.views-row-renamed"'),
        encoding="utf-8")
    config = config_for(tmp_path, sources)
    with serve_snapshot(SITES / "kinds") as (base, _):
        crawl(config, base, "uscis-all-news")
        from tests.conftest import run_cli

        table = run_cli("sources", config=config)
    assert "uscis-all-news                 anomaly" in table.stdout
