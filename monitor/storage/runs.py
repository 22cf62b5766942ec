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
