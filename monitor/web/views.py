"""Pages and actions. Thin: reads go through storage, decisions through `monitor.review`."""

from __future__ import annotations

import difflib
import importlib.util
import io
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from monitor import draft_meta, health, privacy, review
from monitor.config import ConfigError
from monitor.sources import load_sources
from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from monitor.storage import reviewers as reviewer_store
from monitor.storage import runs as run_store
from monitor.storage import sessions as session_store
from monitor.storage import sources as source_store
from monitor.storage.db import loads
from monitor.triage import readable_reasons, type_labels
from monitor.web import inbox, security, status_view
from monitor.web.app_state import get_db
from monitor.web.app_state import state as app_state
from monitor.web.citations import classify_used, sentences_by_footnote
from monitor.web.markdown import front_matter_fields, render_markdown, split_front_matter

bp = Blueprint("web", __name__)
MAX_NAME = 80
MAX_NOTE = 2000


def db():
    return get_db()


def reviewer() -> str:
    return session.get("reviewer", "")


def _now() -> datetime:
    return datetime.now(UTC)


def _local_path(target: str | None) -> str:
    """Only a path on this site may be the place to go after sign-in (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("web.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return url_for("web.index")
    return target


# --- sign-in ---------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
def login():
    st = app_state()
    address = request.remote_addr or "?"
    next_path = _local_path(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=next_path, error=None,
                               name=session.get("last_name", ""))
    now = st.clock()
    if st.throttle.blocked(address, now):
        wait = st.throttle.retry_after(address, now)
        return render_template("login.html", next=next_path, error="throttled", wait=wait,
                               name=""), 429
    name = " ".join((request.form.get("name") or "").split())[:MAX_NAME]
    password = request.form.get("password") or ""
    if not security.check_password(st.password_hash, password):
        st.throttle.failed(address, now)
        return render_template("login.html", next=next_path, error="password", name=name), 401
    if not name:
        return render_template("login.html", next=next_path, error="name", name=""), 400
    st.throttle.succeeded(address)
    session.clear()  # a fresh session (and CSRF token) for the signed-in reviewer
    session.permanent = True
    session["reviewer"] = name
    session["pw"] = security.fingerprint(st.password_hash)
    session["sid"] = session_store.start(
        db(), name, now=datetime.now(UTC),
        hours=current_app.permanent_session_lifetime.total_seconds() / 3600)
    session["last_name"] = name
    security.csrf_token(session)
    return redirect(next_path)


@bp.post("/logout")
def logout():
    name = session.get("reviewer", "")
    session_store.end(db(), session.get("sid"))  # a copy of the cookie stops working too
    session.clear()
    session["last_name"] = name
    return redirect(url_for("web.login"))


# --- inbox and search ------------------------------------------------------------------------


@bp.get("/")
def index():
    database = db()
    incidents = incident_store.list_incidents(database)
    drafts = draft_store.list_drafts(database)
    types = inbox.incident_types(incidents)
    filters = inbox.Filters.from_args(request.args, types)
    since = _remember(reviewer_store.visit, database, reviewer(), _now())
    rows = inbox.inbox_rows(incidents, drafts, incident_store.inbox_details(database),
                            reviewer_store.reads(database, reviewer()), since, type_labels())
    counts = inbox.status_counts(rows)
    matching = inbox.apply_filters(rows, filters)
    shown, page, pages = inbox.paginate(matching, request.args.get("page"))
    results = _search(database, filters.query, drafts) if filters.query else None
    unread = sum(1 for r in rows if r["unread"])
    arrived = sum(1 for r in rows if r["since_visit"])
    return render_template("inbox.html", rows=shown, counts=counts, types=types,
                           filters=filters, statuses=inbox.STATUS_FILTERS, results=results,
                           total=len(rows), matching=len(matching), page=page, pages=pages,
                           unread=unread, since=since, arrived=arrived)


def _remember(record, *args):
    """Note what a reviewer saw; a database that refuses the write (read-only, busy for
    longer than the timeout) must not cost them the page, only the New markers' update."""
    try:
        return record(*args)
    except sqlite3.Error as exc:
        current_app.logger.warning("could not record what %s has seen: %s", reviewer(), exc)
        return None


