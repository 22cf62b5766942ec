"""What goes into a recipient's digest, when it is due, and delivering it without loss.

Grouped by incident, never one email per article. Each digest records what the recipient saw
(an incident's sources and figures, a draft's version, a source problem), so the next one says
what changed since and repeats nothing unchanged. Items count as delivered only once the SMTP
server accepted the message; anything else leaves them pending for the next run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from monitor import health, mail
from monitor.config import Config, Recipient
from monitor.digest_settings import DigestSettings, digest_settings  # noqa: F401
from monitor.storage import articles as article_store
from monitor.storage import digests as digest_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.storage.db import utcnow_iso
from monitor.templating import html_env, strip_html, text_env
from monitor.triage import priority, readable_reasons, type_labels
from monitor.urls import is_http_url

log = logging.getLogger("monitor.digest")

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# Incidents in these states are no longer news (merged into another, dismissed by a reviewer).
CLOSED_STATUSES = {"merged", "dismissed", "rejected", "deleted"}


# --- schedule -------------------------------------------------------------------------------

def next_due(recipient: Recipient, last_sent_at: str | None,
             settings: DigestSettings) -> datetime | None:
    """When this recipient's next digest may go out; None means now (immediate, or never sent).

    The slack lets a daily cron job at 07:00 send again the next day even if yesterday's
    send finished a few seconds after 07:00.
    """
    if recipient.frequency == "immediate" or not last_sent_at:
        return None
    period = PERIODS[recipient.frequency]
    slack = timedelta(minutes=settings.schedule_slack_minutes)
    return datetime.fromisoformat(last_sent_at) + max(period - slack, timedelta(0))


def is_due(recipient: Recipient, last_sent_at: str | None, now: datetime,
           settings: DigestSettings) -> bool:
    due = next_due(recipient, last_sent_at, settings)
    return due is None or now >= due


def digest_due(frequency: str, last_sent: datetime | None, now: datetime,
               settings: DigestSettings | None = None) -> bool:
    """`is_due` for a frequency and a parsed time (what `watch` and `status` have at hand)."""
    recipient = Recipient(email="", frequency=frequency)
    last = last_sent.isoformat() if last_sent else None
    return is_due(recipient, last, now, settings or DigestSettings())


# --- content --------------------------------------------------------------------------------

@dataclass
class Digest:
    recipient: Recipient
    now: datetime
    last_sent_at: str | None = None
    new_incidents: list[dict[str, Any]] = field(default_factory=list)
    updated_incidents: list[dict[str, Any]] = field(default_factory=list)
    pending_drafts: list[dict[str, Any]] = field(default_factory=list)
    source_problems: list[dict[str, Any]] = field(default_factory=list)

    @property
    def items(self) -> list[dict[str, Any]]:
        """Everything this digest delivers, with the state the recipient sees (recorded on send)."""
        items = [{"kind": "incident", "ref": str(i["id"]), "incident_id": i["id"],
                  "incident_version": i["version"], "state": i["state"]}
                 for i in self.new_incidents + self.updated_incidents]
        items += [{"kind": "draft", "ref": str(d["id"]), "incident_id": d["incident_id"],
                   "incident_version": d["version"], "state": {"version": d["version"]}}
                  for d in self.pending_drafts]
        items += [{"kind": "source", "ref": p["source_id"], "incident_id": None,
                   "incident_version": None, "state": {"signature": p["signature"]}}
                  for p in self.source_problems]
        return items

    @property
    def new_drafts(self) -> list[dict[str, Any]]:
        """Drafts the recipient has not seen in this version."""
        return [d for d in self.pending_drafts if d["is_new"] or d["is_updated"]]

    @property
    def incidents(self) -> list[dict[str, Any]]:
        """Every incident this digest tells about, new first (the alert subject names [0])."""
        return self.new_incidents + self.updated_incidents

    @property
    def waiting_drafts(self) -> list[dict[str, Any]]:
        """Pending drafts of incidents not shown above: those are described in their entry,
        so a title appears once per digest."""
        shown = {i["id"] for i in self.incidents}
        return [d for d in self.pending_drafts if d["incident_id"] not in shown]

    @property
    def new_problems(self) -> list[dict[str, Any]]:
        return [p for p in self.source_problems if p["is_new"]]

    @property
    def has_news(self) -> bool:
        """Worth an email: something the recipient has not been told yet."""
        return bool(self.new_incidents or self.updated_incidents or self.new_drafts
                    or self.new_problems)

    @property
    def empty(self) -> bool:
        return not self.has_news


def wanted(recipient: Recipient, incident: dict[str, Any],
           settings: DigestSettings | None = None) -> bool:
    """The recipient's filters: minimum score, incident types, and the immediate threshold."""
    floor = recipient.min_score
    if recipient.frequency == "immediate":
        floor = max(floor, (settings or DigestSettings()).immediate_min_score)
    if incident.get("status") in CLOSED_STATUSES or (incident.get("score") or 0) < floor:
        return False
    return not recipient.incident_types or incident.get("incident_type") in recipient.incident_types


