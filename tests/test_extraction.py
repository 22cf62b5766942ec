"""Golden extraction on frozen pages built on real agency/outlet markup (text is our own)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.extraction import detect_language, extract, parse_date

PAGES = Path(__file__).parent / "fixtures" / "pages"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ICE_URL = "https://www.ice.gov/news/releases/ero-houston-arrests-honduran-national-wanted-homicide"
ICE_SELECTORS = {"body": ".nr-body", "title": ".nr-title h1"}


def page(name: str, url: str, **kwargs) -> dict:
    return extract((PAGES / name).read_text(encoding="utf-8"), url, now=NOW, **kwargs)


@pytest.fixture(scope="module")
def ice() -> dict:
    return page("ice_news_release.html", ICE_URL, selectors=ICE_SELECTORS)


@pytest.fixture(scope="module")
def ice_generic() -> dict:
    return page("ice_news_release.html", ICE_URL)


@pytest.fixture(scope="module")
def uscis() -> dict:
    return page("uscis_news_release.html",
                "https://www.uscis.gov/newsroom/news-releases/uscis-notifies-refugees")


@pytest.fixture(scope="module")
def spanish() -> dict:
    return page("noticias_redada_es.html",
                "https://noticiasdelvalle.example/inmigracion/redada-marshalltown")


@pytest.fixture(scope="module")
def death() -> dict:
    return page("news_detention_death_en.html", "https://ledger.example/news/man-dies-ice-custody")


@pytest.fixture(scope="module")
def blog() -> dict:
    return page("blog_url_date.html", "https://blog.example/2026/04/02/court-hears-challenge")


# --- ICE release with the per-source selector -----------------------------------------------

def test_ice_selector_method(ice):
    assert ice["method"] == "selector"


def test_ice_key_sentence_present(ice):
    assert "arrested a 38-year-old Honduran national on Feb. 6" in ice["text"]


def test_ice_callout_quote_present(ice):
    assert "fled his own country to escape a murder charge" in ice["text"]


def test_ice_mission_blurb_absent(ice):
    assert "Protecting the Homeland" not in ice["text"]


def test_ice_navigation_absent(ice):
    assert "Report Crime" not in ice["text"]


def test_ice_footer_absent(ice):
    assert "Freedom of Information Act" not in ice["text"]


def test_ice_title_from_selector(ice):
    assert ice["title"] == "ERO Houston arrests Honduran national wanted for homicide"


def test_ice_published_from_meta(ice):
    assert (ice["published"], ice["published_source"]) == ("2026-02-10T12:00:00+00:00", "meta")


def test_ice_date_only_flagged(ice):
    assert "date-only" in ice["date_flags"]


def test_ice_updated_from_labelled_time(ice):
    assert (ice["updated"], ice["updated_source"]) == ("2026-02-11T09:15:02-05:00", "page-text")


def test_ice_paragraphs_kept(ice):
    assert ice["text"].count("\n\n") >= 3


# --- same page without a selector: trafilatura must still find the release -------------------

def test_ice_trafilatura_method(ice_generic):
    assert ice_generic["method"] == "trafilatura"


def test_ice_trafilatura_key_sentence(ice_generic):
    assert "Montgomery Processing Center in Conroe" in ice_generic["text"]


def test_ice_trafilatura_breadcrumb_absent(ice_generic):
    assert "Skip to main content" not in ice_generic["text"]


def test_ice_trafilatura_title_not_repeated_in_text(ice_generic):
    assert not ice_generic["text"].startswith("ERO Houston arrests")


def test_ice_sitename(ice_generic):
    assert ice_generic["sitename"] == "ICE"


# --- USCIS release (trafilatura path) -----------------------------------------------------------

def test_uscis_key_sentence(uscis):
    assert "6,252 refugees and asylees" in uscis["text"]


def test_uscis_feedback_widget_absent(uscis):
    assert "Was this page helpful" not in uscis["text"]


def test_uscis_footer_absent(uscis):
    assert "Privacy and Legal Disclaimers" not in uscis["text"]


def test_uscis_published_is_meta_not_reviewed_date(uscis):
    assert uscis["published_source"] == "meta"


def test_uscis_updated_from_reviewed_date(uscis):
    assert uscis["updated"] == "2026-03-05T19:40:12+00:00"


# --- Spanish outlet with JSON-LD -------------------------------------------------------------

def test_spanish_language_detected(spanish):
    assert spanish["language"] == "es"


def test_spanish_published_from_json_ld(spanish):
    assert (spanish["published"], spanish["published_source"]) == (
        "2026-04-14T08:30:00-05:00", "json-ld")


def test_spanish_updated_from_json_ld(spanish):
    assert spanish["updated_source"] == "json-ld"


def test_spanish_no_flags(spanish):
    assert spanish["date_flags"] == []


def test_spanish_key_sentence(spanish):
    assert "detuvieron a más de 300 trabajadores" in spanish["text"]


def test_spanish_related_links_absent(spanish):
    assert "Tigres se corona" not in spanish["text"]


def test_spanish_footer_absent(spanish):
    assert "Todos los derechos reservados" not in spanish["text"]


# --- English outlet with meta timestamps -------------------------------------------------------

def test_death_published_from_meta_with_timezone(death):
    assert (death["published"], death["published_source"]) == (
        "2026-05-18T16:42:00+00:00", "meta")


def test_death_key_sentence(death):
    assert "died Sunday after staff found him unresponsive" in death["text"]


def test_death_newsletter_promo_absent(death):
    assert "Sign up for our free newsletter" not in death["text"]


def test_death_nav_absent(death):
    assert "Sports scores and schedules" not in death["text"]


def test_death_language_english(death):
    assert death["language"] == "en"


# --- blog with only a URL date -----------------------------------------------------------------

def test_blog_date_from_url(blog):
    assert (blog["published"], blog["published_source"]) == ("2026-04-02T12:00:00+00:00", "url")


def test_blog_footer_absent(blog):
    assert "project of volunteers" not in blog["text"]


# --- fallbacks and flags -----

FEED = {
    "title": "ICE arrests five at Texas job site",
    "summary": "<p>ICE officers arrested <b>five</b> workers on Tuesday.</p>",
    "published": "Tue, 10 Feb 2026 14:00:00 -0500",
    "updated": None,
}


def test_feed_summary_fallback_marked():
    assert extract("", "https://x.example/a", now=NOW, feed=FEED)["method"] == "feed-summary"


def test_feed_summary_text_is_plain():
    result = extract("", "https://x.example/a", now=NOW, feed=FEED)
    assert result["text"] == "ICE officers arrested five workers on Tuesday."


def test_feed_summary_used_when_page_has_no_text():
    result = extract("<html><body><nav>Menu</nav></body></html>", "https://x.example/a",
                     now=NOW, feed=FEED)
    assert result["method"] == "feed-summary"


def test_feed_date_kept_with_source():
    result = extract("", "https://x.example/a", now=NOW, feed=FEED)
    assert (result["published"], result["published_source"]) == (
        "2026-02-10T14:00:00-05:00", "feed")


def test_first_seen_when_no_date_anywhere():
    result = extract("", "https://x.example/a", now=NOW, feed={"summary": "Text only."})
    assert (result["published"], result["published_source"]) == (NOW.isoformat(), "first-seen")


def test_feed_title_fallback():
    assert extract("", "https://x.example/a", now=NOW, feed=FEED)["title"] == FEED["title"]


ARTICLE = ("<html><head>{head}</head><body><article><h1>Agents detain workers</h1>"
           "<p>Federal immigration agents detained eleven workers at a construction site on "
           "Tuesday morning, according to a union representative who witnessed the arrests."
           "</p><p>The union said it would seek the release of all eleven men.</p>"
           "</article></body></html>")


def test_future_date_flagged():
    head = '<meta property="article:published_time" content="2027-01-05T10:00:00+00:00">'
    result = extract(ARTICLE.format(head=head), "https://x.example/b", now=NOW)
    assert "future-date" in result["date_flags"]


def test_missing_timezone_flagged():
    head = '<meta property="article:published_time" content="2026-05-20T10:00:00">'
    result = extract(ARTICLE.format(head=head), "https://x.example/b", now=NOW)
    assert "no-timezone" in result["date_flags"]


def test_date_only_meta_upgraded_by_same_day_feed_timestamp():
    head = '<meta property="article:published_time" content="2026-02-10">'
    result = extract(ARTICLE.format(head=head), "https://x.example/b", now=NOW, feed=FEED)
    assert (result["published"], result["published_source"]) == (
        "2026-02-10T14:00:00-05:00", "feed")


def test_selector_date_wins():
    head = '<meta property="article:published_time" content="2026-05-20T10:00:00+00:00">'
    html = ARTICLE.format(head=head).replace(
        "<h1>", '<div class="release-date">Release Date: May 19, 2026</div><h1>')
    result = extract(html, "https://x.example/b", now=NOW, selectors={"date": ".release-date"})
    assert result["published"].startswith("2026-05-19")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-02-10T09:15:02-05:00", "2026-02-10T09:15:02-05:00"),
        ("Tue, 10 Feb 2026 14:00:00 GMT", "2026-02-10T14:00:00+00:00"),
        ("February 10, 2026", "2026-02-10T00:00:00"),
        ("14 de abril de 2026", "2026-04-14T00:00:00"),
        ("Fri, 08/07/2026", "2026-08-07T00:00:00"),
    ],
)
def test_parse_date_formats(raw, expected):
    assert parse_date(raw)[0].isoformat() == expected


def test_language_spanish_short_headline():
    assert detect_language("ICE detiene a más de 300 inmigrantes en una redada en Texas") == "es"


def test_language_english_short_headline():
    assert detect_language("ICE arrests more than 300 immigrants in Texas raid") == "en"


def test_language_hint_used_for_tiny_text():
    assert detect_language("ICE", hint="es-419") == "es"


# --- DHS and CBP releases: the date is written in the page, not in meta ------------------------

@pytest.fixture(scope="module")
def dhs() -> dict:
    return page("dhs_press_release.html",
                "https://www.dhs.gov/news/2026/03/21/dhs-ends-parole-program")


@pytest.fixture(scope="module")
def cbp() -> dict:
    return page("cbp_media_release.html",
                "https://www.cbp.gov/newsroom/local-media-release/agents-apprehend-41")


def test_dhs_release_date_from_page_text(dhs):
    assert (dhs["published"], dhs["published_source"]) == ("2026-03-21T12:00:00+00:00", "page-text")


def test_dhs_key_sentence(dhs):
    assert "terminating the categorical parole program" in dhs["text"]


def test_dhs_footer_absent(dhs):
    assert "No FEAR Act" not in dhs["text"]


def test_dhs_related_topics_absent(dhs):
    assert "Immigration and Customs" not in dhs["text"]


def test_cbp_release_date_numeric(cbp):
    assert (cbp["published"], cbp["published_source"]) == ("2026-04-07T12:00:00+00:00", "page-text")


def test_cbp_key_sentence(cbp):
    assert "apprehended 41 migrants" in cbp["text"]


def test_cbp_nav_absent(cbp):
    assert "Become a Border Patrol agent" not in cbp["text"]


def test_json_ld_nested_main_entity():
    head = ('<script type="application/ld+json">{"@type": "WebPage", "mainEntity": '
            '{"@type": "NewsArticle", "datePublished": "2026-05-02T07:00:00-07:00"}}</script>')
    result = extract(ARTICLE.format(head=head), "https://x.example/b", now=NOW)
    assert (result["published"], result["published_source"]) == (
        "2026-05-02T07:00:00-07:00", "json-ld")


def test_bad_selector_falls_back_to_trafilatura():
    result = extract(ARTICLE.format(head=""), "https://x.example/b", now=NOW,
                     selectors={"body": "div[[["})
    assert (result["method"], result["warnings"]) == ("trafilatura", ["bad-body-selector"])


def test_empty_selector_match_falls_back_to_trafilatura():
    result = extract(ARTICLE.format(head=""), "https://x.example/b", now=NOW,
                     selectors={"body": ".nr-body"})
    assert "detained eleven workers" in result["text"]


def test_feed_summary_keeps_paragraphs():
    feed = {"summary": "<p>ICE officers arrested <b>five</b> workers.</p><p>Second<br>line.</p>"}
    result = extract("", "https://x.example/a", now=NOW, feed=feed)
    assert result["text"] == "ICE officers arrested five workers.\n\nSecond line."


def test_evening_feed_time_upgrades_date_only_page_of_the_us_day():
    head = '<meta property="article:published_time" content="2026-11-18">'
    html = ARTICLE.format(head=head)
    feed = {"title": "T", "summary": "S", "published": "2026-11-19T02:15:00+00:00"}
    result = extract(html, "https://x.example/c", now=NOW, feed=feed)
    assert result["published"] == "2026-11-19T02:15:00+00:00"


# --- precision mode drops the body: retry in default mode (issue 16, barrons.com shape) ------
# The body sits in <div class="barrons-article-wrap">: precision mode prunes it as a nav "bar"
# and keeps only the reprint notice. The text is a real report (corpus id real-7d1cd712e6).

BARRONS_URL = "https://www.barrons.com/articles/ticking-bomb-detention-center-inspectors"


@pytest.fixture(scope="module")
def barrons() -> dict:
    return page("barrons_article_wrap.html", BARRONS_URL)


def test_barrons_body_recovered_from_default_mode(barrons):
    assert "grappled with drug smuggling, chronic medical staff shortages" in barrons["text"]
    assert "shed more light on Stewart's thorny challenges" in barrons["text"]


def test_barrons_body_is_not_the_reprint_notice_alone(barrons):
    assert not barrons["text"].startswith("Copyright 2018 Dow Jones")
    assert len(barrons["text"]) > 3 * len("Copyright 2018 Dow Jones & Company, Inc. All Rights "
                                          "Reserved. This copy is for your personal, non-"
                                          "commercial use only.")


def test_barrons_title_and_method(barrons):
    assert barrons["method"] == "trafilatura"
    assert barrons["title"].startswith("Inspectors find drugs, dangers in Ga.")


def test_precision_result_kept_when_default_mode_adds_only_menus():
    # the ICE newsroom listing: default mode adds the menu and teaser lines, not prose
    html = (Path(__file__).parents[1] / "demo" / "snapshot" / "www.ice.gov"
            / "newsroom.page-1.html").read_text(encoding="utf-8")
    result = extract(html, "https://www.ice.gov/newsroom", now=NOW)
    assert "Skip to main content" not in result["text"]


def test_prose_chars_counts_sentences_not_menu_lines():
    from monitor.extraction import prose_chars

    sentence = "Officers arrested twelve workers at the plant on Tuesday morning, the agency said."
    assert prose_chars(f"Home\nNews\nAbout us\n{sentence}") == len(sentence)


def test_page_dates_use_the_shared_month_table():
    # one table (data/facts.toml [dates]) for facts, page dates and birth dates
    from monitor import extraction, facts

    assert extraction.MONTHS is facts.month_numbers()


def test_language_identifier_answers_as_py3langids_own_restricted_one():
    """`_identifier` rebuilds py3langid's identifier from its restricted tables (the full
    142-language table is freed): the same language and probability on every sample."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from monitor import extraction

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(extraction.LANGUAGES))
    ours = extraction._identifier()
    assert ours.nb_ptc.shape == reference.nb_ptc.shape
    assert ours.nb_ptc.shape[1] < reference._full_model[0].shape[1]
    samples = [page.read_text(encoding="utf-8", errors="replace")[2000:2600]
               for page in sorted(PAGES.parent.rglob("*.html"))]
    samples += ["ICE agents detained workers", "Agentes de ICE detuvieron a trabajadores",
                "Les agents ont arrêté des travailleurs", "x"]
    assert [ours.classify(s) for s in samples] == [reference.classify(s) for s in samples]
