"""Articles: one row per canonical URL; revisions when content changes; FTS on title and text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.storage.db import dumps, loads, utcnow_iso

migrations = Migrations("articles")

JSON_FIELDS = ("matches", "facts", "date_flags")


@migrations()
def m001_articles(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        {
            "id": int, "url": str, "original_url": str, "source_id": str, "outlet": str,
            "title": str, "summary": str, "text": str, "content_hash": str, "extraction": str,
            "published": str, "published_source": str, "updated": str, "updated_source": str,
            "date_flags": str, "language": str, "score": float, "relevant": int,
            "incident_type": str, "matches": str, "facts": str, "first_seen": str,
            "last_seen": str, "duplicate_of": int, "incident_id": int, "clustered_at": str,
        },
        pk="id",
        not_null={"url", "first_seen"},
    )
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["original_url"])
    db["articles"].create_index(["incident_id"])
    db["articles"].create_index(["clustered_at"])
    db["articles"].enable_fts(["title", "text"], create_triggers=True)
    db["article_revisions"].create(
        {
            "id": int, "article_id": int, "seen_at": str, "old_hash": str, "new_hash": str,
            "old_title": str, "changed": str,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )


@migrations()
def m002_fetched_url(db: sqlite_utils.Database) -> None:
    """The URL the page was fetched from after redirects, as fetched (scheme, host and path
    unchanged): `url` is the dedupe key (https, no tracking parameters) and `original_url` the
    link as the source gave it, so a redirected page had no record of the address it was read
    at. A draft cites it. Rows stored before have none (NULL): they cite as before."""
    db["articles"].add_column("fetched_url", str)


def decode(row: dict[str, Any] | None) -> dict[str, Any] | None:
    """JSON columns back into Python values."""
    if row is None:
        return None
    row = dict(row)
    for key in JSON_FIELDS:
        if key in row:
            row[key] = loads(row[key], [] if key != "facts" else {})
    return row


def known_urls(db: sqlite_utils.Database, urls: list[str]) -> set[str]:
    """Which of these URLs (canonical or as first linked) are already stored."""
    if not urls:
        return set()
    marks = ",".join("?" for _ in urls)
    rows = db.execute(
        f"SELECT url, original_url FROM articles "
        f"WHERE url IN ({marks}) OR original_url IN ({marks})",
        [*urls, *urls],
    ).fetchall()
    found = {u for row in rows for u in row if u}
    return found & set(urls)


def upsert_article(
    db: sqlite_utils.Database, record: dict[str, Any], now: datetime | None = None
) -> tuple[int, str]:
    """Store one article; returns (id, "new" | "unchanged" | "revised" | "duplicate")."""
    stamp = utcnow_iso(now)
    row = {k: (dumps(v) if k in JSON_FIELDS else v) for k, v in record.items()}
    with db.atomic():
        existing = db.execute(
            "SELECT id, content_hash, title FROM articles WHERE url = ?", [row["url"]]
        ).fetchone()
        if existing:
            article_id, old_hash, old_title = existing
            if old_hash == row.get("content_hash"):
                db["articles"].update(article_id, {"last_seen": stamp})
                return article_id, "unchanged"
            db["article_revisions"].insert(
                {
                    "article_id": article_id, "seen_at": stamp, "old_hash": old_hash,
                    "new_hash": row.get("content_hash"), "old_title": old_title,
                    "changed": "title" if old_title != row.get("title") else "text",
                }
            )
            row.pop("first_seen", None)
            db["articles"].update(article_id, {**row, "last_seen": stamp, "clustered_at": None})
            return article_id, "revised"
        original = None
        if row.get("content_hash") and len(row.get("text") or "") > 200:
            original = db.execute(
                "SELECT id FROM articles WHERE content_hash = ? AND duplicate_of IS NULL "
                "ORDER BY id LIMIT 1",
                [row["content_hash"]],
            ).fetchone()
        row.setdefault("first_seen", stamp)
        row["last_seen"] = stamp
        row["duplicate_of"] = original[0] if original else None
        article_id = db["articles"].insert(row).last_pk
        return article_id, "duplicate" if original else "new"


def get_article(db: sqlite_utils.Database, article_id: int) -> dict[str, Any] | None:
    rows = list(db["articles"].rows_where("id = ?", [article_id]))
    return decode(rows[0]) if rows else None


def unclustered(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """Articles not yet considered by the clustering stage, oldest first."""
    return [decode(r) for r in db["articles"].rows_where("clustered_at IS NULL", order_by="id")]


def mark_clustered(
    db: sqlite_utils.Database, article_id: int, incident_id: int | None, now: datetime | None = None
) -> None:
    db["articles"].update(
        article_id, {"incident_id": incident_id, "clustered_at": utcnow_iso(now)}
    )


def articles_of_incident(db: sqlite_utils.Database, incident_id: int) -> list[dict[str, Any]]:
    return [
        decode(r)
        for r in db["articles"].rows_where(
            "incident_id = ?", [incident_id], order_by="published, id"
        )
    ]


def search(db: sqlite_utils.Database, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Full-text search over stored articles, best match first."""
    return [
        decode(r)
        for r in db["articles"].search(
            query, columns=["id", "title", "url", "published", "score", "incident_id"],
            limit=limit, quote=True,
        )
    ]


def count(db: sqlite_utils.Database) -> int:
    return db["articles"].count
