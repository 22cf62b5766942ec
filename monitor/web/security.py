"""Sign-in, CSRF tokens, sign-in throttling and response headers for the review page.

Why by hand: each piece is a few lines over werkzeug's password hashing, `secrets` and `hmac`,
and a third-party CSRF extension would pull in a form library the app does not otherwise need.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from werkzeug.security import check_password_hash, generate_password_hash

from monitor.config import Config, ConfigError

PASSWORD_HASH_ENV = "MONITOR_REVIEW_PASSWORD_HASH"
SECRET_KEY_ENV = "MONITOR_REVIEW_SECRET_KEY"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
HASH_METHOD = "scrypt"

# Sent with every response: nothing loads from elsewhere, no inline script, no framing,
# and following a source link does not tell the source which draft was open.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def hash_password(password: str) -> str:
    """The value to put in `[review] password_hash` or $MONITOR_REVIEW_PASSWORD_HASH."""
    return generate_password_hash(password, method=HASH_METHOD)


def password_hash_for(config: Config, environ: dict[str, str] | None = None) -> str:
    """The environment wins over the file so a deployment can rotate it without editing."""
    environ = os.environ if environ is None else environ
    value = environ.get(PASSWORD_HASH_ENV) or config.review.get("password_hash") or ""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(
            f"no review password: set [review] password_hash in {config.path} or "
            f"${PASSWORD_HASH_ENV} (make one with `monitor serve --hash-password`)"
        )
    value = value.strip()
    if value.count("$") < 2:
        raise ConfigError(
            "[review] password_hash is not a password hash (make one with "
            "`monitor serve --hash-password`; never store the password itself)"
        )
    return value


def secret_key_from(environ: dict[str, str] | None = None) -> str:
    """A key from the environment keeps sessions across restarts; otherwise one per process."""
    environ = os.environ if environ is None else environ
    return environ.get(SECRET_KEY_ENV) or secrets.token_hex(32)


def fingerprint(stored_hash: str) -> str:
    """Kept in the session so changing the password signs every session out."""
    return hashlib.sha256(stored_hash.encode()).hexdigest()[:16]


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return check_password_hash(stored_hash, password)
    except (ValueError, TypeError):
        return False


def csrf_token(session: Any) -> str:
    """The session's token, created on first use; every form carries it."""
    token = session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token


def csrf_ok(session: Any, submitted: str | None) -> bool:
    expected = session.get(CSRF_FIELD)
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode(), submitted.encode())


@dataclass
class SignInThrottle:
    """After `limit` failed sign-ins from one address within `window` seconds, refuse more.

    Kept in memory: the app runs as one process on loopback, and a restart forgives.
    """

    limit: int = 5
    window: float = 300.0
    failures: dict[str, deque[float]] = field(default_factory=dict)

    def _recent(self, address: str, now: float) -> deque[float]:
        times = self.failures.setdefault(address, deque())
        while times and now - times[0] > self.window:
            times.popleft()
        return times

    def blocked(self, address: str, now: float) -> bool:
        return len(self._recent(address, now)) >= self.limit

    def retry_after(self, address: str, now: float) -> int:
        times = self._recent(address, now)
        return int(self.window - (now - times[0])) + 1 if times else 0

    def failed(self, address: str, now: float) -> None:
        self._recent(address, now).append(now)

    def succeeded(self, address: str) -> None:
        self.failures.pop(address, None)
