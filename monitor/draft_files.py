"""A draft on disk and its versions: the file in `drafts/`, its side files, and its history.

One module beneath both the drafting stage (which writes and regenerates files) and the review
workflow (which reads, edits and decides), so the rules for "did someone edit this file?",
"may this file be overwritten?" and "record this text as a version" live in one place:

- A file is written atomically (temporary file, fsync, rename): a crash leaves the old text or
  the new one, never half of each.
- An edit is told from the generated text by `file_hash`, which ignores the `status:` line.
- An attorney-edited draft is never overwritten: the regenerated text goes to the side file
  `NAME.update.md`, and the draft carries `EDIT_FLAG`.
- A file at a draft's name that the database did not write is kept; the draft goes beside it
  (`NAME.2.md`) and its flags name the kept file.
- A hand edit of a file is recorded as a version the next time the draft is read
  (`sync_file`); a new version withdraws an approval of the older text (`record_version`).
"""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor import draft_meta
from monitor.storage import drafts as draft_store

EDIT_FLAG = "sources changed since your edit"
# A file already at the draft's name that the database does not know (a lost or restored
# database): it is kept, the draft is written beside it, and this flag names the kept file.
KEPT_FLAG_PREFIX = "kept a file the monitor did not write: "
FILE_ACTOR = "file"  # the actor recorded for edits made directly to the file on disk
UPDATE_SUFFIX = ".update.md"
STAMP_LINES = re.compile(r"^(?:generated_at|\s+retrieved): .*$", re.M)


class ReviewError(Exception):
    """A review action that cannot be done; the message says why in one line.

    Defined here because reading the draft's file is the first step of every review action;
    `monitor.review` raises it and its subclasses.
    """


class DraftNotFound(ReviewError):
    """No draft with that id."""


def file_hash(text: str) -> str:
    """The hash that tells an edit from the generated text; the review status line's value is
    bookkeeping, not an edit (see `monitor.draft_meta.content_hash`)."""
    return draft_meta.content_hash(text)


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


def read_if_exists(path: Path) -> str | None:
    """The file's text, or None when there is no file (the drafting stage's reads)."""
    return path.read_text(encoding="utf-8") if path.exists() else None


def read_file(path: Path) -> str | None:
    """The file's text, None when it is gone; unreadable is a one-line `ReviewError`."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewError(f"cannot read draft file {path}: {exc}") from None


def same_content(old: str, new: str) -> bool:
    """Equal apart from the generation stamp, so a no-op regeneration is not a new version."""
    def strip(text: str) -> str:
        text = re.sub(r"^generated_at: .*$", "", text, count=1, flags=re.M)
        return re.sub(r"^status: .*$", "", text, count=1, flags=re.M)
    return strip(old) == strip(new)


def same_output(old: str, new: str) -> bool:
    """The same rendering but for when it was generated and when its sources were fetched: a
    file the monitor wrote for this incident before its database was lost, not an edit."""
    return STAMP_LINES.sub("", old) == STAMP_LINES.sub("", new)


def unclaimed_path(path: Path, text: str) -> Path:
    """Where `text` may be written without destroying a file the database did not write.

    `path` itself when it is free or already holds this very text but for its time stamps (a
    pass killed between the rename and its commit; a lost database). Otherwise the first free
    `NAME.N.md` beside it: a file of unknown origin may be an attorney's edit and is never
    overwritten.
    """
    candidate, number = path, 1
    while True:
        on_disk = read_if_exists(candidate)
        if on_disk is None or same_output(on_disk, text):
            return candidate
        number += 1
        candidate = path.with_name(f"{path.stem}.{number}{path.suffix}")


def kept_flag(kept: Path) -> str:
    return f"{KEPT_FLAG_PREFIX}{kept.name} (this draft was written beside it)"


def kept_files(row: dict[str, Any]) -> list[Path]:
    """The foreign files a draft's flags say were kept, that still exist beside it."""
    folder = Path(row["path"]).parent
    names = [flag[len(KEPT_FLAG_PREFIX):].split(" (")[0] for flag in row.get("flags") or []
             if flag.startswith(KEPT_FLAG_PREFIX)]
    return [folder / name for name in names if (folder / name).exists()]