def build_digest(db: sqlite_utils.Database, recipient: Recipient, config: Config | None = None,
                 now: datetime | None = None) -> Digest:
    """The digest this recipient would get now (schedule aside)."""
    now = now or datetime.now(UTC)
    settings = digest_settings(config) if config else DigestSettings()
    seen = digest_store.delivered(db, recipient.email)
    digest = Digest(recipient, now, digest_store.last_sent_at(db, recipient.email))
    # A first digest on an old database lists recent news, not the whole archive.
    since = utcnow_iso(now - timedelta(days=settings.max_age_days)) \
        if settings.max_age_days else None
    incidents = [i for i in incident_store.list_incidents(db, since=since)
                 if wanted(recipient, i, settings)]
    for incident in sorted(incidents, key=lambda i: (-(i.get("score") or 0), i["id"])):
        before = seen.get(("incident", str(incident["id"])))
        if before and (before["version"] or 0) >= incident["version"]:
            continue
        entry = describe_incident(db, incident, settings)
        if before is None:
            digest.new_incidents.append(entry)
            continue
        entry["changes"] = changes_since(entry, before)
        if entry["changes"]["any"]:
            digest.updated_incidents.append(entry)
    # the biggest, freshest story first, as in the inbox (score breaks ties: the sort is stable)
    for entries in (digest.new_incidents, digest.updated_incidents):
        entries.sort(key=lambda e: -priority(e["outlets"], e["latest_published"]))
    if recipient.frequency != "immediate":
        # drafts wait however old their incident is
        wanted_ids = {i["id"] for i in incident_store.list_incidents(db)
                      if wanted(recipient, i, settings)}
        for draft in draft_store.list_drafts(db, status="pending"):
            if draft["incident_id"] not in wanted_ids:
                continue
            before = seen.get(("draft", str(draft["id"])))
            digest.pending_drafts.append(describe_draft(draft, settings, before))
        for problem in source_health_problems(db, now, health.Thresholds.from_config(config)):
            before = seen.get(("source", problem["source_id"]))
            problem["is_new"] = not before or before["state"].get("signature") != \
                problem["signature"]
            digest.source_problems.append(problem)
    return digest


def figures_of(incident: dict[str, Any], articles: list[dict[str, Any]]) -> dict[str, dict]:
    """Every number the sources report ("212 workers"), keyed so changes can be detected."""
    figures: dict[str, dict] = {}
    for owner in [incident, *articles]:
        for fact in (owner.get("facts") or {}).get("counts", []):
            try:
                value = int(fact["value"])
            except (KeyError, TypeError, ValueError):
                continue
            noun = " ".join(str(fact.get("noun", "")).split())
            key = f"{value}|{noun}"
            figures.setdefault(key, {"text": f"{value:,} {noun}".strip(),
                                     "outlet": owner.get("outlet") or ""})
    return figures


