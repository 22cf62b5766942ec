"""Canonical URLs, so the same article reached by different links is stored once."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "ocid", "cmpid", "cmp",
}


def is_http_url(url: str | None) -> bool:
    """Only http(s) links may be stored, rendered or mailed."""
    if not url:
        return False
    return urlsplit(url.strip()).scheme.lower() in {"http", "https"}


def canonical_url(url: str) -> str:
    """Normalise a URL: https, lowercase host, no fragment, no tracking parameters, sorted query."""
    parts = urlsplit(url.strip())
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS
    ]
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    scheme = "https" if parts.scheme.lower() in {"http", "https"} else parts.scheme.lower()
    rebuilt = urlunsplit((scheme, parts.netloc.lower(), path, urlencode(query), ""))
    return canonicalize_url(rebuilt)


def normalise_text(text: str) -> str:
    """Lowercase words only, so whitespace and punctuation changes do not alter the hash."""
    return " ".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def content_hash(text: str) -> str:
    """Hash of the normalised text: the same words under another URL give the same hash."""
    import hashlib

    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
