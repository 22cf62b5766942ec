"""Turn a fetched page into clean article text and metadata (trafilatura does the hard part).

Per-source CSS selectors win over trafilatura because agency pages carry boilerplate that looks
like prose (ICE's mission blurb). Dates come with the field they were read from, because an
attorney must be able to tell "published" from "the day we first saw it".
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

import trafilatura
from parsel import Selector

from monitor.facts import month_alternation, month_numbers

# Order of trust for a page's own dates; the feed sits after the page's structured data.
SOURCE_ORDER = ("selector", "json-ld", "meta", "feed", "page-text", "url", "first-seen")
# Languages the detector may answer; a closed set keeps short texts from landing on rare ones.
LANGUAGES = ("en", "es", "pt", "fr", "de", "it", "ht", "zh", "vi", "ko", "ar", "ru", "uk", "tl")
FUTURE_TOLERANCE = timedelta(hours=1)
MIN_TEXT_CHARS = 200

PUBLISHED_META = (
    "article:published_time", "og:published_time", "datePublished", "date", "dc.date",
    "dc.date.issued", "dcterms.created", "pubdate", "publishdate", "sailthru.date",
    "parsely-pub-date", "article.published", "published_time",
)
UPDATED_META = (
    "article:modified_time", "og:updated_time", "dateModified", "dc.date.modified",
    "dcterms.modified", "lastmod", "last-modified", "article.updated", "modified_time",
)
MONTHS = month_numbers()  # the shared table, data/facts.toml [dates]
_MONTH_ALT = month_alternation()
TEXT_DATE = re.compile(
    rf"\b(?P<month>{_MONTH_ALT})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>(?:19|20)\d\d)\b"
    rf"|\b(?P<day2>\d{{1,2}})\s+de\s+(?P<month2>{_MONTH_ALT})\s+de(?:l)?\s+(?P<year2>(?:19|20)\d\d)"
    r"|\b(?P<m3>\d{1,2})/(?P<d3>\d{1,2})/(?P<y3>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
URL_DATE = re.compile(r"/((?:19|20)\d\d)[/-](\d{1,2})[/-](\d{1,2})(?:/|-|$|\.)")
UPDATED_LABEL = re.compile(r"\b(updated|modified|actualizad[oa]|revised|reviewed)\b", re.I)
PUBLISHED_LABEL = re.compile(r"\b(release date|published|posted|publicado|fecha)\b", re.I)


def extract(
    html: str,
    url: str,
    *,
    now: datetime,
    selectors: dict[str, str] | None = None,
    feed: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Extract title, text, dates and language from a page.

    `selectors` are per-source CSS selectors (`body`, `title`, `date`) that win over trafilatura.
    `feed` is what the feed said about the entry (title, summary, published, updated); it is the
    fallback when the page yields nothing. Returns a dict with keys: title, text, method,
    published, published_source, updated, updated_source, date_flags, language, sitename
    (plus `description`, `html_lang` and `warnings`, e.g. "bad-body-selector").
    """
    feed = feed or {}
    warnings: list[str] = []
    page = _parse(html, warnings)
    selectors = _usable_selectors(page, selectors or {}, warnings)
    text, method = "", "trafilatura"
    meta = None
    if page is not None:
        if selectors.get("body"):
            text = _selected_text(page, selectors["body"])
            method = "selector"
            if not text:
                warnings.append("body-selector-empty")
        if not text:
            method = "trafilatura"
            text = trafilatura.extract(
                html, url=url, favor_precision=True, include_comments=False,
                include_tables=True, deduplicate=False,
            ) or ""
        meta = trafilatura.extract_metadata(html, default_url=url,
                                            date_config={"extensive_search": False})
    summary = _strip_tags(feed.get("summary") or "")
    # a page that yields less than a paragraph (an error page, a menu) loses to a longer summary
    if not text.strip() or (len(text) < MIN_TEXT_CHARS and len(summary) > len(text)):
        if html and html.strip():  # say why the page lost, for the health table
            warnings.append(fallback_reason(html, text, page is not None))
        text, method = summary, "feed-summary"

    title = ""
    if page is not None and selectors.get("title"):
        title = _clean(" ".join(page.css(selectors["title"]).css("::text").getall()))
    if not title and meta is not None and meta.title:
        title = meta.title
    title = title or feed.get("title") or ""
    text = _drop_leading_title(text, title)

    published_candidates = _candidates(page, url, feed, selectors, kind="published")
    updated_candidates = _candidates(page, url, feed, selectors, kind="updated")
    published, published_source, flags = _choose(published_candidates, now)
    if published is None:
        published, published_source = _stamp(now), "first-seen"
        flags = []
    updated, updated_source, updated_flags = _choose(updated_candidates, now)
    date_flags = sorted(set(flags) | {f"updated-{f}" for f in updated_flags})

    html_lang = page.xpath("/html/@lang").get() if page is not None else None
    return {
        "title": _clean(title),
        "text": text.strip(),
        "method": method,
        "published": published,
        "published_source": published_source,
        "updated": updated,
        "updated_source": updated_source,
        "date_flags": date_flags,
        "language": detect_language(f"{title}\n{text}", hint=html_lang),
        "sitename": meta.sitename if meta is not None and meta.sitename else None,
        "description": meta.description if meta is not None else None,
        "html_lang": html_lang,
        "warnings": warnings,
    }


TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr", "p", "li", "option", "td", "tr", "th"}  # the last: closed implicitly
MAX_SANE_DEPTH = 256  # lxml's default depth limit: deeper, the parsed tree may lose the text


def nesting_depth(html: str | bytes) -> int:
    """The deepest element nesting in the markup, by a linear scan of its tags."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    depth = deepest = 0
    for match in TAG.finditer(html):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def fallback_reason(html: str | bytes, text: str, parsed: bool) -> str:
    """Why a fetched page gave way to the feed summary, as a short warning code."""
    if not parsed:
        return "page-unparseable"
    depth = nesting_depth(html)
    if depth > MAX_SANE_DEPTH:
        return f"page-too-deeply-nested ({depth:,} levels of nested tags)"
    if text.strip():
        return f"page-text-too-short ({len(text.strip())} characters)"
    return "page-without-article-text"


def _parse(html: str | bytes | None, warnings: list[str]) -> Selector | None:
    """A parsel tree, or None for an empty or unparseable page (the feed then stands in)."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not html or not html.strip():
        return None
    try:
        return Selector(text=html)
    except ValueError:
        warnings.append("unparseable-html")
        return None


def _usable_selectors(
    page: Selector | None, selectors: dict[str, str], warnings: list[str]
) -> dict[str, str]:
    """Drop selectors the sources file got wrong instead of failing the whole article."""
    usable = {}
    for key, css in selectors.items():
        if not css:
            continue
        try:
            if page is not None:
                page.css(css)
            usable[key] = css
        except Exception:  # cssselect raises its own SelectorSyntaxError family
            warnings.append(f"bad-{key}-selector")
    return usable


# --------------------------------------------------------------------------------------------
# Text


_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "tr", "dd", "dt"}


def _selected_text(page: Selector, css: str) -> str:
    """Paragraph-separated text of the elements a per-source selector names."""
    paragraphs: list[str] = []
    for element in page.css(css):
        _collect(element, paragraphs)
    return "\n\n".join(p for p in paragraphs if p)


def _collect(element: Selector, out: list[str]) -> None:
    """Walk down to block elements so paragraphs stay paragraphs; skip scripts and styles."""
    children = element.xpath("./*[not(self::script or self::style or self::noscript)]")
    has_blocks = element.xpath(
        ".//*[" + " or ".join(f"self::{t}" for t in sorted(_BLOCKS)) + "]")
    tag = element.xpath("name()").get()
    if tag in _BLOCKS or not has_blocks:
        out.append(_inline_text(element))
        return
    loose = _clean("".join(element.xpath("./text()").getall()))
    if loose:
        out.append(loose)
    for child in children:
        _collect(child, out)


