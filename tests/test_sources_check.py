"""`monitor sources check`: every problem named by source id and field; clean file exits 0."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, run_cli, write_config
from tests.sites import SITES

BAD = '''
[[source]]
id = "no-url"
name = "No URL"
kind = "feed"

[[source]]
id = "weird-kind"
kind = "carrier-pigeon"
url = "https://example.org/"

[[source]]
id = "twice"
kind = "feed"
url = "https://example.org/a.xml"

[[source]]
id = "twice"
kind = "feed"
url = "https://example.org/b.xml"

[[source]]
id = "bad-css"
kind = "listing"
url = "https://example.org/news"
listing = { item = "div..views-row", link = "a" }

[[source]]
id = "bad-xpath"
kind = "listing"
url = "https://example.org/news"
listing = { item = "//div[@class='x'", link = "a" }

[[source]]
id = "no-item"
kind = "listing"
url = "https://example.org/news"
listing = { link = "a" }

[[source]]
id = "typo-key"
kind = "feed"
url = "https://example.org/feed"
selector = { body = ".x" }

[[source]]
id = "bad-format"
kind = "listing"
url = "https://example.org/news"
timezone = "Mars/Olympus"
listing = { item = "li", date = "time", date_format = "%Q %d" }

[[source]]
id = "bad-article-selector"
kind = "feed"
url = "https://example.org/feed"
selectors = { body = "p:nth-child(" }
'''


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    folder = tmp_path_factory.mktemp("check")
    sources = folder / "sources.toml"
    sources.write_text(BAD, encoding="utf-8")
    return run_cli("sources", "check", config=write_config(folder, sources))


@pytest.mark.parametrize("expected", [
    "no-url: url: missing",
    "weird-kind: kind: unknown kind 'carrier-pigeon'",
    "twice: id: duplicate id",
    "bad-css: listing.item: CSS selector 'div..views-row' does not parse",
    "bad-xpath: listing.item: XPath selector",
    "no-item: listing.item: missing",
    "warning: typo-key: selector: unknown key for kind 'feed'",
    "bad-format: listing.date_format: strptime format '%Q %d' is unusable",
    "bad-format: timezone: unknown timezone 'Mars/Olympus'",
    "bad-article-selector: selectors.body: CSS selector",
])
def test_problem_is_named_by_id_and_field(checked, expected):
    assert expected in checked.stdout


def test_problems_exit_1(checked):
    assert checked.returncode == 1


def test_summary_counts_errors_and_warnings(checked):
    assert "9 errors, 1 warnings" in checked.stdout


def test_typo_key_source_is_still_usable(checked):
    assert "2 usable sources" in checked.stdout


@pytest.mark.parametrize("sources", [ROOT / "sources.toml", SITES / "kinds.sources.toml",
                                     SITES / "feeds.sources.toml",
                                     SITES / "faults.sources.toml"])
def test_shipped_and_fixture_sources_files_are_clean(tmp_path, sources):
    result = run_cli("sources", "check", config=write_config(tmp_path, sources))
    assert (result.returncode, "0 errors, 0 warnings" in result.stdout) == (0, True), result.stdout
