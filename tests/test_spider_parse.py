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
    every_page,
    follow,
    parse_source,
    response,
    shipped,
    source,
    spider_for,
    start_request,
)
from tests.watchlist import utc

# feedparser warns about its own updated/published fallback on every feed without <updated>
pytestmark = pytest.mark.filterwarnings("ignore:To avoid breaking existing software")

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
    assert every_page("uscis-all-news", keys=("url", "published")) == every_page(
        "uscis-news-feed", keys=("url", "published"))


# Agency listings over every page they link to (were end-to-end crawls in test_source_agencies)

CBP = "https://www.cbp.gov/newsroom/"


def test_cbp_listing_dates_come_from_the_spans_not_the_placeholder():
    assert every_page("cbp-media-releases") == [
        ("Border Patrol agents rescue 11 migrants from locked freight car near Laredo",
         CBP + "local-media-release/border-patrol-agents-rescue-11-migrants-locked-freight-"
         "car-near-laredo", "2026-11-19T00:00:00-05:00"),
        ("CBP officers seize $1.9 million in methamphetamine at Otay Mesa cargo facility",
         CBP + "local-media-release/cbp-officers-seize-methamphetamine-otay-mesa-cargo-facility",
         "2026-11-18T00:00:00-05:00"),
        ("CBP releases October 2026 monthly update",
         CBP + "national-media-release/cbp-releases-october-2026-monthly-update",
         "2026-11-20T00:00:00-05:00"),
    ]


def test_uscis_listing_items():
    uscis = "https://www.uscis.gov/newsroom/"
    assert every_page("uscis-all-news") == [
        ("Beware of Scams Targeting Diversity Visa Lottery Entrants",
         uscis + "alerts/beware-of-scams-targeting-diversity-visa-lottery-entrants",
         "2026-11-13T18:30:00+00:00"),
        ("USCIS Updates Policy Manual Guidance on Fee Waivers",
         uscis + "alerts/uscis-updates-policy-manual-guidance-fee-waivers",
         "2026-11-19T20:10:45+00:00"),
        ("USCIS Welcomes More Than 9,000 New Citizens at Veterans Day Naturalization Ceremonies",
         uscis + "news-releases/uscis-welcomes-new-citizens-veterans-day-naturalization-"
         "ceremonies", "2026-11-12T15:02:11+00:00"),
    ]


def test_eoir_news_items_over_two_pages():
    eoir = "https://www.justice.gov/eoir/pr/"
    assert every_page("eoir-news") == [
        ("EOIR Announces 12 New Immigration Judges",
         eoir + "eoir-announces-12-new-immigration-judges", "2026-11-17T10:15:00-05:00"),
        ("EOIR Expands Legal Orientation Program at Stewart Immigration Court",
         eoir + "eoir-expands-legal-orientation-program-stewart-immigration-court",
         "2026-11-20T13:00:00-05:00"),
        ("EOIR Launches Electronic Filing for Bond Proceedings",
         eoir + "eoir-launches-electronic-filing-bond-proceedings", "2026-11-05T11:00:00-05:00"),
    ]


def test_oig_report_table_items():
    oig = "https://www.oig.dhs.gov/reports/2026/"
    assert every_page("dhs-oig-reports") == [
        ("CBP Did Not Effectively Manage Its Fleet Vehicle Program",
         oig + "cbp-did-not-effectively-manage-its-fleet-vehicle-program/oig-27-05-nov26",
         "2026-11-13T12:00:00+00:00"),
        ("ICE Needs to Improve Oversight of Detainee Transfers",
         oig + "ice-needs-to-improve-oversight-of-detainee-transfers/oig-27-03-oct26",
         "2026-10-29T12:00:00+00:00"),
        ("Results of an Unannounced Inspection of ICE's Stewart Detention Center in Lumpkin, "
         "Georgia",
         oig + "results-unannounced-inspection-ices-stewart-detention-center-lumpkin-georgia/"
         "oig-27-06-nov26", "2026-11-20T12:00:00+00:00"),
    ]


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
    urls = parse_source("univision-noticias").urls + parse_source("telemundo-noticias").urls
    assert not [u for u in urls if "tormenta-de-hielo" in u or "latin-grammy" in u]


def test_without_the_include_pattern_those_entries_are_read():
    urls = (parse_source("univision-noticias", sitemap={}).urls
            + parse_source("telemundo-noticias", sitemap={}).urls)
    assert [u for u in urls if "tormenta-de-hielo" in u or "latin-grammy" in u]


def test_spanish_news_sitemap_entries():
    assert every_page("univision-noticias") + every_page("telemundo-noticias") == [
        ("ICE publica por error los datos personales de 6,252 inmigrantes detenidos",
         "https://www.univision.com/noticias/inmigracion/ice-publica-por-error-datos-"
         "personales-inmigrantes-detenidos", "2026-11-19T13:30:00-05:00"),
        ("Muere un hondureño bajo custodia de ICE en el centro de detención Stewart, en Georgia",
         "https://www.univision.com/noticias/inmigracion/muere-hondureno-custodia-ice-centro-"
         "stewart-georgia", "2026-11-22T19:10:00-05:00"),
        ("Redada en dos plantas avícolas de Misisipi: arrestan a 212 trabajadores",
         "https://www.telemundo.com/noticias/noticias-telemundo/inmigracion/redada-plantas-"
         "avicolas-misisipi-212-trabajadores-arrestados-rcna241180", "2026-11-20T07:45:00-05:00"),
        ("Aumentan los vuelos de deportación a Guatemala: 14 en lo que va de noviembre",
         "https://www.telemundo.com/noticias/noticias-telemundo/inmigracion/vuelos-de-"
         "deportacion-guatemala-aumentan-rcna241322", "2026-11-21T10:20:00-05:00"),
    ]


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
