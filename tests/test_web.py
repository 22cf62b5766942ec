"""The review page through Flask's test client, over a real SQLite file and real draft files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from monitor import drafting, review
from monitor.config import ConfigError
from monitor.configure import load_config
from monitor.web import create_app
from monitor.web.security import hash_password
from tests.draft_fixtures import (
    BREACH_TEXT,
    NOW,
    join_incident,
    make_article,
    make_incident,
    setup,
)

PASSWORD = "correct horse battery"
PASSWORD_HASH = hash_password(PASSWORD)
REVIEW = f'[review]\npassword_hash = "{PASSWORD_HASH}"\n'
XSS = "<img src=x onerror=alert(1)>"
RAID_TEXT = (
    "HSI agents executed search warrants at two poultry plants and arrested 212 workers. "
    "ICE said the operation was part of a worksite enforcement investigation."
)


@pytest.fixture
def site(tmp_path: Path, monkeypatch):
    """(app, db, drafts by title): two real drafts generated from stored articles."""
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW)
    breach = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                          BREACH_TEXT)
    make_incident(db, breach, title="ICE posts detainee data")
    raid = make_article(db, "https://news.example.com/raid", "Poultry plant raid",
                        RAID_TEXT, incident_type="raid")
    make_incident(db, raid, title="Poultry plant raid", incident_type="raid")
    drafting.generate_drafts(db, config, now=NOW)
    drafts = {d["title"]: d for d in review.list_drafts(db)}
    app = create_app(config, secret_key="test-secret")
    return app, db, drafts


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, name: str = "Ana Reviewer", password: str = PASSWORD, next_path: str = "/"):
    token = token_from(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "name": name,
                                       "password": password, "next": next_path})


@pytest.fixture
def client(site):
    app, _, _ = site
    client = app.test_client()
    response = sign_in(client)
    assert response.status_code == 302
    return client


def breach_id(site) -> int:
    return site[2]["ICE posts detainee data"]["id"]


def page_token(client, draft_id: int) -> str:
    return token_from(client.get(f"/drafts/{draft_id}").text)


# --- sign-in ---------------------------------------------------------------------------------


def test_inbox_without_sign_in_redirects_to_login(site):
    response = site[0].test_client().get("/")
    assert response.headers["Location"].startswith("/login")


def test_draft_page_without_sign_in_redirects_back_after_login(site):
    response = site[0].test_client().get(f"/drafts/{breach_id(site)}")
    assert response.headers["Location"] == f"/login?next=/drafts/{breach_id(site)}"


def test_sign_in_returns_to_the_page_asked_for(site):
    client = site[0].test_client()
    response = sign_in(client, next_path=f"/drafts/{breach_id(site)}")
    assert response.headers["Location"] == f"/drafts/{breach_id(site)}"


def test_sign_in_never_redirects_off_site(site):
    client = site[0].test_client()
    response = sign_in(client, next_path="//evil.example/x")
    assert response.headers["Location"] == "/"


def test_wrong_password_is_refused(site):
    response = sign_in(site[0].test_client(), password="wrong password")
    assert response.status_code == 401


def test_wrong_password_gives_no_session(site):
    client = site[0].test_client()
    sign_in(client, password="wrong password")
    assert client.get("/").status_code == 302


def test_sign_in_needs_a_name(site):
    response = sign_in(site[0].test_client(), name="   ")
    assert response.status_code == 400


def test_sign_in_without_csrf_token_is_refused(site):
    client = site[0].test_client()
    client.get("/login")
    response = client.post("/login", data={"name": "Ana", "password": PASSWORD})
    assert response.status_code == 400


def test_repeated_wrong_passwords_are_throttled(site):
    client = site[0].test_client()
    for _ in range(5):
        sign_in(client, password="wrong password")
    assert sign_in(client).status_code == 429


def test_session_cookie_is_httponly(site):
    response = sign_in(site[0].test_client())
    assert "HttpOnly" in response.headers["Set-Cookie"]


def test_session_cookie_is_samesite(site):
    response = sign_in(site[0].test_client())
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


def test_sign_out_ends_the_session(client):
    client.post("/logout", data={"csrf_token": token_from(client.get("/").text)})
    assert client.get("/").status_code == 302


def test_unauthenticated_post_is_refused(site):
    response = site[0].test_client().post(f"/drafts/{breach_id(site)}/approve",
                                          data={"note": "x"})
    assert response.status_code == 401


def test_unauthenticated_post_changes_nothing(site):
    app, db, _ = site
    app.test_client().post(f"/drafts/{breach_id(site)}/approve", data={"note": "x"})
    assert review.get_draft(db, breach_id(site))["status"] == "pending"


def test_app_without_password_hash_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, _ = setup(tmp_path)
    with pytest.raises(ConfigError, match="password_hash"):
        create_app(config)


def test_password_hash_may_come_from_environment(tmp_path: Path, monkeypatch):
    config, _ = setup(tmp_path)
    monkeypatch.setenv("MONITOR_REVIEW_PASSWORD_HASH", hash_password("from the env"))
    client = create_app(config, secret_key="k").test_client()
    assert sign_in(client, password="from the env").status_code == 302


def test_plain_password_in_config_is_refused(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, _ = setup(tmp_path, extra='[review]\npassword_hash = "hunter2"\n')
    with pytest.raises(ConfigError, match="not a password hash"):
        create_app(config)


# --- CSRF and headers ------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused(client, site):
    response = client.post(f"/drafts/{breach_id(site)}/approve", data={"version": "1"})
    assert response.status_code == 400


def test_post_without_csrf_token_changes_nothing(client, site):
    client.post(f"/drafts/{breach_id(site)}/approve", data={"version": "1"})
    assert review.get_draft(site[1], breach_id(site))["status"] == "pending"


def test_post_with_wrong_csrf_token_is_refused(client, site):
    response = client.post(f"/drafts/{breach_id(site)}/approve",
                           data={"version": "1", "csrf_token": "forged"})
    assert response.status_code == 400


def test_post_from_another_origin_is_refused(client, site):
    token = page_token(client, breach_id(site))
    response = client.post(f"/drafts/{breach_id(site)}/approve",
                           data={"version": "1", "csrf_token": token},
                           headers={"Origin": "http://evil.example"})
    assert response.status_code == 403


def test_pages_forbid_outside_scripts_and_styles(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy


def test_pages_are_not_cached(client):
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_pages_load_no_external_assets(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    assert not re.findall(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', html)


# --- inbox and search ------------------------------------------------------------------------


def test_inbox_lists_every_incident(client):
    html = client.get("/").text
    assert "ICE posts detainee data" in html and "Poultry plant raid" in html


def test_inbox_shows_why_flagged(client):
    assert "test" in client.get("/").text.split("Why flagged", 1)[1]


def test_inbox_lists_pending_before_approved(client, site):
    draft_id = site[2]["Poultry plant raid"]["id"]
    review.approve(site[1], draft_id, reviewer="Ben")
    html = client.get("/").text
    assert html.index("ICE posts detainee data") < html.index("Poultry plant raid")


def test_inbox_filters_by_type(client):
    html = client.get("/?type=raid").text
    assert "Poultry plant raid" in html and "ICE posts detainee data" not in html


def test_inbox_filters_by_status(client, site):
    review.approve(site[1], breach_id(site), reviewer="Ben")
    html = client.get("/?status=approved").text
    assert "ICE posts detainee data" in html and "Poultry plant raid" not in html


def test_inbox_ignores_unknown_filter_values(client):
    assert client.get("/?status=bogus&type=nope").status_code == 200


def test_search_finds_articles_by_text(client):
    html = client.get("/?q=nationalities").text
    assert "Articles matching" in html and "ICE posts detainee data" in html.split(
        "Articles matching", 1)[1]


def test_search_with_query_syntax_characters_works(client):
    assert client.get('/?q=%22AND%20(%20*').status_code == 200


# --- draft page ------------------------------------------------------------------------------


def test_draft_page_shows_rendered_draft(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    assert "<h2>The Information</h2>" in html


def test_draft_page_shows_source_link(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    assert 'href="https://news.example.com/breach"' in html


def test_draft_page_shows_sentences_used_from_source(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    sources = html.split('id="sources-title"', 1)[1]
    assert "personal information of 6,252 noncitizens" in sources


def test_draft_page_shows_extracted_facts(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    assert re.search(r"<b>counts</b> 6,252 noncitizens</span>", html)


def test_draft_page_shows_history(client, site):
    html = client.get(f"/drafts/{breach_id(site)}").text
    assert "generated" in html.split('id="history-title"', 1)[1]


def test_unknown_draft_is_not_found(client):
    assert client.get("/drafts/999").status_code == 404


def test_scraped_title_is_escaped(client, site):
    db = site[1]
    article = make_article(db, "https://news.example.com/x", XSS, BREACH_TEXT + " Extra.")
    make_incident(db, article, title=XSS)
    html = client.get("/").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and XSS not in html


def preview_of_saved(client, site, text: str) -> str:
    """The Preview panel of the draft page after saving `text` as the draft."""
    draft_id = breach_id(site)
    save(client, draft_id, text)
    html = client.get(f"/drafts/{draft_id}").text
    return html.split('id="preview"', 1)[1].split('id="edit"', 1)[0]


def test_raw_html_in_markdown_is_shown_as_text(client, site):
    preview = preview_of_saved(client, site, "# T\n\n<script>alert(1)</script>\n")
    assert "<script" not in preview and "&lt;script&gt;" in preview


def test_javascript_link_in_markdown_is_not_a_link(client, site):
    preview = preview_of_saved(client, site, "# T\n\n[click](javascript:alert(1))\n")
    assert 'href="javascript' not in preview


def test_remote_image_in_markdown_is_not_loaded(client, site):
    preview = preview_of_saved(client, site, "# T\n\n![p](https://tracker.example/p.png)\n")
    assert "<img" not in preview


def test_http_link_in_markdown_stays_a_link(client, site):
    preview = preview_of_saved(client, site, "# T\n\n[law](https://law.example.com/x)\n")
    assert 'href="https://law.example.com/x"' in preview


# --- edit, approve, reject -------------------------------------------------------------------


def save(client, draft_id: int, text: str, version: int = 1):
    token = page_token(client, draft_id)
    return client.post(f"/drafts/{draft_id}/save",
                       data={"csrf_token": token, "version": str(version), "markdown": text})


def test_save_writes_the_draft_file(client, site):
    save(client, breach_id(site), "# Edited in the browser\n")
    path = Path(site[2]["ICE posts detainee data"]["path"])
    assert path.read_text(encoding="utf-8") == "# Edited in the browser\n"


def test_save_keeps_the_previous_version(client, site):
    original = Path(site[2]["ICE posts detainee data"]["path"]).read_text(encoding="utf-8")
    save(client, breach_id(site), "# Edited in the browser\n")
    assert review.history(site[1], breach_id(site))[0]["text"] == original


def test_save_records_the_reviewer(client, site):
    save(client, breach_id(site), "# Edited in the browser\n")
    assert review.history(site[1], breach_id(site))[-1]["actor"] == "Ana Reviewer"


def test_save_over_a_newer_version_is_refused(client, site):
    config = load_config(site[0].extensions["monitor"].config.path)
    review.save_edit(site[1], config, breach_id(site), "# Someone else\n", base_version=1,
                     actor="Ben")
    assert save(client, breach_id(site), "# Mine\n", version=1).status_code == 409


def test_refused_save_keeps_the_newer_file(client, site):
    config = site[0].extensions["monitor"].config
    review.save_edit(site[1], config, breach_id(site), "# Someone else\n", base_version=1,
                     actor="Ben")
    save(client, breach_id(site), "# Mine\n", version=1)
    path = Path(site[2]["ICE posts detainee data"]["path"])
    assert path.read_text(encoding="utf-8") == "# Someone else\n"


def test_refused_save_gives_the_text_back(client, site):
    config = site[0].extensions["monitor"].config
    review.save_edit(site[1], config, breach_id(site), "# Someone else\n", base_version=1,
                     actor="Ben")
    html = save(client, breach_id(site), "# Mine, not lost\n", version=1).text
    assert re.search(r'<textarea id="markdown"[^>]*># Mine, not lost\n</textarea>', html)


def test_refused_save_says_why(client, site):
    config = site[0].extensions["monitor"].config
    review.save_edit(site[1], config, breach_id(site), "# Someone else\n", base_version=1,
                     actor="Ben")
    html = save(client, breach_id(site), "# Mine\n", version=1).text
    assert "changed since you opened it" in html


def test_approve_with_note(client, site):
    draft_id = breach_id(site)
    client.post(f"/drafts/{draft_id}/approve",
                data={"csrf_token": page_token(client, draft_id), "version": "1",
                      "note": "Good to go"})
    draft = review.get_draft(site[1], draft_id)
    assert (draft["status"], draft["reviewer"], draft["note"]) == (
        "approved", "Ana Reviewer", "Good to go")


def test_approved_draft_is_in_the_approved_list(client, site):
    draft_id = breach_id(site)
    client.post(f"/drafts/{draft_id}/approve",
                data={"csrf_token": page_token(client, draft_id), "version": "1"})
    assert f"/drafts/{draft_id}" in client.get("/?status=approved").text


def test_approving_a_stale_version_is_refused(client, site):
    draft_id = breach_id(site)
    token = page_token(client, draft_id)
    review.save_edit(site[1], site[0].extensions["monitor"].config, draft_id, "# New\n",
                     base_version=1, actor="Ben")
    client.post(f"/drafts/{draft_id}/approve", data={"csrf_token": token, "version": "1"})
    assert review.get_draft(site[1], draft_id)["status"] == "pending"


def test_reject_with_note(client, site):
    draft_id = breach_id(site)
    client.post(f"/drafts/{draft_id}/reject",
                data={"csrf_token": page_token(client, draft_id), "version": "1",
                      "note": "Not our practice area"})
    assert review.get_draft(site[1], draft_id)["note"] == "Not our practice area"


def test_reopen_takes_a_decision_back(client, site):
    draft_id = breach_id(site)
    review.reject(site[1], draft_id, reviewer="Ben")
    client.post(f"/drafts/{draft_id}/reopen", data={"csrf_token": page_token(client, draft_id)})
    assert review.get_draft(site[1], draft_id)["status"] == "pending"


def test_version_page_shows_the_diff(client, site):
    save(client, breach_id(site), "# Edited in the browser\n")
    html = client.get(f"/drafts/{breach_id(site)}/versions/2").text
    assert "+# Edited in the browser" in html


def test_download_is_the_current_markdown(client, site):
    response = client.get(f"/drafts/{breach_id(site)}/download")
    path = Path(site[2]["ICE posts detainee data"]["path"])
    assert response.text == path.read_text(encoding="utf-8")


def test_oversized_post_is_refused(client, site):
    response = save(client, breach_id(site), "x" * (3 * 1024 * 1024))
    assert response.status_code == 413


# --- sources and status ----------------------------------------------------------------------


def test_sources_page_lists_configured_sources(client):
    assert "ice-breaking-news" in client.get("/sources").text


def test_status_page_counts_pending_drafts(client):
    html = client.get("/status").text
    assert re.search(r"Drafts pending review</dt><dd><a [^>]+>2</a>", html)



def test_post_from_the_same_origin_is_accepted(client, site):
    token = page_token(client, breach_id(site))
    response = client.post(f"/drafts/{breach_id(site)}/approve",
                           data={"version": "1", "csrf_token": token},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303


PERSONAL_TEXT = (
    "ICE said it inadvertently posted the personal information of 6,252 noncitizens on its "
    "website. One record read: A-123-456-789, one of 40 detainees at the Otay Mesa center. "
    "The agency said the file was online for about five hours before it was removed."
)


@pytest.fixture
def personal_draft(client, site):
    """A draft whose source article carries an A-number."""
    app, db, _ = site
    article = make_article(db, "https://news.example.com/leak", "ICE leak of detainee records",
                           PERSONAL_TEXT)
    make_incident(db, article, title="ICE leak of detainee records")
    drafting.generate_drafts(db, app.extensions["monitor"].config, now=NOW)
    return next(d for d in review.list_drafts(db) if d["title"] == "ICE leak of detainee records")


def test_privacy_guard_decisions_are_listed(client, personal_draft):
    html = client.get(f"/drafts/{personal_draft['id']}").text
    assert "a number" in html.split('id="privacy-title"', 1)[1]


def test_personal_data_never_reaches_the_draft_page(client, personal_draft):
    assert "123-456-789" not in client.get(f"/drafts/{personal_draft['id']}").text


def failed_crawl(db) -> None:
    from monitor.storage import sources as source_store

    source_store.record_source_crawl(db, {
        "source_id": "ice-breaking-news", "started_at": "2026-03-02T10:00:00+00:00",
        "finished_at": "2026-03-02T10:01:00+00:00", "status": "failed", "items_seen": 0,
        "new_items": 0, "errors": ["HTTP 503 from the feed"]})


def test_sources_page_shows_a_failed_crawl_and_its_error(client, site):
    failed_crawl(site[1])
    html = client.get("/sources").text
    assert re.search(r'<tr class="problem">.*?HTTP 503 from the feed', html, re.S)


def test_sources_page_shows_health_as_monitor_sources_does(client, site):
    failed_crawl(site[1])
    html = client.get("/sources").text
    assert re.search(r'ice-breaking-news.*?<span class="badge health-error">error</span>', html,
                     re.S)


def test_sources_page_lists_the_failing_source_first(client, site):
    failed_crawl(site[1])
    html = client.get("/sources").text.split("<tbody>", 1)[1]
    assert html.index("ice-breaking-news") < html.index("guardian-us-immigration")


def test_export_holds_the_approved_text(client, site):
    import io
    import zipfile

    draft = site[2]["ICE posts detainee data"]
    review.approve(site[1], draft["id"], reviewer="Ben")
    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/approved.zip").data))
    assert archive.read(Path(draft["path"]).name).decode() == Path(draft["path"]).read_text(
        encoding="utf-8")


def test_changing_the_password_signs_sessions_out(client, site, monkeypatch):
    app = site[0]
    monkeypatch.setenv("MONITOR_REVIEW_PASSWORD_HASH", hash_password("a new password"))
    restarted = create_app(app.extensions["monitor"].config, secret_key="test-secret")
    restarted_client = restarted.test_client()
    restarted_client.set_cookie("monitor_review", client.get_cookie("monitor_review").value)
    assert restarted_client.get("/").status_code == 302


def test_same_key_and_password_keep_the_session(client, site):
    restarted = create_app(site[0].extensions["monitor"].config, secret_key="test-secret")
    restarted_client = restarted.test_client()
    restarted_client.set_cookie("monitor_review", client.get_cookie("monitor_review").value)
    assert restarted_client.get("/").status_code == 200


@pytest.fixture
def update_waiting(client, site):
    """An edited draft whose incident then gained a source: the regenerated text waits beside."""
    app, db, drafts = site
    draft = drafts["ICE posts detainee data"]
    save(client, draft["id"], Path(draft["path"]).read_text(encoding="utf-8") + "\nMy edit.\n")
    second = make_article(db, "https://other.example.org/breach", "Agency posted detainee data",
                          BREACH_TEXT + " A second outlet confirmed it.", outlet="Other Outlet")
    join_incident(db, draft["incident_id"], second)
    drafting.generate_drafts(db, app.extensions["monitor"].config, now=NOW)
    return draft


def test_waiting_update_is_shown_with_its_diff(client, update_waiting):
    html = client.get(f"/drafts/{update_waiting['id']}").text
    assert "New material since your edit" in html and "+[^2]:" in html


def test_adopting_the_update_replaces_the_file(client, site, update_waiting):
    draft = review.get_draft(site[1], update_waiting["id"])
    client.post(f"/drafts/{draft['id']}/update/adopt",
                data={"csrf_token": page_token(client, draft["id"]),
                      "version": str(draft["version"])})
    assert Path(draft["path"]).read_text(encoding="utf-8") == draft["update_text"]


def test_dismissing_the_update_keeps_the_edit(client, site, update_waiting):
    draft_id = update_waiting["id"]
    client.post(f"/drafts/{draft_id}/update/dismiss",
                data={"csrf_token": page_token(client, draft_id)})
    text = Path(update_waiting["path"]).read_text(encoding="utf-8")
    waiting = review.get_draft(site[1], draft_id)["update_text"]
    assert text.endswith("My edit.\n") and waiting is None


def test_scraped_title_is_escaped_beside_the_draft(client, site):
    db = site[1]
    article = make_article(db, "https://news.example.com/x", XSS, BREACH_TEXT + " Extra.")
    incident = make_incident(db, article, title=XSS)
    drafting.generate_drafts(db, site[0].extensions["monitor"].config, now=NOW)
    draft = next(d for d in review.list_drafts(db) if d["incident_id"] == incident)
    html = client.get(f"/drafts/{draft['id']}").text
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and XSS not in html


@pytest.fixture
def publishing(tmp_path: Path, monkeypatch):
    """A site whose config has a static-site folder to publish to, signed in."""
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW + '[publish]\nfolder = "site/_posts"\n')
    article = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    client = create_app(config, secret_key="k").test_client()
    sign_in(client)
    return client, db, draft, tmp_path / "site" / "_posts"


def test_publish_button_shows_for_an_approved_draft(publishing):
    client, db, draft, _ = publishing
    review.approve(db, draft["id"], reviewer="Ben")
    assert 'id="publish"' in client.get(f"/drafts/{draft['id']}").text


def test_publish_button_is_absent_for_a_pending_draft(publishing):
    client, _, draft, _ = publishing
    assert 'id="publish"' not in client.get(f"/drafts/{draft['id']}").text


def test_publishing_an_approved_draft_writes_it_to_the_folder(publishing):
    client, db, draft, folder = publishing
    review.approve(db, draft["id"], reviewer="Ben")
    client.post(f"/drafts/{draft['id']}/publish",
                data={"csrf_token": page_token(client, draft["id"])})
    assert len(list(folder.glob("*.md"))) == 1


def test_publishing_a_pending_draft_writes_nothing(publishing):
    client, _, draft, folder = publishing
    client.post(f"/drafts/{draft['id']}/publish",
                data={"csrf_token": page_token(client, draft["id"])})
    assert not folder.exists() or not list(folder.glob("*.md"))


def test_unreadable_draft_file_is_a_one_line_error_page(client, site):
    path = Path(site[2]["ICE posts detainee data"]["path"])
    path.write_bytes(b"\xff\xfe not utf-8 \xff")
    response = client.get(f"/drafts/{breach_id(site)}")
    assert response.status_code == 500 and "cannot read draft file" in response.text


def test_preview_renders_unsaved_markdown_sanitised(client, site):
    token = page_token(client, breach_id(site))
    response = client.post("/preview", data={"markdown": "# Hi\n\n<script>x</script>"},
                           headers={"X-CSRF-Token": token})
    assert response.text == "<h1>Hi</h1>\n<p>&lt;script&gt;x&lt;/script&gt;</p>\n"


def test_preview_without_csrf_token_is_refused(client):
    assert client.post("/preview", data={"markdown": "# Hi"}).status_code == 400


def test_draft_without_recorded_sources_lists_its_incident_articles(client, site):
    from monitor.storage import drafts as draft_store

    draft = site[2]["ICE posts detainee data"]
    draft_store.update_draft(site[1], draft["id"], {"sources": []}, action="test")
    html = client.get(f"/drafts/{draft['id']}").text
    assert 'href="https://news.example.com/breach"' in html.split('id="sources-title"', 1)[1]


def test_request_for_another_host_name_is_refused(client):
    assert client.get("/", headers={"Host": "rebound.example"}).status_code == 400


@pytest.fixture
def undrafted(site):
    """An incident the drafting stage has not reached yet."""
    db = site[1]
    article = make_article(db, "https://news.example.com/new", "Fresh detention report",
                           BREACH_TEXT + " Fresh.")
    return make_incident(db, article, title="Fresh detention report")


def test_inbox_shows_incidents_without_a_draft(client, undrafted):
    html = client.get("/?status=no-draft").text
    assert f'href="/incidents/{undrafted}"' in html


def test_incident_page_lists_its_sources(client, undrafted):
    html = client.get(f"/incidents/{undrafted}").text
    assert 'href="https://news.example.com/new"' in html


def _follow_up_of(db, incident_id: int) -> int:
    """A lawsuit weeks later, attached by the clustering stage as a follow-up."""
    from monitor.storage import incidents as incident_store

    article = make_article(db, "https://news.example.com/lawsuit", "Detainees sue over the leak",
                           BREACH_TEXT + " A lawsuit was filed.", incident_id=incident_id)
    join_incident(db, incident_id, article)
    incident_store.save_signature(db, article, incident_id, b"", published=None, reason={},
                                  role="follow_up")
    return article


def test_incident_page_marks_a_follow_up_as_a_new_development(client, site, undrafted):
    _follow_up_of(site[1], undrafted)
    html = client.get(f"/incidents/{undrafted}").text
    section = html.split('href="https://news.example.com/lawsuit"', 1)[1].split("</section>")[0]
    assert "New development" in section and html.count("New development") == 1


def test_draft_page_marks_a_follow_up_source_as_a_new_development(client, site):
    from monitor.storage import drafts as draft_store

    draft = site[2]["ICE posts detainee data"]
    _follow_up_of(site[1], draft["incident_id"])
    draft_store.update_draft(site[1], draft["id"], {"sources": []}, action="test")
    sources = client.get(f"/drafts/{draft['id']}").text.split('id="sources-title"', 1)[1]
    lawsuit = sources.split('href="https://news.example.com/lawsuit"', 1)[1].split("</section>")[0]
    assert "New development" in lawsuit and sources.count("New development") == 1


def test_incident_with_a_draft_redirects_to_the_draft(client, site):
    draft = site[2]["ICE posts detainee data"]
    response = client.get(f"/incidents/{draft['incident_id']}")
    assert response.headers["Location"] == f"/drafts/{draft['id']}"


@pytest.mark.parametrize("line, problem", [
    ("cookie_samesite = \"None\"", "cookie_samesite"),
    ("session_hours = \"long\"", "session_hours"),
    ("port = 99999", "port"),
    ("alow_remote = true", "unknown key 'alow_remote'"),
])
def test_bad_review_settings_are_one_line_errors(tmp_path: Path, line: str, problem: str):
    # Since issue 18 the whole file is checked on load, so the error comes before the app.
    with pytest.raises(ConfigError, match=problem):
        config, _ = setup(tmp_path, extra=REVIEW + line + "\n")
        create_app(config)
