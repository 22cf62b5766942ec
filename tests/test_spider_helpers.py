"""Pure helpers of the spiders: dates as printed, selectors, sitemap documents, API paths."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from parsel import Selector

from spiders.api import field
from spiders.dates import is_future, parse_date
from spiders.selectors import first_link, first_text
from spiders.sitemap import read_sitemap

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_date_with_format_in_source_timezone():
    assert parse_date("August 7, 2026", "%B %d, %Y", "America/New_York") == (
        "2026-08-07T00:00:00-04:00")


def test_date_with_offset_keeps_it():
    assert parse_date("2026-09-11T13:40:20Z") == "2026-09-11T13:40:20+00:00"


def test_date_not_matching_format_is_none():
    assert parse_date("Aug 07", "%b %d %Y") is None


def test_future_date_beyond_a_day():
    assert is_future("2026-12-01T00:00:00+00:00", NOW) is True


def test_today_is_not_future():
    assert is_future("2026-11-24T20:00:00+00:00", NOW) is False


def test_xpath_attribute_selector():
    node = Selector(text='<div class="t"><a href="/x">X</a></div>')
    assert first_link(node, "//div[@class='t']/a/@href") == "/x"


def test_element_link_selector_gives_href():
    assert first_link(Selector(text='<h3><a href="/y">Y</a></h3>'), "h3 a") == "/y"


def test_element_text_is_whitespace_normalised():
    assert first_text(Selector(text="<p> a\n  <b>b</b>  </p>"), "p") == "a b"


def test_api_dotted_path():
    assert field({"agencies": [{"name": "ICE"}]}, "agencies.0.name") == "ICE"


def test_api_missing_path_is_none():
    assert field({"results": []}, "next_page_url") is None


def test_sitemap_index_lists_children():
    body = (b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            b'sitemap/0.9"><sitemap><loc> https://a.example/news-1.xml </loc></sitemap>'
            b'</sitemapindex>')
    assert read_sitemap(body) == ("sitemapindex", [{"url": "https://a.example/news-1.xml"}])


def test_gzipped_news_sitemap_is_read():
    body = gzip.compress(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://a.example/1'
        b'</loc><news:news><news:publication_date>2026-11-20T10:00:00Z</news:publication_date>'
        b'<news:title> Raid </news:title></news:news></url></urlset>')
    root, entries = read_sitemap(body)
    assert (root, entries[0]["title"], entries[0]["published"]) == (
        "urlset", "Raid", "2026-11-20T10:00:00Z")
