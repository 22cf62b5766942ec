"""The review page in real headless Chromium, served by a real server thread on 127.0.0.1.

The data is the demo snapshot crawled and drafted by the CLI, plus one article whose title is
an XSS payload. Screenshots of the inbox and a draft page go to artifacts/screenshots/.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from monitor.config import load_config
from monitor.snapshot import serve_snapshot
from monitor.storage import open_db
from monitor.web import create_app
from monitor.web.security import hash_password
from tests.conftest import DEMO_SNAPSHOT, ROOT, run_cli, write_config
from tests.draft_fixtures import BREACH_TEXT, make_article

pytestmark = pytest.mark.browser
expect.set_options(timeout=20_000)  # a loaded CI machine is slow, not wrong

PASSWORD = "browser test password"
XSS = "<img src=x onerror=alert(1)>"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Drafts are named after their incident's primary source, which clustering chooses: the tests
# find each draft by an article it must contain, and read its title from the database.
ANCHORS = {
    "statement": "https://www.ice.gov/news/releases/"
                 "ice-statement-inadvertent-posting-detainee-information",
    "raid": "https://www.ice.gov/news/releases/"
            "hsi-executes-search-warrants-mississippi-poultry-plants",
    "otay": "https://www.theguardian.com/us-news/2026/nov/20/"
            "otay-mesa-detention-death-ice-custody",
}
TITLES: dict[str, str] = {}


def title_of(key: str) -> str:
    return TITLES[key]


@pytest.fixture(scope="session")
def review_site(tmp_path_factory):
    """The demo snapshot crawled and drafted by the CLI, served by the review app."""
    folder = tmp_path_factory.mktemp("review-site")
    review = (f'[review]\npassword_hash = "{hash_password(PASSWORD)}"\n'
              '[publish]\nfolder = "site/_posts"\n')
    config_path = write_config(folder, extra=review)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _state):
        crawled = run_cli("crawl", "--snapshot", base, config=config_path)
    assert crawled.returncode == 0, crawled.stderr
    db = open_db(folder / "monitor.db")
    make_article(db, "https://news.example.com/payload", XSS, BREACH_TEXT)
    db.conn.close()
    drafted = run_cli("draft", config=config_path)
    assert drafted.returncode == 0, drafted.stderr
    db = open_db(folder / "monitor.db")
    for key, url in ANCHORS.items():
        TITLES[key] = db.execute(
            "SELECT d.title FROM drafts d JOIN articles a ON a.incident_id = d.incident_id "
            "WHERE a.url = ?", [url]).fetchone()[0]
    db.conn.close()
    app = create_app(load_config(config_path))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh browser profile (no cookies) per test; every dialog is recorded, not accepted."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    yield page
    context.close()


def sign_in(page, base: str, path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_label("Your name").fill("Ana Reviewer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def shot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_unauthenticated_visit_is_sent_to_sign_in(page, review_site):
    page.goto(review_site + "/drafts/1")
    expect(page.get_by_role("heading", name="Sign in to review drafts")).to_be_visible()


def test_inbox_after_sign_in_lists_pending_drafts(page, review_site):
    sign_in(page, review_site)
    expect(page.get_by_role("link", name=title_of("raid"))).to_be_visible()


def test_inbox_screenshot_is_saved(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("raid")).wait_for()
    assert shot(page, "inbox.png").stat().st_size > 10_000


def test_search_finds_stored_articles(page, review_site):
    sign_in(page, review_site)
    page.get_by_label("Search the archive").fill("poultry")
    page.get_by_role("button", name="Show").click()
    results = page.locator(".result-list")
    expect(results.get_by_role("link", name=title_of("raid"))).to_be_visible()
    shot(page, "search.png")


def test_draft_page_screenshot_is_saved(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("raid")).click()
    page.get_by_role("heading", name=re.compile(r"^Sources \(\d+\)$")).wait_for()
    assert shot(page, "draft.png").stat().st_size > 10_000


def test_edit_save_approve_then_listed_as_approved(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("statement")).click()
    page.get_by_role("tab", name="Edit Markdown").click()
    editor = page.locator("#markdown")
    editor.fill(editor.input_value().replace("## Why It Matters",
                                              "Edited in the browser by Ana.\n\n## Why It Matters"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as version 2")
    expect(page.locator("#preview")).to_contain_text("Edited in the browser by Ana.")
    page.get_by_role("button", name="Approve version 2").click()
    expect(page.locator("#draft-status")).to_have_text("Approved")
    page.get_by_role("link", name="Approved", exact=True).click()
    expect(page.get_by_role("link", name=title_of("statement"))).to_be_visible()


def test_approved_draft_can_be_published_to_the_site_folder(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("raid")).click()
    page.get_by_role("button", name="Approve version 1").click()
    page.get_by_role("button", name="Publish version 1 to folder").click()
    expect(page.get_by_role("status")).to_contain_text("Published:")
    shot(page, "draft-published.png")


def test_preview_shows_unsaved_text_before_saving(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=XSS).click()
    page.get_by_role("tab", name="Edit Markdown").click()
    editor = page.locator("#markdown")
    editor.fill(editor.input_value() + "\nA sentence not yet saved.\n")
    page.get_by_role("tab", name="Preview").click()
    expect(page.locator("#preview-body")).to_contain_text("A sentence not yet saved.")


def test_concurrent_edit_is_refused_and_text_kept(browser, page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("otay")).click()
    other = page.context.new_page()  # the same reviewer in a second tab
    other.goto(page.url)
    other.get_by_role("tab", name="Edit Markdown").click()
    other.locator("#markdown").fill("# Saved first in another tab\n")
    other.get_by_role("button", name="Save").click()
    expect(other.get_by_role("status")).to_contain_text("Saved as version 2")
    page.get_by_role("tab", name="Edit Markdown").click()
    page.locator("#markdown").fill("# My slower edit\n")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("changed since you opened it")
    shot(page, "draft-conflict.png")
    expect(page.locator("#markdown")).to_have_value("# My slower edit\n")


def test_xss_title_stays_text_in_inbox(page, review_site):
    sign_in(page, review_site)
    expect(page.get_by_role("link", name=XSS)).to_be_visible()


def open_xss_draft(page, base: str) -> None:
    sign_in(page, base)
    page.get_by_role("link", name=XSS).click()
    page.locator("#draft-status").wait_for()


def test_xss_title_stays_text_beside_the_draft(page, review_site):
    open_xss_draft(page, review_site)
    expect(page.locator("#source-1 h3")).to_contain_text(XSS)


def test_xss_title_fires_no_script(page, review_site):
    open_xss_draft(page, review_site)
    page.get_by_role("tab", name="Edit Markdown").click()  # every panel has been shown
    page.get_by_role("tab", name="Preview").click()
    assert page.dialogs == []


def test_xss_title_makes_no_image_element(page, review_site):
    open_xss_draft(page, review_site)
    assert page.locator("img").count() == 0


def test_post_without_csrf_token_is_refused(page, review_site):
    sign_in(page, review_site)
    response = page.context.request.post(review_site + "/drafts/1/approve",
                                         form={"version": "1", "note": "forged"})
    assert response.status == 400


def test_post_with_csrf_token_from_the_page_is_accepted(page, review_site):
    """The control for the test above: the same request with the page's token goes through."""
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("otay")).click()
    token = page.locator("form.decision input[name=csrf_token]").first.input_value()
    url = page.url.rstrip("/") + "/reject"
    response = page.context.request.post(url, form={"csrf_token": token,
                                                    "note": "not for the blog"},
                                         max_redirects=0)
    assert response.status == 303


def test_dialog_watch_does_catch_a_script_alert(page, review_site):
    """The control for the XSS tests: a script that does run is seen by the dialog watch."""
    open_xss_draft(page, review_site)
    page.evaluate("() => alert('control')")
    assert page.dialogs == ["control"]


def test_session_cookie_is_out_of_reach_of_scripts(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("raid")).wait_for()
    assert page.evaluate("() => document.cookie") == ""


def test_sign_out_then_back_shows_no_draft(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("raid")).click()
    page.get_by_role("button", name="Sign out").click()
    # Let the sign-out navigation finish: going back while it is in flight detaches the page.
    page.get_by_role("heading", name="Sign in to review drafts").wait_for()
    page.go_back()
    expect(page.get_by_role("heading", name="Sign in to review drafts")).to_be_visible()
