"""Scheduled operation: `run` (one pass, for cron), `watch` (the loop), `status`, `backup`.

Exit codes of `monitor run` (documented in the README, relied on by deploy/ units):
  0    the pass completed (some sources may have failed: see `monitor status`)
  1    the pass started but could not finish (database or disk error); recorded as failed
  2    the pass could not start (config, sources file or database unusable)
  75   another run holds the lock (EX_TEMPFAIL: try again later)
  130  stopped by SIGINT, 143 stopped by SIGTERM (completed stages are kept)
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import click

from monitor import runner, scheduler
from monitor import status as status_module
from monitor.cli.common import CommandError, Context
from monitor.lock import LockBusy, LockError, RunLock
from monitor.sources import select
from monitor.storage import StorageError, open_db, open_db_readonly
from monitor.storage.backup import backup_database

EXIT_FAILED = 1
EXIT_BUSY = scheduler.EXIT_BUSY
# Exit statuses leave with sys.exit: click's non-standalone main() returns (and so drops) the
# code of a click Exit exception.


class Progress:
    """Live progress on an interactive terminal: the stage, sources done / total, items."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.total = 0
        self.done = 0
        self.items = 0

    def __call__(self, event: str, name: str, detail: Any) -> None:
        if event == "stage":
            self.stream.write(f"\r\033[K{name}…\n" if name != "crawl" else "")
        elif event == "sources":
            self.total = int(detail)
        elif event == "item":
            self.items += 1
        elif event == "source_done":
            self.done += 1
        if event in ("item", "source_done"):
            self.stream.write(f"\r\033[K  crawling: {self.done}/{self.total} sources done, "
                              f"{self.items} items")
        self.stream.flush()


class StopFlag:
    """Set by SIGTERM/SIGINT; the pass stops at the next stage boundary."""

    def __init__(self) -> None:
        self.signum: int | None = None

    def __call__(self, signum: int, _frame: FrameType | None) -> None:
        self.signum = signum

    def is_set(self) -> bool:
        return self.signum is not None


def print_summary(report: runner.PassReport, config_drafts: str) -> None:
    stats = report.stats
    if report.interrupted:
        ids = ", ".join(f"#{i}" for i in report.interrupted)
        click.echo(f"Runs that never recorded their end (killed?): {ids}, now marked interrupted")
    if report.crawl:
        for result in report.crawl.results:
            click.echo(f"  {result.source_id:<30} {result.status:<9} {result.items_seen:>4} seen "
                       f"{result.new_items:>4} new")
            for error in result.errors[:3]:
                click.echo(f"      ! {error}")
    if report.crawl is None and stats["sources_due"] == 0:
        click.echo("No source was due for a crawl (see `monitor status` for when each is).")
    click.echo(
        f"Run #{report.run_id}: {report.status} in {stats.get('duration_s', 0)} s\n"
        f"Sources crawled: {stats['sources_crawled']} of {stats['sources_due']} due "
        f"({stats['sources_failed']} failed)\n"
        f"Articles:        {stats['new_articles']} new, {stats['articles']} in total\n"
        f"Incidents:       {stats['new_incidents']} new, {stats['updated_incidents']} updated, "
        f"{stats['incidents']} in total\n"
        f"Drafts:          {stats['drafts_written']} written, {stats['drafts_updated']} updated, "
        f"{stats['drafts_flagged']} flagged (in {config_drafts})\n"
        f"Digests:         {stats['digests_sent']} sent, {stats['digests_failed']} failed"
    )
    for kept, written in report.drafts.kept if report.drafts else []:
        click.echo(f"  ! kept {Path(kept).name}: the database did not write it (an edit?); "
                   f"the new draft is {Path(written).name}")
    other = [e for e in report.errors
             if not report.crawl or not any(e.startswith(f"{r.source_id}: ")
                                            for r in report.crawl.results)]
    for error in other:
        click.echo(f"  ! {error}")


@click.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID",
              help="Crawl this source now, due or not (repeatable); others are not crawled.")
@click.option("--snapshot", metavar="URL",
              help="Fetch every URL from a local snapshot server at URL instead of the web.")
@click.option("--force", is_flag=True, help="Crawl every enabled source now, due or not.")
@click.option("--no-crawl", is_flag=True, help="Only cluster, draft and send due digests.")
@click.option("--no-digests", is_flag=True, help="Do not send digests in this pass.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print nothing unless the pass fails (for cron; see `monitor status`).")
@click.pass_obj
def run(obj: Context, source_ids: tuple[str, ...], snapshot: str | None, force: bool,
        no_crawl: bool, no_digests: bool, quiet: bool) -> None:
    """One full pass: crawl the sources that are due, cluster, draft, send due digests.

    Safe to call from cron every few minutes: only one pass runs at a time, and a pass killed
    mid-way is completed by the next one.

    Exit status: 0 the pass completed (even if some sources failed), 1 it failed mid-way
    (database or disk error), 2 it could not start, 75 another run holds the lock,
    130/143 stopped by SIGINT/SIGTERM.
    """
    config = obj.config
    sources = obj.sources()
    if source_ids:
        select(sources, list(source_ids))  # unknown ids are a one-line error
    lock = RunLock(config.lock_path)
    try:
        lock.acquire()
    except LockBusy as exc:
        click.echo(f"monitor: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except LockError as exc:
        raise CommandError(str(exc)) from None
    stop = StopFlag()
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    interactive = not quiet and sys.stdout.isatty()
    options = runner.RunOptions(
        source_ids=list(source_ids), snapshot=snapshot, force=force, crawl=not no_crawl,
        digests=not no_digests, verbose=obj.verbose, scrapy_overrides=obj.log_settings,
    )
    progress = Progress(sys.stdout) if interactive else None
    try:
        report = runner.run_pass(config, sources, options, progress=progress,
                                 should_stop=stop.is_set)
    finally:
        lock.release()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if progress:
        click.echo("")
    if report.status == "failed":
        click.echo(f"monitor: error: run #{report.run_id} failed: {report.failure}", err=True)
        sys.exit(EXIT_FAILED)
    if not quiet:
        print_summary(report, str(config.drafts_dir))
    if report.status == "stopped":
        signum = stop.signum or signal.SIGTERM
        if not quiet:
            click.echo(f"monitor: stopped by {signal.Signals(signum).name}; the next run "
                       "carries on", err=True)
        sys.exit(128 + signum)


@click.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID",
              help="Watch only this source (repeatable).")
