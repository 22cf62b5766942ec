"""Scraped text never becomes active content in a draft."""

from __future__ import annotations

from monitor.templating import md_escape, safe_url


def test_script_tags_are_removed():
    assert "<script" not in md_escape('Breaking<script>alert("x")</script> news')


def test_markdown_links_are_neutralised():
    assert md_escape("[click](https://evil.example)") == r"\[click\](https://evil.example)"


def test_javascript_urls_are_dropped():
    assert safe_url("javascript:alert(1)") == ""


def test_parentheses_in_urls_cannot_close_a_link():
    assert safe_url("https://x.example/a)b") == "https://x.example/a%29b"
