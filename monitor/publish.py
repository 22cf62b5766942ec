"""Publishing approved drafts: a static-site folder (Hugo/Jekyll) and a WordPress REST target.

Only a draft an attorney approved, at the version they approved, is ever exported. The copy
gets its front matter status set (`draft: false`, `status: "published"`, who approved it and
when) and loses the reviewer-only keys (the privacy guard's notes). WordPress receives a post
with status "draft": the firm's editor gives it the last look in WordPress itself. The
application password comes from the environment variable named in `[publish]`, never from the
file, and is only sent over https (or to a loopback test server).
"""

from __future__ import annotations

import base64
import json
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import nh3
import sqlite_utils
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin

from monitor import draft_files, draft_meta, review
from monitor.config import Config, ConfigError
from monitor.draft_files import write_atomic
from monitor.drafting import slugify
from monitor.publish_settings import (  # noqa: F401
    DEFAULT_TIMEOUT,
    PublishSettings,
)
from monitor.storage import drafts as draft_store
from monitor.textclean import clean_code_points, yaml_scalar

REVIEW_ONLY_KEYS = ("privacy_guard", "generated_at")


class PublishError(Exception):
    """One draft could not be published to one target; the message is one line."""


@dataclass
class PublishReport:
    exported: list[str] = field(default_factory=list)
    posted: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


# --- front matter -------------------------------------------------------------------------


def split_front_matter(text: str) -> tuple[list[str], str]:
    """(front matter lines, body). Raises PublishError when there is no front matter."""
    if not text.startswith("---\n"):
        raise PublishError("the draft has no front matter (it must start with a --- line)")
    end = text.find("\n---\n", 3)
    if end == -1:
        raise PublishError("the draft's front matter is not closed by a --- line")
    return text[4:end].split("\n"), text[end + 5:]


