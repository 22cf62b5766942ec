"""Crawl throughput: a bare fetch, the extraction floor and the full pipeline, in one run.

Serves N article pages on 127.0.0.1 (recorded ice.gov and uscis.gov pages from bench/pages/,
each given a unique paragraph so no two pages hash alike) and crawls them three times, each
crawl in its own subprocess so that memory and imports do not leak between them:

  (a) bare   a Scrapy spider that fetches every page and does nothing with it
  (b) floor  the same spider running the text extractor (monitor.extraction) on each page,
             inline: the work no pipeline can avoid
  (c) full   the production path: SourceSpider -> KnownArticleFilter -> ExtractPipeline
             (process pool, MONITOR_EXTRACT_WORKERS) -> JudgePipeline -> StorePipeline (SQLite)

Prints pages/second of each, the ratios full/bare and full/floor, and peak memory of each
crawl's process tree (the crawler plus its extraction workers, sampled from /proc).
With --busy, floor and full are crawled again while a second CPU-bound process runs (the
machine shared with other work). Targets: full/floor >= 0.9 quiet, >= 0.8 busy, peak memory
< 300 MB PSS.

    python bench/crawl.py                 # 2,000 pages
    python bench/crawl.py --pages 5000 --workers 0,2 --busy
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.benchconfig import config_text  # noqa: E402

PAGES = Path(__file__).resolve().parent / "pages"
HOST = "www.bench.example"

WORDS = (
    "detention officers asylum hearing county deportation flight agents worksite raid "
    "immigration court judge bond custody border release families attorney records "
    "notice removal sheriff detainer facility inspection report federal agency"
).split()


# --- the server ------------------------------------------------------------------------------

def load_templates() -> list[tuple[bytes, bytes]]:
    """Each recorded page split where a unique paragraph goes (before the first <p>)."""
    templates = []
    for path in sorted(PAGES.glob("*.html")):
        html = path.read_bytes()
        body = html.find(b"<body")
        cut = html.find(b"<p", body if body >= 0 else 0)
        if cut < 0:
            cut = len(html) // 2
        templates.append((html[:cut], html[cut:]))
    return templates


def unique_paragraph(number: int) -> bytes:
    """Deterministic, distinct text per page (about 60 words)."""
    words = [WORDS[(number * 7 + i * (number % 13 + 3)) % len(WORDS)] for i in range(60)]
    return (f"<p>Release {number}: " + " ".join(words) + ".</p>\n").encode()


def serve(templates: list[tuple[bytes, bytes]]):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # noqa: D401 - silence
            return None

        def do_GET(self):  # noqa: N802 - stdlib name
            try:
                number = int(self.path.rstrip("/").rsplit("/", 1)[-1])
            except ValueError:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            head, tail = templates[number % len(templates)]
            body = head + unique_paragraph(number) + tail
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


# --- memory of a process tree ----------------------------------------------------------------

def _pss_kb(pid: int) -> int | None:
    """Proportional set size: shared pages (forkserver copy-on-write) counted once overall."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def _process_table() -> dict[int, list[str]]:
    """Every process's /proc/PID/stat fields after the command name, by pid."""
    table: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                table[int(entry)] = handle.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
    return table


def _descendants(root_pid: int, table: dict[int, list[str]]) -> set[int]:
    """The process and everything below it (field 1 after the name is the parent's pid)."""
    tree, frontier = {root_pid}, [root_pid]
    while frontier:
        pid = frontier.pop()
        for child, fields in table.items():
            if int(fields[1]) == pid and child not in tree:
                tree.add(child)
                frontier.append(child)
    return tree


