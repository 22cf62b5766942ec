"""What `monitor status` shows: the truth about an unattended monitor, in one screen.

`gather` reads (never writes beyond migrations) and returns plain data, so the same facts can be
printed for a person or as JSON for a monitoring system.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor import digest as digesting
from monitor import health
from monitor.config import Config
from monitor.draft_files import kept_files
from monitor.due import last_starts, next_due, parse_time
from monitor.lock import pid_alive
from monitor.sources import Source
from monitor.storage import digests as digest_store
from monitor.storage import drafts as draft_store
from monitor.storage import runs as run_store
from monitor.storage import sources as source_store
from monitor.storage.db import loads

if TYPE_CHECKING:
    import sqlite_utils

STALE_MINUTES = 30  # a pass older than max(this, 2 x the shortest interval) is overdue
LOW_DISK_BYTES = 200 * 1024 * 1024


def database_size(path: Path) -> dict[str, int]:
    """Bytes on disk: the database plus its WAL and shared-memory files."""
    sizes = {}
    for suffix in ("", "-wal", "-shm"):
        file = Path(str(path) + suffix)
        sizes[suffix.lstrip("-") or "db"] = file.stat().st_size if file.exists() else 0
    return sizes


def gather(db: sqlite_utils.Database, config: Config, sources: list[Source],
           now: datetime) -> dict[str, Any]:
    """Every fact `status` reports."""
    running = run_store.unfinished_runs(db)
    finished = run_store.last_finished_run(db)
    crawls = {row["source_id"]: row for row in source_store.latest_crawls(db)}
    last = last_starts(db)
    limits = health.Thresholds.from_config(config)
    source_rows = []
    for source in sources:
        crawl = crawls.get(source.id)
        judged = health.of_source(db, source.id, source.options, limits, now)
        due = next_due(source, last.get(source.id))
        source_rows.append({
            "id": source.id, "enabled": source.enabled,
            "status": crawl["status"] if crawl else "never crawled",
            "health": judged.state, "health_reasons": list(judged.reasons),
            "last_crawl": crawl["started_at"] if crawl else None,
            "items_seen": crawl["items_seen"] if crawl else 0,
            "new_items": crawl["new_items"] if crawl else 0,
            "errors": loads(crawl["errors"], []) if crawl else [],
            "next_due": due.isoformat() if due and source.enabled else None,
        })
    recipients = []
    settings = digesting.digest_settings(config)
    for recipient in config.recipients:
        last_sent = parse_time(digest_store.last_sent_at(db, recipient.email))
        built = digesting.build_digest(db, recipient, config, now)
        failed = [d for d in digest_store.list_digests(db, status="failed")
                  if d["recipient"] == recipient.email
                  and (last_sent is None or (parse_time(d["created_at"]) or now) > last_sent)]
        recipients.append({
            "email": recipient.email, "frequency": recipient.frequency,
            "last_sent": last_sent.isoformat() if last_sent else None,
            "undelivered_incidents": len(built.new_incidents) + len(built.updated_incidents),
            "due": digesting.digest_due(recipient.frequency, last_sent, now, settings)
            and built.has_news,
            "failed_attempts": len(failed),
            "last_error": failed[-1]["error"] if failed else None,
        })
    # Who is running comes from the runs table, not from probing the lock: a probe would hold
    # the lock for an instant and could turn away a pass starting at that moment.
    live = [r for r in running if r["command"] == "run" and pid_alive(r["pid"])]
    facts = {
        "now": now.isoformat(timespec="seconds"),
        "database": str(config.database_path),
        "database_bytes": database_size(config.database_path),
        "in_progress": {"pid": live[-1]["pid"], "run_id": live[-1]["id"],
                        "started_at": live[-1]["started_at"]} if live else None,
        "running_rows": [{"id": r["id"], "command": r["command"], "pid": r["pid"],
                          "started_at": r["started_at"]} for r in running],
        "last_run": _run_summary(finished) if finished else None,
        "sources": source_rows,
        "drafts_pending": draft_store.count(db, status="pending"),
        "drafts_kept_files": kept_draft_files(db),
        "digests": recipients,
    }
    facts["warnings"] = warnings(facts, sources, now, free_bytes(config.database_path))
    return facts


def unreadable(config: Config, sources: list[Source], now: datetime,
               error: str) -> dict[str, Any]:
    """What status can still say when the database cannot be read at all."""
    facts: dict[str, Any] = {
        "now": now.isoformat(timespec="seconds"), "database": str(config.database_path),
        "database_bytes": database_size(config.database_path), "database_error": error,
        "in_progress": None, "running_rows": [], "last_run": None,
        "sources": [{"id": s.id, "enabled": s.enabled, "status": "unknown", "health": "unknown",
                     "health_reasons": [], "last_crawl": None,
                     "items_seen": 0, "new_items": 0, "errors": [], "next_due": None}
                    for s in sources],
        "drafts_pending": None, "drafts_kept_files": [], "digests": [],
    }
    found = [f"cannot read the database: {error}"]
    free = free_bytes(config.database_path)
    if free is not None and free < LOW_DISK_BYTES:
        found.append(f"only {_megabytes(free)} free beside the database")
    facts["warnings"] = found
    return facts


def kept_draft_files(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Files at a draft's name the database did not write, kept while they still exist."""
    return [{"draft_id": row["id"], "kept": str(kept), "draft": row["path"]}
            for row in draft_store.list_drafts(db) for kept in kept_files(row)]


def free_bytes(path: Path) -> int | None:
    try:
        return shutil.disk_usage(path.parent).free
    except OSError:
        return None