@click.option("--snapshot", metavar="URL",
              help="Fetch every URL from a local snapshot server at URL instead of the web.")
@click.option("--interval", "interval_seconds", type=click.FloatRange(min=1), metavar="SECONDS",
              help="Override every source's interval_minutes (testing, catching up).")
@click.option("--tick", type=click.FloatRange(min=0.5), default=60.0, show_default=True,
              metavar="SECONDS", help="Longest sleep between checks.")
@click.option("--max-cycles", type=click.IntRange(min=1), metavar="N",
              help="Stop after N passes (default: run until SIGTERM/SIGINT).")
@click.pass_obj
def watch(obj: Context, source_ids: tuple[str, ...], snapshot: str | None,
          interval_seconds: float | None, tick: float,
          max_cycles: int | None) -> None:
    """Run passes forever, crawling each source when its interval has passed.

    Stops cleanly on SIGTERM or SIGINT: the pass in flight finishes its current stage.
    """
    config = obj.config
    sources = select(obj.sources(), list(source_ids))
    open_db(config.database_path).close()  # create or upgrade it before the first pass
    lock = RunLock(scheduler.watch_lock_path(config), what="watch")
    try:
        lock.acquire()
    except LockBusy as exc:
        click.echo(f"monitor: {exc}", err=True)
        sys.exit(EXIT_BUSY)
    except LockError as exc:
        raise CommandError(str(exc)) from None
    options = scheduler.WatchOptions(
        snapshot=snapshot, interval_seconds=interval_seconds, tick=tick,
        verbose=obj.verbose, max_cycles=max_cycles, only_given=bool(source_ids),
    )
    watcher = scheduler.Watcher(config, sources, options,
                                echo=lambda line: click.echo(line, color=False))
    ids = ", ".join(s.id for s in sources if s.enabled)
    click.echo(f"watching {len([s for s in sources if s.enabled])} sources ({ids}); "
               f"pid {os.getpid()}; stop with SIGTERM or Ctrl-C")
    try:
        watcher.run_forever()
    finally:
        lock.release()
    reason = signal.Signals(watcher.stop_signal).name if watcher.stop_signal else "done"
    click.echo(f"watch stopped ({reason}) after {len(watcher.cycles)} passes")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON.")
@click.option("--check", is_flag=True,
              help="Exit with status 1 when there is a warning (for a monitoring system).")
@click.pass_obj
def status(obj: Context, as_json: bool, check: bool) -> None:
    """Last run, source health, drafts pending review, digests pending, database size."""
    config = obj.config
    if not config.database_path.exists():
        raise CommandError(f"no database at {config.database_path} yet; run `monitor run`")
    now = datetime.now(UTC)
    sources = obj.sources()
    facts = _status_facts(obj, sources, now)
    if as_json:
        click.echo(json.dumps(facts, indent=2, ensure_ascii=False))
    else:
        for line in status_module.render(facts, now):
            click.echo(line)
    if check and facts["warnings"]:
        sys.exit(1)


def _status_facts(obj: Context, sources: list, now: datetime) -> dict[str, Any]:
    """The status facts, however sick the machine: a database that cannot be opened for
    writing (full disk: "disk I/O error" creating the -shm file) is read read-only; one that
    cannot be read at all still leaves the disk, size and lock facts to report."""
    config = obj.config
    try:
        return status_module.gather(obj.db(), config, sources, now)
    except (StorageError, sqlite3.Error) as exc:
        first = str(exc)
    try:
        db, note = open_db_readonly(config.database_path)
        facts = status_module.gather(db, config, sources, now)
    except (StorageError, sqlite3.Error) as exc:
        return status_module.unreadable(config, sources, now, f"{first}; {exc}")
    facts["warnings"].insert(0, f"database opened read-only ({first.split(': ')[-1]})"
                             + (f"; {note}" if note else ""))
    return facts


@click.command()
@click.argument("target", type=click.Path(dir_okay=False))
@click.pass_obj
def backup(obj: Context, target: str) -> None:
    """Copy the live database to TARGET with SQLite's online backup (safe during a run)."""
    path = backup_database(obj.config.database_path, target)
    click.echo(f"backed up {obj.config.database_path} to {path}")


COMMANDS = [run, watch, status, backup]