def _blocks(lines: list[str]) -> list[tuple[str | None, list[str]]]:
    """Top-level keys with their lines (nested list items stay with their key)."""
    blocks: list[tuple[str | None, list[str]]] = []
    for line in lines:
        match = re.match(r"^([A-Za-z_][\w-]*):", line)
        if match or not blocks:
            blocks.append((match.group(1) if match else None, [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def front_matter_value(text: str, key: str) -> Any:
    """A top-level scalar of the front matter (JSON-style, as the drafts write them)."""
    lines, _ = split_front_matter(text)
    for name, block in _blocks(lines):
        if name == key:
            raw = block[0].split(":", 1)[1].strip()
            try:
                return json.loads(raw)
            except json.JSONDecodeError:
                return raw.strip("'\"")
    return None


def publishable_text(text: str, *, reviewer: str, approved_at: str, version: int,
                     extra: tuple[tuple[str, Any], ...] = ()) -> str:
    """The draft as the blog gets it: status set, approval recorded, reviewer notes removed.

    `extra` adds or replaces keys the site needs (Jekyll's `layout`, Hugo's `categories` …).
    """
    # No character YAML forbids, wherever it came from (a draft stored before the cleaning,
    # an edit pasted with a control character): the site's YAML reader would refuse the post.
    lines, body = split_front_matter(clean_code_points(text))
    changes = {key: yaml_scalar(value) for key, value in extra}
    changes.update({"draft": "false", "status": yaml_scalar("published"),
                    "approved_by": yaml_scalar(reviewer),
                    "approved_at": yaml_scalar(approved_at), "approved_version": str(version)})
    out: list[str] = []
    for key, block in _blocks(lines):
        if key in REVIEW_ONLY_KEYS:
            continue
        if key in changes:
            out.append(f"{key}: {changes.pop(key)}")
            continue
        out.extend(block)
    out.extend(f"{key}: {value}" for key, value in changes.items())
    return "---\n" + "\n".join(out) + "\n---\n" + body


# --- WordPress ----------------------------------------------------------------------------


def markdown_to_html(body: str) -> str:
    """The draft body as sanitised HTML: no raw HTML passes, only http(s) links."""
    md = MarkdownIt("commonmark", {"html": False}).use(footnote_plugin)
    html = nh3.clean(md.render(body), tags=nh3.ALLOWED_TAGS | {"section"},
                     attributes=_ATTRIBUTES, url_schemes={"http", "https"},
                     link_rel="noopener noreferrer")
    # WordPress expands `[shortcode]` in post content; as entities the brackets read the same
    # and expand nothing (entities in href attributes decode to the same URL).
    return html.replace("[", "&#91;").replace("]", "&#93;")


# Footnotes link to ids the footnote plugin writes (raw HTML is off, so no scraped id gets in).
_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
for _tag in ("li", "sup", "a", "section", "ol", "hr"):
    _ATTRIBUTES.setdefault(_tag, set()).update({"id", "class"})


def wordpress_payload(text: str) -> dict[str, Any]:
    """The JSON body of the post: title, slug, sanitised HTML content, status "draft"."""
    _, body = split_front_matter(text)
    title = str(front_matter_value(text, "title") or "")
    body = re.sub(r"^\s*# [^\n]*\n", "", body, count=1)  # WordPress shows the title itself
    payload = {"title": title, "slug": slugify(str(front_matter_value(text, "slug") or title)),
               "content": markdown_to_html(body), "status": "draft", "format": "standard"}
    description = front_matter_value(text, "description")
    if description:
        payload["excerpt"] = str(description)
    return payload


def post_to_wordpress(settings: PublishSettings, payload: dict[str, Any], *,
                      post_id: int | None = None) -> dict[str, Any]:
    """Create (or update) a post through the REST API; returns WordPress's JSON answer."""
    password = os.environ.get(settings.wordpress_password_env or "")
    if not password:
        raise PublishError(f"environment variable {settings.wordpress_password_env} "
                           "(the WordPress application password) is not set")
    url = f"{settings.wordpress_url}/wp-json/wp/v2/posts" + (f"/{post_id}" if post_id else "")
    token = base64.b64encode(f"{settings.wordpress_user}:{password}".encode()).decode()
    request = urllib.request.Request(
        url, data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Authorization": f"Basic {token}", "Content-Type": "application/json",
                 "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.timeout) as response:
            answer = json.loads(response.read().decode("utf-8") or "{}")
    except urllib.error.HTTPError as exc:
        detail = _wordpress_message(exc)
        raise PublishError(f"WordPress refused the post: HTTP {exc.code}{detail}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PublishError(f"cannot reach WordPress at {settings.wordpress_url}: "
                           f"{reason}") from None
    except json.JSONDecodeError:
        raise PublishError("WordPress answered with something that is not JSON") from None
    if not isinstance(answer, dict) or not isinstance(answer.get("id"), int):
        raise PublishError("WordPress did not return the id of the post")
    return answer


def _wordpress_message(exc: urllib.error.HTTPError) -> str:
    try:
        message = json.loads(exc.read().decode("utf-8")).get("message")
    except (ValueError, AttributeError, OSError):
        return ""
    return f" ({' '.join(str(message).split())[:200]})" if message else ""


# --- the job ------------------------------------------------------------------------------


def export_name(text: str, fallback: str) -> str:
    """`YYYY-MM-DD-slug.md`, the name Jekyll's `_posts` needs and Hugo accepts."""
    date = str(front_matter_value(text, "date") or "")[:10]
    slug = slugify(str(front_matter_value(text, "slug") or ""))
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) or slug == "incident":
        return fallback
    return f"{date}-{slug}.md"


def publish(db: sqlite_utils.Database, config: Config, *, targets: list[str] | None = None,
            draft_ids: list[int] | None = None, dry_run: bool = False,
            now: datetime | None = None) -> PublishReport:
    """Export every approved draft to the configured targets; one failure never stops the rest.

    A draft whose approved version was already published to a target is skipped there.
    """
    now = now or datetime.now(UTC)
    settings = PublishSettings.from_config(config)
    targets = settings.targets if targets is None else targets
    missing = [t for t in targets if t not in settings.targets]
    if missing:
        raise ConfigError(f"{config.path}: [publish] has no {missing[0]} target configured")
    if not targets:
        raise ConfigError(f"{config.path}: [publish] needs a folder or a wordpress_url")
    report = PublishReport()
    for row in review.list_drafts(db, status="approved"):
        if draft_ids and row["id"] not in draft_ids:
            continue
        try:
            _publish_one(db, settings, row["id"], targets, report, dry_run, now)
        except (PublishError, review.ReviewError, OSError) as exc:
            report.errors.append(f"draft {row['id']}: {exc}")
    return report


def _publish_one(db: sqlite_utils.Database, settings: PublishSettings, draft_id: int,
                 targets: list[str], report: PublishReport, dry_run: bool,
                 now: datetime) -> None:
    row = draft_files.sync_file(db, draft_id, now=now)  # a hand edit withdraws the approval
    if row["status"] != "approved" or row["approved_version"] != row["version"]:
        report.skipped.append(f"draft {draft_id}: changed since it was approved")
        return
    current = draft_store.get_version(db, draft_id, row["version"])
    if current is None:
        raise PublishError("the approved text is not in the history")
    previous = draft_store.get_version(db, draft_id, row["version"] - 1)
    # an H1 edited in the drafts folder (not through the review page) is still the title
    approved_text = draft_meta.reconcile_title(previous["text"] if previous else None,
                                               current["text"])
    text = publishable_text(approved_text, reviewer=row["reviewer"] or "",
                            approved_at=row["reviewed_at"] or "", version=row["version"],
                            extra=settings.front_matter)
    changes: dict[str, Any] = {}
    done = row.get("published_version") == row["version"]
    if "folder" in targets:
        path = settings.folder / export_name(text, Path(row["path"]).name)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            report.skipped.append(f"draft {draft_id}: already in {path}")
        elif path.exists() and str(path) != (row.get("published_path") or ""):
            # Another draft's post of the same date and slug, a post the site owner wrote, or
            # one published before the database was lost: never overwritten.
            report.errors.append(f"draft {draft_id}: {path} already exists and was not "
                                 "published from this draft; not overwritten (rename or "
                                 "remove it, then publish again)")
        elif not dry_run:
            write_atomic(path, text)
            changes["published_path"] = str(path)
            report.exported.append(str(path))
        else:
            report.exported.append(f"{path} (dry run)")
    if "wordpress" in targets:
        if done and row.get("wordpress_id"):
            report.skipped.append(f"draft {draft_id}: already posted to WordPress as post "
                                  f"{row['wordpress_id']}")
        elif not dry_run:
            answer = post_to_wordpress(settings, wordpress_payload(text),
                                       post_id=row.get("wordpress_id"))
            changes["wordpress_id"] = answer["id"]
            report.posted.append(f"draft {draft_id}: WordPress post {answer['id']} "
                                 f"(status {answer.get('status', 'draft')})")
        else:
            report.posted.append(f"draft {draft_id}: WordPress (dry run)")
    if changes and not dry_run:
        changes.update({"published_version": row["version"],
                        "published_at": now.astimezone(UTC).isoformat(timespec="seconds")})
        draft_store.update_draft(db, draft_id, changes, action="published", actor="monitor",
                                 detail={k: v for k, v in changes.items()
                                         if k in ("published_path", "wordpress_id")}, now=now)
