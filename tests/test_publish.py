"""Publishing approved drafts: a static-site folder and a WordPress REST server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from monitor import drafting, publish, review
from monitor.config import ConfigError
from tests.conftest import run_cli
from tests.draft_fixtures import BREACH_TEXT, NOW, make_article, make_incident, setup

PASSWORD = "abcd efgh ijkl mnop"


class WordPress:
    """A loopback stand-in for the WordPress REST API that checks what it is sent."""

    def __init__(self, status: int = 201) -> None:
        self.requests: list[dict] = []
        self.status = status
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                outer.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "body": json.loads(body or b"{}")})
                expected = "Basic " + base64.b64encode(f"editor:{PASSWORD}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    self._answer(401, {"code": "rest_not_logged_in", "message": "Sorry."})
                elif outer.status != 201:
                    self._answer(outer.status, {"message": "Broken."})
                else:
                    self._answer(201, {"id": 42, "status": "draft",
                                       "link": "http://127.0.0.1/?p=42"})

            def _answer(self, status: int, data: dict) -> None:
                payload = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def wordpress():
    server = WordPress()
    yield server
    server.close()


def publish_config(tmp_path: Path, wordpress_url: str = "") -> str:
    extra = '[publish]\nfolder = "site/_posts"\n'
    if wordpress_url:
        extra += (f'wordpress_url = "{wordpress_url}"\nwordpress_user = "editor"\n'
                  'wordpress_password_env = "TEST_WP_PASSWORD"\n')
    return extra


@pytest.fixture
def approved(tmp_path: Path, wordpress, monkeypatch):
    monkeypatch.setenv("TEST_WP_PASSWORD", PASSWORD)
    config, db = setup(tmp_path, extra=publish_config(tmp_path, wordpress.url))
    article = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    review.approve(db, draft["id"], reviewer="Ana Attorney", note="ok", now=NOW)
    return config, db, draft


def exported(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "site" / "_posts").glob("*.md"))


def test_approved_draft_is_exported_to_folder(approved, tmp_path):
    config, db, _ = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert [p.name for p in exported(tmp_path)] == ["2026-03-01-ice-posts-detainee-data.md"]


def test_exported_front_matter_status_is_set(approved, tmp_path):
    config, db, _ = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    text = exported(tmp_path)[0].read_text()
    assert 'status: "published"' in text and "draft: false" in text


def test_exported_copy_names_the_approver(approved, tmp_path):
    config, db, _ = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert 'approved_by: "Ana Attorney"' in exported(tmp_path)[0].read_text()


def test_exported_copy_drops_reviewer_only_keys(approved, tmp_path):
    config, db, _ = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert "privacy_guard" not in exported(tmp_path)[0].read_text()


def test_pending_draft_is_not_exported(tmp_path: Path):
    config, db = setup(tmp_path, extra=publish_config(tmp_path))
    article = make_article(db, "https://news.example.com/breach", "ICE posts data", BREACH_TEXT)
    make_incident(db, article, title="ICE posts data")
    drafting.generate_drafts(db, config, now=NOW)
    publish.publish(db, config, now=NOW)
    assert exported(tmp_path) == []


def test_draft_edited_after_approval_is_not_exported(approved, tmp_path):
    config, db, draft = approved
    Path(draft["path"]).write_text(Path(draft["path"]).read_text() + "\nLate change.\n")
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert exported(tmp_path) == []


def test_second_publish_exports_nothing_new(approved, tmp_path):
    config, db, _ = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert publish.publish(db, config, targets=["folder"], now=NOW).exported == []


def test_publish_is_recorded_in_audit_trail(approved):
    config, db, draft = approved
    publish.publish(db, config, targets=["folder"], now=NOW)
    assert review.events(db, draft["id"])[-1]["action"] == "published"


def test_wordpress_receives_basic_auth_with_application_password(approved, wordpress):
    config, db, _ = approved
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    expected = "Basic " + base64.b64encode(f"editor:{PASSWORD}".encode()).decode()
    assert wordpress.requests[0]["headers"]["Authorization"] == expected


def test_wordpress_post_is_created_as_draft(approved, wordpress):
    config, db, _ = approved
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    assert (wordpress.requests[0]["path"], wordpress.requests[0]["body"]["status"]) == (
        "/wp-json/wp/v2/posts", "draft")


def test_wordpress_post_carries_title_and_cited_html(approved, wordpress):
    config, db, _ = approved
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    body = wordpress.requests[0]["body"]
    assert body["title"] == "ICE posts detainee data" and \
        'href="https://news.example.com/breach"' in body["content"]


def test_wordpress_content_is_json_with_sanitised_html(approved, wordpress):
    config, db, draft = approved
    path = Path(draft["path"])
    path.write_text(path.read_text() + '\n<script>alert(1)</script> [x](javascript:alert(2))\n')
    review.approve(db, draft["id"], reviewer="Ana Attorney", now=NOW)
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    content = wordpress.requests[0]["body"]["content"].lower()
    assert "<script" not in content and 'href="javascript' not in content


def test_wordpress_post_id_is_stored(approved, wordpress):
    config, db, draft = approved
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    assert review.get_draft(db, draft["id"])["wordpress_id"] == 42


def test_wordpress_is_not_posted_twice(approved, wordpress):
    config, db, _ = approved
    publish.publish(db, config, now=NOW)
    publish.publish(db, config, now=NOW)
    assert len(wordpress.requests) == 1


def test_wrong_password_is_a_clear_error(approved, wordpress, monkeypatch):
    config, db, _ = approved
    monkeypatch.setenv("TEST_WP_PASSWORD", "wrong")
    report = publish.publish(db, config, targets=["wordpress"], now=NOW)
    assert report.errors == ["draft 1: WordPress refused the post: HTTP 401 (Sorry.)"]


def test_missing_password_variable_is_named(approved, monkeypatch):
    config, db, _ = approved
    monkeypatch.delenv("TEST_WP_PASSWORD")
    report = publish.publish(db, config, targets=["wordpress"], now=NOW)
    assert "TEST_WP_PASSWORD" in report.errors[0]


def test_wordpress_failure_still_exports_folder(approved, wordpress, tmp_path):
    config, db, _ = approved
    wordpress.status = 500
    publish.publish(db, config, now=NOW)
    assert len(exported(tmp_path)) == 1


def test_password_in_config_file_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="must not hold a password"):  # checked on load
        config, _ = setup(tmp_path, extra='[publish]\nwordpress_password = "x"\n')
        publish.PublishSettings.from_config(config)


def test_plain_http_to_remote_wordpress_is_refused(tmp_path: Path):
    with pytest.raises(ConfigError, match="https"):  # checked on load
        config, _ = setup(tmp_path, extra=(
            '[publish]\nwordpress_url = "http://blog.example.com"\nwordpress_user = "e"\n'
            'wordpress_password_env = "X"\n'))
        publish.PublishSettings.from_config(config)


def test_cli_publish_posts_to_wordpress(tmp_path: Path, wordpress):
    from tests.conftest import write_config
    config_path = write_config(tmp_path, extra=publish_config(tmp_path, wordpress.url))
    from monitor.configure import load_config
    from monitor.storage import open_db
    config = load_config(config_path)
    db = open_db(config.database_path)
    article = make_article(db, "https://news.example.com/breach", "ICE posts data", BREACH_TEXT)
    make_incident(db, article, title="ICE posts data")
    drafting.generate_drafts(db, config, now=NOW)
    review.approve(db, 1, reviewer="ana", now=NOW)
    result = run_cli("publish", config=config_path, env={"TEST_WP_PASSWORD": PASSWORD})
    assert "WordPress post 42" in result.stdout, result.stderr


def test_configured_front_matter_keys_are_added(tmp_path: Path):
    config, db = setup(tmp_path, extra=publish_config(tmp_path) + (
        '[publish.front_matter]\nlayout = "post"\ncategories = ["Immigration news"]\n'))
    article = make_article(db, "https://news.example.com/breach", "ICE posts data", BREACH_TEXT)
    make_incident(db, article, title="ICE posts data")
    drafting.generate_drafts(db, config, now=NOW)
    review.approve(db, 1, reviewer="ana", now=NOW)
    publish.publish(db, config, now=NOW)
    text = exported(tmp_path)[0].read_text()
    assert 'layout: "post"' in text and 'categories: ["Immigration news"]' in text


def test_cli_publish_dry_run_writes_nothing(tmp_path: Path):
    from tests.conftest import write_config
    config_path = write_config(tmp_path, extra=publish_config(tmp_path))
    from monitor.configure import load_config
    from monitor.storage import open_db
    config = load_config(config_path)
    db = open_db(config.database_path)
    article = make_article(db, "https://news.example.com/breach", "ICE posts data", BREACH_TEXT)
    make_incident(db, article, title="ICE posts data")
    drafting.generate_drafts(db, config, now=NOW)
    review.approve(db, 1, reviewer="ana", now=NOW)
    result = run_cli("publish", "--dry-run", config=config_path)
    assert "(dry run)" in result.stdout and exported(tmp_path) == []


def test_wordpress_footnote_links_have_their_targets(approved, wordpress):
    config, db, _ = approved
    publish.publish(db, config, targets=["wordpress"], now=NOW)
    content = wordpress.requests[0]["body"]["content"]
    assert 'href="#fn1"' in content and 'id="fn1"' in content
