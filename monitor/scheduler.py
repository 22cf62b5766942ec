"""`monitor watch`: a long-running scheduler that honours each source's interval.

When a source is due is `monitor.due` (the rule `crawl --due` and `run` use too).

Each pass runs as a child process (`python -m monitor run --source ...`): Scrapy's Twisted
reactor can start only once per process, and a child that crashes or leaks cannot take the
scheduler down with it. The child takes the run lock, so the watch loop and a cron `monitor run`
never overlap; a pass that finds the lock busy is simply retried at the next tick.

Stopping: SIGTERM or SIGINT wakes the loop; an in-flight pass is forwarded one SIGTERM (its crawl
stops gracefully, it skips the stages it has not started) and is waited for, up to a grace
period, before the loop exits.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

from monitor import due as schedule
from monitor import lock
from monitor.config import Config
from monitor.digest import digest_due, digest_settings
from monitor.sources import Source, SourcesError, load_sources
from monitor.storage import digests as digest_store
from monitor.storage import open_db
from monitor.storage import runs as run_store

EXIT_BUSY = lock.EXIT_BUSY  # the child found another run holding the lock
MAX_BACKOFF_SECONDS = 3600.0


@dataclass
class WatchOptions:
    snapshot: str | None = None
    interval_seconds: float | None = None  # override every source's interval_minutes
    tick: float = 60.0  # longest sleep between checks
    digest_check_seconds: float = 900.0  # digest-only pass at most this often when nothing is due
    stop_grace_seconds: float = 120.0
    verbose: bool = False
    max_cycles: int | None = None
    reload_sources: bool = True  # re-read sources.toml before each check
    only_given: bool = False  # watch only the sources given at start (--source)


@dataclass
class Cycle:
    number: int
    sources: list[str]
    exit_code: int
    summary: str = ""


@dataclass
class Watcher:
    config: Config
    sources: list[Source]
    options: WatchOptions = field(default_factory=WatchOptions)
    echo: Callable[[str], None] = print
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    def __post_init__(self) -> None:
        self.stop_event = threading.Event()
        self.child: subprocess.Popen[bytes] | None = None
        self.attempted: dict[str, datetime] = {}
        self.cycles: list[Cycle] = []
        self.failures = 0
        self.last_pass: datetime | None = None
        self.stop_signal: int | None = None
        self.only = {s.id for s in self.sources} if self.options.only_given else set()
        self.warned: set[str] = set()

    # -- planning (pure given the database and the clock) --

    def last_times(self) -> dict[str, datetime]:
        """Recorded starts, and the passes launched since (a pass in flight or killed counts)."""
        db = open_db(self.config.database_path)
        try:
            recorded = schedule.last_starts(db)
        finally:
            db.close()
        return schedule.merge_starts(recorded, self.attempted)

    def reload_sources(self) -> None:
        """Pick up edits to the sources file without a restart; a broken file changes nothing."""
        try:
            loaded, problems = load_sources(self.config.sources_path)
        except SourcesError as exc:
            self.warn_once(f"sources file unusable, keeping the previous list: {exc}")
            return
        for problem in problems:
            self.warn_once(f"sources file {self.config.sources_path}: {problem} (source skipped)")
        if self.only:
            loaded = [s for s in loaded if s.id in self.only]
        self.sources = loaded

    def warn_once(self, message: str) -> None:
        if message not in self.warned:
            self.warned.add(message)
            self.echo(f"monitor: {message}")

    def plan(self, now: datetime) -> tuple[list[Source], float]:
        """The sources due now, and how long to sleep when none is."""
        if self.options.reload_sources:
            self.reload_sources()
        last = self.last_times()
        due = schedule.due_sources(self.sources, last, now,
                                   override_seconds=self.options.interval_seconds)
        if due:
            return due, 0.0
        upcoming = [schedule.next_due(s, last.get(s.id),
                                      override_seconds=self.options.interval_seconds)
                    for s in self.sources if s.enabled]
        waits = [(when - now).total_seconds() for when in upcoming if when is not None]
        return [], max(0.5, min([self.options.tick, *waits]))

    def digests_waiting(self, now: datetime) -> bool:
        """A digest-only pass is worth it: some recipient's period has passed."""
        if not self.config.recipients:
            return False
        if self.last_pass and (now - self.last_pass).total_seconds() < \
                self.options.digest_check_seconds:
            return False
        db = open_db(self.config.database_path)
        try:
            settings = digest_settings(self.config)
            return any(
                digest_due(r.frequency,
                           schedule.parse_time(digest_store.last_sent_at(db, r.email)), now,
                           settings)
                for r in self.config.recipients)
        finally:
            db.close()

    # -- running --

    def command(self, sources: list[Source]) -> list[str]:
        command = [sys.executable, "-m", "monitor", "--config", str(self.config.path)]
        if self.options.verbose:
            command.append("-v")
        command += ["run", "--quiet"]
        if sources:
            for source in sources:
                command += ["--source", source.id]
        else:
            command.append("--no-crawl")
        if self.options.snapshot:
            command += ["--snapshot", self.options.snapshot]
        return command

    def run_child(self, sources: list[Source]) -> int:
        # A new session: a Ctrl-C at the terminal reaches only us; we forward exactly one signal.
        self.child = subprocess.Popen(self.command(sources), start_new_session=True)
        try:
            return self.child.wait()
        finally:
            self.child = None

    def request_stop(self, signum: int, _frame: FrameType | None = None) -> None:
        self.stop_signal = signum
        self.stop_event.set()
        child = self.child
        if child is not None and child.poll() is None:
            child.send_signal(signal.SIGTERM)
            threading.Thread(target=self._kill_after_grace, args=(child,), daemon=True).start()

    def _kill_after_grace(self, child: subprocess.Popen[bytes]) -> None:
        try:
            child.wait(timeout=self.options.stop_grace_seconds)
        except subprocess.TimeoutExpired:
            child.kill()

    def cycle(self, now: datetime) -> float:
        """Do one step: a pass when something is due; return how long to sleep afterwards."""
        due, wait = self.plan(now)
        if not due and not self.digests_waiting(now):
            return wait
        code = self.run_child(due)
        number = len(self.cycles) + 1
        cycle = Cycle(number, [s.id for s in due], code, self.describe_last_run(code))
        self.cycles.append(cycle)
        self.echo(f"{self.clock():%Y-%m-%d %H:%M:%S} pass {number}: {cycle.summary}")
        self.last_pass = now
        if code == EXIT_BUSY:
            return self.options.tick
        for source in due:
            self.attempted[source.id] = now
        if code in (0, 128 + signal.SIGTERM, 128 + signal.SIGINT):
            self.failures = 0
            return 0.0
        self.failures += 1
        return min(self.options.tick * 2 ** self.failures, MAX_BACKOFF_SECONDS)

    def describe_last_run(self, code: int) -> str:
        if code == EXIT_BUSY:
            return "skipped: another run is in progress"
        db = open_db(self.config.database_path)
        try:
            run = run_store.last_finished_run(db)
        finally:
            db.close()
        if run is None:
            return f"exit status {code}"
        stats = run["stats"]
        return (f"run #{run['id']} {run['status']}: {stats.get('sources_crawled', 0)} sources, "
                f"{stats.get('new_articles', 0)} new articles, "
                f"{stats.get('new_incidents', 0)} new incidents, "
                f"{stats.get('drafts_written', 0)} drafts written, "
                f"{len(run['errors'])} errors ({stats.get('duration_s', 0)} s, exit {code})")

    def run_forever(self) -> int:
        """Loop until a stop is requested (or max_cycles passes have run)."""
        previous = {sig: signal.signal(sig, self.request_stop)
                    for sig in (signal.SIGTERM, signal.SIGINT)}
        try:
            while not self.stop_event.is_set():
                wait = self.cycle(self.clock())
                if self.options.max_cycles and len(self.cycles) >= self.options.max_cycles:
                    break
                if wait > 0:
                    self.stop_event.wait(wait)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


def watch_lock_path(config: Config) -> Path:
    return config.database_path.with_suffix(config.database_path.suffix + ".watch.lock")