def tree_memory_kb(root_pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants, from /proc (Linux), in kB."""
    tree = _descendants(root_pid, _process_table())
    rss: dict[int, int] = {}
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", encoding="utf-8") as handle:
                rss[pid] = int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        except (OSError, IndexError, ValueError):
            continue
    total_rss = sum(rss.values())
    total_pss = sum((_pss_kb(pid) or rss.get(pid, 0)) for pid in rss)
    return total_rss, total_pss


def descendants_cpu(root_pid: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each process below `root_pid` (not itself).

    The judging workers hang below a forkserver that the command never reaps, so the
    children's rusage misses them; sampling /proc while they live catches them (less their
    last moments between two samples)."""
    table = _process_table()
    ticks = os.sysconf("SC_CLK_TCK")
    return {pid: (int(table[pid][11]) + int(table[pid][12])) / ticks
            for pid in _descendants(root_pid, table) - {root_pid} if pid in table}


def run_child(mode: str, base: str, pages: int, workers: int, folder: Path,
              tag: str = "") -> dict:
    database = folder / f"{mode}-{workers}{tag}.db"  # a fresh database per run: nothing known
    command = [sys.executable, __file__, "--child", mode, "--base", base, "--pages", str(pages),
               "--workers", str(workers), "--db", str(database)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    peak_rss = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory_kb(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.2)
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"bench child {mode} failed:\n{err.decode()[-3000:]}")
    result = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_rss_mb"] = peak_rss / 1024
    result["peak_pss_mb"] = peak_pss / 1024
    return result


# --- the crawling child ----------------------------------------------------------------------

def child(mode: str, base: str, pages: int, workers: int, db: str) -> None:
    from datetime import UTC, datetime

    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from monitor.crawl import drop_unused_components
    from monitor.sources import Source
    from spiders.base import SourceSpider

    urls = [f"{base}/{HOST}/news/{i}" for i in range(pages)]

    class Bare(scrapy.Spider):
        name = "bench-bare"

        async def start(self):
            for url in urls:
                yield scrapy.Request(url, callback=self.parse, dont_filter=True)

        def parse(self, response):
            self.crawler.stats.inc_value("bench/pages")

    class Floor(Bare):
        name = "bench-floor"

        def parse(self, response):
            from monitor import extraction  # imported here: the full run's crawler never needs it

            extraction.extract(response.text, response.url, now=datetime.now(UTC))
            self.crawler.stats.inc_value("bench/pages")

    class Full(SourceSpider):
        name = "bench-full"

        async def start(self):
            for url in urls:
                yield self.article_request(url, {"title": "", "summary": "", "published": None})

    settings = Settings()
    settings.setmodule("monitor.settings", priority="project")
    drop_unused_components(settings)  # as monitor.crawl.build_settings does
    overrides = {
        "ROBOTSTXT_OBEY": False, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "LOG_LEVEL": "ERROR", "MONITOR_DATABASE": db, "MONITOR_EXTRACT_WORKERS": workers,
        "CLOSESPIDER_TIMEOUT": 0, "TELNETCONSOLE_ENABLED": False,
    }
    if mode != "full":
        overrides.update({"ITEM_PIPELINES": {}, "DOWNLOADER_MIDDLEWARES": {}})
    for key, value in overrides.items():
        settings.set(key, value, priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=False)
    spider_cls = {"bare": Bare, "floor": Floor, "full": Full}[mode]
    crawler = process.create_crawler(spider_cls)
    kwargs = {}
    if mode == "full":
        kwargs["source"] = Source(id="bench", name="Bench", kind="listing", url=base,
                                  language="en")
    process.crawl(crawler, **kwargs)
    process.start()
    stats = crawler.stats.get_stats()
    elapsed = (stats["finish_time"] - stats["start_time"]).total_seconds()
    done = stats.get("bench/pages", 0)
    if mode == "full":
        from monitor.storage import open_db

        done = open_db(db)["articles"].count
    print(json.dumps({"mode": mode, "workers": workers, "pages": done, "elapsed": elapsed,
                      "pages_per_s": done / elapsed if elapsed else 0.0}))


# --- main ------------------------------------------------------------------------------------

def busy_process() -> subprocess.Popen:
    """A second CPU-bound process (a pure-Python loop), as other work on the machine would be."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def crawl_set(base: str, pages: int, workers: list[int], folder: Path, *, busy: bool,
              modes: tuple[str, ...] = ("bare", "floor", "full")) -> list[dict]:
    """Each mode in its own child; with `busy`, a CPU-bound process runs beside every child."""
    rows = []
    for mode in modes:
        for count in workers if mode == "full" else [0]:
            hog = busy_process() if busy else None
            try:
                row = run_child(mode, base, pages, count, folder, "-busy" if busy else "")
            finally:
                if hog is not None:
                    hog.kill()
                    hog.wait()
            row["busy"] = busy
            rows.append(row)
    return rows


def report(rows: list[dict], label: str) -> None:
    """The table and ratios of one set of runs (quiet or busy)."""
    by_mode = {row["mode"]: row for row in rows if row["mode"] != "full"}
    print(f"  {label}")
    print(f"  {'run':<18} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'PSS MB':>7} "
          f"{'RSS MB':>7}")
    for row in rows:
        name = row["mode"] + (f" (workers={row['workers']})" if row["mode"] == "full" else "")
        print(f"  {name:<18} {row['pages']:>6} {row['elapsed']:>8.1f} "
              f"{row['pages_per_s']:>8.1f} {row['peak_pss_mb']:>7.0f} {row['peak_rss_mb']:>7.0f}")
    target = 0.8 if rows[0]["busy"] else 0.9
    for row in rows:
        if row["mode"] != "full":
            continue
        bare = (f"full/bare = {row['pages_per_s'] / by_mode['bare']['pages_per_s']:.2f}, "
                if "bare" in by_mode else "")
        print(f"  workers={row['workers']}: {bare}full/floor = "
              f"{row['pages_per_s'] / by_mode['floor']['pages_per_s']:.2f} "
              f"(target >= {target}), peak memory {row['peak_pss_mb']:.0f} MB PSS / "
              f"{row['peak_rss_mb']:.0f} MB RSS (target < 300 MB PSS)")


IDLE_TABLES = """
[smtp]
host = "127.0.0.1"
port = 1
sender = "monitor@law.example.com"

[[recipients]]
email = "attorney@law.example.com"
frequency = "daily"

[crawl.scrapy]
AUTOTHROTTLE_ENABLED = false
DOWNLOAD_DELAY = 0
MONITOR_EXTRACT_WORKERS = {workers}
"""


def idle_poll(workers: int, rounds: int = 3) -> None:
    """`monitor crawl` of the whole watch list on the demo snapshot, then again unchanged.

    The later passes find every feed and listing unchanged (the snapshot server answers 304
    to If-None-Match), so they fetch no article: what one costs is what an idle poll costs
    (process start, imports, configuration, database, one request per source). Same sources,
    same server, same database, one run: the first pass is the baseline; the idle figure is
    the median of `rounds` idle passes. Printed twice: wall time, and the CPU the crawl's
    processes used (the command from its rusage, its forkserver and judging workers sampled
    from /proc every 20 ms), which moves far less than wall time when other work shares the
    machine.
    """
    import resource
    from statistics import median

    from monitor.snapshot import serve_snapshot

    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "monitor.toml"
        config.write_text(config_text(Path(folder), extra=IDLE_TABLES.format(workers=workers)),
                          encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        env.pop("MONITOR_CONFIG", None)
        passes = []
        with serve_snapshot(ROOT / "demo" / "snapshot") as (base, state):
            for _ in range(1 + rounds):
                mark = len(state.log)
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                started = time.perf_counter()
                process = subprocess.Popen(
                    [sys.executable, "-m", "monitor", "--config", str(config), "crawl",
                     "--snapshot", base], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE, text=True)
                below: dict[int, float] = {}
                while process.poll() is None:
                    below.update(descendants_cpu(process.pid))
                    time.sleep(0.02)
                stdout, stderr = process.communicate(timeout=900)
                elapsed = time.perf_counter() - started
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                       + sum(below.values()))
                if process.returncode != 0:
                    raise SystemExit(f"monitor crawl failed:\n{stderr[-3000:]}")
                log = state.log[mark:]
                robots = sum(1 for entry in log if entry["path"].endswith("/robots.txt"))
                passes.append((elapsed, len(log), robots, stdout, cpu))
    first, first_requests, first_robots, _, first_cpu = passes[0]
    idle_runs = passes[1:]
    idle = median(p[0] for p in idle_runs)
    idle_cpu = median(p[4] for p in idle_runs)
    print(f"bench/crawl.py --idle: the watch list on the demo snapshot, "
          f"MONITOR_EXTRACT_WORKERS = {workers}")
    print(f"  first crawl   {first:6.2f} s wall {first_cpu:6.2f} s CPU  "
          f"{first_requests:4} requests ({first_robots} robots.txt)")
    for number, (elapsed, requests, robots, out, cpu) in enumerate(idle_runs, 1):
        print(f"  idle poll {number}   {elapsed:6.2f} s wall {cpu:6.2f} s CPU  "
              f"{requests:4} requests ({robots} robots.txt, "
              f"{out.count('not modified (304)')} sources not modified)")
    print(f"  idle/first = {100 * idle / first:.1f}% wall, {100 * idle_cpu / first_cpu:.1f}% CPU "
          f"(median idle pass; target < 5%)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000, help="pages to serve and crawl")
    parser.add_argument("--workers", default="2",
                        help="MONITOR_EXTRACT_WORKERS values for the full run, e.g. 0,2")
    parser.add_argument("--busy", action="store_true",
                        help="also crawl floor and full beside a second CPU-bound process")
    parser.add_argument("--idle", action="store_true",
                        help="measure an idle poll (every source 304) against a first crawl")
    parser.add_argument("--child", choices=["bare", "floor", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--base", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.idle:
        idle_poll(int(args.workers.split(",")[-1]))
        return
    if args.child:
        child(args.child, args.base, args.pages, int(args.workers), args.db)
        return
    server, base = serve(load_templates())
    workers = [int(w) for w in args.workers.split(",")]
    try:
        with tempfile.TemporaryDirectory() as folder:
            quiet = crawl_set(base, args.pages, workers, Path(folder), busy=False)
            busy = (crawl_set(base, args.pages, workers, Path(folder), busy=True,
                              modes=("floor", "full")) if args.busy else [])
    finally:
        server.shutdown()
    print(f"bench/crawl.py: {args.pages} pages on 127.0.0.1, {os.cpu_count()} CPUs")
    report(quiet, "quiet (nothing else started by the bench; other work on the machine runs on)")
    if busy:
        report(busy, "busy (a second CPU-bound process runs beside each crawl)")
    print("  (peak memory of the crawl's process tree; PSS counts pages shared with the "
          "forkserver once, RSS counts them in every process)")


if __name__ == "__main__":
    main()
