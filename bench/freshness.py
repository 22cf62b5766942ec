"""How long a new article takes to reach an attorney: item -> inbox, item -> alert e-mail.

Run from the repository root: `python bench/freshness.py [--interval 60] [--samples 3]`.

Everything is real and on loopback: a copy of the demo snapshot served over HTTP, `monitor
watch --interval S` as a child process (it runs each pass as `monitor run`), an aiosmtpd
server receiving the immediate alerts, and the review app's inbox read through Flask's test
client. After the first pass has stored the feed, the bench publishes a new release in the
ICE feed (page + <item>, so its ETag changes) at a random moment of the interval, and times
until

- the inbox lists the story (crawled, judged, clustered, drafted): **item -> inbox**;
- the SMTP server has accepted an alert whose subject names it: **item -> mail**.

It also prints the duration of every pass from the `runs` table. The wait is dominated by
the interval: an item published just after a crawl waits up to a whole interval (less the
tolerance of monitor.due: at most a tenth of it plus a minute early, never late; plus the
watch's tick) for the next one; the pass itself is seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aiosmtpd.controller import Controller  # noqa: E402

from monitor.configure import load_config  # noqa: E402
from monitor.snapshot import serve_snapshot  # noqa: E402
from monitor.storage import open_db  # noqa: E402
from monitor.storage import runs as run_store  # noqa: E402
from monitor.web import create_app  # noqa: E402
from monitor.web.security import PASSWORD_HASH_ENV, hash_password  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SOURCE = "ice-breaking-news"
FEED = Path("www.ice.gov/rss/ice-breaking-news")
PASSWORD = "freshness bench"

STORIES = [
    ("ICE arrests 45 workers in Houston worksite raid at a meatpacking plant",
     "HOUSTON — U.S. Immigration and Customs Enforcement arrested 45 workers on Tuesday during "
     "a worksite enforcement operation at a meatpacking plant in Houston, Texas. Homeland "
     "Security Investigations special agents executed a federal search warrant at the plant."),
    ("Salvadoran national in ICE custody dies at Krome Service Processing Center in Miami",
     "MIAMI — A 37-year-old Salvadoran national in ICE custody died Wednesday at Krome Service "
     "Processing Center in Miami, Florida. ICE Enforcement and Removal Operations notified the "
     "DHS Office of Inspector General and the consulate of El Salvador."),
    ("ICE removes 96 Honduran nationals on a charter flight from Mesa, Arizona",
     "MESA, Ariz. — ICE Enforcement and Removal Operations removed 96 Honduran nationals on "
     "Thursday aboard a charter removal flight from Mesa, Arizona, to San Pedro Sula, "
     "Honduras. Among those deported were 14 people with criminal convictions."),
    ("ICE detains 60 in a worksite operation at a Nebraska construction site",
     "OMAHA — ICE Homeland Security Investigations detained 60 workers on Friday in a worksite "
     "raid at a construction site in Omaha, Nebraska, executing a criminal search warrant."),
]


class Inbox:
    """Mail the SMTP server accepted, with the time it arrived."""

    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((time.monotonic(), str(message["Subject"])))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_config(folder: Path, smtp_port: int) -> Path:
    sources = folder / "sources.toml"
    text = (ROOT / "sources.toml").read_text(encoding="utf-8")
    block = next(b for b in text.split("[[source]]")[1:] if f'id = "{SOURCE}"' in b)
    sources.write_text("[[source]]" + block, encoding="utf-8")
    config = folder / "monitor.toml"
    config.write_text(f"""
[firm]
name = "Bench Immigration Law"
phone = "(555) 010-9999"
site_url = "https://law.example.com"

[paths]
sources = "{sources}"
database = "{folder / 'monitor.db'}"
drafts = "{folder / 'drafts'}"
var = "{folder / 'var'}"
templates = "{ROOT / 'templates'}"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
sender = "monitor@law.example.com"
timeout = 10

[digest]
immediate_min_score = 0
draft_url = "http://127.0.0.1:8000/drafts/{{id}}"

[[recipients]]
email = "oncall@law.example.com"
frequency = "immediate"

[crawl.scrapy]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0
ROBOTSTXT_OBEY = false
MONITOR_EXTRACT_WORKERS = 0
""", encoding="utf-8")
    return config


def publish(snapshot: Path, n: int, title: str, text: str) -> str:
    """Add release `n` to the copied snapshot: its page, and an <item> on top of the feed."""
    slug = f"freshness-bench-release-{n}"
    url = f"https://www.ice.gov/news/releases/{slug}"
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip())
    page = snapshot / "www.ice.gov" / "news" / "releases" / slug
    page.write_text(f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{title} | ICE</title><meta property="og:title" content="{title}">
<meta property="article:published_time" content="2026-11-24">
<link rel="canonical" href="{url}"></head><body><main><article>
<div class="nr-title"><h1>{title}</h1></div><div class="nr-body">{paragraphs}</div>
</article></main></body></html>""", encoding="utf-8")
    feed = snapshot / FEED
    item = (f"<item><title>{title}</title><link>{url}</link><description>{text[:120]}"
            f"</description><pubDate>Tue, 24 Nov 2026 09:{n:02d}:00 -0500</pubDate>"
            f'<guid isPermaLink="false">{90000 + n} at https://www.ice.gov</guid></item>')
    body = feed.read_text(encoding="utf-8").replace("<item>", item + "\n    <item>", 1)
    tmp = feed.with_name(feed.name + ".tmp")
    tmp.write_text(body, encoding="utf-8")
    os.replace(tmp, feed)  # the server never reads half a feed
    return url