def figure_line(figures: dict[str, dict]) -> list[str]:
    """Each number once, with the noun it was first reported with: "6,252 people".

    Outlets describe the same count in different words (people, noncitizens, inmigrantes);
    listing every pair repeats the number. Biggest numbers first.
    """
    first: dict[str, str] = {}
    for key, figure in figures.items():
        first.setdefault(key.split("|", 1)[0], figure["text"])
    return [first[v] for v in sorted(first, key=lambda v: -int(v) if v.isdigit() else 0)]


def describe_incident(db: sqlite_utils.Database, incident: dict[str, Any],
                      settings: DigestSettings) -> dict[str, Any]:
    """An incident as the templates show it, plus the state recorded when it is delivered."""
    articles = [a for a in article_store.articles_of_incident(db, incident["id"])]
    primary = next((a for a in articles if a["id"] == incident.get("primary_article_id")), None)
    linkable = [a for a in ([primary] if primary else []) + articles if is_http_url(a["url"])]
    draft = draft_store.draft_for_incident(db, incident["id"])
    figures = figures_of(incident, articles)
    matches = (primary or (articles[0] if articles else {})).get("matches") or []
    dates = [a.get("published") or a.get("first_seen") for a in articles
             if a.get("published") or a.get("first_seen")]
    role_of = incident_store.roles(db, incident["id"])  # a follow-up is a "new development"
    sources = [{"id": a["id"], "title": a["title"] or "", "outlet": a["outlet"] or "",
                "url": a["url"] if is_http_url(a["url"]) else "",
                "first_seen": a["first_seen"],
                "follow_up": role_of.get(a["id"]) == "follow_up"} for a in articles]
    return {
        **incident,
        "source_count": len(articles),
        "sources": sources,
        "best_url": linkable[0]["url"] if linkable else "",
        "best_outlet": (linkable[0]["outlet"] or "") if linkable else "",
        "draft": describe_draft(draft, settings, None) if draft else None,
        "figures": figure_line(figures),
        "reasons": readable_reasons(matches, incident.get("incident_type"), type_labels(),
                                    fallback=incident.get("why") or ""),
        "outlets": len({s["outlet"] or s["url"] for s in sources}),
        "first_published": min(dates, default=None),
        "latest_published": max(dates, default=None),
        "state": {"articles": sorted(a["id"] for a in articles), "figures": sorted(figures),
                  "title": incident["title"], "incident_type": incident["incident_type"],
                  "score": incident.get("score")},
        "_figures": figures,
    }


