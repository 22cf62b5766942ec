"""One full pass of the monitor: crawl the sources that are due, cluster, draft, send digests.

This is what cron (or the watch loop) calls. Each stage commits its own transactions, so a pass
killed at any point leaves a consistent database and the next pass simply carries on: articles
already stored are skipped, unclustered articles are clustered, missing drafts are written.
The pass itself is recorded in the `runs` table with its stats and errors.
"""

from __future__ import annotations

import logging
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor import crawl as crawling
from monitor import digest as digesting
from monitor import drafting, incidents
from monitor import due as schedule
from monitor.config import Config
from monitor.extensions import ProgressCallback, describe
from monitor.lock import pid_alive
from monitor.sources import Source
from monitor.storage import StorageError, open_db
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store
from monitor.storage import runs as run_store

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

COMMAND = "run"
TEMP_MAX_AGE = 600.0  # seconds; temporary draft files older than this are leftovers

class PassFailed(Exception):
    """The pass could not go on (database unwritable, disk full); message is one line."""


class Stopped(Exception):
    """A stop was requested (SIGTERM/SIGINT) between stages."""


@dataclass
class RunOptions:
    source_ids: list[str] = field(default_factory=list)  # crawl exactly these, due or not
    snapshot: str | None = None
    force: bool = False  # crawl every enabled source now
    crawl: bool = True
    digests: bool = True
    verbose: bool = False  # Scrapy's full log, tracebacks included
    scrapy_overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class DigestOutcome:
    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class PassReport:
    run_id: int
    status: str = "running"
    due: list[str] = field(default_factory=list)
    crawl: crawling.CrawlReport | None = None
    clustered: incidents.ClusterReport | None = None
    drafts: drafting.DraftReport | None = None
    digests: DigestOutcome = field(default_factory=DigestOutcome)
    stats: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    interrupted: list[int] = field(default_factory=list)
    failure: str | None = None  # why a failed pass stopped
    temp_removed: int = 0  # leftover temporary draft files removed


# -- digests: one seam, so the digest internals can change underneath ----------------------

def send_due_digests(db: sqlite_utils.Database, config: Config, now: datetime) -> DigestOutcome:
    """Send each due digest through the digest module (which guards against concurrent sends
    and reuses the Message-ID after a crash) and summarise what happened for the run."""
    outcome = DigestOutcome()
    for result in digesting.send_due_digests(db, config, now):
        if result.status == "sent":
            outcome.sent.append(result.recipient)
        elif result.status == "failed":
            outcome.failed.append(result.recipient)
            outcome.errors.append(f"digest to {result.recipient} not sent (kept for the next "
                                  f"run): {result.detail}")
    return outcome


# -- the pass --------------------------------------------------------------------------------

def sweep_interrupted(db: sqlite_utils.Database, now: datetime) -> list[int]:
    """Runs left 'running' by a dead process become 'interrupted'.

    Called while holding the run lock, so no other `run` can be alive; other commands' rows are
    closed only when their process is gone.
    """
    dead = [r["id"] for r in run_store.unfinished_runs(db)
            if r["command"] == COMMAND or not pid_alive(r["pid"])]
    run_store.mark_interrupted(db, dead, now=now)
    return dead


