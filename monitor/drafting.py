"""Render one Markdown draft per incident, shaped like the firm's posts, every fact cited.

Sentences are taken from the sources (extractive), never written by the program; the wording
around them lives in `templates/` for the firm to edit. An attorney-edited file is never
overwritten: new material goes to a side file and the draft is flagged.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.config import Config
from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.templating import markdown_env

MAX_WORDS_PER_SENTENCE = 50
MAX_SENTENCES_PER_SOURCE = 3
MAX_FACT_SENTENCES = 8
FACT_KINDS = ("counts", "data_categories", "agencies", "places", "dates", "organizations")
EDIT_FLAG = "sources changed since your edit"


@dataclass
class DraftReport:
    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)


def slugify(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "incident"


def file_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _words(sentence: str, limit: int) -> str:
    words = sentence.split()
    return sentence if len(words) <= limit else " ".join(words[:limit]) + " …"


def build_context(incident: dict[str, Any], articles: list[dict[str, Any]], config: Config,
                  now: datetime) -> dict[str, Any]:
    """Everything the draft template needs: sources numbered, fact sentences with citations."""
    primary_id = incident.get("primary_article_id")
    ordered = sorted(articles, key=lambda a: (a["id"] != primary_id, a.get("published") or ""))
    sources = []
    for number, article in enumerate(ordered, start=1):
        sources.append({
            "number": number, "article_id": article["id"], "title": article["title"],
            "outlet": article.get("outlet") or article.get("source_id"), "url": article["url"],
            "published": article.get("published"), "retrieved": article.get("first_seen"),
            "language": article.get("language"),
        })
    information: list[dict[str, Any]] = []
    seen: set[str] = set()
    for source, article in zip(sources, ordered, strict=True):
        taken = 0
        facts = article.get("facts") or {}
        for kind in FACT_KINDS:
            for fact in facts.get(kind, []):
                sentence = " ".join((fact.get("sentence") or "").split())
                key = sentence.lower()
                if not sentence or key in seen or taken >= MAX_SENTENCES_PER_SOURCE:
                    continue
                seen.add(key)
                taken += 1
                information.append({"text": _words(sentence, MAX_WORDS_PER_SENTENCE),
                                    "sources": [source["number"]], "kind": kind})
        if len(information) >= MAX_FACT_SENTENCES:
            break
    primary = ordered[0]
    lead_sentence = _first_sentence(primary.get("text") or primary.get("summary") or "")
    headline = incident["title"]
    return {
        "headline": headline,
        "slug": slugify(headline),
        "date": (primary.get("published") or now.isoformat())[:10],
        "incident": incident,
        "incident_type": incident.get("incident_type") or "other_enforcement",
        "lead": {"text": _words(lead_sentence, MAX_WORDS_PER_SENTENCE), "sources": [1]},
        "information": information[:MAX_FACT_SENTENCES],
        "sources": sources,
        "firm": config.firm,
        "generated_at": now.isoformat(timespec="seconds"),
        "tags": sorted({incident.get("incident_type") or "enforcement", "immigration"}),
        "privacy": [],
    }


def _first_sentence(text: str) -> str:
    text = " ".join(text.split())
    match = re.search(r"(.+?[.!?])(\s|$)", text)
    return match.group(1) if match else text


def render_draft(context: dict[str, Any], config: Config) -> str:
    env = markdown_env(config.templates_dir)
    return env.get_template("draft.md.j2").render(**context)


def generate_drafts(db: sqlite_utils.Database, config: Config,
                    now: datetime | None = None) -> DraftReport:
    """Write drafts for new incidents and refresh those whose incident changed."""
    now = now or datetime.now(UTC)
    report = DraftReport()
    for incident in incident_store.list_incidents(db):
        existing = draft_store.draft_for_incident(db, incident["id"])
        if existing and existing["incident_version"] >= incident["version"]:
            continue
        articles = article_store.articles_of_incident(db, incident["id"])
        if not articles:
            continue
        context = build_context(incident, articles, config, now)
        text = render_draft(context, config)
        if existing is None:
            path = config.drafts_dir / f"{context['date']}-{context['slug']}-{incident['id']}.md"
            write_atomic(path, text)
            draft_store.save_draft(db, {
                "incident_id": incident["id"], "path": str(path), "version": 1,
                "incident_version": incident["version"], "status": "pending",
                "generated_hash": file_hash(text), "title": context["headline"], "flags": [],
                "privacy": context["privacy"],
            }, now=now)
            report.written.append(str(path))
            continue
        path = Path(existing["path"])
        edited = path.exists() and file_hash(path.read_text(encoding="utf-8")) != existing[
            "generated_hash"]
        if edited:
            update_path = path.with_name(path.stem + ".update.md")
            write_atomic(update_path, text)
            flags = sorted(set(existing["flags"]) | {EDIT_FLAG})
            draft_store.save_draft(db, {"incident_id": incident["id"],
                                        "incident_version": incident["version"],
                                        "flags": flags}, action="update-side-file", now=now)
            report.flagged.append(str(update_path))
        else:
            write_atomic(path, text)
            draft_store.save_draft(db, {
                "incident_id": incident["id"], "version": existing["version"] + 1,
                "incident_version": incident["version"], "generated_hash": file_hash(text),
                "title": context["headline"], "privacy": context["privacy"],
            }, action="regenerated", now=now)
            report.updated.append(str(path))
    return report