def changes_since(entry: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What differs from the state the recipient last saw: new sources, figures, title, type."""
    state = before.get("state") or {}
    if "articles" in state:
        known = set(state["articles"])
        new_sources = [s for s in entry["sources"] if s["id"] not in known]
    else:  # an item recorded before states were kept: sources first seen after that digest
        sent_at = before.get("sent_at") or ""
        new_sources = [s for s in entry["sources"] if (s["first_seen"] or "") > sent_at]
    known_figures = set(state.get("figures", entry["state"]["figures"]))
    known_values = {key.split("|", 1)[0] for key in known_figures}
    new_figures, announced = [], set()
    for key, figure in entry["_figures"].items():
        value = key.split("|", 1)[0]
        # the same number under another noun ("6,252 migrantes") is not news
        if key not in known_figures and value not in known_values and value not in announced:
            announced.add(value)
            new_figures.append(figure)
    old_title = state.get("title")
    old_type = state.get("incident_type")
    changes = {
        "new_sources": new_sources,
        "new_figures": new_figures,
        "old_title": old_title if old_title and old_title != entry["title"] else None,
        "old_type": old_type if old_type and old_type != entry["incident_type"] else None,
        "old_score": state.get("score") if state.get("score") is not None
        and state.get("score") != entry.get("score") else None,
    }
    changes["any"] = bool(new_sources or new_figures or changes["old_title"]
                          or changes["old_type"])
    return changes


def describe_draft(draft: dict[str, Any], settings: DigestSettings,
                   before: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": draft["id"], "incident_id": draft["incident_id"], "title": draft["title"] or "",
        "version": draft["version"] or 1, "status": draft["status"],
        "name": Path(draft["path"] or "").name, "path": draft["path"] or "",
        "url": settings.draft_link(draft), "flags": draft.get("flags") or [],
        "is_new": before is None,
        "is_updated": before is not None and (before["version"] or 0) < (draft["version"] or 1),
    }


def source_health_problems(db: sqlite_utils.Database, now: datetime,
                           thresholds: health.Thresholds) -> list[dict[str, Any]]:
    """The sources whose health (monitor.health, the judgement `monitor sources` makes) is one
    the digest announces: failing, anomalous, stale (not crawled lately) or silent.

    `signature` changes when a new episode starts, so a problem is announced once, then listed
    as ongoing.
    """
    problems = []
    for source, judged in health.of_crawled_sources(db, thresholds, now):
        if judged.state not in health.DIGEST_STATES:
            continue
        problems.append({
            "source_id": judged.source_id, "name": source["name"], "kind": judged.state,
            "last_crawl_at": judged.last_crawl, "last_ok_at": judged.last_success,
            "last_new_at": judged.last_new_item, "failures": judged.consecutive_failures,
            "last_error": judged.last_error or "", "reasons": list(judged.reasons),
            "signature": _episode(judged),
        })
    return problems


def _episode(judged: health.Health) -> str:
    """What stays the same while one problem lasts and changes when a new one starts."""
    since = {"failing": judged.last_success, "stale": judged.last_crawl,
             "silent": judged.last_new_item}.get(judged.state)
    if judged.state == "anomaly":
        since = "; ".join(judged.reasons)
    return f"{judged.state}:{since or 'never'}"


# --- rendering ------------------------------------------------------------------------------

def _oneline(value: Any) -> str:
    """Scraped text on one line: no CR/LF can break the layout (or, in a header, the mail)."""
    return " ".join(str(value or "").split())


SUBJECT_TITLE_CHARS = 110


def _subject_text(value: Any) -> str:
    """A scraped title fit for a Subject header: tags stripped, one line, shortened."""
    text = _oneline(strip_html(str(value or "")))
    if len(text) > SUBJECT_TITLE_CHARS:
        text = text[:SUBJECT_TITLE_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return text


def _local_time(tz: ZoneInfo):
    """Stored UTC stamps shown in the firm's time zone: "Nov 24 02:00 EST"."""
    def show(stamp: str | None) -> str:
        if not stamp:
            return ""
        try:
            when = datetime.fromisoformat(stamp)
        except ValueError:
            return ""
        when = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(tz)
        return f"{when:%b} {when.day} {when:%H:%M %Z}"
    return show


def _day(stamp: str | None) -> str:
    """A story's publication date as a reader writes it: "Nov 19" (the source's own day)."""
    try:
        when = datetime.fromisoformat(str(stamp or "")[:10])
    except ValueError:
        return ""
    return f"{when:%b} {when.day}"


def render(digest: Digest, config: Config, now: datetime | None = None) -> tuple[str, str, str]:
    """(subject, plain text, HTML) for one digest, all from the firm's templates."""
    now = now or digest.now
    settings = digest_settings(config)
    local = now.astimezone(settings.tz)
    context = {"digest": digest, "firm": config.firm, "now": local,
               "recipient": digest.recipient, "settings": settings}
    text_templates = text_env(config.templates_dir)
    text_templates.filters["oneline"] = _oneline
    text_templates.filters["local"] = _local_time(settings.tz)
    text_templates.filters["subject_text"] = _subject_text
    text_templates.filters["day"] = _day
    text_templates.filters["plain"] = strip_html
    subject = _oneline(text_templates.get_template("digest/subject.txt.j2").render(**context))
    context["subject"] = subject
    text = text_templates.get_template("digest.txt.j2").render(**context)
    html_templates = html_env(config.templates_dir)
    html_templates.filters["oneline"] = _oneline
    html_templates.filters["local"] = _local_time(settings.tz)
    html_templates.filters["day"] = _day
    html = html_templates.get_template("digest.html.j2").render(**context)
    return subject, text, html


def subject(digest: Digest, config: Config, now: datetime | None = None) -> str:
    return render(digest, config, now)[0]


def message_for(digest: Digest, config: Config, now: datetime,
                message_id: str | None = None) -> mail.EmailMessage:
    subject_line, text, html = render(digest, config, now)
    return mail.build_message(sender=config.smtp.sender, to=digest.recipient.email,
                              to_name=digest.recipient.name, subject=subject_line, text=text,
                              html=html, now=now, message_id=message_id)


# --- delivery -------------------------------------------------------------------------------

@dataclass
class Outcome:
    """What happened for one recipient in one run."""

    recipient: str
    status: str  # sent | failed | nothing-new | not-due | busy
    subject: str = ""
    detail: str = ""
    next_due: datetime | None = None


def send_due_digests(db: sqlite_utils.Database, config: Config, now: datetime,
                     only: str | None = None) -> list[Outcome]:
    """Send every digest that is due; never raises for a delivery problem, reports it instead.

    Called by `monitor digest` and by scheduled runs, which decide what a failure means.
    """
    settings = digest_settings(config)
    stale_before = (now - max(timedelta(minutes=10), timedelta(seconds=4 * config.smtp.timeout)))
    outcomes = []
    for recipient in config.recipients:
        if only and recipient.email.lower() != only.lower():
            continue
        last = digest_store.last_sent_at(db, recipient.email)
        if not is_due(recipient, last, now, settings):
            outcomes.append(Outcome(recipient.email, "not-due",
                                    next_due=next_due(recipient, last, settings)))
            continue
        built = build_digest(db, recipient, config, now)
        if not built.has_news:
            outcomes.append(Outcome(recipient.email, "nothing-new"))
            continue
        outcomes.append(_deliver(db, config, built, now, stale_before))
    return outcomes


def _deliver(db: sqlite_utils.Database, config: Config, built: Digest, now: datetime,
             stale_before: datetime) -> Outcome:
    email = built.recipient.email
    items = built.items
    message_id = _reusable_message_id(db, email, items) or mail.new_message_id(config.smtp.sender)
    message = message_for(built, config, now, message_id=message_id)
    subject_line = str(message["Subject"])
    digest_id = digest_store.start_attempt(
        db, email, subject_line, items, message_id=message_id,
        frequency=built.recipient.frequency,
        stale_before=utcnow_iso(stale_before), now=now)
    if digest_id is None:
        log.warning("digest to %s skipped: another run is sending to this recipient", email)
        return Outcome(email, "busy", subject_line, "another run is sending")
    try:
        mail.send(message, config.smtp)
    except mail.DeliveryError as exc:
        digest_store.finish_attempt(db, digest_id, sent=False, error=str(exc), now=now)
        log.warning("digest to %s not sent, its %d item(s) stay pending for the next run: %s",
                    email, len(items), exc)
        return Outcome(email, "failed", subject_line, str(exc))
    digest_store.finish_attempt(db, digest_id, sent=True, now=now)
    log.info("digest to %s sent: %s", email, subject_line)
    return Outcome(email, "sent", subject_line, message_id)


def _reusable_message_id(db: sqlite_utils.Database, email: str,
                         items: list[dict[str, Any]]) -> str | None:
    """After an attempt died mid-send, resend the same content under the same Message-ID,
    so a mail client that did receive it can drop the copy. Different content, new id."""
    previous = digest_store.interrupted_attempt(db, email)
    if not previous:
        return None
    key = sorted((i["kind"], str(i["ref"]), i["incident_version"]) for i in items)
    old = sorted((i.get("kind", "incident"), str(i.get("ref", i.get("incident_id"))),
                  i.get("incident_version")) for i in previous["items"])
    return previous["message_id"] if key == old else None
