"""ICE markup: the Drupal RSS feeds, the newsroom listing cards and the detainee death table."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

RELEASES = "https://www.ice.gov/news/releases/"


@pytest.fixture(scope="module")
def breaking(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("ice-breaking"), "ice-breaking-news")


@pytest.fixture(scope="module")
def removal(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("ice-ero"), "ice-enforcement-removal")


@pytest.fixture(scope="module")
def newsroom(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("ice-newsroom"), "ice-newsroom")


@pytest.fixture(scope="module")
def deaths(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("ice-deaths"), "ice-detainee-deaths")


def test_breaking_news_feed_items(breaking):
    assert stored(breaking["config"]) == [
        ("Honduran national in ICE custody passes away at Stewart Detention Center",
         RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
         utc("2026-11-22T19:30:00+00:00"), "ice-breaking-news"),
        ("HSI executes criminal search warrants at Mississippi poultry plants; "
         "212 workers arrested",
         RELEASES + "hsi-executes-search-warrants-mississippi-poultry-plants",
         utc("2026-11-19T21:40:00+00:00"), "ice-breaking-news"),
        ("ICE to host hiring event for deportation officers in Dallas",
         RELEASES + "ice-host-hiring-event-dallas",
         utc("2026-11-20T15:00:00+00:00"), "ice-breaking-news"),
        ("ICE statement on the inadvertent posting of detainee information",
         RELEASES + "ice-statement-inadvertent-posting-detainee-information",
         utc("2026-11-19T02:15:00+00:00"), "ice-breaking-news"),
    ]


def test_breaking_news_body_is_the_release_not_the_mission_blurb(breaking):
    texts = stored(breaking["config"], keys=("text",))
    assert not [t for (t,) in texts if "@ICEgov" in t or "cross-border crime" in t]


def test_enforcement_and_removal_feed_items(removal):
    assert stored(removal["config"], keys=("url", "published")) == [
        (RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
         utc("2026-11-22T19:30:00+00:00")),
        (RELEASES + "ice-detainee-passes-away-otay-mesa-detention-center",
         utc("2026-11-19T23:05:00+00:00")),
        (RELEASES + "ice-removes-138-guatemalan-nationals-charter-flight-alexandria",
         utc("2026-11-20T20:10:00+00:00")),
        (RELEASES + "ice-signs-287g-agreements-14-texas-law-enforcement-agencies",
         utc("2026-11-17T16:00:00+00:00")),
    ]


def test_newsroom_cards_over_two_pages(newsroom):
    assert stored(newsroom["config"], keys=("url", "published")) == [
        (RELEASES + "cuban-national-ice-custody-passes-away-krome-service-processing-center",
         utc("2026-10-28T00:00:00-04:00")),
        (RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
         utc("2026-11-22T00:00:00-05:00")),
        (RELEASES + "hsi-executes-search-warrants-mississippi-poultry-plants",
         utc("2026-11-19T00:00:00-05:00")),
        (RELEASES + "ice-detainee-passes-away-otay-mesa-detention-center",
         utc("2026-11-19T00:00:00-05:00")),
        (RELEASES + "ice-host-hiring-event-dallas", utc("2026-11-20T00:00:00-05:00")),
        (RELEASES + "ice-houston-removes-salvadoran-fugitive-wanted-homicide",
         utc("2026-10-30T00:00:00-04:00")),
        (RELEASES + "ice-removes-138-guatemalan-nationals-charter-flight-alexandria",
         utc("2026-11-20T00:00:00-05:00")),
        (RELEASES + "ice-signs-287g-agreements-14-texas-law-enforcement-agencies",
         utc("2026-11-17T00:00:00-05:00")),
        (RELEASES + "ice-statement-inadvertent-posting-detainee-information",
         utc("2026-11-18T00:00:00-05:00")),
    ]


def test_newsroom_titles_come_from_the_release(newsroom):
    titles = dict(stored(newsroom["config"], keys=("url", "title")))
    assert titles[RELEASES + "ice-houston-removes-salvadoran-fugitive-wanted-homicide"] == (
        "ICE Houston removes Salvadoran fugitive wanted for homicide")


def test_newsroom_reads_the_second_page(newsroom):
    assert [e["path"] for e in newsroom["log"] if "newsroom?page=1" in e["path"]] == [
        "www.ice.gov/newsroom?page=1"]


def test_detainee_death_table_items(deaths):
    assert stored(deaths["config"]) == [
        ("Cuban national in ICE custody passes away at Krome North Service Processing Center",
         RELEASES + "cuban-national-ice-custody-passes-away-krome-service-processing-center",
         utc("2026-10-28T00:00:00-04:00"), "ice-detainee-deaths"),
        ("Honduran national in ICE custody passes away at Stewart Detention Center",
         RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
         utc("2026-11-22T00:00:00-05:00"), "ice-detainee-deaths"),
        ("Guatemalan national in ICE custody passes away at Otay Mesa Detention Center",
         RELEASES + "ice-detainee-passes-away-otay-mesa-detention-center",
         utc("2026-11-19T00:00:00-05:00"), "ice-detainee-deaths"),
    ]
