"""The clustering stage: every new relevant article joins an incident or starts one.

This is the thin first version (one incident per relevant story, reprints join their original);
`monitor.clustering` supplies the same-story detection across outlets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlite_utils

from monitor.relevance import Judgement, explain
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store


@dataclass
class ClusterReport:
    new_incidents: list[int] = field(default_factory=list)
    updated_incidents: list[int] = field(default_factory=list)
    articles_considered: int = 0


def why_flagged(article: dict) -> str:
    """One line saying which rules made this article relevant."""
    judgement = Judgement(article.get("score") or 0.0, bool(article.get("relevant")),
                          article.get("incident_type"), article.get("matches") or [])
    return explain(judgement)


def cluster_new_articles(db: sqlite_utils.Database, now: datetime | None = None) -> ClusterReport:
    """Assign every not-yet-clustered article; each article is handled in its own transaction."""
    report = ClusterReport()
    for article in article_store.unclustered(db):
        report.articles_considered += 1
        with db.atomic():
            incident_id = None
            if article["duplicate_of"]:
                original = article_store.get_article(db, article["duplicate_of"])
                incident_id = original["incident_id"] if original else None
                if incident_id:
                    _join(db, incident_id, article, now)
                    report.updated_incidents.append(incident_id)
            elif article["relevant"]:
                incident_id = incident_store.create_incident(
                    db,
                    {"title": article["title"], "incident_type": article["incident_type"],
                     "score": article["score"], "facts": article["facts"],
                     "why": why_flagged(article), "primary_article_id": article["id"],
                     "article_count": 1},
                    now=now,
                )
                report.new_incidents.append(incident_id)
            article_store.mark_clustered(db, article["id"], incident_id, now=now)
    report.updated_incidents = sorted(set(report.updated_incidents) - set(report.new_incidents))
    return report


def _join(db: sqlite_utils.Database, incident_id: int, article: dict, now: datetime | None) -> None:
    incident = incident_store.get_incident(db, incident_id)
    incident_store.update_incident(
        db, incident_id, {"article_count": (incident["article_count"] or 0) + 1}, now=now
    )
