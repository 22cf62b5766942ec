"""Spider parsing, city-scrapers style: each spider built from its source entry in sources.toml,
its callbacks fed responses made from the recorded fixtures, the items and requests asserted.
No server, no database, no reactor (see tests/spider_fixtures.py); one assertion per test.

Crawling end to end (HTTP, pipelines, SQLite) stays covered by test_spider_*.py, test_source_*.py
and test_end_to_end.py.
"""

from __future__ import annotations

import pytest

from tests.spider_fixtures import (
    FIXTURES,
    collect,
    follow,
    parse_source,
    response,
    shipped,
    source,
    spider_for,
    start_request,
)
from tests.watchlist import utc

RELEASES = "https://www.ice.gov/news/releases/"
SHIPPED = sorted(shipped())


def problems(parsed) -> dict[str, list[str]]:
    """What the spider recorded against the source (errors, parse problems, anomalies)."""
    stats = parsed.stats
    return {key: stats.get(f"monitor/{key}", []) for key in
            ("error_messages", "parse_problems", "anomalies") if stats.get(f"monitor/{key}")}


# -- every shipped source, over its own recording --------------------------------------------

@pytest.mark.parametrize("source_id", SHIPPED)
def test_every_shipped_source_hands_on_articles(source_id):
    assert parse_source(source_id).urls


@pytest.mark.parametrize("source_id", SHIPPED)
def test_every_shipped_source_reads_without_a_problem(source_id):
    assert problems(parse_source(source_id)) == {}


@pytest.mark.parametrize("source_id", SHIPPED)
def test_every_entry_has_a_title(source_id):
    assert all(e["title"].strip() for e in parse_source(source_id).entries)


@pytest.mark.parametrize("source_id", SHIPPED)
def test_every_article_url_is_http(source_id):
    assert all(u.startswith(("https://", "http://")) for u in parse_source(source_id).urls)


@pytest.mark.parametrize("source_id", SHIPPED)
def test_entries_seen_counts_every_entry_handed_on(source_id):
    parsed = parse_source(source_id)
    assert parsed.stats["monitor/entries_seen"] == len(parsed.urls)


# -- feed spider: Drupal RSS (ice.gov) ---------------------------------------------------------

def test_drupal_rss_entries_become_article_requests():
    assert parse_source("ice-breaking-news").urls == [
        RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
        RELEASES + "ice-statement-inadvertent-posting-detainee-information",
        # as listed: the pipeline drops the tracking parameters when it stores the article
        RELEASES + "hsi-executes-search-warrants-mississippi-poultry-plants"
        "?utm_source=rss&utm_medium=feed",
        RELEASES + "ice-host-hiring-event-dallas",
    ]


def test_drupal_rss_dates_are_utc_instants():
    assert [e["published"] for e in parse_source("ice-breaking-news").entries] == [
        "2026-11-22T19:30:00+00:00", "2026-11-19T02:15:00+00:00", "2026-11-19T21:40:00+00:00",
        "2026-11-20T15:00:00+00:00"]


def test_newest_listed_date_is_kept_for_health():
    assert parse_source("ice-breaking-news").stats["monitor/newest_item"] == \
        "2026-11-22T19:30:00+00:00"


def test_article_page_becomes_an_item_with_the_source_body_selector():
    parsed = parse_source("ice-breaking-news")
    item = follow(parsed, parsed.requests[0]).items[0]
    assert (item["url"], item["selectors"], "nr-body" in item["html"]) == (
        parsed.requests[0].url, {"body": ".nr-body"}, True)


def test_article_item_keeps_the_feed_entry():
    parsed = parse_source("ice-breaking-news")
    item = follow(parsed, parsed.requests[0]).items[0]
    assert item["feed"]["title"] == ("Honduran national in ICE custody passes away at Stewart "
                                     "Detention Center")


def test_not_modified_feed_yields_nothing():
    spider = spider_for(source("ice-breaking-news"))
    start = start_request(spider)
    answer = response(start.url, status=304, body=b"", meta=start.meta)
    assert collect(spider, spider.parse_feed(answer)).urls == []


def test_feed_url_answering_html_is_an_anomaly():
    spider = spider_for(source("ice-breaking-news"))
    answer = response(source("ice-breaking-news").url,
                      path=FIXTURES / "pages" / "ice_news_release.html",
                      content_type="text/html; charset=utf-8")
    parsed = collect(spider, spider.parse_feed(answer))
    assert problems(parsed)["anomalies"][0].startswith("not-feed:")


def test_max_items_caps_the_entries_read():
    assert len(parse_source("ice-breaking-news", max_items=2).urls) == 2


# -- feed spider: WordPress RSS ----------------------------------------------------------------