def warnings(facts: dict[str, Any], sources: list[Source], now: datetime,
             free: int | None) -> list[str]:
    """What an operator should act on; `monitor status --check` exits 1 when there is any."""
    found = []
    intervals = [s.interval_minutes for s in sources if s.enabled]
    overdue_after = timedelta(minutes=max(STALE_MINUTES, 2 * min(intervals, default=60)))
    run = facts["last_run"]
    finished = parse_time(run["finished_at"]) if run else None
    if run is None:
        found.append("no pass has run yet")
    elif finished and now - finished > overdue_after and not facts["in_progress"]:
        found.append(f"no pass has finished for {_span(now - finished)}: "
                     "is cron, the timer or `monitor watch` running?")
    if run and run["status"] in ("failed", "interrupted"):
        found.append(f"the last pass (#{run['id']}) {run['status']}")
    alarms = [f"{row['id']} ({row['health']})" for row in facts["sources"]
              if row["enabled"] and row.get("health") in health.ALARMS]
    if alarms:
        found.append(f"{len(alarms)} source(s) unhealthy (see `monitor sources`): "
                     f"{', '.join(alarms)}")
    for entry in facts["digests"]:
        if entry["failed_attempts"]:
            found.append(f"digest to {entry['email']}: {entry['failed_attempts']} failed "
                         "attempt(s) since the last one sent")
    for entry in facts.get("drafts_kept_files", []):
        found.append(f"draft #{entry['draft_id']}: kept {Path(entry['kept']).name}, which the "
                     f"database did not write (an attorney's edit?); the draft is "
                     f"{Path(entry['draft']).name} — merge by hand, then remove the kept file")
    if free is not None and free < LOW_DISK_BYTES:
        found.append(f"only {_megabytes(free)} free beside the database")
    return found


def _run_summary(run: dict[str, Any]) -> dict[str, Any]:
    started, finished = parse_time(run["started_at"]), parse_time(run["finished_at"])
    duration = run["stats"].get("duration_s")
    if duration is None and started and finished:
        duration = (finished - started).total_seconds()
    return {"id": run["id"], "status": run["status"], "started_at": run["started_at"],
            "finished_at": run["finished_at"], "duration_s": duration, "stats": run["stats"],
            "errors": run["errors"]}


def _ago(value: str | None, now: datetime) -> str:
    when = parse_time(value)
    if when is None:
        return "never"
    delta = now - when
    if delta < timedelta(0):
        return f"{when:%Y-%m-%d %H:%M} UTC (in {_span(-delta)})"
    return f"{when:%Y-%m-%d %H:%M} UTC ({_span(delta)} ago)"


def _span(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def render(facts: dict[str, Any], now: datetime) -> list[str]:
    """The status screen as lines of text."""
    lines = []
    if facts["in_progress"]:
        now_running = facts["in_progress"]
        lines.append(f"Now:        run #{now_running['run_id']} in progress (pid "
                     f"{now_running['pid']}, since {_ago(now_running['started_at'], now)})")
    run = facts["last_run"]
    if facts.get("database_error"):
        lines.append("Last run:   unknown (the database cannot be read)")
    elif run is None:
        lines.append("Last run:   none yet (run `monitor run`)")
    else:
        stats = run["stats"]
        lines.append(f"Last run:   #{run['id']} {run['status']}, {_ago(run['started_at'], now)}, "
                     f"took {run['duration_s'] or 0:.0f} s")
        lines.append(f"            {stats.get('sources_crawled', 0)} sources crawled "
                     f"({stats.get('sources_failed', 0)} failed), "
                     f"{stats.get('new_articles', 0)} new articles, "
                     f"{stats.get('new_incidents', 0)} new incidents, "
                     f"{stats.get('drafts_written', 0)} drafts written, "
                     f"{len(run['errors'])} errors")
        for error in run["errors"][:5]:
            lines.append(f"              ! {error}")
        if len(run["errors"]) > 5:
            lines.append(f"              … and {len(run['errors']) - 5} more")
    counts: dict[str, int] = {}
    for row in facts["sources"]:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    lines.append(f"Sources:    {len(facts['sources'])} ({summary or 'none'})")
    for row in facts["sources"]:
        state = row["status"] if row["enabled"] else "disabled"
        due = f", next {_ago(row['next_due'], now)}" if row["next_due"] else ""
        lines.append(f"  {row['id']:<30} {state:<13} {row['health']:<9} "
                     f"last {_ago(row['last_crawl'], now)}{due}")
        for error in row["errors"][:2]:
            lines.append(f"      ! {error}")
    if facts["drafts_pending"] is not None:
        lines.append(f"Drafts:     {facts['drafts_pending']} pending review")
    if not facts["digests"]:
        lines.append("Digests:    no recipients configured")
    for entry in facts["digests"]:
        state = "due now" if entry["due"] else "not due"
        failed = f", {entry['failed_attempts']} failed attempts" if entry["failed_attempts"] else ""
        lines.append(f"Digest:     {entry['email']} ({entry['frequency']}): "
                     f"{entry['undelivered_incidents']} incidents undelivered, {state}, "
                     f"last sent {_ago(entry['last_sent'], now)}{failed}")
        if entry["last_error"]:
            lines.append(f"      ! {entry['last_error']}")
    for warning in facts["warnings"]:
        lines.append(f"WARNING:    {warning}")
    sizes = facts["database_bytes"]
    lines.append(f"Database:   {facts['database']} ({_megabytes(sizes['db'])}, "
                 f"WAL {_megabytes(sizes['wal'])})")
    return lines
