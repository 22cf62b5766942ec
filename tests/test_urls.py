"""Canonical URLs, Google News redirects and content hashes."""

from __future__ import annotations

import base64

from monitor.urls import (
    canonical_url,
    content_hash,
    is_http_url,
    normalise_text,
    resolve_google_news,
    url_key,
)

ARTICLE = "https://www.example.com/news/ice-raid-houston/"


def _gn_token(*strings: bytes, tag: int = 0x13) -> str:
    """Build a Google News article token: field 1 varint, then length-delimited strings."""
    payload = bytes([0x08, tag])
    for number, value in zip((4, 26), strings, strict=False):
        key = (number << 3) | 2
        key_bytes = bytes([key]) if key < 0x80 else bytes([(key & 0x7F) | 0x80, key >> 7])
        payload += key_bytes + bytes([len(value)]) + value
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def test_http_and_https_unified() -> None:
    assert canonical_url("http://example.com/a") == canonical_url("https://example.com/a")


def test_www_prefix_kept_in_canonical_url() -> None:
    assert canonical_url("http://www.ice.gov/news/") == "https://www.ice.gov/news"


def test_www_prefix_unified_in_url_key() -> None:
    assert url_key("https://www.example.com/a") == url_key("http://example.com/a/?utm_source=x")


def test_url_key_leaves_non_http_alone() -> None:
    assert url_key("mailto:x@example.com") == "mailto:x@example.com"


def test_trailing_slash_unified() -> None:
    assert canonical_url("https://example.com/a/") == canonical_url("https://example.com/a")


def test_root_keeps_slash() -> None:
    assert canonical_url("https://example.com") == "https://example.com/"


def test_fragment_dropped() -> None:
    assert canonical_url("https://example.com/a#comments") == "https://example.com/a"


def test_utm_params_removed() -> None:
    assert canonical_url("https://example.com/a?utm_source=x&utm_medium=rss") == (
        "https://example.com/a"
    )


def test_click_ids_removed() -> None:
    url = "https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5&msclkid=6"
    assert canonical_url(url) == "https://example.com/a"


def test_meaningful_params_kept_and_sorted() -> None:
    assert canonical_url("https://example.com/a?b=2&utm_x=1&a=1") == "https://example.com/a?a=1&b=2"


def test_tracking_param_names_case_insensitive() -> None:
    assert canonical_url("https://example.com/a?UTM_Source=x") == "https://example.com/a"


def test_host_lowercased_and_default_port_dropped() -> None:
    assert canonical_url("HTTPS://Example.COM:443/A") == "https://example.com/A"


def test_path_case_kept() -> None:
    assert canonical_url("https://example.com/News/A") == "https://example.com/News/A"


def test_non_default_port_kept() -> None:
    assert canonical_url("http://example.com:8080/a") == "https://example.com:8080/a"


def test_non_http_untouched() -> None:
    assert canonical_url(" mailto:x@example.com ") == "mailto:x@example.com"


def test_is_http_url_accepts_https() -> None:
    assert is_http_url("https://ice.gov/news")


def test_is_http_url_rejects_javascript() -> None:
    assert not is_http_url("javascript:alert(1)")


def test_is_http_url_rejects_empty() -> None:
    assert not is_http_url(None)


def test_is_http_url_rejects_missing_host() -> None:
    assert not is_http_url("https:///path")


def test_google_news_old_token_decoded() -> None:
    token = _gn_token(ARTICLE.encode())
    url = f"https://news.google.com/rss/articles/{token}?oc=5"
    assert resolve_google_news(url) == ARTICLE


def test_google_news_read_path_decoded() -> None:
    token = _gn_token(ARTICLE.encode())
    assert resolve_google_news(f"https://news.google.com/read/{token}") == ARTICLE


def test_google_news_prefers_non_amp() -> None:
    amp = b"https://www.example.com/amp/news/ice-raid-houston"
    token = _gn_token(amp, ARTICLE.encode())
    assert resolve_google_news(f"https://news.google.com/rss/articles/{token}") == ARTICLE


def test_google_news_source_url_picks_matching_host() -> None:
    other = b"https://syndicator.example.org/story/1"
    token = _gn_token(other, ARTICLE.encode())
    url = f"https://news.google.com/rss/articles/{token}"
    assert resolve_google_news(url, source_url="https://example.com") == ARTICLE


def test_google_news_new_opaque_token_gives_none() -> None:
    token = _gn_token(b"AU_yqLPz3f8nKq2mB0xv7tHcRdE1sLwQ9yNfJ4aX6oUiGpMb")
    assert resolve_google_news(f"https://news.google.com/rss/articles/{token}") is None


def test_google_news_garbage_token_gives_none() -> None:
    assert resolve_google_news("https://news.google.com/rss/articles/!!!notbase64") is None


def test_non_google_url_gives_none() -> None:
    assert resolve_google_news(ARTICLE) is None


def test_canonical_url_resolves_google_news() -> None:
    token = _gn_token((ARTICLE + "?utm_source=gn").encode())
    url = f"https://news.google.com/rss/articles/{token}?oc=5"
    assert canonical_url(url) == "https://www.example.com/news/ice-raid-houston"


def test_canonical_url_keeps_opaque_google_news_link() -> None:
    token = _gn_token(b"AU_yqLPz3f8nKq2mB0xv7tHcRdE1sLwQ9yNfJ4aX6oUiGpMb")
    assert canonical_url(f"https://news.google.com/rss/articles/{token}").startswith(
        "https://news.google.com/rss/articles/CBMi"
    )


def test_normalise_text_collapses_case_punctuation_whitespace() -> None:
    assert normalise_text("  ICE  arrested\n“12 people”,   Tuesday. ") == (
        "ice arrested 12 people tuesday"
    )


def test_normalise_text_keeps_accents() -> None:
    assert normalise_text("Detención en Texas") == "detención en texas"


def test_content_hash_ignores_cosmetic_changes() -> None:
    assert content_hash("ICE arrested 12 people.") == content_hash("ice   arrested 12 people")


def test_content_hash_changes_with_words() -> None:
    assert content_hash("ICE arrested 12 people.") != content_hash("ICE arrested 13 people.")
