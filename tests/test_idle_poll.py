"""An idle pass: sources that answer 304 cost one request each, robots.txt comes from the
stored copy, and Scrapy is not started (monitor.probe, monitor.robots; issue 16).

Real HTTP on 127.0.0.1 (the snapshot server, which answers If-None-Match with 304), a real
SQLite file, the `monitor` command in a subprocess.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from monitor import robots
from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from monitor.storage import sources as source_store
from tests.conftest import ROOT
from tests.sites import SITES, articles, config_for, crawl

SOURCES = SITES / "kinds.sources.toml"
LISTING = "www.uscis.gov/newsroom/all-news"
SOURCE = "uscis-all-news"


def site_with_robots(tmp_path, rules: str):
    site = shutil.copytree(SITES / "kinds", tmp_path / "site")
    (site / "www.uscis.gov" / "robots.txt").write_text(rules, encoding="utf-8")
    return site


def paths(log) -> list[str]:
    return [entry["path"] for entry in log]


@pytest.fixture(scope="module")
def passes(tmp_path_factory):
    """A first crawl, then two unchanged passes, of one listing whose site has a robots.txt."""
    folder = tmp_path_factory.mktemp("idle")
    site = site_with_robots(folder, "User-agent: *\nDisallow: /private/\n")
    config = config_for(folder, SOURCES)
    logs, outputs = [], []
    with serve_snapshot(site) as (base, state):
        for _ in range(3):
            mark = len(state.log)
            done = crawl(config, base, SOURCE)
            assert done.returncode == 0, done.stderr
            logs.append(state.log[mark:])
            outputs.append(done.stdout)
    return config, logs, outputs


def test_first_pass_fetches_robots_txt_once_and_the_articles(passes):
    config, logs, _ = passes
    fetched = paths(logs[0])
    assert fetched.count("www.uscis.gov/robots.txt") == 1
    assert len(articles(config)) == 2


def test_first_pass_stores_the_sites_robots_txt(passes):
    config, _, _ = passes
    db = open_db(config.parent / "monitor.db")
    stored = [row for row in db["robots_txt"].rows if row["origin"].startswith(
        "https://www.uscis.gov via http://127.0.0.1:")]
    assert len(stored) == 1 and b"Disallow: /private/" in stored[0]["body"]


def test_idle_pass_is_one_conditional_request_and_no_robots_txt(passes):
    _, logs, outputs = passes
    for log, out in zip(logs[1:], outputs[1:], strict=True):
        assert paths(log) == [LISTING]
        assert log[0]["headers"].get("If-None-Match")
        assert "not modified (304)" in out and "0 new articles" in out


def test_idle_pass_is_recorded_like_a_304_crawl(passes):
    config, _, _ = passes
    db = open_db(config.parent / "monitor.db")
    crawls = list(db["source_crawls"].rows_where("source_id = ?", [SOURCE], order_by="id"))
    assert [(c["status"], c["not_modified"]) for c in crawls] == [("ok", 0), ("ok", 1),
                                                                  ("ok", 1)]
    assert db["sources"].get(SOURCE)["health_state"] == "ok"


def test_idle_pass_does_not_import_scrapy_or_numpy(tmp_path):
    config = config_for(tmp_path, SOURCES)
    code = ("import sys\n"
            "from monitor.cli import cli\n"
            "cli.main(sys.argv[1:], standalone_mode=False, prog_name='monitor')\n"
            "print('scrapy loaded' if 'scrapy' in sys.modules else 'scrapy not loaded')\n"
            "print('numpy loaded' if 'numpy' in sys.modules else 'numpy not loaded')\n")
    with serve_snapshot(site_with_robots(tmp_path, "User-agent: *\nAllow: /\n")) as (base, _):
        outputs = []
        for _ in range(2):
            done = subprocess.run([sys.executable, "-c", code, "--config", str(config), "crawl",
                                   "--snapshot", base, "--source", SOURCE], cwd=ROOT,
                                  capture_output=True, text=True, timeout=240)
            assert done.returncode == 0, done.stderr
            outputs.append(done.stdout)
    assert "scrapy loaded" in outputs[0]
    assert "scrapy not loaded" in outputs[1] and "not modified (304)" in outputs[1]
    # sqlite-utils would import numpy (0.2 s) only to map numpy types (monitor.storage.db)
    assert "numpy not loaded" in outputs[1]


def test_changed_page_goes_to_scrapy_and_is_read(tmp_path):
    site = site_with_robots(tmp_path, "User-agent: *\nAllow: /\n")
    config = config_for(tmp_path, SOURCES)
    page = site / LISTING
    with serve_snapshot(site) as (base, state):
        crawl(config, base, SOURCE)
        page.write_text(page.read_text(encoding="utf-8").replace(
            "/newsroom/alerts/uscis-reaches-h-2b-cap", "/newsroom/alerts/uscis-new-alert"),
            encoding="utf-8")
        (site / "www.uscis.gov/newsroom/alerts/uscis-new-alert").write_text(
            (site / "www.uscis.gov/newsroom/alerts/uscis-reaches-h-2b-cap").read_text(
                encoding="utf-8").replace("H-2B Cap", "H-2B Cap Again"), encoding="utf-8")
        mark = len(state.log)
        again = crawl(config, base, SOURCE)
        log = paths(state.log[mark:])
    assert "1 new articles" in again.stdout
    # the probe's request (200, left to Scrapy), Scrapy's own, the new article; no robots.txt
    assert log.count(LISTING) == 2
    assert "www.uscis.gov/robots.txt" not in log


def test_stored_rules_still_forbid_and_no_request_reaches_a_forbidden_page(tmp_path):
    site = site_with_robots(tmp_path, "User-agent: *\nDisallow: /newsroom/\n")
    config = config_for(tmp_path, SOURCES)
    with serve_snapshot(site) as (base, state):
        first = crawl(config, base, SOURCE)
        mark = len(state.log)
        second = crawl(config, base, SOURCE)
        log = paths(state.log[mark:])
    assert "Forbidden by robots.txt" in first.stdout
    assert "Forbidden by robots.txt" in second.stdout
    assert log == []  # the stored copy said no: neither robots.txt nor the page was asked


def test_a_copy_older_than_a_day_is_fetched_again(tmp_path):
    site = site_with_robots(tmp_path, "User-agent: *\nAllow: /\n")
    config = config_for(tmp_path, SOURCES)
    with serve_snapshot(site) as (base, state):
        crawl(config, base, SOURCE)
        db = open_db(config.parent / "monitor.db")
        key = robots.store_key("https://www.uscis.gov/", base)
        copy = source_store.robots_copy(db, key)
        # the site changed its rules a day ago; our copy is from before that
        source_store.save_robots(db, key, 200, b"User-agent: *\nDisallow: /\n",
                                 now=datetime.now(UTC) - timedelta(hours=25))
        db.close()
        (site / "www.uscis.gov" / "robots.txt").write_text("User-agent: *\nAllow: /\n",
                                                           encoding="utf-8")
        mark = len(state.log)
        again = crawl(config, base, SOURCE)
        log = paths(state.log[mark:])
    assert copy is not None
    assert log[0] == "www.uscis.gov/robots.txt"  # fetched before the site's first request
    assert "Forbidden" not in again.stdout and "not modified (304)" in again.stdout


def test_freshness_is_24_hours_and_a_future_date_is_not_fresh():
    now = datetime(2026, 12, 4, 12, tzinfo=UTC)
    copy = {"fetched_at": (now - timedelta(hours=23)).isoformat()}
    assert robots.is_fresh(copy, now)
    assert not robots.is_fresh({"fetched_at": (now - timedelta(hours=25)).isoformat()}, now)
    assert not robots.is_fresh({"fetched_at": (now + timedelta(hours=1)).isoformat()}, now)
    assert not robots.is_fresh(None, now) and not robots.is_fresh({"fetched_at": "x"}, now)


def test_a_snapshots_robots_txt_is_kept_apart_from_the_sites():
    assert robots.store_key("https://www.ice.gov/rss/x") == "https://www.ice.gov"
    assert robots.store_key("https://www.ice.gov/rss/x", "http://127.0.0.1:9/") == \
        "https://www.ice.gov via http://127.0.0.1:9"
    assert not robots.worth_storing(503) and robots.worth_storing(404)


def test_probes_ask_sites_in_parallel_and_one_site_one_request_at_a_time():
    """In snapshot mode every probe goes to one loopback server; the politeness is per
    production site, so two sites are asked side by side and each site's requests in turn."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from monitor import probe

    lock, active, seen = threading.Lock(), {}, []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            return None

        def do_GET(self):  # noqa: N802 - stdlib name
            site = self.path.split("/")[1]
            with lock:
                active[site] = active.get(site, 0) + 1
                seen.append(dict(active))
            threading.Event().wait(0.2)
            with lock:
                active[site] -= 1
            self.send_response(304)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    probes = [probe.Probe(f"{site}-{n}", f"{base}/{site}/feed{n}", {}, f"https://{site}/feed{n}")
              for site in ("www.ice.gov", "www.uscis.gov") for n in (1, 2)]
    settings = probe.ProbeSettings(user_agent="test", headers={}, timeout=5, delay=0,
                                   obey_robots=False, robots_max_age=86400,
                                   snapshot_base=base, enabled=True)
    try:
        assert probe.unchanged(probes, settings) == {p.source_id for p in probes}
    finally:
        server.shutdown()
        server.server_close()
    assert max(max(counts.values()) for counts in seen) == 1  # one request per site at once
    assert max(sum(counts.values()) for counts in seen) == 2  # both sites at once
