"""Jinja environments shared by drafts, digests and the review page.

HTML templates autoescape. Markdown templates escape every value through `finalize`, so scraped
text can never become a link, an image, raw HTML or front-matter syntax; only values the code
marks safe (`Markup`, from the `yaml`, `link` and `url` filters) are written as they are.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from monitor.textclean import clean_code_points, defang_templates, yaml_scalar
from monitor.urls import is_http_url

MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def strip_html(text: str) -> str:
    """Scraped text as plain text: tags removed, entities kept as text, and no code point that
    cannot be encoded or that YAML forbids (a lone surrogate would make nh3 raise)."""
    cleaned = nh3.clean(clean_code_points(text), tags=set(), strip_comments=True)
    return cleaned.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def md_escape(text: str) -> str:
    """Plain text that Markdown renders as exactly that text, and that a site builder's
    template language (Hugo shortcodes, Jekyll's Liquid) leaves alone."""
    text = defang_templates(" ".join(strip_html(text).split()))
    return MD_SPECIAL.sub(r"\\\1", text)


def safe_url(url: str | None) -> str:
    """An http(s) URL with characters that could end a Markdown link percent-encoded."""
    if not url or not is_http_url(url):
        return ""
    return (url.strip().replace(" ", "%20").replace("(", "%28").replace(")", "%29")
            .replace("<", "%3C").replace(">", "%3E").replace('"', "%22"))


def _finalize(value: Any) -> Any:
    if isinstance(value, Markup) or not isinstance(value, str):
        return "" if value is None else value
    return md_escape(value)


def _yaml(value: Any) -> Markup:
    """A YAML scalar: JSON strings and numbers are valid YAML and cannot break the block;
    characters YAML forbids are removed and template syntax is made inert."""
    return Markup(yaml_scalar(value))


def _link(title: str, url: str | None) -> Markup:
    href = safe_url(url)
    return Markup(f"[{md_escape(title)}]({href})" if href else md_escape(title))


def markdown_env(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=False,
        finalize=_finalize,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["yaml"] = _yaml
    env.filters["link"] = _link
    env.filters["url"] = lambda u: Markup(safe_url(u))
    env.filters["md"] = lambda t: Markup(md_escape(t or ""))
    return env


def html_env(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
    )
    env.filters["url"] = safe_url
    env.filters["plain"] = strip_html
    return env


def text_env(templates_dir: Path) -> Environment:
    """Plain-text mail: no escaping, but HTML is stripped from every value."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        autoescape=False,
        finalize=lambda v: strip_html(v) if isinstance(v, str) else ("" if v is None else v),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["url"] = safe_url
    return env
