"""A real SQLite database with incidents and articles, built through the storage modules."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.configure import load_config
from monitor.facts import extract_facts
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store
from monitor.storage import open_db
from tests.conftest import write_config

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def make_article(db, url: str, title: str, text: str, *, outlet: str = "Example News",
                 published: str = "2026-03-01T10:00:00+00:00", language: str = "en",
                 incident_type: str = "data_breach", facts: dict | None = None,
                 incident_id: int | None = None) -> int:
    """Store one article (with facts extracted as the pipeline would) and return its id."""
    record: dict[str, Any] = {
        "url": url, "source_id": outlet.lower().replace(" ", "-"), "outlet": outlet,
        "title": title, "summary": "", "text": text, "content_hash": url,
        "published": published, "language": language, "score": 5.0, "relevant": 1,
        "incident_type": incident_type,
        "facts": facts if facts is not None else extract_facts(title, text, language=language),
        "first_seen": "2026-03-02T12:00:00+00:00",
    }
    article_id, _ = article_store.upsert_article(db, record, now=NOW)
    return article_id


def make_incident(db, article_id: int, *, title: str, incident_type: str = "data_breach") -> int:
    article = article_store.get_article(db, article_id)
    incident_id = incident_store.create_incident(db, {
        "title": title, "incident_type": incident_type, "score": 5.0,
        "facts": article["facts"], "why": "test", "primary_article_id": article_id,
        "article_count": 1}, now=NOW)
    article_store.mark_clustered(db, article_id, incident_id, now=NOW)
    return incident_id


def join_incident(db, incident_id: int, article_id: int) -> None:
    """What the clustering stage does when a new source reports the same story."""
    article_store.mark_clustered(db, article_id, incident_id, now=NOW)
    count = len(article_store.articles_of_incident(db, incident_id))
    incident_store.update_incident(db, incident_id, {"article_count": count}, now=NOW)


def setup(tmp_path: Path, extra: str = ""):
    """(config, db) in a temp folder."""
    config = load_config(write_config(tmp_path, extra=extra))
    return config, open_db(config.database_path)


BREACH_TEXT = (
    "ICE said it inadvertently posted the personal information of 6,252 noncitizens on its "
    "website. The file listed names, dates of birth and nationalities of people in detention. "
    "The agency said the file was online for about five hours before it was removed. "
    "Advocates said the release could endanger asylum seekers who fled persecution."
)
