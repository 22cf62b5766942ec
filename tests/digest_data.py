"""Database state for digest tests, written through the storage modules (no SQL here)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import sqlite_utils

from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.storage import open_db
from monitor.storage import sources as source_store
from tests.conftest import ROOT

T0 = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def digest_config(folder: Path, port: int, *, recipients: str | None = None,
                  digest: str = "", smtp: str = "", timeout: float = 5) -> Path:
    """A monitor.toml whose [smtp] points at the test server on 127.0.0.1:`port`."""
    recipients = recipients if recipients is not None else """
[[recipients]]
email = "attorney@law.example.com"
name = "Ana Attorney"
frequency = "daily"
"""
    path = folder / "monitor.toml"
    path.write_text(f"""
[firm]
name = "Test Immigration Law"
phone = "(555) 010-9999"
site_url = "https://law.example.com"

[paths]
sources = "{ROOT / 'sources.toml'}"
database = "{folder / 'monitor.db'}"
drafts = "{folder / 'drafts'}"
var = "{folder / 'var'}"
templates = "{ROOT / 'templates'}"

[smtp]
host = "127.0.0.1"
port = {port}
sender = "monitor@law.example.com"
timeout = {timeout}
{smtp}

[digest]
{digest}
{recipients}
""", encoding="utf-8")
    return path


def db_at(folder: Path) -> sqlite_utils.Database:
    return open_db(folder / "monitor.db")


def add_article(db: sqlite_utils.Database, *, title: str, url: str, outlet: str = "ice.gov",
                counts: list[tuple[int, str]] = (), text: str = "", incident_type: str = "raid",
                score: float = 6.0, now: datetime = T0) -> int:
    facts = {"counts": [{"value": v, "noun": n, "sentence": f"{v} {n}."} for v, n in counts]}
    article_id, _ = article_store.upsert_article(db, {
        "url": url, "original_url": url, "source_id": "test-source", "outlet": outlet,
        "title": title, "text": text or f"{title}. ICE said so.",
        "content_hash": hashlib.sha256(url.encode()).hexdigest(), "score": score,
        "relevant": 1, "incident_type": incident_type, "matches": [], "facts": facts,
        "published": now.isoformat(),
    }, now=now)
    return article_id


def add_incident(db: sqlite_utils.Database, *, title: str, url: str, outlet: str = "ice.gov",
                 incident_type: str = "raid", score: float = 6.0,
                 why: str = "",
                 counts: list[tuple[int, str]] = (), text: str = "",
                 now: datetime = T0) -> int:
    """One incident with its first article, as the clustering stage would store it."""
    article_id = add_article(db, title=title, url=url, outlet=outlet, counts=counts, text=text,
                             incident_type=incident_type, score=score, now=now)
    why = why or f"agency 'ICE', incident:{incident_type} 'worksite' (score {score:.1f})"
    incident_id = incident_store.create_incident(db, {
        "title": title, "incident_type": incident_type, "score": score, "why": why,
        "facts": {"counts": [{"value": v, "noun": n} for v, n in counts]},
        "primary_article_id": article_id, "article_count": 1,
    }, now=now)
    article_store.mark_clustered(db, article_id, incident_id, now=now)
    return incident_id


def add_source(db: sqlite_utils.Database, incident_id: int, *, title: str, url: str,
               outlet: str, counts: list[tuple[int, str]] = (), now: datetime = T0) -> int:
    """Another outlet reports the incident: the article joins and the incident's version grows."""
    article_id = add_article(db, title=title, url=url, outlet=outlet, counts=counts, now=now)
    article_store.mark_clustered(db, article_id, incident_id, now=now)
    incident = incident_store.get_incident(db, incident_id)
    incident_store.update_incident(
        db, incident_id, {"article_count": incident["article_count"] + 1}, now=now)
    return article_id


def add_draft(db: sqlite_utils.Database, incident_id: int, *, title: str,
              now: datetime = T0) -> int:
    return draft_store.save_draft(db, {
        "incident_id": incident_id, "path": f"/srv/drafts/2026-11-24-incident-{incident_id}.md",
        "title": title, "status": "pending", "version": 1, "incident_version": 1,
    }, now=now)


def add_crawl(db: sqlite_utils.Database, source_id: str, *, status: str, new_items: int = 0,
              errors: list[str] = (), at: datetime = T0, seen: int | None = None) -> None:
    stamp = at.isoformat(timespec="seconds")
    source_store.record_source_crawl(db, {
        "source_id": source_id, "started_at": stamp, "finished_at": stamp, "status": status,
        "items_seen": new_items if seen is None else seen, "new_items": new_items,
        "errors": list(errors),
    })