@bp.post("/read-all")
def read_all():
    """Mark every incident as read for this reviewer (the "new" markers go away)."""
    database = db()
    versions = {i["id"]: i.get("version") or 1 for i in incident_store.list_incidents(database)}
    reviewer_store.mark_all_read(database, reviewer(), versions, _now())
    flash(("read-all", len(versions)), "ok")
    return redirect(url_for("web.index", **{k: v for k, v in request.args.items()
                                            if k in ("status", "type")}), code=303)


def _search(database, query: str, drafts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """FTS matches, each linked to the draft of its incident where there is one."""
    draft_of = {d["incident_id"]: d for d in drafts}
    results = []
    for row in article_store.search(database, query, limit=50):
        results.append({**row, "draft": draft_of.get(row.get("incident_id"))})
    return results


# --- one draft -------------------------------------------------------------------------------


def _load(draft_id: int) -> dict[str, Any]:
    try:
        return review.get_draft(db(), draft_id)
    except review.DraftNotFound:
        abort(404)


def _draft_page(draft_id: int, *, edit_text: str | None = None, edit_base: int | None = None,
                conflict: str | None = None, status: int = 200):
    database = db()
    draft = _load(draft_id)
    incident = incident_store.get_incident(database, draft["incident_id"])
    if incident and reviewer():
        _remember(reviewer_store.mark_read, database, reviewer(), incident["id"],
                  incident.get("version") or 1, _now())
    front, body = split_front_matter(draft["text"])
    used = sentences_by_footnote(draft["text"])
    articles = {a["id"]: a for a in draft["articles"]}
    listed = draft.get("sources") or [
        # a draft written before sources were recorded on it: number the incident's articles
        {"number": n, "article_id": a["id"], "url": a.get("url"), "published": a.get("published"),
         "retrieved": a.get("first_seen"), "language": a.get("language")}
        for n, a in enumerate(_incident_articles(database, draft), start=1)]
    role_of = incident_store.roles(database, draft["incident_id"])  # follow-ups: new developments
    sources = []
    for source in listed:
        if source.get("article_id") not in articles:
            found = article_store.get_article(database, source.get("article_id") or 0)
            if found:
                articles[found["id"]] = found
        article = articles.get(source.get("article_id")) or {}
        label = str(source.get("number"))
        sources.append({
            **source,
            "title": article.get("title") or source.get("title") or source.get("url"),
            "outlet": source.get("outlet") or article.get("outlet") or article.get("source_id"),
            "sentences_used": [
                {**row, "original": redact_identifiers(row["original"] or "") or None}
                for row in classify_used(used.get(label, []),
                                         generated=source.get("sentences") or [],
                                         article_text=article.get("text") or "")],
            "sentences_generated": source.get("sentences") or [],
            "facts": _facts(article.get("facts") or {}),
            "fact_groups": facts_by_sentence(_facts(article.get("facts") or {})),
            "article": article,
            "follow_up": role_of.get(source.get("article_id")) == "follow_up",
        })
    versions = review.history(database, draft_id)
    events = review.events(database, draft_id)
    conflict_diff = None
    if conflict and edit_text is not None:
        conflict_diff = "".join(difflib.unified_diff(
            draft["text"].splitlines(keepends=True),
            edit_text.replace("\r\n", "\n").splitlines(keepends=True),
            fromfile=f"version {draft['version']} (saved)", tofile="your text (not saved)"))
    return render_template(
        "draft.html",
        draft=draft,
        incident=incident,
        front=front_matter_fields(front),
        body_html=render_markdown(body),
        sources=sources,
        versions=list(reversed(versions)),
        events=list(reversed(events)),
        edit_text=draft["text"] if edit_text is None else edit_text,
        edit_base=draft["version"] if edit_base is None else edit_base,
        conflict=conflict,
        conflict_diff=conflict_diff,
        update_diff=review.update_diff(database, draft_id) if draft.get("update_text") else "",
        reasons=_reasons(database, incident),
        publish_targets=_publish_targets(),
    ), status


def _reasons(database, incident: dict[str, Any] | None) -> list[str]:
    """Why flagged, in the inbox's words (from the primary article's evidence)."""
    if not incident:
        return []
    primary = article_store.get_article(database, incident.get("primary_article_id") or 0)
    return readable_reasons((primary or {}).get("matches") or [],
                            incident.get("incident_type"), type_labels(),
                            fallback=incident.get("why") or "")


def _incident_articles(database, draft: dict[str, Any]) -> list[dict[str, Any]]:
    return article_store.articles_of_incident(database, draft["incident_id"])


# Identifiers the privacy guard knows, masked in scraped sentences shown to reviewers. Names are
# left alone here: the reviewer needs them to judge the story (and can open the source anyway).
_IDENTIFIERS = (
    (privacy.A_NUMBER, "[A-number]"),
    (privacy.BIRTHDATE, "[birthdate]"),
    (privacy.EMAIL, "[e-mail]"),
    (privacy.PHONE, "[phone]"),
)


def redact_identifiers(text: str) -> str:
    for pattern, marker in _IDENTIFIERS:
        text = pattern.sub(marker, text)
    return text


def _fact_value(kind: str, fact: dict[str, Any]) -> str:
    """What the fact says, as written in the source, with a resolved date beside it."""
    value = fact.get("value")
    text = fact.get("text")
    if not text:
        text = f"{value} {fact['noun']}" if fact.get("noun") else ("" if value is None else value)
    elif kind == "dates" and value not in (None, "") and str(value) not in str(text):
        text = f"{text} ({value})"
    return redact_identifiers(str(text))


def _facts(facts: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Facts as (kind, value, sentence) rows for the sources panel, kinds in a fixed order.

    The sentences come straight from the scraped article, so identifiers the privacy guard
    knows (A-numbers, birthdates, personal e-mail addresses and phone numbers) are masked:
    they never reach the page, or a screenshot of it.
    """
    rows = []
    for kind in sorted(facts):
        for fact in facts[kind] or []:
            rows.append({"kind": kind, "value": _fact_value(kind, fact),
                         "sentence": redact_identifiers(fact.get("sentence") or "")})
    return rows


def facts_by_sentence(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Facts grouped under the sentence they came from, sentences in first-seen order.

    A sentence carrying five facts was shown five times; now once, with its facts beside it.
    Facts without a sentence (from the headline, say) share one group with an empty sentence.
    """
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(row["sentence"], {"sentence": row["sentence"], "facts": []})
        fact = {"kind": row["kind"], "value": row["value"]}
        if fact not in group["facts"]:
            group["facts"].append(fact)
    return list(groups.values())


@bp.get("/drafts/<int:draft_id>")
def draft_page(draft_id: int):
    return _draft_page(draft_id)


def _note() -> str | None:
    note = (request.form.get("note") or "").strip()[:MAX_NOTE]
    return note or None


def _version() -> int | None:
    try:
        return int(request.form.get("version") or "")
    except ValueError:
        return None


@bp.post("/drafts/<int:draft_id>/save")
def save(draft_id: int):
    text = request.form.get("markdown")
    base = _version()
    if text is None or base is None:
        abort(400)
    try:
        version = review.save_edit(db(), app_state().config, draft_id, text, base_version=base,
                                   actor=reviewer(), note=_note(), now=_now())
    except review.DraftNotFound:
        abort(404)
    except review.ConcurrentEditError as exc:
        current = _load(draft_id)
        return _draft_page(draft_id, edit_text=text, edit_base=current["version"],
                           conflict=str(exc), status=409)
    except review.ReviewError as exc:
        return _draft_page(draft_id, edit_text=text, edit_base=base, conflict=str(exc),
                           status=400)
    flash(("saved", version), "ok")
    return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)


def _decide(draft_id: int, action: str):
    kwargs: dict[str, Any] = {"reviewer": reviewer(), "note": _note(), "now": _now()}
    if action in ("approve", "reject"):
        kwargs["version"] = _version()
    try:
        getattr(review, action)(db(), draft_id, **kwargs)
    except review.DraftNotFound:
        abort(404)
    except review.ReviewError as exc:
        flash(("refused", str(exc)), "error")
        return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)
    flash((action, None), "ok")
    return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)


