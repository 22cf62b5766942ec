"""A draft's headline and review state, kept in step between its body and its front matter.

Pure text functions. The attorney edits the `# Headline` of the body (the front matter is
easy to miss), so the edited H1 must become the `title:` the blog publishes and the title the
review page lists. And the `status:` line of a draft file says where it stands in review
("pending-review", "approved", "rejected"): that line is bookkeeping, not an edit, so hashes
that decide "did someone edit this file?" ignore its value.
"""

from __future__ import annotations

import hashlib
import json
import re

from monitor.templating import md_escape, strip_html

FRONT = re.compile(r"\A---\n(.*?\n)---\n", re.S)
H1 = re.compile(r"^# +(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)  # CommonMark: closing #s after a space
MD_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
LINK_SYNTAX = re.compile(r"\]\s*([(\[:])")
TAG_LIKE = re.compile(r"<(?=[A-Za-z/!?])")
STATUS_LINE = re.compile(r"^status:[^\n]*$", re.M)
MAX_TITLE = 300

# Review state -> the front matter's status value (the published copy says "published").
STATUS_LABELS = {"pending": "pending-review", "approved": "approved", "rejected": "rejected"}
CANONICAL_STATUS = 'status: "pending-review"'


def split(text: str) -> tuple[str | None, str]:
    """(front matter without fences or None, body)."""
    match = FRONT.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end():]


def _clean_title(text: str) -> str:
    """One inert line: no tags, no link syntax, no line breaks (themes run titles through
    Markdown). The same rule as `drafting.clean_text`, which imports this module."""
    text = " ".join(strip_html(text).split())[:MAX_TITLE]
    return TAG_LIKE.sub("‹", LINK_SYNTAX.sub(r"] \1", text))


def headline(text: str) -> str | None:
    """The body's first `# ` heading as plain text (Markdown escapes removed)."""
    _, body = split(text)
    match = H1.search(body)
    if not match:
        return None
    return _clean_title(MD_UNESCAPE.sub(r"\1", match.group(1))) or None


def front_value(text: str, key: str) -> str | None:
    """A top-level scalar of the front matter (JSON-style, as drafts write them)."""
    front, _ = split(text)
    if front is None:
        return None
    match = re.search(rf"^{re.escape(key)}:[ \t]*(.*)$", front, re.M)
    if not match:
        return None
    raw = match.group(1).strip()
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return raw.strip("'\"")
    return None if value is None else str(value)


def set_front_value(text: str, key: str, value: str) -> str:
    """The text with a top-level front-matter scalar set (added after `title` if missing).

    A text without front matter is returned unchanged: there is nowhere to put it.
    """
    front, body = split(text)
    if front is None:
        return text
    line = f"{key}: {json.dumps(value, ensure_ascii=False)}"
    pattern = re.compile(rf"^{re.escape(key)}:[^\n]*$", re.M)
    if pattern.search(front):
        front = pattern.sub(lambda _m: line, front, count=1)
    else:
        front = front + line + "\n"
    return f"---\n{front}---\n{body}"


def _set_headline(text: str, title: str) -> str:
    front, body = split(text)
    body = H1.sub(lambda _m: f"# {md_escape(title)}", body, count=1)
    return body if front is None else f"---\n{front}---\n{body}"


def reconcile_title(previous: str | None, text: str) -> str:
    """The saved text with its title and H1 agreeing, whichever one the attorney changed.

    The H1 wins when it changed (or when both changed); a changed front-matter `title:` with
    an untouched H1 is carried into the H1. Text without front matter or H1 is left as typed.
    """
    front, _ = split(text)
    new_h1, new_title = headline(text), front_value(text, "title")
    if front is None or not new_h1 or new_h1 == new_title:
        return text
    old_h1 = headline(previous) if previous else None
    old_title = front_value(previous, "title") if previous else None
    if new_h1 == old_h1 and new_title and new_title != old_title:
        cleaned = _clean_title(new_title)
        return _set_headline(set_front_value(text, "title", cleaned), cleaned)
    return set_front_value(text, "title", new_h1)


def title_of(text: str) -> str | None:
    """The title a draft publishes under: its front-matter title, else its H1."""
    return front_value(text, "title") or headline(text)


def with_status(text: str, status: str) -> str:
    """The draft text with `status:` saying its review state (only where the line exists)."""
    front, body = split(text)
    label = STATUS_LABELS.get(status, status)
    if front is None or not STATUS_LINE.search(front):
        return text
    front = STATUS_LINE.sub(lambda _m: f"status: {json.dumps(label)}", front, count=1)
    return f"---\n{front}---\n{body}"


def content_hash(text: str) -> str:
    """sha256 of the text with the status line's value made canonical.

    Writing "approved" into the file is not an edit; hashes of files that still say
    "pending-review" are what they always were, so stored hashes stay valid.
    """
    front, body = split(text)
    if front is not None and STATUS_LINE.search(front):
        text = "---\n" + STATUS_LINE.sub(CANONICAL_STATUS, front, count=1) + "---\n" + body
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
