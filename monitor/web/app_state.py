"""The app's per-process state and per-request database, apart from the factory and the views.

Both the factory (`monitor/web/__init__.py`) and the views need them; living here, neither
imports the other for them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from flask import g

from monitor.config import Config
from monitor.storage import open_db
from monitor.web import security


@dataclass
class ReviewState:
    """What the app needs besides Flask's own config, kept on `app.extensions["monitor"]`."""

    config: Config
    password_hash: str
    throttle: security.SignInThrottle = field(default_factory=security.SignInThrottle)
    clock: Any = time.monotonic


def state() -> ReviewState:
    from flask import current_app

    return current_app.extensions["monitor"]


def get_db():
    """One connection per request (SQLite connections are not shared across threads)."""
    if "db" not in g:
        g.db = open_db(state().config.database_path, migrate=False)
    return g.db
