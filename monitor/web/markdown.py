"""Draft Markdown as safe HTML: raw HTML off, http(s) links only, then sanitised by nh3.

Two layers on purpose: markdown-it never emits raw HTML from the text, and nh3 removes anything
that slipped through (unknown tags, event attributes, javascript: or data: URLs, images that
would load from elsewhere).
"""

from __future__ import annotations

import re
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from monitor.urls import is_http_url

FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "li", "ol", "p", "pre", "section", "strong", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "id", "class"},
    "li": {"id", "class"},
    "sup": {"class"},
    "section": {"class"},
    "hr": {"class"},
    "ol": {"class", "start"},
}


def _validate_link(url: str) -> bool:
    """Only absolute http(s) links and in-page anchors (footnotes) become links."""
    return url.startswith("#") or is_http_url(url)


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.use(front_matter_plugin).use(footnote_plugin).enable("table").enable("strikethrough")
    md.validateLink = _validate_link
    return md


_MD = _parser()


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter without the fences, body). A file without front matter has an empty one."""
    match = FRONT_MATTER.match(text)
    if not match:
        return "", text
    return match.group(1), text[match.end():]


def front_matter_fields(front: str) -> list[tuple[str, str]]:
    """Top-level `key: value` lines, enough to show title, date, status; nested lists skipped."""
    fields: list[tuple[str, Any]] = []
    for line in front.splitlines():
        if not line or line[0].isspace() or ":" not in line:
            continue
        key, _, value = line.partition(":")
        fields.append((key.strip(), value.strip().strip('"')))
    return fields


def render_markdown(text: str) -> Markup:
    """The draft's body as sanitised HTML (front matter is parsed away, not shown)."""
    html = _MD.render(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(cleaned)