@bp.post("/drafts/<int:draft_id>/approve")
def approve(draft_id: int):
    return _decide(draft_id, "approve")


@bp.post("/drafts/<int:draft_id>/reject")
def reject(draft_id: int):
    return _decide(draft_id, "reject")


@bp.post("/drafts/<int:draft_id>/reopen")
def reopen(draft_id: int):
    return _decide(draft_id, "reopen")


@bp.post("/drafts/<int:draft_id>/update/adopt")
def adopt_update(draft_id: int):
    base = _version()
    if base is None:
        abort(400)
    try:
        review.adopt_update(db(), app_state().config, draft_id, base_version=base,
                            actor=reviewer(), note=_note(), now=_now())
    except review.DraftNotFound:
        abort(404)
    except review.ReviewError as exc:
        flash(("refused", str(exc)), "error")
        return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)
    flash(("adopted", None), "ok")
    return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)


@bp.post("/drafts/<int:draft_id>/update/dismiss")
def dismiss_update(draft_id: int):
    try:
        review.dismiss_update(db(), draft_id, actor=reviewer(), note=_note(), now=_now())
    except review.DraftNotFound:
        abort(404)
    except review.ReviewError as exc:
        flash(("refused", str(exc)), "error")
        return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)
    flash(("dismissed", None), "ok")
    return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)


