"""Canonical URLs and content hashes, so one article reached by different links is stored once.

`canonical_url` is what storage keeps as an article's `url` and what drafts link to, so it must
stay a working address; `url_key` goes one step further for "have we seen this article before?"
lookups. Choices, made so that variants a feed reader meets in practice collapse to one key:

* scheme: `http` and `https` are the same article -> always `https` (every agency and outlet we
  watch serves https; an http-only link still identifies the article);
* host: lowercased, default port dropped. A leading `www.` is *kept* by `canonical_url`, because
  some sites do not answer on the bare domain and the URL is linked in drafts; `url_key` drops
  it (no news site serves different articles on `www.x` and `x`);
* path: a trailing slash is removed (`/news/x/` == `/news/x`), the root stays `/`;
* query: tracking parameters (`utm_*`, `fbclid`, `gclid`, `mc_cid`, `ocid`, ...) removed, the
  rest sorted and percent-encoding normalised by w3lib;
* fragment: dropped (`#comments` is the same page);
* Google News redirect links (`news.google.com/rss/articles/CBMi...`) are replaced by the
  publisher URL when the link embeds it (see `resolve_google_news`).

`content_hash` is the hash of `normalise_text(text)`: two texts that differ only in case,
punctuation or whitespace (a reprint with curly quotes, a feed that collapses paragraphs) get the
same hash.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "ocid", "cmpid", "cmp", "ncid", "smid", "smtyp", "_ga", "_gl",
    "_hsenc", "_hsmi", "hsctatracking", "mkt_tok", "vero_id", "oly_enc_id", "oly_anon_id",
    "rb_clickid", "s_kwcid", "ref_src", "ref_url", "__twitter_impression", "sr_share", "taid",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "amp",
})
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

GOOGLE_NEWS_HOSTS = frozenset({"news.google.com"})
_GN_PATH = re.compile(r"/(?:rss/)?(?:articles|read)/([A-Za-z0-9_-]+)")
_PUNCT = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE = re.compile(r"\s+")


def is_http_url(url: str | None) -> bool:
    """Only http(s) links with a host may be stored, rendered or mailed."""
    if not url or not isinstance(url, str):
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str) -> str:
    """Normalise a URL to the identity key described in the module docstring.

    Non-http(s) URLs are returned stripped but otherwise untouched: they are never stored, and
    rewriting them would only hide the problem from `is_http_url`.
    """
    url = url.strip()
    if not is_http_url(url):
        return url
    resolved = resolve_google_news(url)
    if resolved:
        url = resolved
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    port = parts.port if parts.port not in (None, 80, 443) else None
    netloc = f"{host}:{port}" if port else host
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)
    ]
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    rebuilt = urlunsplit(("https", netloc, path, urlencode(query), ""))
    return canonicalize_url(rebuilt, keep_fragments=False)


def url_key(url: str) -> str:
    """Identity key for dedupe lookups: `canonical_url` without a leading `www.`."""
    canonical = canonical_url(url)
    if not is_http_url(canonical):
        return canonical
    parts = urlsplit(canonical)
    if not parts.netloc.startswith("www."):
        return canonical
    return urlunsplit((parts.scheme, parts.netloc[4:], parts.path, parts.query, ""))


def _b64decode(token: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def _protobuf_strings(data: bytes) -> list[bytes]:
    """Length-delimited fields of a flat protobuf message; stops quietly at garbage.

    The Google News token is a small protobuf: field 1 (varint, a type tag), field 4 (the
    publisher URL in old `CBMi` tokens, an opaque `AU_yqL...` id in new ones), field 26 (the AMP
    URL, sometimes). We only need the strings, so unknown wire types end the walk.
    """
    out: list[bytes] = []
    pos = 0
    try:
        while pos < len(data):
            key, pos = _varint(data, pos)
            wire = key & 0x7
            if wire == 0:
                _, pos = _varint(data, pos)
            elif wire == 2:
                length, pos = _varint(data, pos)
                if pos + length > len(data):
                    out.append(data[pos:])  # some tokens are cut short; keep what is there
                    break
                out.append(data[pos:pos + length])
                pos += length
            elif wire == 5:
                pos += 4
            elif wire == 1:
                pos += 8
            else:
                break
    except ValueError:
        pass
    return out


def resolve_google_news(url: str, *, source_url: str | None = None) -> str | None:
    """Return the publisher URL embedded in a Google News redirect link, or None.

    Older tokens (base64 of a protobuf whose field 4 is the URL; they start `CBMi`) carry the
    URL in the clear. Newer tokens (`CBMi...` wrapping `AU_yqL...`) carry only an opaque id that
    Google resolves server-side; for those we return None and the caller falls back to the feed
    item's `<source url>` plus the title. When the token carries several URLs (article and AMP),
    the one on `source_url`'s host wins, else the first non-AMP one.
    Non-Google-News URLs also give None, so callers can write `resolve_google_news(u) or u`.
    """
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in GOOGLE_NEWS_HOSTS:
        return None
    match = _GN_PATH.search(parts.path)
    if not match:
        return None
    data = _b64decode(match.group(1))
    if not data:
        return None
    candidates = []
    for raw in _protobuf_strings(data):
        text = raw.decode("utf-8", errors="ignore")
        found = re.match(r"https?://[^\s\x00-\x1f\"<>]+", text)
        if found and is_http_url(found.group(0)):
            candidates.append(found.group(0))
    if not candidates:
        return None
    if source_url and is_http_url(source_url):
        want = bare_host(source_url)
        for candidate in candidates:
            host = bare_host(candidate)
            if host == want or host.endswith("." + want):
                return candidate
    non_amp = [c for c in candidates if "/amp" not in c and "amp." not in bare_host(c)]
    return (non_amp or candidates)[0]


def bare_host(url: str) -> str:
    """The host name, lower case, without a leading "www." (one site, however it is linked)."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def normalise_text(text: str) -> str:
    """Lowercase, NFKC, punctuation removed, whitespace collapsed: what "same text" means here.

    Accents are kept (Spanish "ésta" and "esta" are different words); underscores count as
    punctuation so `__` separators in scraped boilerplate vanish.
    """
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _PUNCT.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def content_hash(text: str) -> str:
    """SHA-256 of the normalised text: equal for reprints that differ only cosmetically."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()
