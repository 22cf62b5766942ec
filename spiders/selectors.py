"""CSS or XPath selectors from the sources file, applied the same way by every spider.

An expression starting with `/`, `./`, `(` or `xpath:` is XPath; anything else is CSS (with
parsel's `::text` and `::attr(name)` extensions). A selector that picks elements yields their
whitespace-normalised text; one that picks text or attributes yields those strings.
"""

from __future__ import annotations

from parsel import Selector, SelectorList

from monitor.sources import is_xpath, selector_error

__all__ = ["first_link", "first_text", "is_xpath", "select", "selector_error", "texts"]


def _xpath(expr: str) -> str:
    return expr.removeprefix("xpath:")


def select(node: Selector | SelectorList, expr: str) -> SelectorList:
    """Apply one selector expression (CSS or XPath) relative to `node`."""
    if is_xpath(expr):
        return node.xpath(_xpath(expr))
    return node.css(expr)


def _text(sel: Selector) -> str:
    if isinstance(sel.root, str):
        return " ".join(sel.root.split())
    return " ".join((sel.xpath("string(.)").get() or "").split())


def texts(node: Selector, expr: str | None) -> list[str]:
    """Every non-empty string the selector yields."""
    if not expr:
        return []
    return [t for t in (_text(s) for s in select(node, expr)) if t]


def first_text(node: Selector, expr: str | None) -> str | None:
    found = texts(node, expr)
    return found[0] if found else None


def first_link(node: Selector, expr: str | None) -> str | None:
    """The first href: an element selector (`h3 a`) gives its href, an attribute gives itself."""
    if not expr:
        return None
    for sel in select(node, expr):
        if isinstance(sel.root, str):
            value = sel.root.strip()
        else:
            value = (sel.attrib.get("href") or sel.css("a::attr(href)").get() or "").strip()
        if value:
            return value
    return None
