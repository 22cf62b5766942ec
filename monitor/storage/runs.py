"""Runs: every pass of the monitor, with its stats and errors, for `status` and post-mortems."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("runs")


@migrations()
def m001_runs(db: sqlite_utils.Database) -> None:
    db["runs"].create(
        {"id": int, "command": str, "started_at": str, "finished_at": str, "status": str,
         "pid": int, "stats": str, "errors": str},
        pk="id",
    )


def start_run(db: sqlite_utils.Database, command: str, now: datetime | None = None) -> int:
    with db.atomic():
        return db["runs"].insert(
            {"command": command, "started_at": utcnow_iso(now), "status": "running",
             "pid": os.getpid(), "stats": "{}", "errors": "[]"}
        ).last_pk


def finish_run(
    db: sqlite_utils.Database, run_id: int, *, status: str, stats: dict[str, Any],
    errors: list[str], now: datetime | None = None,
) -> None:
    with db.atomic():
        db["runs"].update(
            run_id,
            {"finished_at": utcnow_iso(now), "status": status, "stats": dumps(stats),
             "errors": dumps(errors)},
        )


def last_run(db: sqlite_utils.Database) -> dict[str, Any] | None:
    rows = list(db["runs"].rows_where(order_by="id DESC", limit=1))
    if not rows:
        return None
    row = dict(rows[0])
    row["stats"] = loads(row["stats"], {})
    row["errors"] = loads(row["errors"], [])
    return row


@migrations()
def m002_runs_index(db: sqlite_utils.Database) -> None:
    """`status` and the interrupted-run sweep look runs up by status."""
    db["runs"].create_index(["status"], if_not_exists=True)


def unfinished_runs(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Runs still marked 'running': live ones, or ones whose process was killed."""
    return [dict(r) for r in db["runs"].rows_where("status = ?", ["running"], order_by="id")]


def mark_interrupted(
    db: sqlite_utils.Database, run_ids: list[int], now: datetime | None = None
) -> None:
    """Close runs whose process died mid-way (SIGKILL, power loss): they never finished."""
    if not run_ids:
        return
    with db.atomic():
        for run_id in run_ids:
            db["runs"].update(
                run_id,
                {"status": "interrupted", "finished_at": utcnow_iso(now),
                 "errors": dumps(["the run never recorded its end (process killed, or the "
                                  "database could not be written)"])},
            )


def recent_runs(db: sqlite_utils.Database, limit: int = 10) -> list[dict[str, Any]]:
    rows = db["runs"].rows_where(order_by="id DESC", limit=limit)
    return [{**r, "stats": loads(r["stats"], {}), "errors": loads(r["errors"], [])} for r in rows]


def last_finished_run(
    db: sqlite_utils.Database, commands: tuple[str, ...] = ("run",)
) -> dict[str, Any] | None:
    """The newest run of these commands that is no longer running."""
    marks = ", ".join("?" for _ in commands)
    rows = list(db["runs"].rows_where(f"status != 'running' AND command IN ({marks})",
                                      list(commands), order_by="id DESC", limit=1))
    if not rows:
        return None
    row = dict(rows[0])
    return {**row, "stats": loads(row["stats"], {}), "errors": loads(row["errors"], [])}