def sweep_temp_drafts(drafts_dir: Path, now: float, older_than: float = TEMP_MAX_AGE) -> list[Path]:
    """Remove temporary draft files a killed writer left behind (`.NAME.md.XXXX.tmp`).

    Only old ones: a manual `monitor draft` running beside the pass may be writing a fresh one.
    """
    removed = []
    if not drafts_dir.is_dir():
        return removed
    for path in drafts_dir.glob(".*.tmp"):
        try:
            if now - path.stat().st_mtime > older_than:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def run_pass(
    config: Config, sources: list[Source], options: RunOptions | None = None, *,
    now: datetime | None = None, progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> PassReport:
    """Crawl what is due, cluster, draft, send due digests; record everything in `runs`."""
    options = options or RunOptions()
    now = now or datetime.now(UTC)
    started = time.monotonic()
    db = open_db(config.database_path)
    try:
        interrupted = sweep_interrupted(db, now)
        run_id = run_store.start_run(db, COMMAND, now=now)
    except sqlite3.Error as exc:
        raise StorageError(f"database {config.database_path} is not writable: "
                           f"{describe(exc)}") from None
    report = PassReport(run_id=run_id, interrupted=interrupted)
    report.temp_removed = len(sweep_temp_drafts(config.drafts_dir, time.time()))
    before = {"articles": article_store.count(db), "incidents": incident_store.count(db)}
    try:
        _stages(db, config, sources, options, report, now, progress, should_stop)
        report.status = "degraded" if report.errors else "ok"
    except Stopped:
        report.status = "stopped"
        report.errors.append("stopped by a signal before the pass finished")
    except (PassFailed, sqlite3.Error, OSError) as exc:
        report.status = "failed"
        report.failure = describe(exc)
        report.errors.append(report.failure)
    finally:
        report.stats = _stats(db, report, before, time.monotonic() - started)
        try:
            run_store.finish_run(db, run_id, status=report.status, stats=report.stats,
                                 errors=report.errors)
        except sqlite3.Error as exc:  # the disk filled up under us: say so, keep the cause
            report.errors.append(f"could not record the run: {describe(exc)}")
            report.status = "failed"
            report.failure = report.failure or report.errors[-1]
        db.close()
    return report


def _stages(db: sqlite_utils.Database, config: Config, sources: list[Source],
            options: RunOptions, report: PassReport, now: datetime,
            progress: ProgressCallback | None, should_stop: Callable[[], bool]) -> None:
    def checkpoint(stage: str) -> None:
        if should_stop():
            raise Stopped(stage)
        if progress:
            progress("stage", stage, None)

    if options.crawl:
        checkpoint("crawl")
        if options.source_ids:
            wanted = set(options.source_ids)
            chosen = [s for s in sources if s.id in wanted]
        elif options.force:
            chosen = [s for s in sources if s.enabled]
        else:
            chosen = schedule.due_sources(sources, schedule.last_starts(db), now)
        report.due = [s.id for s in chosen]
        if chosen:
            if progress:
                progress("sources", "crawl", len(chosen))
            report.crawl = _guarded("crawl", report, lambda: _crawl(
                config, chosen, options, report.run_id, progress))
        if report.crawl:
            for result in report.crawl.results:
                report.errors.extend(f"{result.source_id}: {e}" for e in result.errors)
            if any("ended early: shutdown" in e for r in report.crawl.results
                   for e in r.errors):
                raise Stopped("crawl")
    checkpoint("cluster")
    report.clustered = _guarded("clustering", report,
                                lambda: incidents.cluster_new_articles(db, now=now))
    checkpoint("draft")
    report.drafts = _guarded("drafting", report, lambda: drafting.generate_drafts(db, config, now))
    if options.digests and config.recipients:
        checkpoint("digest")
        outcome = _guarded("digests", report, lambda: send_due_digests(db, config, now))
        if outcome:
            report.digests = outcome
            report.errors.extend(outcome.errors)


def _guarded(stage: str, report: PassReport, work: Callable[[], Any]) -> Any:
    """Run a stage; storage and disk errors end the pass, other errors are recorded and the
    pass goes on to the next stage (the next run retries this one)."""
    try:
        return work()
    except (sqlite3.Error, OSError) as exc:
        raise PassFailed(f"{stage}: {describe(exc)}") from None
    except (Stopped, PassFailed):
        raise
    except Exception as exc:  # noqa: BLE001 - unattended runs record the error and go on
        logger.debug("stage %s failed", stage, exc_info=True)
        report.errors.append(f"{stage} failed: {exc.__class__.__name__}: {exc}")
        return None


def _crawl(config: Config, chosen: list[Source], options: RunOptions, run_id: int,
           progress: ProgressCallback | None) -> crawling.CrawlReport:
    overrides = dict(options.scrapy_overrides)
    # The extensions (monitor.extensions, listed in monitor.settings) act on these settings.
    if progress:
        # Scrapy deep-copies settings; a plain function is copied by reference, so the
        # callback keeps reaching the one progress display.
        overrides["MONITOR_PROGRESS"] = lambda event, name, detail: progress(event, name, detail)
    overrides["MONITOR_ONE_LINE_ERRORS"] = not options.verbose
    # Scrapy installs its own SIGTERM/SIGINT handlers (graceful stop, then kill) while it runs;
    # put ours back afterwards so a signal during the later stages still stops between stages.
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        return crawling.run_crawl(config, chosen, run_id=run_id, snapshot_base=options.snapshot,
                                  overrides=overrides)
    finally:
        for sig, handler in saved.items():
            if handler is not None:
                signal.signal(sig, handler)


def _stats(db: sqlite_utils.Database, report: PassReport, before: dict[str, int],
           seconds: float) -> dict[str, Any]:
    try:
        articles, incident_count = article_store.count(db), incident_store.count(db)
    except sqlite3.Error:
        articles, incident_count = before["articles"], before["incidents"]
    crawl = report.crawl
    drafts = report.drafts
    return {
        "duration_s": round(seconds, 1),
        "sources_due": len(report.due),
        "sources_crawled": len(crawl.results) if crawl else 0,
        "sources_failed": len(crawl.failed) if crawl else 0,
        "new_articles": articles - before["articles"],
        "articles": articles,
        "new_incidents": len(report.clustered.new_incidents) if report.clustered else 0,
        "updated_incidents": len(report.clustered.updated_incidents) if report.clustered else 0,
        "incidents": incident_count,
        "drafts_written": len(drafts.written) if drafts else 0,
        "drafts_updated": len(drafts.updated) if drafts else 0,
        "drafts_flagged": len(drafts.flagged) if drafts else 0,
        "drafts_kept_beside": len(drafts.kept) if drafts else 0,
        "digests_sent": len(report.digests.sent),
        "digests_failed": len(report.digests.failed),
        "interrupted_runs_closed": len(report.interrupted),
        "temp_files_removed": report.temp_removed,
    }