def signed_in_client(config_path: Path):
    app = create_app(load_config(config_path), secret_key="bench")
    client = app.test_client()
    page = client.get("/login").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/login", data={"csrf_token": token, "name": "Bench", "password": PASSWORD})
    return client


def wait_for(check, timeout: float, step: float = 0.25) -> float | None:
    """Seconds (monotonic clock) when `check()` first held, or None after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return time.monotonic()
        time.sleep(step)
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=60.0,
                        help="monitor watch --interval (seconds; default 60)")
    parser.add_argument("--tick", type=float, default=1.0,
                        help="monitor watch --tick (seconds; default 1)")
    parser.add_argument("--samples", type=int, default=3, choices=range(1, len(STORIES) + 1))
    parser.add_argument("--seed", type=int, default=19, help="for the publication moments")
    args = parser.parse_args()
    chance = random.Random(args.seed)
    os.environ[PASSWORD_HASH_ENV] = hash_password(PASSWORD)
    folder = Path(tempfile.mkdtemp(prefix="freshness-"))
    snapshot = folder / "snapshot"
    shutil.copytree(ROOT / "demo" / "snapshot", snapshot)
    inbox = Inbox()
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    config_path = write_config(folder, smtp_port)
    watch = None
    results = []
    try:
        with serve_snapshot(snapshot) as (base, _state):
            env = {**os.environ, "PYTHONUNBUFFERED": "1"}
            env.pop("MONITOR_CONFIG", None)
            started = time.monotonic()
            watch = subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config_path), "watch",
                 "--interval", str(args.interval), "--tick", str(args.tick),
                 "--snapshot", base], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, start_new_session=True)
            db = open_db(folder / "monitor.db")
            first = wait_for(lambda: bool(run_store.last_finished_run(db)), 300)
            if first is None:
                print("the first pass did not finish within 300 s", file=sys.stderr)
                return 1
            print(f"first pass done {first - started:.1f} s after `monitor watch` started")
            client = signed_in_client(config_path)
            for n, (title, text) in enumerate(STORIES[:args.samples], start=1):
                # publish at a random moment of the interval, as news does
                time.sleep(chance.uniform(0, args.interval))
                mails_before = len(inbox.received)
                published = time.monotonic()
                publish(snapshot, n, title, text)
                in_inbox = wait_for(lambda t=title: t in client.get("/").text,
                                    args.interval * 3 + 120)
                mailed = wait_for(lambda t=title, k=mails_before: any(
                    t[:60] in s for _, s in inbox.received[k:]), 60)
                arrived = next((at for at, s in inbox.received[mails_before:]
                                if title[:60] in s), None) if mailed else None
                results.append((title, in_inbox and in_inbox - published,
                                arrived and arrived - published))
                print(f"item {n}: inbox {fmt(results[-1][1])}, mail {fmt(results[-1][2])}  "
                      f"({title[:60]})")
            runs = [r for r in run_store.recent_runs(db, limit=50)
                    if r["command"] == "run" and r["finished_at"]]
            db.conn.close()
    finally:
        if watch is not None and watch.poll() is None:
            os.killpg(watch.pid, signal.SIGTERM)
            try:
                watch.wait(timeout=150)
            except subprocess.TimeoutExpired:
                os.killpg(watch.pid, signal.SIGKILL)
        controller.stop()
        shutil.rmtree(folder, ignore_errors=True)
    durations = [r["stats"].get("duration_s") for r in runs if r["stats"].get("duration_s")]
    inbox_times = [r[1] for r in results if r[1] is not None]
    mail_times = [r[2] for r in results if r[2] is not None]
    print(f"\n--interval {args.interval:g} s, --tick {args.tick:g} s, {len(results)} items")
    print(f"item -> inbox: {span(inbox_times)}")
    print(f"item -> mail:  {span(mail_times)}")
    if inbox_times:  # the baseline: an item published just after a pass waits one interval
        print(f"item -> inbox median / interval = "
              f"{statistics.median(inbox_times) / args.interval:.2f} (the interval is the wait "
              f"no pipeline avoids; 0.5 is the expected wait for a random moment)")
    if durations:
        print(f"passes: {len(durations)}, {min(durations):.1f}–{max(durations):.1f} s "
              f"(median {statistics.median(durations):.1f} s) inside the pass")
    missing = len(results) - len(inbox_times) + len(results) - len(mail_times)
    return 1 if missing else 0


def fmt(seconds: float | None) -> str:
    return "not seen" if seconds is None else f"{seconds:.1f} s"


def span(values: list[float]) -> str:
    if not values:
        return "none arrived"
    return (f"{min(values):.1f}–{max(values):.1f} s (median {statistics.median(values):.1f} s,"
            f" n={len(values)})")


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    raise SystemExit(main())
