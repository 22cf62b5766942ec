"""A redirected article is cited at the URL it was read at, after redirects (issue 15).

A real crawl over 127.0.0.1 (the snapshot server, with a 301 and a 302 in `_routes.toml`) of a
feed served over http: the stored key is `canonical_url` (https), the link the feed gave is the
one that redirected, and the page was read at a third address. The draft must cite that one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor import drafting
from monitor.configure import load_config
from monitor.snapshot import serve_snapshot
from monitor.storage import articles as article_store
from monitor.storage import open_db
from tests.conftest import run_cli, write_config

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
MOVED = "http://news.example.org/2026/11/20/ice-posted-detainee-records"
SHORT_TARGET = "http://news.example.org/2026/11/21/ice-takes-down-detainee-records"
STORY = """<html><head><title>{title}</title></head><body><article><h1>{title}</h1>
<p>{first}</p>
<p>{second}</p>
<p>The agency said in a statement that it had opened a review of how the spreadsheet was
posted and would notify the people whose records were exposed.</p>
</article></body></html>"""


def _snapshot(root: Path) -> None:
    """An http-only outlet whose feed links redirect: /story-123 moves (301) to its dated
    address; a short link on another host answers 302 to the second story."""
    site = root / "news.example.org"
    (site / "2026" / "11" / "20").mkdir(parents=True)
    (site / "2026" / "11" / "21").mkdir(parents=True)
    (site / "feed.xml").write_text("""<?xml version="1.0"?>
<rss version="2.0"><channel><title>Example News</title><link>http://news.example.org/</link>
<item><title>ICE posted detainee records online</title>
<link>http://news.example.org/story-123</link>
<pubDate>Fri, 20 Nov 2026 15:00:00 GMT</pubDate><description>Records exposed.</description></item>
<item><title>ICE takes down detainee records</title>
<link>http://exm.pl/r/abc</link>
<pubDate>Sat, 21 Nov 2026 15:00:00 GMT</pubDate><description>Records removed.</description></item>
</channel></rss>""", encoding="utf-8")
    (site / "2026" / "11" / "20" / "ice-posted-detainee-records").write_text(STORY.format(
        title="ICE posted detainee records online",
        first="U.S. Immigration and Customs Enforcement inadvertently posted the names, "
              "nationalities and detention locations of 6,252 detained immigrants on its "
              "website on November 19, 2026.",
        second="The file stayed online for about five hours before it was removed, "
               "according to Human Rights First, which discovered it."), encoding="utf-8")
    (site / "2026" / "11" / "21" / "ice-takes-down-detainee-records").write_text(STORY.format(
        title="ICE takes down detainee records",
        first="Immigration and Customs Enforcement removed a spreadsheet that exposed the "
              "personal information of 6,252 detained immigrants on November 19, 2026.",
        second="Lawyers for the detainees said the exposure put people who fear persecution "
               "at risk if they are deported."), encoding="utf-8")
    (root / "_routes.toml").write_text(f"""
[[route]]
url = "http://news.example.org/feed.xml"
file = "news.example.org/feed.xml"
content_type = "application/rss+xml"

[[route]]
url = "http://news.example.org/story-123"
redirect = "{MOVED}"
status = 301

[[route]]
url = "http://exm.pl/r/abc"
redirect = "{SHORT_TARGET}"
status = 302
""", encoding="utf-8")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("redirects")
    root = folder / "snapshot"
    _snapshot(root)
    sources = folder / "redirects.sources.toml"
    sources.write_text('[[source]]\nid = "example-news"\nname = "Example News"\nkind = "feed"\n'
                       'url = "http://news.example.org/feed.xml"\nfollow = true\n'
                       'language = "en"\n', encoding="utf-8")
    config_path = write_config(folder, sources)
    with serve_snapshot(root) as (base, state):
        result = run_cli("crawl", "--snapshot", base, config=config_path)
        log = [entry["path"] for entry in state.log]
    assert result.returncode == 0, result.stderr[-2000:]
    db = open_db(folder / "monitor.db")
    rows = [article_store.decode(r) for r in db["articles"].rows_where(order_by="id")]
    db.close()
    return {"config": load_config(config_path), "rows": rows, "log": log}


def _draft(crawled: dict) -> tuple[dict, str]:
    incident = {"id": 1, "title": "ICE posted detainee records", "version": 1,
                "incident_type": "data_breach", "primary_article_id": None}
    context = drafting.build_context(incident, crawled["rows"], crawled["config"], NOW)
    return context, drafting.render_draft(context, crawled["config"])


def test_the_redirects_were_followed_over_loopback(crawled):
    assert ({"news.example.org/story-123", "exm.pl/r/abc", MOVED.removeprefix("http://"),
             SHORT_TARGET.removeprefix("http://")} <= set(crawled["log"]),
            len(crawled["rows"])) == (True, 2)


def test_the_final_url_is_stored_beside_the_key_and_the_link(crawled):
    assert [(r["url"], r["original_url"], r["fetched_url"]) for r in crawled["rows"]] == [
        (MOVED.replace("http://", "https://"), "http://news.example.org/story-123", MOVED),
        (SHORT_TARGET.replace("http://", "https://"), "http://exm.pl/r/abc", SHORT_TARGET),
    ]


def test_the_draft_cites_the_url_fetched_after_redirects(crawled):
    context, text = _draft(crawled)
    assert sorted(s["url"] for s in context["sources"]) == sorted([MOVED, SHORT_TARGET])
    assert f"]({MOVED})" in text and f"]({SHORT_TARGET})" in text
    assert "https://news.example.org" not in text and "story-123" not in text
