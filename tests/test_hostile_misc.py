"""Issue 18, "Also": source ids, download headers, oversize bodies, deeply nested pages.

Each through the real CLI or app, with a test that failed before the fix.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor import extraction
from monitor.sources import load_sources
from tests.conftest import run_cli, write_config
from tests.sites import config_for

BAD_IDS = ['"../../etc/passwd"', '"feeds/ice"', '"ice\\nfake-ok   ok"', '".."', '"a b"']


@pytest.mark.parametrize("source_id", BAD_IDS)
def test_sources_check_rejects_path_like_or_multiline_ids(tmp_path: Path, source_id: str):
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nid = {source_id}\nkind = "feed"\n'
                       'url = "https://example.org/feed.xml"\n', encoding="utf-8")
    result = run_cli("sources", "check", config=write_config(tmp_path, sources))
    assert result.returncode == 1, result.stdout + result.stderr
    assert ": id: must be letters, digits" in result.stdout + result.stderr
    assert load_sources(sources)[0] == []  # the source is skipped, not crawled


def test_ordinary_ids_still_pass(tmp_path: Path):
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nid = "ice-breaking_news.v2"\nkind = "feed"\n'
                       'url = "https://example.org/feed.xml"\n', encoding="utf-8")
    assert [s.id for s in load_sources(sources)[0]] == ["ice-breaking_news.v2"]


def test_markdown_download_names_its_charset_once(tmp_path: Path, monkeypatch):
    from monitor import drafting, review
    from monitor.web import create_app
    from monitor.web.security import hash_password
    from tests.draft_fixtures import BREACH_TEXT, NOW, make_article, make_incident, setup

    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=f'[review]\npassword_hash = "{hash_password("pw" * 6)}"\n')
    article = make_article(db, "https://news.example.com/b", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft_id = review.list_drafts(db)[0]["id"]
    client = create_app(config, secret_key="k").test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf_token": token, "name": "Ana", "password": "pw" * 6})
    response = client.get(f"/drafts/{draft_id}/download")
    assert response.status_code == 200
    assert response.headers["Content-Type"].lower().count("charset") == 1, response.headers


class Endless(BaseHTTPRequestHandler):
    """A feed body of ~400 KB sent without Content-Length (HTTP/1.0, ends when closed)."""

    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            self.wfile.write(b"<?xml version='1.0'?><rss version='2.0'><channel><title>x</title>")
            for _ in range(4000):
                self.wfile.write(b"<item><title>padding padding padding padding</title></item>")
        except OSError:
            pass  # the crawler hung up: what it should do

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def endless_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_oversize_body_without_length_names_download_maxsize(tmp_path: Path, endless_server):
    sources = tmp_path / "s.toml"
    sources.write_text(f'[[source]]\nid = "huge"\nkind = "feed"\n'
                       f'url = "http://127.0.0.1:{endless_server}/feed.xml"\n', encoding="utf-8")
    config = config_for(tmp_path, sources, {"DOWNLOAD_MAXSIZE": 50_000,
                                            "DOWNLOAD_WARNSIZE": 40_000})
    result = run_cli("crawl", config=config)
    assert "response larger than DOWNLOAD_MAXSIZE (50,000 bytes)" in result.stdout, \
        result.stdout + result.stderr


NESTED = ("<html><head><title>ICE raid</title></head><body>" + "<div>" * 100_000
          + "<p>ICE arrested 12 people in a raid on Tuesday in Texas, officials said.</p>"
          + "</div>" * 100_000 + "</body></html>")


def test_a_deeply_nested_page_says_why_the_summary_stood_in():
    result = extraction.extract(NESTED, "https://x.example/a", now=datetime.now(UTC),
                                feed={"summary": "The feed's own summary of the raid."})
    assert result["method"] == "feed-summary"
    assert any(w.startswith("page-too-deeply-nested (100,002 levels") for w in
               result["warnings"]), result["warnings"]


def test_the_reason_reaches_the_health_table(tmp_path: Path, make_snapshot_server):
    site = tmp_path / "site"
    (site / "deep.example").mkdir(parents=True)
    (site / "deep.example" / "raid.html").write_text(NESTED, encoding="utf-8")
    (site / "deep.example" / "feed.xml").write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title>'
        "<link>https://deep.example/</link><description>d</description><item>"
        "<title>ICE raid in Texas</title><link>https://deep.example/raid.html</link>"
        "<description>ICE arrested 12 people in Texas.</description></item></channel></rss>",
        encoding="utf-8")
    sources = tmp_path / "s.toml"
    sources.write_text('[[source]]\nid = "deep"\nkind = "feed"\n'
                       'url = "https://deep.example/feed.xml"\nfollow = true\n', encoding="utf-8")
    config = write_config(tmp_path, sources)
    base, _ = make_snapshot_server(site)
    crawl = run_cli("crawl", "--snapshot", base, config=config)
    assert crawl.returncode == 0, crawl.stderr
    table = run_cli("sources", config=config)
    assert "page-too-deeply-nested" in table.stdout and "feed summary stands in" in table.stdout, \
        table.stdout