def update_file(row: dict[str, Any], text: str) -> tuple[Path, Path]:
    """(the side file's name, where to write `text`) for an edited draft's regeneration.

    The side file this draft last wrote is refreshed while it is unchanged; otherwise the text
    goes to `NAME.update.md`, or beside it when a file there is not ours (an attorney's copy).
    """
    path = Path(row["path"])
    wanted = path.with_name(path.stem + UPDATE_SUFFIX)
    ours = Path(row["update_path"]) if row.get("update_path") else None
    if ours is not None and ours.exists() and file_hash(
            ours.read_text(encoding="utf-8")) == row.get("update_hash"):
        return wanted, ours
    return wanted, unclaimed_path(wanted, text)


def landed_unrecorded(existing: dict[str, Any], text: str) -> str | None:
    """The file's text when it already holds this new rendering (but for its generation stamp)
    although the database never recorded it; None otherwise."""
    on_disk = read_if_exists(Path(existing["path"]))
    if on_disk is None or file_hash(on_disk) == existing["generated_hash"]:
        return None
    return on_disk if same_content(on_disk, text) else None


def draft_row(db: sqlite_utils.Database, draft_id: int) -> dict[str, Any]:
    """The draft's row; an unknown id is `DraftNotFound`."""
    row = draft_store.get_draft(db, draft_id)
    if row is None:
        raise DraftNotFound(f"no draft with id {draft_id}")
    return row


def sync_file(db: sqlite_utils.Database, draft_id: int, *,
              now: datetime | None = None) -> dict[str, Any]:
    """Record a hand edit of the draft file as a new version; return the current draft row.

    Attorneys may edit `drafts/*.md` in any editor. Reading a draft through this module first
    compares the file with the latest stored version, so such edits enter the history (and
    withdraw an approval of the older text) instead of slipping past the review.
    """
    row = draft_row(db, draft_id)
    text = read_file(Path(row["path"]))
    latest = draft_store.latest_version(db, draft_id)
    if text is None:
        return row
    digest = file_hash(text)
    now = now or datetime.now(UTC)
    if latest is None:
        draft_store.add_version(db, draft_id, expected_version=None, text=text, text_hash=digest,
                                kind="imported", actor=FILE_ACTOR, now=now)
    elif latest["hash"] != digest:
        record_version(db, row, text, kind="edited", actor=FILE_ACTOR,
                       note="edited in the drafts folder", now=now)
    return draft_row(db, draft_id)


def record_version(db: sqlite_utils.Database, row: dict[str, Any], text: str, *, kind: str,
                   actor: str, note: str | None, now: datetime,
                   changes: dict[str, Any] | None = None) -> int | None:
    """Add a version after `row['version']`; an approval of the older text is withdrawn.

    Returns the new version number, or None if the draft moved past `row['version']`.
    Used by `review.save_edit` and by the drafting stage when it regenerates a draft.
    """
    changes = dict(changes or {})
    title = _title_after(db, row["id"], text)
    if title and "title" not in changes:
        changes["title"] = title  # the list and the page show the headline as edited
    withdrawn = row["status"] == "approved"
    if withdrawn:
        changes["status"] = "pending"
    version = draft_store.add_version(
        db, row["id"], expected_version=row["version"], text=text, text_hash=file_hash(text),
        kind=kind, actor=actor, note=note, changes=changes, now=now)
    if version is not None and withdrawn:
        draft_store.log_event(db, row["id"], "approval-withdrawn", actor=actor,
                              note=f"version {version} differs from the approved "
                                   f"version {row['approved_version']}", now=now)
    return version


def _title_after(db: sqlite_utils.Database, draft_id: int, text: str) -> str | None:
    """The title `text` publishes under, its H1 winning over a stale front-matter title."""
    latest = draft_store.latest_version(db, draft_id)
    return draft_meta.title_of(draft_meta.reconcile_title(latest["text"] if latest else None,
                                                          text))
