"""The snapshot server and the rewrite middleware that keeps demo and tests on loopback."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

from scrapy import Request
from scrapy.http import HtmlResponse

from monitor.middlewares import SnapshotRewrite
from monitor.snapshot import local_url, serve_snapshot


def test_rewrite_sends_any_host_to_the_snapshot():
    rewritten = SnapshotRewrite("http://127.0.0.1:9").process_request(
        Request("https://www.ice.gov/rss/feed?x=1"))
    assert rewritten.url == "http://127.0.0.1:9/www.ice.gov/rss/feed?x=1"


def test_rewrite_restores_the_production_url_on_the_response():
    middleware = SnapshotRewrite("http://127.0.0.1:9")
    local = middleware.process_request(Request("https://www.ice.gov/a"))
    response = HtmlResponse(local.url, body=b"<p>x</p>", request=local)
    assert middleware.process_response(local, response).url == "https://www.ice.gov/a"


def test_rewrite_leaves_loopback_requests_alone():
    request = Request("http://127.0.0.1:9/robots.txt")
    assert SnapshotRewrite("http://127.0.0.1:9").process_request(request) is None


def fetch(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


def test_server_answers_304_to_a_matching_etag(snapshot_server):
    base, _ = snapshot_server
    url = local_url(base, "https://www.ice.gov/rss/ice-breaking-news")
    _, _, headers = fetch(url)
    status, _, _ = fetch(url, {"If-None-Match": headers["ETag"]})
    assert status == 304


def test_server_sniffs_feeds_without_extension(snapshot_server):
    base, _ = snapshot_server
    _, _, headers = fetch(local_url(base, "https://www.ice.gov/rss/ice-breaking-news"))
    assert "xml" in headers["Content-Type"]


def test_server_refuses_paths_outside_its_root(snapshot_server):
    base, _ = snapshot_server
    status, _, _ = fetch(base + "/../../etc/passwd")
    assert status == 404


def test_routes_script_failures_then_success(tmp_path: Path):
    (tmp_path / "site.example").mkdir()
    (tmp_path / "site.example" / "feed.xml").write_text("<rss/>")
    (tmp_path / "_routes.toml").write_text(
        '[[route]]\nurl = "https://site.example/feed.xml"\nfail_times = 1\n')
    with serve_snapshot(tmp_path) as (base, _):
        url = local_url(base, "https://site.example/feed.xml")
        statuses = [fetch(url)[0], fetch(url)[0]]
    assert statuses == [503, 200]
