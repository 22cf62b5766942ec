"""The review workflow: what an attorney does with a draft (read, edit, approve, reject).

This is the API the CLI (`monitor drafts …`) and the review page share; both are thin shells
over these functions, so the rules live in one place:

- States: ``pending`` → ``approved`` | ``rejected``; ``reopen`` takes a decided draft back to
  ``pending``. Every change is recorded in ``draft_events`` (who, when, note).
- Every text a draft has had is a numbered version in ``draft_versions``. A save names the
  version it was based on; saving over a newer version is refused (``ConcurrentEditError``)
  and nothing is lost. A file edited by hand in ``drafts/`` is picked up as a new version the
  next time the draft is read.
- Approval is of one version: a new version (edit or regeneration) withdraws the approval, so
  only text an attorney approved is ever published.

Functions take the database (and the config when they touch files) and an optional ``now``;
they raise ``ReviewError`` subclasses whose message is one line fit for a person.
"""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor import draft_meta
from monitor.config import Config
from monitor.draft_files import (
    EDIT_FLAG,
    ReviewError,
    draft_row,
    file_hash,
    read_file,
    record_version,
    sync_file,
    write_atomic,
)

# Reading a draft's file raises these; the CLI and the review page catch them from here.
from monitor.draft_files import DraftNotFound as DraftNotFound
from monitor.storage import articles as article_store
from monitor.storage import drafts as draft_store

STATES = draft_store.STATES  # ("pending", "approved", "rejected")


class ConcurrentEditError(ReviewError):
    """The draft changed since the caller read it (a newer version exists)."""


