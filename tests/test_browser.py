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

from monitor.configure import load_config
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
    "flight": "https://www.ice.gov/news/releases/"
              "ice-removes-138-guatemalan-nationals-charter-flight-alexandria",
    "stewart": "https://www.ice.gov/news/releases/"
               "honduran-national-ice-custody-passes-away-stewart-detention-center",
    "texas": "https://www.ice.gov/news/releases/"
             "ice-signs-287g-agreements-14-texas-law-enforcement-agencies",
    "court": "https://www.courtlistener.com/opinion/10456789/"
             "coalition-for-detained-families-v-us-immigration-and-customs-enforcement",
    "fugitive": "https://www.ice.gov/news/releases/"
                "ice-houston-removes-salvadoran-fugitive-wanted-homicide",
    "xss": "https://news.example.com/payload",
}
TITLE_OF_DRAFT = ("SELECT d.title FROM drafts d JOIN articles a ON a.incident_id = d.incident_id "
                  "WHERE a.url = ?")
SITE: dict[str, Path] = {}


def title_of(key: str) -> str:
    """The draft's title now: an edited H1 renames it, as the attorney expects."""
    db = open_db(SITE["folder"] / "monitor.db")
    try:
        return db.execute(TITLE_OF_DRAFT, [ANCHORS[key]]).fetchone()[0]
    finally:
        db.conn.close()


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
    stored = {row[0] for row in db.execute("SELECT url FROM articles")}
    missing = [url for key, url in ANCHORS.items() if key != "xss" and url not in stored]
    assert not missing, f"the crawl did not store {missing}:\n{crawled.stderr[-3000:]}"
    make_article(db, "https://news.example.com/payload", XSS, BREACH_TEXT)
    db.conn.close()
    drafted = run_cli("draft", config=config_path)
    assert drafted.returncode == 0, drafted.stderr
    db = open_db(folder / "monitor.db")
    undrafted = [url for url in ANCHORS.values()
                 if db.execute(TITLE_OF_DRAFT, [url]).fetchone() is None]
    db.conn.close()
    assert not undrafted, f"no draft for {undrafted}:\n{drafted.stderr[-3000:]}"
    SITE["folder"] = folder
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


def sign_in(page, base: str, path: str = "/", name: str = "Ana Reviewer") -> None:
    page.goto(base + path)
    page.get_by_label("Your name").fill(name)
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


def test_inbox_ranks_a_widely_reported_story_above_a_single_source_one(page, review_site):
    sign_in(page, review_site, name="Rita Ranking")
    rows = page.locator("table.inbox-table tbody tr")
    order = [rows.nth(i).get_attribute("data-incident") for i in range(rows.count())]
    breach, court = (inbox_row(page, key).get_attribute("data-incident")
                     for key in ("statement", "court"))
    assert order.index(breach) < order.index(court)
    outlets = inbox_row(page, "statement").locator("td.num").first
    expect(outlets).to_have_text(re.compile(r"^[6-9]$"))


def test_inbox_shows_story_dates_and_readable_reasons(page, review_site):
    sign_in(page, review_site, name="Rita Reasons")
    row = inbox_row(page, "raid")
    expect(row.locator("time")).to_have_text(re.compile(r"^Nov 1\d, 2026$"))
    expect(row.locator("td.why")).to_contain_text("wording")
    expect(row.locator("td.why")).not_to_contain_text("(score")
    shot(page, "inbox.png")


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
    page.get_by_role("link", name=title_of("xss"), exact=True).click()
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
    """The inbox lists the draft's title (drafting found no usable text in this one) and the
    story's own title beside it, where the payload must stay text."""
    sign_in(page, review_site)
    expect(page.locator(".reported-as", has_text=XSS)).to_have_text(f"Reported as: {XSS}")
    assert page.locator("img").count() == 0


def open_xss_draft(page, base: str) -> None:
    sign_in(page, base)
    page.get_by_role("link", name=title_of("xss"), exact=True).click()
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


# --- issue 19: the attorney's day -------------------------------------------------------------


def inbox_row(page, key: str):
    return page.locator("tr", has=page.get_by_role("link", name=title_of(key), exact=True))


def test_new_marker_goes_once_the_story_is_opened(page, review_site):
    sign_in(page, review_site, name="Nora Newcomer")
    expect(inbox_row(page, "fugitive").get_by_text("New", exact=True)).to_be_visible()
    page.get_by_role("link", name=title_of("fugitive"), exact=True).click()
    page.locator("#draft-status").wait_for()
    page.get_by_role("link", name="Everything").click()
    expect(inbox_row(page, "fugitive").get_by_text("New", exact=True)).to_have_count(0)
    expect(inbox_row(page, "raid").get_by_text("New", exact=True)).to_be_visible()


def test_draft_page_is_compact_and_history_is_one_click_away(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("statement"), exact=True).click()
    link = page.locator("#history-link")
    expect(link).to_be_in_viewport()  # at the top, no scrolling
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 7000, f"the breach draft page is {height} px tall"
    sentence_counts = page.evaluate("""() => {
        const seen = {};
        for (const q of document.querySelectorAll('.facts-by-sentence q')) {
          const key = q.closest('.source').id + '|' + q.textContent;
          seen[key] = (seen[key] || 0) + 1;
        }
        return Object.values(seen);
    }""")
    assert sentence_counts and max(sentence_counts) == 1  # each sentence once per source
    link.click()
    expect(page.get_by_role("heading", name="History")).to_be_in_viewport()
    shot(page, "draft.png")


