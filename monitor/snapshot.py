"""A local HTTP server for the bundled offline snapshot of sources (demo and tests).

A production URL https://HOST/PATH?QUERY is served at http://127.0.0.1:PORT/HOST/PATH?QUERY from
`ROOT/HOST/PATH` (`index.html` for a trailing slash). `ROOT/_routes.toml` can map exact URLs to
files and script behaviour for fault tests:

    [[route]]
    url = "https://example.org/feed"      # production URL, query included
    file = "example.org/feed.xml"          # or body = "..."
    content_type = "application/rss+xml"
    status = 200                           # served status
    fail_times = 2                         # first N requests get fail_status (default 503)
    delay = 0.0                            # seconds before answering
    redirect = "https://example.org/x"     # answer 302 to this production URL
    headers = { "X-Any" = "value" }

Several entries for one URL merge, later keys winning. Every file gets a strong ETag and
honours If-None-Match with 304, like a well-behaved site.
"""

from __future__ import annotations

import hashlib
import mimetypes
import threading
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from w3lib.url import safe_url_string

SNIFF = [
    (b"<?xml", "application/xml"), (b"<rss", "application/rss+xml"),
    (b"<feed", "application/atom+xml"), (b"{", "application/json"), (b"[", "application/json"),
]


@dataclass
class SnapshotState:
    root: Path
    routes: dict[str, dict[str, Any]]
    hits: dict[str, int] = field(default_factory=dict)
    log: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def load_routes(root: Path) -> dict[str, dict[str, Any]]:
    path = root / "_routes.toml"
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    routes: dict[str, dict[str, Any]] = {}
    for route in data.get("route", []):
        # A later entry for the same URL adds to the earlier one (e.g. a test's delay).
        routes.setdefault(_key(route["url"]), {}).update(route)
    return routes


def _key(url: str) -> str:
    """host/path?query, the same for a production URL and its local twin."""
    parts = urlsplit(safe_url_string(url))
    key = f"{parts.netloc}{parts.path or '/'}"
    return f"{key}?{parts.query}" if parts.query else key


def rewritten_url(base: str, url: str) -> str:
    """The URL `SnapshotRewrite` fetches for an (already escaped) request URL."""
    parts = urlsplit(url)
    local = f"{base.rstrip('/')}/{parts.netloc}{parts.path or '/'}"
    return f"{local}?{parts.query}" if parts.query else local


def local_url(base: str, url: str) -> str:
    """Where the snapshot server serves a production URL."""
    parts = urlsplit(url)
    local = f"{base.rstrip('/')}/{parts.netloc}{quote(parts.path or '/')}"
    return f"{local}?{parts.query}" if parts.query else local


def _content_type(path: Path, body: bytes) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    if guessed and path.suffix:
        if guessed in {"text/html", "text/xml", "application/xml"}:
            return f"{guessed}; charset=utf-8"
        return guessed
    head = body.lstrip()[:10]
    for prefix, ctype in SNIFF:
        if head.startswith(prefix):
            return ctype
    return "text/html; charset=utf-8"


class SnapshotHandler(BaseHTTPRequestHandler):
    server_version = "SnapshotServer/1.0"
    state: SnapshotState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return None

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        key = self.path.lstrip("/")
        state = self.state
        with state.lock:
            state.hits[key] = state.hits.get(key, 0) + 1
            hit = state.hits[key]
            state.log.append({"path": key, "headers": dict(self.headers.items())})
        route = state.routes.get(key, {})
        if route.get("delay"):
            time.sleep(float(route["delay"]))
        if hit <= int(route.get("fail_times", 0)):
            return self._send(int(route.get("fail_status", 503)), b"temporarily unavailable",
                              "text/plain")
        if route.get("redirect"):
            self.send_response(int(route.get("status", 302)))
            self.send_header("Location", route["redirect"])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if "body" in route:
            body = route["body"].encode("utf-8")
            path = Path(urlsplit(key).path)
        else:
            path = self._file_for(route.get("file") or unquote(urlsplit(key).path))
            if path is None:
                return self._send(404, b"not found", "text/plain")
            body = path.read_bytes()
        ctype = route.get("content_type") or _content_type(path, body)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return None
        return self._send(int(route.get("status", 200)), body, ctype,
                          {"ETag": etag, **route.get("headers", {})})

    def _file_for(self, relative: str) -> Path | None:
        relative = relative.lstrip("/")
        names = [relative]
        if relative.endswith("/") or not relative:
            names = [relative + "index.html", relative + "index.xml", relative + "index.json"]
        root = self.state.root.resolve()
        for name in names:
            path = (root / name).resolve()
            if path.is_relative_to(root) and path.is_file():
                return path
        return None

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    """A thread per request, with room for a crawl's concurrent connections: past the
    stdlib's backlog of 5, a connection waits a second for the kernel to retry its SYN."""

    daemon_threads = True
    request_queue_size = 64


@contextmanager
def serve_snapshot(root: str | Path, port: int = 0) -> Iterator[tuple[str, SnapshotState]]:
    """Serve the snapshot on 127.0.0.1 (a free port by default); yields (base URL, state)."""
    root = Path(root)
    state = SnapshotState(root=root, routes=load_routes(root))
    handler = type("BoundSnapshotHandler", (SnapshotHandler,), {"state": state})
    server = _Server(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, name="snapshot-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()
