"""What goes into a recipient's digest: incidents new or changed since their last one, drafts.

Grouped by incident, never one email per article; an incident whose version already reached the
recipient is not repeated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from monitor.config import Config, Recipient
from monitor.storage import articles as article_store
from monitor.storage import digests as digest_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.templating import html_env, text_env


@dataclass
class Digest:
    recipient: Recipient
    new_incidents: list[dict[str, Any]] = field(default_factory=list)
    updated_incidents: list[dict[str, Any]] = field(default_factory=list)
    pending_drafts: list[dict[str, Any]] = field(default_factory=list)
    source_problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def items(self) -> list[dict[str, int]]:
        """The incident versions this digest delivers (recorded only once it is sent)."""
        return [{"incident_id": i["id"], "incident_version": i["version"]}
                for i in self.new_incidents + self.updated_incidents]

    @property
    def empty(self) -> bool:
        return not (self.new_incidents or self.updated_incidents or self.pending_drafts)


def wanted(recipient: Recipient, incident: dict[str, Any]) -> bool:
    if (incident.get("score") or 0) < recipient.min_score:
        return False
    return not recipient.incident_types or incident.get("incident_type") in recipient.incident_types


def build_digest(db: sqlite_utils.Database, recipient: Recipient) -> Digest:
    digest = Digest(recipient)
    delivered = digest_store.last_sent_versions(db, recipient.email)
    for incident in incident_store.list_incidents(db):
        if not wanted(recipient, incident):
            continue
        if delivered.get(incident["id"], 0) >= incident["version"]:
            continue
        incident = _with_sources(db, incident)
        if incident["id"] in delivered:
            digest.updated_incidents.append(incident)
        else:
            digest.new_incidents.append(incident)
    digest.pending_drafts = draft_store.list_drafts(db, status="pending")
    return digest


def _with_sources(db: sqlite_utils.Database, incident: dict[str, Any]) -> dict[str, Any]:
    articles = article_store.articles_of_incident(db, incident["id"])
    primary = next((a for a in articles if a["id"] == incident.get("primary_article_id")),
                   articles[0] if articles else None)
    draft = draft_store.draft_for_incident(db, incident["id"])
    return {**incident, "source_count": len(articles),
            "best_url": primary["url"] if primary else None,
            "draft_path": draft["path"] if draft else None}


def subject(digest: Digest, now: datetime) -> str:
    """Says what is inside; never contains scraped text, so no header injection is possible."""
    parts = []
    if digest.new_incidents:
        n = len(digest.new_incidents)
        parts.append(f"{n} new incident{'s' if n != 1 else ''}")
    if digest.updated_incidents:
        n = len(digest.updated_incidents)
        parts.append(f"{n} updated incident{'s' if n != 1 else ''}")
    if digest.pending_drafts:
        n = len(digest.pending_drafts)
        parts.append(f"{n} draft{'s' if n != 1 else ''} to review")
    summary = ", ".join(parts) or "nothing new"
    return f"{summary} — Immigration monitor, {now:%b} {now.day}"


def render(digest: Digest, config: Config, now: datetime | None = None) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for one digest."""
    now = now or datetime.now(UTC)
    context = {"digest": digest, "firm": config.firm, "now": now,
               "subject": subject(digest, now)}
    text = text_env(config.templates_dir).get_template("digest.txt.j2").render(**context)
    html = html_env(config.templates_dir).get_template("digest.html.j2").render(**context)
    return context["subject"], text, html
