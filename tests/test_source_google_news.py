"""Google News search feeds (English and Spanish): opaque links resolved to the publisher."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc


@pytest.fixture(scope="module")
def deaths(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("gn-deaths"), "google-news-en-detention-death")


@pytest.fixture(scope="module")
def spanish(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("gn-es"), "google-news-es-custodia-datos")


def test_items_are_stored_under_the_publisher_url(deaths):
    assert stored(deaths["config"], keys=("title", "url", "published", "source_id", "outlet")) == [
        ("Honduran man dies in ICE custody at Stewart Detention Center",
         "https://www.ajc.com/news/georgia-news/honduran-man-dies-in-ice-custody-at-stewart-"
         "detention-center/K4QWZ7MHTNFX3OPL2D5RA6YBUE",
         utc("2026-11-22T23:30:00+00:00"), "google-news-en-detention-death",
         "The Atlanta Journal-Constitution"),
        ("Honduran man dies in ICE custody after being found unresponsive at Georgia detention "
         "center",
         "https://www.cbsnews.com/news/honduran-man-dies-ice-custody-stewart-detention-center-"
         "georgia",
         utc("2026-11-22T22:05:00+00:00"), "google-news-en-detention-death", "CBS News"),
        ("Man dies in ICE custody after falling ill at Otay Mesa Detention Center",
         "https://www.sandiegouniontribune.com/2026/11/19/man-dies-in-ice-custody-after-falling-"
         "ill-at-otay-mesa",
         utc("2026-11-20T04:40:00+00:00"), "google-news-en-detention-death",
         "San Diego Union-Tribune"),
    ]


def test_the_opaque_link_is_kept_as_original_url(deaths):
    originals = [o for (o,) in stored(deaths["config"], keys=("original_url",))]
    assert all(o.startswith("https://news.google.com/rss/articles/CBMi") for o in originals)


def test_spanish_items_with_publisher_and_language(spanish):
    assert stored(spanish["config"], keys=("url", "outlet", "language")) == [
        ("https://laopinion.com/2026/11/19/muere-guatemalteco-bajo-custodia-de-ice-en-otay-mesa",
         "La Opinión", "es"),
        ("https://www.univision.com/noticias/inmigracion/ice-publica-por-error-datos-personales-"
         "inmigrantes-detenidos", "Univision", "es"),
        ("https://www.univision.com/noticias/inmigracion/muere-hondureno-custodia-ice-centro-"
         "stewart-georgia", "Univision", "es"),
    ]


def test_second_crawl_does_not_follow_known_redirects(tmp_path):
    first = crawl_sources(tmp_path, "google-news-es-custodia-datos")
    second = crawl_sources(tmp_path, "google-news-es-custodia-datos")
    assert ([e["path"] for e in second["log"] if "/rss/articles/" in e["path"]], len(
        [e for e in first["log"] if "/rss/articles/" in e["path"]])) == ([], 3)