def test_wordpress_entries_are_followed_to_the_page():
    assert parse_source("immigration-impact").urls == [
        "https://immigrationimpact.com/2026/11/20/ice-detainee-data-exposure-what-it-means/",
        "https://immigrationimpact.com/2026/11/18/new-h1b-wage-rule-explained/",
    ]


def test_wordpress_summary_is_plain_text():
    assert not [e for e in parse_source("immigration-impact").entries if "<" in e["summary"]]


def test_wordpress_content_encoded_is_kept():
    assert all(e["content"] for e in parse_source("immigration-impact").entries)


def test_follow_false_makes_items_from_the_feed_content():
    parsed = parse_source("immigration-impact", follow=False)
    assert [bool(i["html"]) for i in parsed.items] == [True, True]


# -- feed spider: Google News search feeds ----------------------------------------------------

def test_google_news_titles_lose_the_publisher_suffix():
    assert [e["title"] for e in parse_source("google-news-en-detention-death").entries] == [
        "Honduran man dies in ICE custody after being found unresponsive at Georgia detention "
        "center",
        "Honduran man dies in ICE custody at Stewart Detention Center",
        "Man dies in ICE custody after falling ill at Otay Mesa Detention Center",
    ]


def test_google_news_outlet_comes_from_the_source_element():
    assert [e["outlet"] for e in parse_source("google-news-en-detention-death").entries] == [
        "CBS News", "The Atlanta Journal-Constitution", "San Diego Union-Tribune"]


def test_google_news_opaque_links_are_followed_as_redirects():
    parsed = parse_source("google-news-en-detention-death")
    assert {(r.callback.__name__, r.meta["google_news"] == r.url) for r in parsed.requests} == {
        ("parse_google_news", True)}


def test_google_news_spanish_feed_outlets():
    assert [e["outlet"] for e in parse_source("google-news-es-custodia-datos").entries] == [
        "Univision", "La Opinión", "Univision"]


def test_google_news_redirect_to_the_publisher_becomes_its_article():
    parsed = parse_source("google-news-en-detention-death")
    request = parsed.requests[0]
    publisher = ("https://www.cbsnews.com/news/honduran-man-dies-ice-custody-stewart-detention-"
                 "center-georgia/")
    page = response(publisher, meta=request.meta)
    item = collect(parsed.spider, request.callback(page)).items[0]
    assert (item["url"], item["original_url"]) == (publisher, request.url)


def test_google_news_interstitial_names_the_publisher():
    parsed = parse_source("google-news-es-custodia-datos")
    request = parsed.requests[0]
    landed = follow(parsed, request, path=FIXTURES / "sites" / "feeds" / "_files" /
                    "gn-interstitial.html", content_type="text/html; charset=utf-8")
    assert landed.urls == [
        "https://www.univision.com/noticias/inmigracion/redada-en-planta-de-nebraska"]


# -- feed spider: Atom (CourtListener) ---------------------------------------------------------

def test_atom_entries_are_opinion_pages():
    assert all("/opinion/" in u for u in parse_source("courtlistener-ice-opinions").urls)


# -- listing spider: ice.gov newsroom cards ---------------------------------------------------

def test_ice_listing_cards_become_article_requests():
    assert parse_source("ice-newsroom").urls[:2] == [
        RELEASES + "honduran-national-ice-custody-passes-away-stewart-detention-center",
        RELEASES + "ice-host-hiring-event-dallas",
    ]


def test_ice_listing_dates_are_in_the_source_timezone():
    assert parse_source("ice-newsroom").entries[0]["published"] == "2026-11-22T00:00:00-05:00"


def test_ice_listing_asks_for_the_next_page():
    assert parse_source("ice-newsroom").pages == ["https://www.ice.gov/newsroom?page=1"]


def test_ice_listing_second_page_is_read():
    parsed = parse_source("ice-newsroom")
    second = follow(parsed, [r for r in parsed.requests if not r.meta.get("article")][0])
    assert second.urls and not set(second.urls) & set(parsed.urls)


def test_ice_listing_stops_at_max_pages():
    parsed = parse_source("ice-newsroom")
    second = follow(parsed, [r for r in parsed.requests if not r.meta.get("article")][0])
    assert second.pages == []


def test_ice_detainee_death_table_rows_name_the_facility_and_the_person():
    assert [(e["title"], e["summary"]) for e in parse_source("ice-detainee-deaths").entries] == [
        ("Stewart Detention Center, Lumpkin, GA", "Honduran national, 58"),
        ("Otay Mesa Detention Center, San Diego, CA", "Guatemalan national, 41"),
        ("Krome North Service Processing Center, Miami, FL", "Cuban national, 52"),
    ]


def test_ice_detainee_death_dates_come_from_the_release_page():
    parsed = parse_source("ice-detainee-deaths")
    item = follow(parsed, parsed.requests[0]).items[0]
    assert item["feed"]["published"].startswith("2026-11-2")


