"""The API spider over real HTTP: the Federal Register, cursor pagination, empty last page."""

from __future__ import annotations

import pytest

from monitor.snapshot import serve_snapshot
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "kinds.sources.toml"


@pytest.fixture(scope="module")
def fetched(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    config = config_for(folder, SOURCES)
    with serve_snapshot(SITES / "kinds") as (base, state):
        result = crawl(config, base, "federal-register-ice")
        assert result.returncode == 0, result.stderr
        yield config, state, result


def test_federal_register_documents_across_cursor_pages(fetched):
    config, _, _ = fetched
    assert articles(config) == [
        {"title": "Privacy Act of 1974; System of Records: ICE Alien File and Detention Records",
         "url": "https://www.federalregister.gov/documents/2026/09/01/2026-17001/"
                "privacy-act-of-1974-system-of-records",
         "published": "2026-09-01T00:00:00-04:00", "source_id": "federal-register-ice"},
        {"title": "Student and Exchange Visitor Program: Fee Adjustment",
         "url": "https://www.federalregister.gov/documents/2026/09/12/2026-18724/"
                "student-and-exchange-visitor-program-fee-adjustment",
         "published": "2026-09-12T00:00:00-04:00", "source_id": "federal-register-ice"},
        {"title": "Agency Information Collection Activities; Petition To Remove the Conditions "
                  "on Residence",
         "url": "https://www.federalregister.gov/documents/2026/09/14/2026-18736/"
                "agency-information-collection-activities-petition-to-remove-the-conditions",
         "published": "2026-09-14T00:00:00-04:00", "source_id": "federal-register-ice"},
    ]


def test_abstract_is_the_article_text(fetched):
    config, _, _ = fetched
    from monitor.storage import open_db

    db = open_db(config.parent / "monitor.db")
    row = next(db["articles"].rows_where("url LIKE '%2026-18724%'"))
    assert row["text"].startswith("This rule adjusts the fees charged by the Student")


def test_empty_page_without_results_key_is_not_an_error(fetched):
    _, _, result = fetched
    assert "federal-register-ice         ok" in result.stdout


def test_empty_last_page_was_requested(fetched):
    _, state, _ = fetched
    assert [p for p in state.hits if "page=3" in p]


def test_api_pages_are_not_fetched_as_article_pages(fetched):
    _, state, _ = fetched
    assert not [p for p in state.hits if "/documents/2026/" in p]


def test_due_skips_a_source_crawled_within_its_interval(fetched):
    config, _, _ = fetched
    with serve_snapshot(SITES / "kinds") as (base, state):
        from tests.conftest import run_cli

        result = run_cli("crawl", "--due", "--snapshot", base, "--source", "federal-register-ice",
                         config=config)
        assert (result.returncode, state.hits) == (0, {})