def edit_markdown(page, change) -> None:
    page.get_by_role("tab", name="Edit Markdown").click()
    editor = page.locator("#markdown")
    editor.fill(change(editor.input_value()))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved as version")


def test_edited_headline_is_the_title_everywhere_and_publishes(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("flight"), exact=True).click()
    new = "138 Guatemalans deported on one charter flight"
    edit_markdown(page, lambda text: re.sub(r"^# .*$", f"# {new}", text, count=1, flags=re.M))
    expect(page.locator(".draft-head h1")).to_have_text(new)
    expect(page.locator(".front-matter")).to_contain_text(new)
    page.get_by_role("button", name=re.compile(r"^Approve version \d+$")).click()
    page.get_by_role("button", name=re.compile(r"^Publish version \d+ to folder$")).click()
    expect(page.get_by_role("status")).to_contain_text("Published:")
    page.get_by_role("link", name="Approved", exact=True).click()
    expect(page.get_by_role("link", name=new, exact=True)).to_be_visible()
    (exported,) = [p for p in (SITE["folder"] / "site" / "_posts").glob("*.md")
                   if "138" in p.read_text(encoding="utf-8")]
    assert f'title: "{new}"' in exported.read_text(encoding="utf-8")


def test_approved_draft_front_matter_and_list_say_where_it_stands(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("texas"), exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Approve version \d+$")).click()
    expect(page.locator(".front-matter")).to_contain_text("approved")
    expect(page.locator(".front-matter")).not_to_contain_text("pending-review")
    page.get_by_role("link", name="Approved", exact=True).click()
    expect(inbox_row(page, "texas").locator(".published-state")).to_have_text("Not published yet")
    page.get_by_role("link", name=title_of("texas"), exact=True).click()
    page.get_by_role("button", name=re.compile(r"^Publish version \d+ to folder$")).click()
    page.get_by_role("link", name="Approved", exact=True).click()
    expect(inbox_row(page, "texas").locator(".published-state")).to_contain_text("Published")


def test_an_edited_sentence_is_not_shown_as_the_sources_words(page, review_site):
    sign_in(page, review_site)
    page.get_by_role("link", name=title_of("stewart"), exact=True).click()
    source_sentence = page.locator(".sentences li.verbatim").first.inner_text()
    words = source_sentence.split()
    edited = " ".join(words[:-3] + ["(edited", "by", "Ana)."])
    edit_markdown(page, lambda text: text.replace(source_sentence.rstrip("."), edited[:-1], 1)
                  if source_sentence.rstrip(".") in text else text)
    item = page.locator(".sentences li.edited").filter(has_text="(edited by Ana)")
    expect(item.locator(".tag").first).to_have_text("Edited in this draft")
    expect(item.locator(".original")).to_contain_text(" ".join(words[:-3]))


def test_approved_draft_without_publish_config_says_what_to_configure(browser, page,
                                                                    review_site):
    folder = SITE["folder"]
    text = (folder / "monitor.toml").read_text(encoding="utf-8")
    plain = folder / "no-publish.toml"
    plain.write_text(text.replace('[publish]\nfolder = "site/_posts"\n', ""), encoding="utf-8")
    app = create_app(load_config(plain))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        sign_in(page, base)
        page.get_by_role("link", name=title_of("court"), exact=True).click()
        page.get_by_role("button", name=re.compile(r"^Approve version \d+$")).click()
        note = page.locator("#publish-setup")
        expect(note).to_contain_text("Publishing is not set up")
        expect(note).to_contain_text(str(plain))
        expect(note.locator("pre")).to_contain_text("[publish]")
    finally:
        server.shutdown()
        thread.join(timeout=10)


def test_status_page_is_a_page(page, review_site):
    sign_in(page, review_site, path="/status")
    expect(page.get_by_role("heading", name="Status", exact=True)).to_be_visible()
    expect(page.get_by_text("No scheduled pass yet.")).to_be_visible()
    expect(page.locator("table.status-table.sources tbody tr")).not_to_have_count(0)
    assert page.locator("pre").count() == 0
    assert "ago)" not in page.locator("table.status-table.sources").inner_text()
    shot(page, "status.png")


def test_digest_reads_as_one_card_per_incident_with_review_links(page, review_site):
    """The HTML digest of the demo data, rendered by Chromium: cards, one figure line, links."""
    from datetime import UTC, datetime

    from monitor import digest as digesting
    from monitor.config import Recipient

    folder = SITE["folder"]
    text = (folder / "monitor.toml").read_text(encoding="utf-8")
    linked = folder / "digest.toml"
    linked.write_text(text + f'\n[digest]\ndraft_url = "{review_site}/drafts/{{id}}"\n',
                      encoding="utf-8")
    config = load_config(linked)
    db = open_db(folder / "monitor.db")
    try:
        built = digesting.build_digest(db, Recipient(email="ana@law.example.com", name="Ana"),
                                       config, datetime.now(UTC))
        subject, _text, html = digesting.render(built, config)
    finally:
        db.conn.close()
    page.set_content(html)
    cards = page.locator("td.incident")
    expect(cards).to_have_count(len(built.new_incidents))
    figures = [line for line in page.locator("body").inner_text().splitlines()
               if line.startswith("Figures:")]
    assert figures and all(line.count("6,252") <= 1 for line in figures)
    assert page.get_by_text("Drafts waiting for review").count() == 0
    shot(page, "digest.png")
    cards.first.get_by_role("link", name="Review the draft").click()
    page.wait_for_load_state()
    assert re.search(r"drafts(/|%2F)\d+", page.url), page.url