@bp.post("/preview")
def preview():
    """Unsaved Markdown rendered exactly as the draft page renders it (sanitised HTML)."""
    text = request.form.get("markdown")
    if text is None:
        abort(400)
    _, body = split_front_matter(text.replace("\r\n", "\n"))
    return Response(str(render_markdown(body)), mimetype="text/html")


@bp.get("/drafts/<int:draft_id>/versions/<int:number>")
def version_page(draft_id: int, number: int):
    draft = _load(draft_id)
    entries = {v["version"]: v for v in review.history(db(), draft_id)}
    if number not in entries:
        abort(404)
    diff = review.diff(db(), draft_id, number - 1, number) if number - 1 in entries else ""
    return render_template("version.html", draft=draft, entry=entries[number], diff=diff)


@bp.get("/drafts/<int:draft_id>/download")
def download(draft_id: int):
    """The draft's Markdown as a file, e.g. to paste into the blog's editor."""
    draft = _load(draft_id)
    name = f"draft-{draft_id}-v{draft['version']}.md"
    return Response(draft["text"], mimetype="text/markdown",  # Flask adds "; charset=utf-8"
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/export/approved.zip")
def export_approved():
    """Every approved draft, in the exact text that was approved, as one zip of Markdown files."""
    database = db()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for draft in draft_store.list_drafts(database, status="approved"):
            number = draft.get("approved_version") or draft["version"]
            entry = draft_store.get_version(database, draft["id"], number)
            if entry is None:
                continue
            archive.writestr(Path(draft["path"]).name,
                             draft_meta.with_status(entry["text"], "approved"))
    stamp = _now().strftime("%Y%m%d-%H%M")
    return Response(buffer.getvalue(), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="approved-drafts-{stamp}.zip"'})


def _publish_module():
    if importlib.util.find_spec("monitor.publish") is None:
        return None
    import monitor.publish as publish

    return publish


def _publish_targets() -> tuple[list[str], str | None]:
    """(configured targets, the reason there are none) for the publish button."""
    publish = _publish_module()
    if publish is None:
        return [], None
    config = app_state().config
    try:
        targets = publish.PublishSettings.from_config(config).targets
    except ConfigError as exc:
        return [], str(exc)
    if not targets:
        return [], f"not-configured:{config.path}"
    return targets, None


@bp.post("/drafts/<int:draft_id>/publish")
def publish_draft(draft_id: int):
    """Export one approved draft to the configured targets (`monitor publish --draft ID`)."""
    publish = _publish_module()
    _load(draft_id)
    if publish is None:
        abort(404)
    try:
        report = publish.publish(db(), app_state().config, draft_ids=[draft_id], now=_now())
    except ConfigError as exc:
        flash(("refused", str(exc)), "error")
        return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)
    lines = [*report.exported, *report.posted, *report.skipped]
    if report.errors:
        flash(("publish-failed", "; ".join(report.errors)), "error")
    elif lines:
        flash(("published", "; ".join(lines)), "ok")
    else:
        flash(("refused", "only an approved draft can be published"), "error")
    return redirect(url_for("web.draft_page", draft_id=draft_id), code=303)


# --- incidents without a draft, sources, status ----------------------------------------------


@bp.get("/incidents/<int:incident_id>")
def incident_page(incident_id: int):
    database = db()
    incident = incident_store.get_incident(database, incident_id)
    if incident is None:
        abort(404)
    draft = draft_store.draft_for_incident(database, incident_id)
    if draft:
        return redirect(url_for("web.draft_page", draft_id=draft["id"]))
    if reviewer():
        _remember(reviewer_store.mark_read, database, reviewer(), incident_id,
                  incident.get("version") or 1, _now())
    articles = article_store.articles_of_incident(database, incident_id)
    role_of = incident_store.roles(database, incident_id)
    for article in articles:
        article["fact_rows"] = _facts(article.get("facts") or {})
        article["follow_up"] = role_of.get(article["id"]) == "follow_up"
    return render_template("incident.html", incident=incident, articles=articles)


@bp.get("/sources")
def sources_page():
    config = app_state().config
    database = db()
    try:
        defined, problems = load_sources(config.sources_path)
    except Exception as exc:  # noqa: BLE001 - show the reason, the page still works
        defined, problems = [], [str(exc)]
    crawls = {c["source_id"]: {**c, "errors": _json_list(c.get("errors"))}
              for c in source_store.latest_crawls(database)}
    assessed = _health(database, defined)
    rows = []
    for source in defined:
        rows.append({"source": source, "crawl": crawls.pop(source.id, None),
                     "health": assessed.get(source.id)})
    rows.sort(key=lambda r: (not r["source"].enabled,
                             health.rank((r["health"] or {}).get("state", "")), r["source"].id))
    orphans = list(crawls.values())
    return render_template("sources.html", rows=rows, orphans=orphans,
                           problems=[str(p) for p in problems], alarms=health.ALARMS)


def _json_list(value: Any) -> list[Any]:
    try:
        found = loads(value, []) if isinstance(value, str) else (value or [])
    except ValueError:
        return [value]
    return found if isinstance(found, list) else [found]


def _health(database, sources: list[Any]) -> dict[str, dict[str, Any]]:
    """Each source's health exactly as `monitor sources` assesses it (read-only, on each view)."""
    now = _now()
    limits = health.Thresholds.from_config(app_state().config)
    found = {}
    for source in sources:
        assessed = health.of_source(database, source.id, source.options, limits, now)
        found[source.id] = {"state": assessed.state, "reasons": list(assessed.reasons),
                            "last_success": assessed.last_success,
                            "last_new_item": assessed.last_new_item,
                            "consecutive_failures": assessed.consecutive_failures}
    return found


@bp.get("/status")
def status_page():
    """`monitor status` as a page: warnings first, then the last pass, sources and digests."""
    database = db()
    counts = {status: draft_store.count(database, status) for status in draft_store.STATES}
    now = _now()
    facts, problem = _ops_facts(database, now)
    sources = []
    for row in (facts or {}).get("sources", []):
        due, overdue = status_view.due_text(row.get("next_due"), now)
        sources.append({**row, "due": due, "overdue": overdue,
                        "last_ago": status_view.relative(row.get("last_crawl"), now),
                        "last_clock": status_view.clock(row.get("last_crawl"))})
    sources.sort(key=lambda r: (not r["enabled"], health.rank(r.get("health", "")),
                                not r["overdue"], r["id"]))
    return render_template(
        "status.html",
        facts=facts,
        problem=problem,
        sources=sources,
        latest=run_store.last_run(database),
        articles=article_store.count(database),
        incidents=incident_store.count(database),
        drafts=counts,
        config=app_state().config,
        now=now,
        alarms=health.ALARMS,
        relative=lambda stamp: status_view.relative(stamp, now),
        clock=status_view.clock,
        span=lambda seconds: status_view.span(timedelta(seconds=seconds or 0)),
    )


def _ops_facts(database, now: datetime) -> tuple[dict[str, Any] | None, str | None]:
    """The facts `monitor status` reports (monitor.status.gather), or why they are missing."""
    if importlib.util.find_spec("monitor.status") is None:
        return None, "the status module is not installed"
    from monitor import status as ops_status

    config = app_state().config
    try:
        sources, _problems = load_sources(config.sources_path)
        return ops_status.gather(database, config, sources, now), None
    except Exception as exc:  # noqa: BLE001 - the rest of the page still shows
        return None, f"status summary unavailable: {exc}"