def test_listing_item_selector_matching_nothing_is_an_anomaly():
    spider = spider_for(source("ice-newsroom"))
    answer = response(source("ice-newsroom").url, body=b"<html><body>redesigned</body></html>",
                      content_type="text/html; charset=utf-8", meta={"page": 1})
    parsed = collect(spider, spider.parse_listing(answer))
    assert problems(parsed)["anomalies"][0].startswith("selector-empty:")


def test_cbp_listing_dates_from_month_and_day_spans():
    assert [e["published"] for e in parse_source("cbp-media-releases").entries][:2] == [
        "2026-11-20T00:00:00-05:00", "2026-11-19T00:00:00-05:00"]


def test_uscis_listing_dates_from_the_datetime_attribute():
    assert utc(parse_source("uscis-all-news").entries[0]["published"]) == \
        "2026-11-19T20:10:45+00:00"


def test_uscis_feed_and_listing_list_the_same_articles():
    assert parse_source("uscis-all-news").urls == parse_source("uscis-news-feed").urls


# -- api spider: Federal Register documents API -----------------------------------------------

def test_federal_register_documents_become_items_without_a_page_fetch():
    parsed = parse_source("federal-register-ice")
    assert [i["url"] for i in parsed.items] == [
        "https://www.federalregister.gov/documents/2026/11/20/2026-23418/privacy-act-of-1974-"
        "system-of-records-ice-detention-and-removal-case-records",
        "https://www.federalregister.gov/documents/2026/11/17/2026-23102/agency-information-"
        "collection-activities-extension-of-a-currently-approved-collection-noti",
    ]


def test_federal_register_abstract_is_the_summary():
    assert all(e["summary"] for e in parse_source("federal-register-ice").entries)


def test_federal_register_publication_date_in_eastern_time():
    assert parse_source("federal-register-ice").entries[0]["published"] == \
        "2026-11-20T00:00:00-05:00"


def test_federal_register_follows_the_cursor_to_the_next_page():
    assert "search_after_cursor=" in parse_source("federal-register-ice").pages[0]


def test_federal_register_answer_without_results_is_an_empty_page():
    spider = spider_for(source("federal-register-ice"))
    answer = response(source("federal-register-ice").url, body=b'{"count": 0}',
                      content_type="application/json", meta={"page": 2})
    parsed = collect(spider, spider.parse_page(answer))
    assert (parsed.urls, problems(parsed)) == ([], {})


def test_api_answering_html_is_an_anomaly():
    spider = spider_for(source("federal-register-ice"))
    answer = response(source("federal-register-ice").url, body=b"<html>maintenance</html>",
                      content_type="text/html", meta={"page": 1})
    parsed = collect(spider, spider.parse_page(answer))
    assert problems(parsed)["anomalies"][0].startswith("not-json:")


def test_api_cursor_pages_from_the_kinds_fixture():
    spider = spider_for(source("federal-register-ice"))
    answer = response(source("federal-register-ice").url,
                      path=FIXTURES / "sites" / "kinds" / "_files" / "fr-page-1.json",
                      content_type="application/json", meta={"page": 1})
    assert collect(spider, spider.parse_page(answer)).pages


# -- sitemap spider: Google News sitemaps -----------------------------------------------------

def test_news_sitemap_entries_newest_first():
    published = [e["published"] for e in parse_source("univision-noticias").entries]
    assert published == sorted(published, reverse=True)


def test_news_sitemap_publication_name_is_the_outlet():
    assert {e["outlet"] for e in parse_source("telemundo-noticias").entries} == {"Telemundo"}


def test_news_sitemap_include_pattern_leaves_other_entries_out():
    everything = parse_source("univision-noticias", sitemap={})
    assert len(parse_source("univision-noticias").urls) < len(everything.urls)


def test_sitemap_index_asks_for_its_child_sitemaps():
    spider = spider_for(source("univision-noticias"))
    body = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            b'sitemap/0.9"><sitemap><loc>https://www.univision.com/sitemap-1.xml</loc></sitemap>'
            b'</sitemapindex>')
    answer = response(source("univision-noticias").url, body=body,
                      content_type="application/xml", meta={"depth": 0})
    assert collect(spider, spider.parse_sitemap(answer)).pages == [
        "https://www.univision.com/sitemap-1.xml"]


def test_sitemap_url_answering_html_is_an_anomaly():
    spider = spider_for(source("univision-noticias"))
    answer = response(source("univision-noticias").url, body=b"<html><body>gone</body></html>",
                      content_type="text/html", meta={"depth": 0})
    parsed = collect(spider, spider.parse_sitemap(answer))
    assert problems(parsed)["anomalies"][0].startswith("not-sitemap:")
