"""Spanish-language news sitemaps (Univision, Telemundo): entries filtered by `include`."""

from __future__ import annotations

import pytest

from tests.watchlist import crawl_sources, stored, utc


@pytest.fixture(scope="module")
def sitemaps(tmp_path_factory):
    return crawl_sources(tmp_path_factory.mktemp("sitemaps"), "univision-noticias",
                         "telemundo-noticias")


def test_immigration_entries(sitemaps):
    assert stored(sitemaps["config"], keys=("title", "url", "published", "source_id",
                                            "language")) == [
        ("Redada en dos plantas avícolas de Misisipi: arrestan a 212 trabajadores",
         "https://www.telemundo.com/noticias/noticias-telemundo/inmigracion/redada-plantas-"
         "avicolas-misisipi-212-trabajadores-arrestados-rcna241180",
         utc("2026-11-20T07:45:00-05:00"), "telemundo-noticias", "es"),
        ("Aumentan los vuelos de deportación a Guatemala: 14 en lo que va de noviembre",
         "https://www.telemundo.com/noticias/noticias-telemundo/inmigracion/vuelos-de-"
         "deportacion-guatemala-aumentan-rcna241322",
         utc("2026-11-21T10:20:00-05:00"), "telemundo-noticias", "es"),
        ("ICE publica por error los datos personales de 6,252 inmigrantes detenidos",
         "https://www.univision.com/noticias/inmigracion/ice-publica-por-error-datos-"
         "personales-inmigrantes-detenidos",
         utc("2026-11-19T13:30:00-05:00"), "univision-noticias", "es"),
        ("Muere un hondureño bajo custodia de ICE en el centro de detención Stewart, en Georgia",
         "https://www.univision.com/noticias/inmigracion/muere-hondureno-custodia-ice-centro-"
         "stewart-georgia",
         utc("2026-11-22T19:10:00-05:00"), "univision-noticias", "es"),
    ]


def test_entries_outside_the_filter_are_never_fetched(sitemaps):
    fetched = [e["path"] for e in sitemaps["log"]]
    assert not [p for p in fetched if "tormenta-de-hielo" in p or "latin-grammy" in p]