def _inline_text(element: Selector) -> str:
    """One block's text nodes joined as written ('@HSI_HQ.', not '@HSI_HQ .'); <br> is a space."""
    parts = element.xpath(".//text()[not(ancestor::script or ancestor::style)]|.//br").getall()
    return _clean("".join(" " if part.startswith("<br") else part for part in parts))


def _drop_leading_title(text: str, title: str) -> str:
    """trafilatura keeps the h1; scoring the headline twice would inflate relevance."""
    first, _, rest = text.strip().partition("\n")
    if title and _clean(first).casefold() == _clean(title).casefold():
        return rest.strip()
    return text


def _clean(text: str) -> str:
    return " ".join((text or "").replace("\xa0", " ").split())


def _strip_tags(fragment: str) -> str:
    """Feed summaries are often escaped HTML; keep only their text."""
    if "<" not in fragment:
        return _clean(fragment)
    paragraphs: list[str] = []
    for root in Selector(text=f"<div>{fragment}</div>").xpath("//body/div"):
        _collect(root, paragraphs)
    return "\n\n".join(p for p in paragraphs if p)


# --------------------------------------------------------------------------------------------
# Language


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str, *, hint: str | None = None) -> str:
    """ISO 639-1 code of the text; the page's lang attribute decides when the text is too short."""
    sample = _clean(text)[:3000]
    fallback = (hint or "en").split("-")[0].lower() or "en"
    if len(sample) < 20:
        return fallback
    language, probability = _identifier().classify(sample)
    return language if probability >= 0.5 else fallback


# --------------------------------------------------------------------------------------------
# Dates


def _candidates(
    page: Selector | None,
    url: str,
    feed: dict[str, Any],
    selectors: dict[str, str],
    *,
    kind: str,
) -> list[tuple[str, datetime, bool]]:
    """Every date found for `kind` as (source, value, has_timezone), most trusted first."""
    found: list[tuple[str, datetime, bool]] = []

    def add(source: str, raw: str | datetime | None) -> None:
        if isinstance(raw, datetime):
            found.append((source, raw, raw.tzinfo is not None))
            return
        parsed = parse_date(raw) if raw else None
        if parsed is not None:
            found.append((source, *parsed))

    if page is not None:
        if kind == "published" and selectors.get("date"):
            for raw in page.css(selectors["date"]).xpath("@datetime|@content|.//text()").getall():
                add("selector", raw)
        keys = ("datePublished", "dateCreated") if kind == "published" else ("dateModified",)
        for item in _json_ld(page):
            for key in keys:
                add("json-ld", item.get(key))
        for name in PUBLISHED_META if kind == "published" else UPDATED_META:
            for raw in page.xpath(
                f"//meta[@property='{name}' or @name='{name}' or @itemprop='{name}']/@content"
            ).getall():
                add("meta", raw)
    add("feed", feed.get("published" if kind == "published" else "updated"))
    if page is not None:
        for node in page.xpath("//time[@datetime]"):
            # the label ("Updated:", "Last Reviewed/Updated:") sits in the parent or a sibling
            label = f"{node.xpath('string(..)').get()} {node.xpath('string(../..)').get()[:80]}"
            is_updated = bool(UPDATED_LABEL.search(label))
            if is_updated == (kind == "updated"):
                add("page-text", node.attrib.get("datetime"))
        if kind == "published":
            for raw in _visible_dates(page):
                add("page-text", raw)
    if kind == "published":
        match = URL_DATE.search(url or "")
        if match:
            add("url", "-".join(match.groups()))
    order = {s: i for i, s in enumerate(SOURCE_ORDER)}
    return sorted(found, key=lambda c: order[c[0]])  # stable: keeps page order within a source