class InvalidTransition(ReviewError):
    """The draft is not in a state that allows this action."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def write_status(db: sqlite_utils.Database, draft_id: int) -> None:
    """Write the draft's review state into its file's `status:` line.

    Not a new version: the status line is left out of the edit hash. A file with an edit
    not yet recorded is left alone (the next read records it as the edit it is).
    """
    row = draft_row(db, draft_id)
    path = Path(row["path"])
    text = read_file(path)
    latest = draft_store.latest_version(db, draft_id)
    if text is None or latest is None or file_hash(text) != latest["hash"]:
        return
    updated = draft_meta.with_status(text, row["status"])
    if updated != text:
        write_atomic(path, updated)


def list_drafts(db: sqlite_utils.Database, status: str | None = None,
                incident_type: str | None = None) -> list[dict[str, Any]]:
    """Draft rows (no text), pending first then newest, optionally filtered.

    Each row has: id, incident_id, title, incident_type, status, version, path, flags,
    privacy, sources, reviewer, reviewed_at, note, approved_version, published_at,
    created_at, updated_at.
    """
    if status is not None and status not in STATES:
        raise ReviewError(f"unknown status {status!r}; use one of {', '.join(STATES)}")
    rows = draft_store.list_drafts(db, status=status)
    if incident_type:
        rows = [r for r in rows if r.get("incident_type") == incident_type]
    order = {state: n for n, state in enumerate(STATES)}
    rows.sort(key=lambda r: r["updated_at"] or "", reverse=True)
    rows.sort(key=lambda r: order.get(r["status"], 9))
    return rows


def get_draft(db: sqlite_utils.Database, draft_id: int, *,
              now: datetime | None = None) -> dict[str, Any]:
    """One draft with everything a reviewer needs.

    The draft row (see `list_drafts`) plus:
    ``text`` (the current Markdown, from the file; the latest version if the file is gone),
    ``file_missing`` (bool), ``update_text`` (the regenerated draft waiting beside an edited
    one, or None), ``articles`` (the stored source articles, with ``facts``, in footnote
    order: each ``sources`` entry's ``article_id`` points into it).
    """
    row = sync_file(db, draft_id, now=now)
    text = read_file(Path(row["path"]))
    draft = dict(row)
    draft["file_missing"] = text is None
    if text is None:
        latest = draft_store.latest_version(db, draft_id)
        text = latest["text"] if latest else ""
    draft["text"] = text
    update_path = row.get("update_path")
    draft["update_text"] = read_file(Path(update_path)) if update_path else None
    articles = []
    for source in row.get("sources") or []:
        article = article_store.get_article(db, source.get("article_id"))
        if article:
            articles.append(article)
    draft["articles"] = articles
    return draft


def save_edit(db: sqlite_utils.Database, config: Config, draft_id: int, new_text: str, *,
              base_version: int, actor: str, note: str | None = None,
              now: datetime | None = None) -> int:
    """Save an attorney's edit as a new version; returns the (possibly unchanged) version.

    `base_version` is the version the editor started from. If the draft has a newer version
    (another reviewer saved, the file was edited by hand, or the draft was regenerated), the
    save is refused with `ConcurrentEditError` and nothing is written: the caller keeps the
    text and can show the newer version. The file is written atomically; the previous text
    stays in the history. Saving identical text records nothing.
    """
    if not actor:
        raise ReviewError("an edit needs the name of who made it")
    now = _now(now)
    row = sync_file(db, draft_id, now=now)
    if base_version != row["version"]:
        raise ConcurrentEditError(
            f"draft {draft_id} was changed since you opened it (you edited version "
            f"{base_version}, the current version is {row['version']}); your text was not "
            "saved over it — reload, then apply your changes again")
    new_text = new_text.replace("\r\n", "\n")
    latest = draft_store.latest_version(db, draft_id)
    if latest and latest["hash"] == file_hash(new_text):
        return row["version"]  # unchanged, or only its status line differs
    # the headline the attorney edited is the title the draft publishes and is listed under
    new_text = draft_meta.reconcile_title(latest["text"] if latest else None, new_text)
    # an edit withdraws an approval, so the saved text says where the draft now stands
    new_text = draft_meta.with_status(
        new_text, "pending" if row["status"] == "approved" else row["status"])
    path = Path(row["path"])
    _check_inside(path, config)
    with db.atomic():
        version = record_version(db, row, new_text, kind="edited", actor=actor, note=note,
                                 now=now)
        if version is None:
            raise ConcurrentEditError(
                f"draft {draft_id} was changed while you saved; your text was not saved over "
                "it — reload, then apply your changes again")
        write_atomic(path, new_text)
    return version


def _check_inside(path: Path, config: Config) -> None:
    """Refuse to write outside the drafts folder, whatever the database says."""
    try:
        path.resolve().relative_to(config.drafts_dir.resolve())
    except ValueError:
        raise ReviewError(f"draft file {path} is outside the drafts folder "
                          f"{config.drafts_dir}") from None


def approve(db: sqlite_utils.Database, draft_id: int, *, reviewer: str, note: str | None = None,
            version: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Approve a pending draft (the version the reviewer read, if given); returns the row.

    Refused if the draft is not pending, or if `version` is given and a newer one exists.
    """
    return _decide(db, draft_id, "approved", reviewer=reviewer, note=note, version=version,
                   now=now)


def reject(db: sqlite_utils.Database, draft_id: int, *, reviewer: str, note: str | None = None,
           version: int | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Reject a pending draft, or withdraw an approval; returns the row."""
    return _decide(db, draft_id, "rejected", reviewer=reviewer, note=note, version=version,
                   now=now)


def reopen(db: sqlite_utils.Database, draft_id: int, *, reviewer: str, note: str | None = None,
           now: datetime | None = None) -> dict[str, Any]:
    """Take an approved or rejected draft back to pending review; returns the row."""
    return _decide(db, draft_id, "pending", reviewer=reviewer, note=note, version=None, now=now)


_ALLOWED_FROM = {
    "approved": ("pending",),
    "rejected": ("pending", "approved"),
    "pending": ("approved", "rejected"),
}
_ACTIONS = {"approved": "approved", "rejected": "rejected", "pending": "reopened"}


def _decide(db: sqlite_utils.Database, draft_id: int, to: str, *, reviewer: str,
            note: str | None, version: int | None, now: datetime | None) -> dict[str, Any]:
    if not reviewer or not reviewer.strip():
        raise ReviewError("a review decision needs the reviewer's name")
    now = _now(now)
    row = sync_file(db, draft_id, now=now)
    if version is not None and version != row["version"]:
        raise ConcurrentEditError(
            f"draft {draft_id} was changed since you read it (you read version {version}, "
            f"the current version is {row['version']}); read it again before deciding")
    allowed = _ALLOWED_FROM[to]
    if row["status"] not in allowed:
        raise InvalidTransition(_transition_message(draft_id, row["status"], to))
    changes: dict[str, Any] = {"reviewer": reviewer.strip(), "note": note,
                               "reviewed_at": now.astimezone(UTC).isoformat(timespec="seconds")}
    if to == "approved":
        changes["approved_version"] = row["version"]
    elif to == "pending" or row["status"] == "approved":
        changes["approved_version"] = None
    ok = draft_store.transition(db, draft_id, allowed_from=allowed, to=to, changes=changes,
                                action=_ACTIONS[to], actor=reviewer.strip(), note=note,
                                expected_version=row["version"], now=now)
    if not ok:
        current = draft_row(db, draft_id)
        if current["version"] != row["version"]:
            raise ConcurrentEditError(f"draft {draft_id} changed while you decided; read it "
                                      "again before deciding")
        raise InvalidTransition(_transition_message(draft_id, current["status"], to))
    try:
        write_status(db, draft_id)
    except OSError:
        pass  # the decision is recorded; the file says so after the next decision or edit
    return draft_row(db, draft_id)


def _transition_message(draft_id: int, status: str, to: str) -> str:
    if status == to:
        return f"draft {draft_id} is already {status}"
    if to == "approved":
        return f"draft {draft_id} is {status}; reopen it before approving"
    return f"draft {draft_id} is {status}; it cannot become {to}"


def history(db: sqlite_utils.Database, draft_id: int) -> list[dict[str, Any]]:
    """Every version of the draft, oldest first.

    Each entry: version, kind (generated | regenerated | edited | imported | adopted-update),
    actor, note, created_at, hash, text.
    """
    draft_row(db, draft_id)
    return [{k: v for k, v in entry.items() if k not in ("id", "draft_id")}
            for entry in draft_store.versions(db, draft_id)]


def events(db: sqlite_utils.Database, draft_id: int) -> list[dict[str, Any]]:
    """The audit trail, oldest first: at, action, actor, note, detail."""
    draft_row(db, draft_id)
    return [{k: v for k, v in e.items() if k != "draft_id"}
            for e in draft_store.events(db, draft_id)]


def diff(db: sqlite_utils.Database, draft_id: int, from_version: int | None = None,
         to_version: int | None = None, *, context: int = 3) -> str:
    """A unified diff between two versions (default: the previous and the current one).

    To compare an edited draft with the regenerated text waiting beside it, use
    `update_diff`. Returns "" when the texts are equal or there is no earlier version.
    """
    row = draft_row(db, draft_id)
    to_version = row["version"] if to_version is None else to_version
    from_version = to_version - 1 if from_version is None else from_version
    if from_version < 1:
        return ""
    old = draft_store.get_version(db, draft_id, from_version)
    new = draft_store.get_version(db, draft_id, to_version)
    for number, entry in ((from_version, old), (to_version, new)):
        if entry is None:
            raise ReviewError(f"draft {draft_id} has no version {number}")
    return _unified(old["text"], new["text"], f"version {from_version}",
                    f"version {to_version}", context)


def update_diff(db: sqlite_utils.Database, draft_id: int, *, context: int = 3) -> str:
    """What the regeneration with new sources would change in an edited draft ("" if none)."""
    row = sync_file(db, draft_id)
    update_path = row.get("update_path")
    update = read_file(Path(update_path)) if update_path else None
    if update is None:
        return ""
    current = read_file(Path(row["path"])) or ""
    return _unified(current, update, f"version {row['version']} (yours)",
                    "regenerated with new sources", context)


def _unified(old: str, new: str, old_name: str, new_name: str, context: int) -> str:
    return "".join(difflib.unified_diff(old.splitlines(keepends=True),
                                        new.splitlines(keepends=True),
                                        fromfile=old_name, tofile=new_name, n=context))


def dismiss_update(db: sqlite_utils.Database, draft_id: int, *, actor: str,
                   note: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Keep the edited draft as it is: clear the flag and remove the side update file."""
    row = draft_row(db, draft_id)
    if EDIT_FLAG not in row["flags"] and not row.get("update_path"):
        raise ReviewError(f"draft {draft_id} has no pending update")
    if row.get("update_path"):
        Path(row["update_path"]).unlink(missing_ok=True)
    draft_store.update_draft(
        db, draft_id, {"flags": [f for f in row["flags"] if f != EDIT_FLAG],
                       "update_path": None, "update_hash": None},
        action="update-dismissed", actor=actor, note=note, now=_now(now))
    return draft_row(db, draft_id)


def adopt_update(db: sqlite_utils.Database, config: Config, draft_id: int, *,
                 base_version: int, actor: str, note: str | None = None,
                 now: datetime | None = None) -> int:
    """Replace the edited draft by the regenerated text waiting beside it, as a new version.

    The edited text stays in the history. Afterwards the draft counts as unedited again, so
    later source changes regenerate it in place. Refused like `save_edit` when stale.
    """
    now = _now(now)
    row = sync_file(db, draft_id, now=now)
    update_path = row.get("update_path")
    update = read_file(Path(update_path)) if update_path else None
    if update is None:
        raise ReviewError(f"draft {draft_id} has no update file to adopt")
    version = save_edit(db, config, draft_id, update, base_version=base_version, actor=actor,
                        note=note or "adopted the regenerated draft", now=now)
    Path(update_path).unlink(missing_ok=True)
    draft_store.update_draft(
        db, draft_id, {"flags": [f for f in row["flags"] if f != EDIT_FLAG],
                       "update_path": None, "update_hash": None,
                       "generated_hash": file_hash(update)},
        action="update-adopted", actor=actor, note=note, now=now)
    return version
