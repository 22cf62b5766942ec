"""Incidents: one story, many articles. `version` grows whenever an incident changes.

Also the clustering state that must survive between runs: one signature per clustered article
(`incident_signatures`: the MinHash + feature spaces from `monitor.clustering`, the article's
role — `report` or `follow_up` — and the reason it joined), and the operator's merge/split
decisions (`incident_decisions`), which later runs honour. A merged-away incident keeps its row
with `status = 'merged'` and `merged_into`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("incidents")


@migrations()
def m001_incidents(db: sqlite_utils.Database) -> None:
    db["incidents"].create(
        {
            "id": int, "title": str, "incident_type": str, "score": float, "facts": str,
            "why": str, "primary_article_id": int, "article_count": int, "first_seen": str,
            "last_seen": str, "updated_at": str, "version": int, "status": str,
        },
        pk="id",
        defaults={"version": 1, "status": "new", "article_count": 0},
    )
    db["incidents"].create_index(["updated_at"])


@migrations()
def m002_signatures_and_decisions(db: sqlite_utils.Database) -> None:
    db["incidents"].add_column("merged_into", int)
    db["incident_signatures"].create(
        {"article_id": int, "incident_id": int, "published": str, "signature": bytes,
         "reason": str, "created_at": str},
        pk="article_id",
    )
    db["incident_signatures"].create_index(["incident_id"])
    db["incident_signatures"].create_index(["published"])
    db["incident_decisions"].create(
        {"id": int, "action": str, "incident_id": int, "other_incident_id": int,
         "article_id": int, "note": str, "created_at": str},
        pk="id",
    )
    db["incident_decisions"].create_index(["article_id"])


@migrations()
def m003_signature_role(db: sqlite_utils.Database) -> None:
    """An article's role in its incident: `report`, or `follow_up` (a later development)."""
    db["incident_signatures"].add_column("role", str, not_null_default="report")


def decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    if row is None:
        return None
    row = dict(row)
    row["facts"] = loads(row.get("facts"), {})
    return row


def create_incident(
    db: sqlite_utils.Database, record: dict[str, Any], now: datetime | None = None
) -> int:
    stamp = utcnow_iso(now)
    row = {
        **record,
        "facts": dumps(record.get("facts", {})),
        "first_seen": stamp,
        "last_seen": stamp,
        "updated_at": stamp,
        "version": 1,
        "status": "new",
    }
    with db.atomic():
        return db["incidents"].insert(row).last_pk


