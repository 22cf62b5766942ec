"""The Federal Register documents API, one source per agency, with cursor pagination."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

DOCS = "https://www.federalregister.gov/documents/2026/"
AGENCIES = ["federal-register-ice", "federal-register-uscis", "federal-register-cbp",
            "federal-register-dhs", "federal-register-eoir"]


@pytest.fixture(scope="module")
def ice(tmp_path_factory):
    """ICE alone: the DHS query lists one of its documents too, and the first crawl stores it."""
    return crawl_sources(tmp_path_factory.mktemp("federal-register-ice"), "federal-register-ice")


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("federal-register"), *AGENCIES)


def test_ice_documents_across_the_cursor_page(ice):
    assert stored(ice["config"], "federal-register-ice") == [
        ("Student and Exchange Visitor Program Fee Adjustment",
         DOCS + "11/03/2026-22015/student-and-exchange-visitor-program-fee-adjustment",
         utc("2026-11-03T00:00:00-05:00"), "federal-register-ice"),
        ("Agency Information Collection Activities; Extension of a Currently Approved Collection: "
         "Notice to Appear for Voluntary Departure Verification",
         DOCS + "11/17/2026-23102/agency-information-collection-activities-extension-of-a-"
                "currently-approved-collection-noti",
         utc("2026-11-17T00:00:00-05:00"), "federal-register-ice"),
        ("Privacy Act of 1974; System of Records: ICE Detention and Removal Case Records",
         DOCS + "11/20/2026-23418/privacy-act-of-1974-system-of-records-ice-detention-and-"
                "removal-case-records",
         utc("2026-11-20T00:00:00-05:00"), "federal-register-ice"),
    ]


def test_second_page_is_fetched_by_its_search_after_cursor(ice):
    paths = [e["path"] for e in ice["log"] if "search_after_cursor=" in e["path"]]
    assert len(paths) == 1 and "page=2" in paths[0]


@pytest.mark.parametrize("source_id, urls", [
    ("federal-register-uscis",
     [DOCS + "11/19/2026-23377/adjustment-to-premium-processing-fees"]),
    ("federal-register-cbp",
     [DOCS + "11/18/2026-23250/collection-of-biometric-data-from-noncitizens-upon-entry-to-"
             "and-departure-from-the-united"]),
    ("federal-register-eoir",
     [DOCS + "11/19/2026-23301/privacy-of-filings-in-immigration-court-proceedings"]),
])
def test_agency_documents(register, source_id, urls):
    assert [url for (url,) in stored(register["config"], source_id, keys=("url",))] == urls


def test_a_document_of_two_agencies_is_stored_once(register):
    urls = [url for (url,) in stored(register["config"], keys=("url",))]
    assert len(urls) == len(set(urls)) == 7


def test_documents_carry_the_abstract_as_text(register):
    texts = dict(stored(register["config"], keys=("url", "text")))
    assert texts[DOCS + "11/19/2026-23377/adjustment-to-premium-processing-fees"].startswith(
        "U.S. Citizenship and Immigration Services is adjusting premium processing fees")
