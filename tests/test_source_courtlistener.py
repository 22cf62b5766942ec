"""CourtListener's search feed (Django Atom1Feed) and its opinion pages."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc

OPINION = "https://www.courtlistener.com/opinion/"


@pytest.fixture(scope="module")
def opinions(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("courtlistener"), "courtlistener-ice-opinions")


def test_opinion_items(opinions):
    assert stored(opinions["config"]) == [
        ("A.B.C. v. Attorney General United States",
         OPINION + "10448802/a-b-c-v-attorney-general-united-states",
         utc("2026-11-16T08:00:00+00:00"), "courtlistener-ice-opinions"),
        ("R.M.T. v. Warden, Stewart Detention Center",
         OPINION + "10451230/r-m-t-v-warden-stewart-detention-center",
         utc("2026-11-18T08:00:00+00:00"), "courtlistener-ice-opinions"),
        ("Coalition for Detained Families v. U.S. Immigration and Customs Enforcement",
         OPINION + "10456789/coalition-for-detained-families-v-us-immigration-and-customs-"
                   "enforcement",
         utc("2026-11-20T08:00:00+00:00"), "courtlistener-ice-opinions"),
    ]


def test_opinion_text_is_the_opinion_not_the_site_chrome(opinions):
    texts = [t for (t,) in stored(opinions["config"], keys=("text",))]
    assert all(t and "Free Law Project" not in t for t in texts)
