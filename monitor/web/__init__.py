"""The review page: a small Flask app where attorneys read, edit, approve or reject drafts.

`create_app(config)` builds it; `monitor serve` runs it on 127.0.0.1. Every page and action
needs sign-in; every POST needs the session's CSRF token; templates autoescape; rendered
Markdown is sanitised; nothing is loaded from outside the app.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Flask,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from markupsafe import Markup

from monitor.config import Config
from monitor.review import ReviewError
from monitor.storage import StorageError, open_db
from monitor.storage import sessions as session_store
from monitor.templating import safe_url, strip_html
from monitor.web import security
from monitor.web.app_state import ReviewState, get_db, state  # noqa: F401 - the app's accessors
from monitor.web.markdown import render_markdown
from monitor.web.settings import ReviewSettings

STATIC = Path(__file__).resolve().parent / "static"
PUBLIC_ENDPOINTS = {"web.login", "static"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MAX_UPLOAD_BYTES = 2 * 1024 * 1024


def trusted_hosts(settings: ReviewSettings, listen_host: str | None = None) -> list[str] | None:
    """Host names the app answers to, so a DNS-rebinding page cannot talk to it.

    Loopback names, `[review] trusted_hosts` (e.g. the name of an HTTPS proxy in front) and the
    address it listens on. None (any host) only when it listens on every interface or on IPv6
    and no names are configured.
    """
    configured = list(settings.trusted_hosts)
    host = listen_host or settings.host
    if host in ("0.0.0.0", "") or ":" in host:
        return configured or None
    return sorted({"127.0.0.1", "localhost", host, *configured})


def create_app(config: Config, *, secret_key: str | None = None,
               listen_host: str | None = None) -> Flask:
    """The review app for this config; raises ConfigError when no password hash is set."""
    review = ReviewSettings.from_config(config)
    password_hash = security.password_hash_for(config)
    open_db(config.database_path).conn.close()  # create or upgrade once, not per request
    app = Flask(
        __name__,
        template_folder=str(config.templates_dir / "web"),
        static_folder=str(STATIC),
        static_url_path="/static",
    )
    app.config.update(
        SECRET_KEY=secret_key or security.secret_key_from(),
        SESSION_COOKIE_NAME="monitor_review",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE=review.cookie_samesite,
        SESSION_COOKIE_SECURE=review.secure_cookies,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=review.session_hours),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES,
        TEMPLATES_AUTO_RELOAD=True,
        TRUSTED_HOSTS=trusted_hosts(review, listen_host),
    )
    app.extensions["monitor"] = ReviewState(config=config, password_hash=password_hash)
    app.jinja_env.autoescape = True  # every template, whatever its file name
    app.jinja_env.filters["url"] = safe_url
    app.jinja_env.filters["plain"] = strip_html
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["csrf_token"] = lambda: security.csrf_token(session)
    app.jinja_env.globals["csrf_field"] = lambda: Markup(
        '<input type="hidden" name="{}" value="{}">'
    ).format(security.CSRF_FIELD, security.csrf_token(session))

    @app.before_request
    def require_sign_in_and_csrf():
        if _request_ctx_url_adapter() is None:
            return None  # refused before routing (an untrusted Host): Flask answers 400
        if session.get("reviewer") and session.get("pw") != security.fingerprint(password_hash):
            session.clear()  # the password changed since this session signed in
        if session.get("reviewer") and not session_store.is_live(
                get_db(), session.get("sid"), now=datetime.now(UTC)):
            session.clear()  # signed out (or expired) on the server: a copied cookie is dead
        if request.endpoint not in PUBLIC_ENDPOINTS and not session.get("reviewer"):
            if request.method in SAFE_METHODS:
                return redirect(url_for("web.login", next=request.full_path.rstrip("?")))
            abort(401)
        if request.method not in SAFE_METHODS:
            if not _same_origin(request.headers.get("Origin")):
                abort(403)
            submitted = request.form.get(security.CSRF_FIELD) or request.headers.get(
                security.CSRF_HEADER)
            if not security.csrf_ok(session, submitted):
                abort(400, description="csrf")
        return None

    @app.after_request
    def headers(response):
        for name, value in security.SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.teardown_appcontext
    def close_db(_exc):
        db = g.pop("db", None)
        if db is not None:
            db.conn.close()

    for code in (400, 401, 403, 404, 409, 413, 429, 500):
        app.register_error_handler(code, _error_page)
    app.register_error_handler(ReviewError, _failure_page)
    app.register_error_handler(StorageError, _failure_page)

    from monitor.web.views import bp

    app.register_blueprint(bp)
    return app


def _same_origin(origin: str | None) -> bool:
    """Browsers send Origin on POST; one from another site is refused even with a token.

    The scheme counts too (an `http://` page of the same host is another origin): https
    when the app sits behind an HTTPS proxy (`secure_cookies`), else the request's own.
    """
    if not origin or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    secure = current_app.config.get("SESSION_COOKIE_SECURE")
    scheme = "https" if secure else request.scheme
    return parts.scheme == scheme and parts.netloc == request.host


def _failure_page(error: Exception):
    """A known failure (unreadable draft file, unusable database): its one line, not a trace."""
    return render_template("error.html", code=500, reason="failure", message=str(error)), 500


def _error_page(error):
    code = getattr(error, "code", 500)
    description = getattr(error, "description", "")
    if _request_ctx_url_adapter() is None:  # refused before routing (an untrusted Host)
        return f"{code} refused", code, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("error.html", code=code, reason=description, message=""), code


def _request_ctx_url_adapter():
    from flask.globals import request_ctx

    return request_ctx.url_adapter if request_ctx else None