def update_incident(
    db: sqlite_utils.Database, incident_id: int, changes: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Apply changes and bump the version so digests and drafts notice."""
    stamp = utcnow_iso(now)
    row = dict(changes)
    if "facts" in row:
        row["facts"] = dumps(row["facts"])
    with db.atomic():
        db.execute(
            "UPDATE incidents SET version = version + 1, status = 'updated', "
            "last_seen = ?, updated_at = ? WHERE id = ?",
            [stamp, stamp, incident_id],
        )
        if row:
            db["incidents"].update(incident_id, row)


def get_incident(db: sqlite_utils.Database, incident_id: int) -> dict[str, Any] | None:
    rows = list(db["incidents"].rows_where("id = ?", [incident_id]))
    return decode(rows[0]) if rows else None


def list_incidents(
    db: sqlite_utils.Database, *, since: str | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Live incidents (merged-away ones are left out), most recently updated first."""
    where, params = "merged_into IS NULL", []
    if since:
        where, params = where + " AND updated_at > ?", [since]
    return [
        decode(r)
        for r in db["incidents"].rows_where(
            where, params, order_by="updated_at DESC, id DESC", limit=limit
        )
    ]


def count(db: sqlite_utils.Database) -> int:
    return db["incidents"].count


def source_counts(db: sqlite_utils.Database) -> dict[int, dict[str, int]]:
    """incident id -> {"articles": n, "outlets": distinct outlets or sources}."""
    rows = db.execute(
        "SELECT incident_id, COUNT(*), COUNT(DISTINCT COALESCE(outlet, source_id)) "
        "FROM articles WHERE incident_id IS NOT NULL GROUP BY incident_id"
    ).fetchall()
    return {row[0]: {"articles": row[1], "outlets": row[2]} for row in rows}


def inbox_details(db: sqlite_utils.Database) -> dict[int, dict[str, Any]]:
    """incident id -> what the inbox shows besides the incident row, in two queries.

    `first_published` / `last_published`: the story's dates (the articles' publication dates,
    not when they were crawled); `outlets`: distinct outlets (or sources); `articles`;
    `matches`: the relevance evidence of the primary article (for "why flagged").
    """
    details: dict[int, dict[str, Any]] = {}
    for row in db.execute(
        "SELECT incident_id, MIN(COALESCE(published, first_seen)), "
        "MAX(COALESCE(published, first_seen)), COUNT(*), "
        "COUNT(DISTINCT COALESCE(outlet, source_id)) FROM articles "
        "WHERE incident_id IS NOT NULL GROUP BY incident_id"
    ).fetchall():
        details[row[0]] = {"first_published": row[1], "last_published": row[2],
                           "articles": row[3], "outlets": row[4], "matches": []}
    for incident_id, matches in db.execute(
        "SELECT i.id, a.matches FROM incidents i JOIN articles a "
        "ON a.id = i.primary_article_id WHERE i.merged_into IS NULL"
    ).fetchall():
        entry = details.setdefault(incident_id, {"first_published": None,
                                                 "last_published": None, "articles": 0,
                                                 "outlets": 0, "matches": []})
        try:
            entry["matches"] = loads(matches, []) or []
        except ValueError:
            entry["matches"] = []
    return details


# -- clustering state ---------------------------------------------------------------------


def save_signature(
    db: sqlite_utils.Database, article_id: int, incident_id: int, signature: bytes,
    *, published: str | None, reason: dict[str, Any] | None, role: str = "report",
    now: datetime | None = None,
) -> None:
    """Persist one article's clustering signature, its role and the reason it joined."""
    db["incident_signatures"].upsert(
        {"article_id": article_id, "incident_id": incident_id, "published": published,
         "signature": signature, "reason": dumps(reason or {}), "role": role,
         "created_at": utcnow_iso(now)},
        pk="article_id",
    )


def roles(db: sqlite_utils.Database, incident_id: int) -> dict[int, str]:
    """article id -> its role in this incident (`report` or `follow_up`)."""
    rows = db.execute(
        "SELECT article_id, role FROM incident_signatures WHERE incident_id = ?", [incident_id]
    ).fetchall()
    return {row[0]: row[1] or "report" for row in rows}


def new_developments(
    db: sqlite_utils.Database, *, since: str | None = None
) -> dict[int, list[int]]:
    """incident id -> its follow-up articles clustered after `since`: what the digest and the
    review page call a "new development"."""
    sql = "SELECT incident_id, article_id FROM incident_signatures WHERE role = 'follow_up'"
    params: list[Any] = []
    if since:
        sql += " AND created_at > ?"
        params.append(since)
    found: dict[int, list[int]] = {}
    for incident_id, article_id in db.execute(sql + " ORDER BY article_id", params).fetchall():
        found.setdefault(incident_id, []).append(article_id)
    return found


def load_signatures(
    db: sqlite_utils.Database, *, since: str | None = None
) -> list[tuple[int, bytes]]:
    """(incident_id, signature) rows in article order, for `IncidentIndex.restore`.

    With `since`, only articles published then or later (plus undated ones): a run needs the
    recent window, not the archive.
    """
    sql = "SELECT incident_id, signature FROM incident_signatures"
    params: list[Any] = []
    if since:
        sql += " WHERE published IS NULL OR published >= ?"
        params.append(since)
    return [(row[0], row[1]) for row in db.execute(sql + " ORDER BY article_id", params)]


def signature_incident(db: sqlite_utils.Database, article_id: int) -> int | None:
    row = db.execute(
        "SELECT incident_id FROM incident_signatures WHERE article_id = ?", [article_id]
    ).fetchone()
    return row[0] if row else None


def reasons(db: sqlite_utils.Database, incident_id: int) -> dict[int, dict[str, Any]]:
    """article id -> the recorded reason it joined (or started) this incident."""
    rows = db.execute(
        "SELECT article_id, reason FROM incident_signatures WHERE incident_id = ?", [incident_id]
    ).fetchall()
    return {row[0]: loads(row[1], {}) for row in rows}


def record_decision(
    db: sqlite_utils.Database, action: str, incident_id: int, *,
    other_incident_id: int | None = None, article_id: int | None = None, note: str | None = None,
    now: datetime | None = None,
) -> int:
    return db["incident_decisions"].insert(
        {"action": action, "incident_id": incident_id, "other_incident_id": other_incident_id,
         "article_id": article_id, "note": note, "created_at": utcnow_iso(now)}
    ).last_pk


def decisions(db: sqlite_utils.Database, incident_id: int) -> list[dict[str, Any]]:
    return list(db["incident_decisions"].rows_where(
        "incident_id = ? OR other_incident_id = ?", [incident_id, incident_id], order_by="id"
    ))


def all_decisions(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Every operator decision, oldest first (for exporting training pairs)."""
    return list(db["incident_decisions"].rows_where(order_by="id"))


def split_pairs(db: sqlite_utils.Database) -> list[tuple[int, int]]:
    """(new incident, incident it was split from) for every operator split, each side followed
    to its live incident: the merge pass never joins them again."""
    rows = db.execute("SELECT incident_id, other_incident_id FROM incident_decisions "
                      "WHERE action = 'split' AND other_incident_id IS NOT NULL").fetchall()
    return [(resolve_merged(db, a), resolve_merged(db, b)) for a, b in rows]


def pinned_incident(db: sqlite_utils.Database, article_id: int) -> int | None:
    """Where an operator last put this article (split), so re-clustering keeps it there."""
    row = db.execute(
        "SELECT incident_id FROM incident_decisions WHERE article_id = ? AND action = 'split' "
        "ORDER BY id DESC LIMIT 1", [article_id]
    ).fetchone()
    return row[0] if row else None


def resolve_merged(db: sqlite_utils.Database, incident_id: int) -> int:
    """Follow `merged_into` links to the live incident."""
    seen = set()
    while incident_id not in seen:
        seen.add(incident_id)
        row = db.execute(
            "SELECT merged_into FROM incidents WHERE id = ?", [incident_id]
        ).fetchone()
        if not row or row[0] is None:
            return incident_id
        incident_id = row[0]
    return incident_id


def move_articles(db: sqlite_utils.Database, article_ids: list[int], incident_id: int) -> None:
    """Point articles (and their signatures) at another incident."""
    if not article_ids:
        return
    marks = ",".join("?" for _ in article_ids)
    db.execute(f"UPDATE articles SET incident_id = ? WHERE id IN ({marks})",
               [incident_id, *article_ids])
    db.execute(f"UPDATE incident_signatures SET incident_id = ? WHERE article_id IN ({marks})",
               [incident_id, *article_ids])


def mark_merged(
    db: sqlite_utils.Database, drop: int, keep: int, now: datetime | None = None
) -> None:
    stamp = utcnow_iso(now)
    db["incidents"].update(drop, {"status": "merged", "merged_into": keep, "article_count": 0,
                                  "updated_at": stamp})
