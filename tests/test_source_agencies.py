"""DHS, CBP, USCIS, DOJ EOIR and DHS OIG markup: listings, feeds and their release pages."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

DHS = "https://www.dhs.gov/news/2026/11/"
CBP = "https://www.cbp.gov/newsroom/"
USCIS = "https://www.uscis.gov/newsroom/"
EOIR = "https://www.justice.gov/eoir/pr/"
OIG = "https://www.oig.dhs.gov/reports/2026/"
LAREDO = (CBP + "local-media-release/"
          "border-patrol-agents-rescue-11-migrants-locked-freight-car-near-laredo")


def crawled(tmp_path_factory, source_id):
    return crawl_sources(tmp_path_factory.mktemp(source_id), source_id)


@pytest.fixture(scope="module")
def dhs(tmp_path_factory):
    return crawled(tmp_path_factory, "dhs-press-releases")


@pytest.fixture(scope="module")
def cbp_listing(tmp_path_factory):
    return crawled(tmp_path_factory, "cbp-media-releases")


@pytest.fixture(scope="module")
def cbp_feed(tmp_path_factory):
    return crawled(tmp_path_factory, "cbp-media-releases-feed")


@pytest.fixture(scope="module")
def uscis_listing(tmp_path_factory):
    return crawled(tmp_path_factory, "uscis-all-news")


@pytest.fixture(scope="module")
def uscis_feed(tmp_path_factory):
    return crawled(tmp_path_factory, "uscis-news-feed")


@pytest.fixture(scope="module")
def eoir(tmp_path_factory):
    return crawled(tmp_path_factory, "eoir-news")


@pytest.fixture(scope="module")
def oig(tmp_path_factory):
    return crawled(tmp_path_factory, "dhs-oig-reports")


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


def test_cbp_listing_dates_come_from_the_spans_not_the_placeholder(cbp_listing):
    assert stored(cbp_listing["config"]) == [
        ("Border Patrol agents rescue 11 migrants from locked freight car near Laredo",
         LAREDO,
         utc("2026-11-19T00:00:00-05:00"), "cbp-media-releases"),
        ("CBP officers seize $1.9 million in methamphetamine at Otay Mesa cargo facility",
         CBP + "local-media-release/cbp-officers-seize-methamphetamine-otay-mesa-cargo-facility",
         utc("2026-11-18T00:00:00-05:00"), "cbp-media-releases"),
        ("CBP releases October 2026 monthly update",
         CBP + "national-media-release/cbp-releases-october-2026-monthly-update",
         utc("2026-11-20T00:00:00-05:00"), "cbp-media-releases"),
    ]


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


def test_uscis_listing_items(uscis_listing):
    assert stored(uscis_listing["config"]) == [
        ("Beware of Scams Targeting Diversity Visa Lottery Entrants",
         USCIS + "alerts/beware-of-scams-targeting-diversity-visa-lottery-entrants",
         utc("2026-11-13T18:30:00+00:00"), "uscis-all-news"),
        ("USCIS Updates Policy Manual Guidance on Fee Waivers",
         USCIS + "alerts/uscis-updates-policy-manual-guidance-fee-waivers",
         utc("2026-11-19T20:10:45+00:00"), "uscis-all-news"),
        ("USCIS Welcomes More Than 9,000 New Citizens at Veterans Day Naturalization Ceremonies",
         USCIS + "news-releases/uscis-welcomes-new-citizens-veterans-day-naturalization-ceremonies",
         utc("2026-11-12T15:02:11+00:00"), "uscis-all-news"),
    ]


def test_uscis_feed_and_listing_agree(uscis_feed, uscis_listing):
    assert stored(uscis_feed["config"], keys=("url", "published")) == stored(
        uscis_listing["config"], keys=("url", "published"))


@pytest.mark.parametrize("slug", [
    "news-releases/uscis-welcomes-new-citizens-veterans-day-naturalization-ceremonies",
    "alerts/beware-of-scams-targeting-diversity-visa-lottery-entrants",
])
def test_uscis_hard_negatives_are_not_relevant(uscis_feed, slug):
    relevant = dict(stored(uscis_feed["config"], keys=("url", "relevant")))
    assert relevant[USCIS + slug] == 0


def test_eoir_news_items_over_two_pages(eoir):
    assert stored(eoir["config"]) == [
        ("EOIR Announces 12 New Immigration Judges",
         EOIR + "eoir-announces-12-new-immigration-judges",
         utc("2026-11-17T10:15:00-05:00"), "eoir-news"),
        ("EOIR Expands Legal Orientation Program at Stewart Immigration Court",
         EOIR + "eoir-expands-legal-orientation-program-stewart-immigration-court",
         utc("2026-11-20T13:00:00-05:00"), "eoir-news"),
        ("EOIR Launches Electronic Filing for Bond Proceedings",
         EOIR + "eoir-launches-electronic-filing-bond-proceedings",
         utc("2026-11-05T11:00:00-05:00"), "eoir-news"),
    ]


def test_oig_report_table_items(oig):
    assert stored(oig["config"]) == [
        ("CBP Did Not Effectively Manage Its Fleet Vehicle Program",
         OIG + "cbp-did-not-effectively-manage-its-fleet-vehicle-program/oig-27-05-nov26",
         utc("2026-11-13T12:00:00+00:00"), "dhs-oig-reports"),
        ("ICE Needs to Improve Oversight of Detainee Transfers",
         OIG + "ice-needs-to-improve-oversight-of-detainee-transfers/oig-27-03-oct26",
         utc("2026-10-29T12:00:00+00:00"), "dhs-oig-reports"),
        ("Results of an Unannounced Inspection of ICE's Stewart Detention Center in Lumpkin, "
         "Georgia",
         OIG + "results-unannounced-inspection-ices-stewart-detention-center-lumpkin-georgia/"
         "oig-27-06-nov26",
         utc("2026-11-20T12:00:00+00:00"), "dhs-oig-reports"),
    ]
