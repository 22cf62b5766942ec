"""Issue 18 #5 and #10: failures that used to be reported healthy, through the real CLI.

- A redirect loop A -> B -> A on a real loopback server: Scrapy's dupefilter dropped the repeat
  without a word and the source showed `ok, 0 seen`.
- A feed of many items fetched them all in one pass, nothing flagged: now a per-source cap per
  pass (`[crawl] max_items_per_source`, default 200) takes the first ones, flags the overflow
  in health and carries the rest to the next passes (the feed's validators are not kept, so a
  304 cannot hide them).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor.configure import load_config
from monitor.crawl import _result, build_settings
from monitor.snapshot import serve_snapshot
from monitor.sources import Source
from tests.conftest import run_cli, write_config
from tests.opskit import query


class Loop(BaseHTTPRequestHandler):
    """/a redirects to /b, /b back to /a; no robots.txt."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        if self.path == "/robots.txt":
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(302)
        self.send_header("Location", "/b" if self.path == "/a" else "/a")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def loop_server() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Loop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_redirect_loop_is_an_error_in_health(tmp_path: Path, loop_server: int):
    sources = tmp_path / "loop.sources.toml"
    sources.write_text(f'[[source]]\nid = "loop"\nkind = "feed"\n'
                       f'url = "http://127.0.0.1:{loop_server}/a"\n', encoding="utf-8")
    config = write_config(tmp_path, sources)
    run = run_cli("run", "--no-digests", config=config)
    assert run.returncode == 0, run.stderr
    assert re.search(r"^\s+loop\s+failed", run.stdout, re.M), run.stdout
    assert "redirect loop" in run.stdout and "/a -> " in run.stdout
    table = run_cli("sources", config=config)
    assert re.search(r"^loop\s+error", table.stdout, re.M), table.stdout
    assert "redirect loop" in table.stdout and table.returncode == 1


def test_a_source_that_ends_with_no_response_is_an_error():
    """No response, no error recorded (a request filtered offsite, say): not `ok`."""
    source = Source(id="quiet", name="quiet", kind="feed", url="https://quiet.example/feed")
    result = _result(source, {"finish_reason": "finished"})
    assert result.status == "failed" and "no response from the source" in result.errors[0]
    answered = _result(source, {"finish_reason": "finished", "monitor/responses": 1})
    assert answered.status == "ok"


# --- the per-pass item cap ----------------------------------------------------------------------

ITEMS = 25


def big_feed(root: Path) -> Path:
    items = "".join(
        f"<item><title>ICE arrests {n} workers at plant number {n} in Texas</title>"
        f"<link>https://big.example/news/{n}</link><guid>big-{n}</guid>"
        f"<pubDate>Thu, 19 Nov 2026 {n % 24:02d}:00:00 +0000</pubDate>"
        f"<description>Federal agents arrested {n} workers at a plant in Texas on "
        f"Thursday, ICE said.</description></item>" for n in range(1, ITEMS + 1))
    path = root / "big.example" / "feed.xml"
    path.parent.mkdir(parents=True)
    path.write_text(f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>'
                    f"<link>https://big.example/</link><description>d</description>{items}"
                    "</channel></rss>", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("capped")
    site = big_feed(folder / "site")
    sources = folder / "big.sources.toml"
    sources.write_text('[[source]]\nid = "big"\nkind = "feed"\n'
                       'url = "https://big.example/feed.xml"\nfollow = false\n', encoding="utf-8")
    config = write_config(folder, sources)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[crawl.scrapy]", "[crawl]\nmax_items_per_source = 10\n"
                                                     "[crawl.scrapy]"), encoding="utf-8")
    passes = []
    with serve_snapshot(site) as (base, state):
        for _ in range(4):
            run = run_cli("run", "--force", "--no-digests", "--snapshot", base, config=config)
            assert run.returncode == 0, run.stderr
            stored = query(folder / "monitor.db", "SELECT COUNT(*) FROM articles")[0][0]
            crawl = query(folder / "monitor.db", "SELECT anomalies FROM source_crawls "
                          "ORDER BY id DESC LIMIT 1")[0][0]
            table = run_cli("sources", config=config)
            passes.append({"stored": stored, "anomalies": crawl, "table": table.stdout})
    return passes


def test_each_pass_stores_at_most_the_cap(capped):
    assert [p["stored"] for p in capped] == [10, 20, ITEMS, ITEMS]


def test_the_overflow_is_flagged_in_health(capped):
    first = capped[0]
    assert "item-cap" in first["anomalies"] and "15 new entries beyond the cap of 10" in \
        first["anomalies"]
    assert re.search(r"^big\s+anomaly", first["table"], re.M), first["table"]


def test_once_caught_up_the_flag_clears(capped):
    assert "item-cap" not in capped[-1]["anomalies"]
    assert re.search(r"^big\s+ok", capped[-1]["table"], re.M), capped[-1]["table"]


def test_the_cap_is_on_by_default(tmp_path: Path):
    settings = build_settings(load_config(write_config(tmp_path)))
    assert settings.getint("MONITOR_MAX_ITEMS_PER_SOURCE") == 200