def _json_ld(page: Selector) -> list[dict[str, Any]]:
    """Every object in the JSON-LD blocks, breadth first (@graph, lists, mainEntity...)."""
    items: list[dict[str, Any]] = []
    for raw in page.xpath("//script[@type='application/ld+json']/text()").getall():
        try:
            data = json.loads(raw, strict=False)  # CMSs leave raw newlines inside strings
        except ValueError:
            continue
        queue = [data]
        while queue:
            node = queue.pop(0)
            if isinstance(node, list):
                queue.extend(node)
            elif isinstance(node, dict):
                items.append(node)
                queue.extend(v for v in node.values() if isinstance(v, dict | list))
    return items


def _visible_dates(page: Selector) -> list[str]:
    """Dates written in the article's own header text ('December 23, 2022', 'Release Date')."""
    scope = page.xpath("//article|//main") or page.xpath("//body")
    texts = scope[0].xpath(
        ".//text()[not(ancestor::script or ancestor::style or ancestor::nav or ancestor::footer"
        " or ancestor::header)]").getall() if scope else []
    blob = _clean(" ".join(texts))[:4000]
    dates = []
    for match in TEXT_DATE.finditer(blob):
        before = blob[max(0, match.start() - 30):match.start()]
        if UPDATED_LABEL.search(before) and not PUBLISHED_LABEL.search(before):
            continue
        dates.append(match.group(0))
    return dates[:1]


def parse_date(raw: str) -> tuple[datetime, bool] | None:
    """Parse ISO 8601, RFC 822 or a written date; returns (value, had_timezone)."""
    raw = _clean(raw)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return value, value.tzinfo is not None
    except ValueError:
        pass
    try:
        from email.utils import parsedate_to_datetime

        value = parsedate_to_datetime(raw)
        return value, value.tzinfo is not None
    except (TypeError, ValueError, IndexError):
        pass
    match = TEXT_DATE.search(raw)
    if match:
        try:
            if match.group("month"):
                day = date(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]))
            elif match.group("month2"):
                day = date(int(match["year2"]), MONTHS[match["month2"].lower()],
                           int(match["day2"]))
            else:
                day = date(int(match["y3"]), int(match["m3"]), int(match["d3"]))
        except (KeyError, ValueError):
            return None
        return datetime.combine(day, time()), False
    return None


def _stamp(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def _choose(
    candidates: list[tuple[str, datetime, bool]], now: datetime
) -> tuple[str | None, str | None, list[str]]:
    """Pick the most trusted date, upgraded to a same-day timestamp with a timezone if one exists.

    Date-only values become 12:00 UTC: the same calendar day in every US time zone.
    """
    if not candidates:
        return None, None, []
    source, value, _ = candidates[0]
    flags: list[str] = []
    if _is_date_only(value):
        for other_source, other, other_tz in candidates[1:]:
            if other_tz and not _is_date_only(other) and _same_day_somewhere(other, value):
                source, value = other_source, other
                break
    if _is_date_only(value):
        flags.append("date-only")
        value = value.replace(hour=12, tzinfo=UTC)
    elif value.tzinfo is None:
        flags.append("no-timezone")
        value = value.replace(tzinfo=UTC)
    reference = now if now.tzinfo else now.replace(tzinfo=UTC)
    if value > reference + FUTURE_TOLERANCE:
        flags.append("future-date")
    # a per-source date selector reads the page's own text
    return value.isoformat(), "page-text" if source == "selector" else source, flags


def _same_day_somewhere(instant: datetime, day: datetime) -> bool:
    """Whether a precise instant falls on this calendar day somewhere from UTC-10 to UTC.

    The sources are US agencies and outlets: a feed saying 21:15 EST on the 18th is 02:15 UTC on
    the 19th, and still agrees with a page whose date-only published_time says the 18th.
    """
    start = datetime.combine(day.date(), time(), tzinfo=UTC)
    utc = instant.astimezone(UTC)
    return start <= utc < start + timedelta(hours=34)


def _is_date_only(value: datetime) -> bool:
    return value.tzinfo is None and value.time() == time()
