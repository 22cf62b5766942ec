"""Issue 19 on the review page (Flask test client, real SQLite, real draft files).

The attorney's day: an edited headline publishes as edited, the front matter says where a
draft stands, the inbox says what is new and ranks stories by their coverage, the draft page
groups facts by sentence, publishing explains what to configure, the status page is a page.
The same points in real Chromium are in tests/test_browser.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor import draft_meta, drafting, publish, review
from monitor.storage import drafts as draft_store
from monitor.web import create_app
from tests.draft_fixtures import BREACH_TEXT, NOW, make_article, make_incident, setup
from tests.test_web import REVIEW, page_token, save, sign_in

POSTS = '[publish]\nfolder = "site/_posts"\n'


@pytest.fixture
def site(tmp_path: Path, monkeypatch):
    """(client, db, config, draft): one generated draft, a publish folder, signed in."""
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW + POSTS)
    article = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    client = create_app(config, secret_key="k").test_client()
    sign_in(client)
    return client, db, config, draft


def text_of(draft: dict) -> str:
    return Path(draft["path"]).read_text(encoding="utf-8")


def edited_h1(text: str, new: str) -> str:
    old = draft_meta.headline(text)
    assert old, "the generated draft has an H1"
    return text.replace(f"# {old}\n", f"# {new}\n", 1)


def published_files(tmp_path_or_config) -> list[Path]:
    folder = Path(tmp_path_or_config.path).parent / "site" / "_posts"
    return sorted(folder.glob("*.md"))


# --- 3. the edited H1 is the title ------------------------------------------------------------


def test_edited_h1_becomes_the_front_matter_title(site):
    client, _, _, draft = site
    save(client, draft["id"], edited_h1(text_of(draft), "ICE exposed 6,252 detainees' data"))
    assert draft_meta.front_value(text_of(draft), "title") == "ICE exposed 6,252 detainees' data"


def test_edited_h1_is_the_listed_title(site):
    client, db, _, draft = site
    save(client, draft["id"], edited_h1(text_of(draft), "A headline the attorney wrote"))
    assert draft_store.get_draft(db, draft["id"])["title"] == "A headline the attorney wrote"
    assert "A headline the attorney wrote" in client.get("/?status=pending").text


def test_edited_h1_is_the_published_title(site):
    client, db, config, draft = site
    save(client, draft["id"], edited_h1(text_of(draft), "The edited headline"))
    review.approve(db, draft["id"], reviewer="Ana Reviewer")
    publish.publish(db, config, targets=["folder"], now=NOW)
    (exported,) = published_files(config)
    assert publish.front_matter_value(exported.read_text(encoding="utf-8"), "title") \
        == "The edited headline"


def test_h1_edited_in_the_drafts_folder_is_the_published_title(site):
    _, db, config, draft = site
    Path(draft["path"]).write_text(edited_h1(text_of(draft), "Edited in an editor"),
                                   encoding="utf-8")
    review.approve(db, draft["id"], reviewer="Ana Reviewer")
    publish.publish(db, config, targets=["folder"], now=NOW)
    (exported,) = published_files(config)
    assert publish.front_matter_value(exported.read_text(encoding="utf-8"), "title") \
        == "Edited in an editor"


def test_edited_h1_with_markup_publishes_as_inert_text(site):
    client, _, _, draft = site
    save(client, draft["id"], edited_h1(text_of(draft), "Breach [see](javascript:x) <b>now</b>"))
    title = draft_meta.front_value(text_of(draft), "title")
    assert "](" not in title and "<b>" not in title


def test_edited_front_matter_title_is_carried_into_the_h1(site):
    client, _, _, draft = site
    text = text_of(draft)
    old = draft_meta.front_value(text, "title")
    save(client, draft["id"], text.replace(f"title: {json.dumps(old)}",
                                           'title: "Only the front matter changed"', 1))
    assert draft_meta.headline(text_of(draft)) == "Only the front matter changed"


# --- 4. the front matter says where the draft stands -----------------------------------------


def test_approved_draft_says_approved_in_its_front_matter(site):
    client, db, _, draft = site
    client.post(f"/drafts/{draft['id']}/approve",
                data={"csrf_token": page_token(client, draft["id"]), "version": "1"})
    assert draft_meta.front_value(text_of(draft), "status") == "approved"


def test_writing_the_status_is_not_an_edit(site):
    client, db, _, draft = site
    client.post(f"/drafts/{draft['id']}/approve",
                data={"csrf_token": page_token(client, draft["id"]), "version": "1"})
    row = review.get_draft(db, draft["id"])
    assert (row["status"], row["version"]) == ("approved", 1)


def test_rejected_then_reopened_draft_says_pending_review(site):
    _, db, _, draft = site
    review.reject(db, draft["id"], reviewer="Ben")
    assert draft_meta.front_value(text_of(draft), "status") == "rejected"
    review.reopen(db, draft["id"], reviewer="Ben")
    assert draft_meta.front_value(text_of(draft), "status") == "pending-review"


def test_saving_an_approved_draft_unchanged_keeps_the_approval(site):
    client, db, _, draft = site
    review.approve(db, draft["id"], reviewer="Ben")
    save(client, draft["id"], text_of(draft), version=1)
    assert review.get_draft(db, draft["id"])["status"] == "approved"


def test_editing_an_approved_draft_says_pending_review_again(site):
    client, db, _, draft = site
    review.approve(db, draft["id"], reviewer="Ben")
    save(client, draft["id"], text_of(draft) + "\nOne more line.\n", version=1)
    assert draft_meta.front_value(text_of(draft), "status") == "pending-review"
    assert review.get_draft(db, draft["id"])["status"] == "pending"


def test_draft_page_shows_the_review_state_not_the_generated_status(site):
    client, db, _, draft = site
    review.approve(db, draft["id"], reviewer="Ben")
    html = client.get(f"/drafts/{draft['id']}").text
    assert "pending-review" not in html


def test_approved_list_says_not_published_yet(site):
    client, db, _, draft = site
    review.approve(db, draft["id"], reviewer="Ben")
    assert "Not published yet" in client.get("/?status=approved").text


def test_approved_list_says_where_it_was_published(site):
    client, db, config, draft = site
    review.approve(db, draft["id"], reviewer="Ben")
    publish.publish(db, config, targets=["folder"], now=NOW)
    html = client.get("/?status=approved").text
    assert "Published" in html and published_files(config)[0].name in html


# --- 1. the inbox: story date, unread, readable reasons, ranked by coverage and recency -------


def inbox_row(html: str, title: str) -> str:
    """The <tr> of the inbox that links `title`."""
    for row in html.split("<tr")[1:]:
        if f">{title}</a>" in row:
            return row.split("</tr>", 1)[0]
    raise AssertionError(f"no inbox row for {title!r}")


def test_inbox_shows_the_story_date_not_the_crawl_time(site):
    client, _, _, draft = site
    row = inbox_row(client.get("/").text, draft["title"])
    assert "Mar 1, 2026" in row  # published 2026-03-01; crawled 2026-03-02


def test_inbox_marks_a_story_never_opened_as_new(site):
    client, _, _, draft = site
    assert ">New</span>" in inbox_row(client.get("/").text, draft["title"])


def test_opening_a_story_clears_its_new_marker(site):
    client, _, _, draft = site
    client.get(f"/drafts/{draft['id']}")
    assert ">New</span>" not in inbox_row(client.get("/").text, draft["title"])


def test_new_marker_is_kept_per_reviewer(site):
    client, _, config, draft = site
    client.get(f"/drafts/{draft['id']}")
    other = create_app(config, secret_key="k").test_client()
    sign_in(other, name="Ben Partner")
    assert ">New</span>" in inbox_row(other.get("/").text, draft["title"])


def test_a_story_with_a_new_source_is_marked_updated(site):
    from tests.draft_fixtures import join_incident

    client, db, _, draft = site
    client.get(f"/drafts/{draft['id']}")
    second = make_article(db, "https://other.example.org/b", "Agency posted detainee data",
                          BREACH_TEXT + " Confirmed.", outlet="Other Outlet")
    join_incident(db, draft["incident_id"], second)
    assert ">Updated</span>" in inbox_row(client.get("/").text, draft["title"])


def test_mark_all_as_read_clears_every_marker(site):
    client, _, _, draft = site
    html = client.get("/").text
    from tests.test_web import token_from

    client.post("/read-all", data={"csrf_token": token_from(html)})
    assert ">New</span>" not in inbox_row(client.get("/").text, draft["title"])


def test_visits_reload_without_losing_the_previous_visit(site):
    from datetime import timedelta

    from monitor.storage import reviewers

    _, db, _, _ = site
    assert reviewers.visit(db, "Ana", NOW) is None
    assert reviewers.visit(db, "Ana", NOW + timedelta(minutes=5)) is None  # same visit
    later = NOW + timedelta(hours=20)
    assert reviewers.visit(db, "Ana", later) == (NOW + timedelta(minutes=5)).isoformat()
    assert reviewers.visit(db, "Ana", later + timedelta(minutes=1)) \
        == (NOW + timedelta(minutes=5)).isoformat()


def test_why_flagged_reads_as_sentences_not_a_term_dump(site):
    client, db, _, draft = site
    db.execute("UPDATE articles SET matches = ?", [json.dumps([
        {"field": "text", "rule": "agency", "term": "ICE", "weight": 1.5},
        {"field": "text", "rule": "agency", "term": "DHS", "weight": 1.0},
        {"field": "title", "rule": "incident:data_breach", "term": "Personal Information",
         "weight": 2.0},
        {"field": "text", "rule": "incident:data_breach", "term": "disclosure", "weight": 1.0},
        {"field": "-", "rule": "cooccurrence:agency+incident", "term": "agency+incident",
         "weight": 0.0}])])
    row = inbox_row(client.get("/").text, draft["title"])
    assert "Names ICE and DHS" in row
    assert "wording (in the headline): “personal information”, “disclosure”" in row
    assert "agency+incident" not in row and "(score" not in row


def test_widely_reported_story_outranks_a_higher_scored_single_source(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW)
    first = make_article(db, "https://a.example/breach", "Seven outlets on the breach",
                         BREACH_TEXT, outlet="Outlet 0", published="2026-03-01T10:00:00+00:00")
    breach = make_incident(db, first, title="Seven outlets on the breach")
    from tests.draft_fixtures import join_incident

    for n in range(1, 7):
        other = make_article(db, f"https://o{n}.example/b", f"Breach report {n}",
                             BREACH_TEXT + f" Report {n}.", outlet=f"Outlet {n}",
                             published="2026-03-01T12:00:00+00:00")
        join_incident(db, breach, other)
    court = make_article(db, "https://court.example/c", "A court filing", "ICE was sued.",
                         incident_type="court_ruling", published="2026-03-02T09:00:00+00:00")
    court_id = make_incident(db, court, title="A court filing", incident_type="court_ruling")
    db.execute("UPDATE incidents SET score = 20 WHERE id = ?", [court_id])
    db.execute("UPDATE incidents SET score = 12 WHERE id = ?", [breach])
    drafting.generate_drafts(db, config, now=NOW)
    client = create_app(config, secret_key="k").test_client()
    sign_in(client)
    html = client.get("/").text
    assert html.index(">Seven outlets on the breach</a>") < html.index(">A court filing</a>")
    assert ">7</td>" in inbox_row(html, "Seven outlets on the breach")


def test_a_much_newer_story_outranks_an_old_widely_reported_one():
    from monitor.triage import priority

    assert priority(1, "2026-03-10T00:00:00+00:00") > priority(7, "2026-03-01T00:00:00+00:00")
    assert priority(7, "2026-03-01T00:00:00+00:00") > priority(1, "2026-03-02T00:00:00+00:00")


# --- 6. no [publish] table: the page says what to configure ---------------------------------


@pytest.fixture
def unpublishable(tmp_path: Path, monkeypatch):
    """An approved draft under a config without [publish] (as shipped), signed in."""
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW)
    article = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    review.approve(db, draft["id"], reviewer="Ben")
    client = create_app(config, secret_key="k").test_client()
    sign_in(client)
    return client, config, draft


def test_approved_draft_without_publish_config_says_what_to_configure(unpublishable):
    client, config, draft = unpublishable
    html = client.get(f"/drafts/{draft['id']}").text
    assert "Publishing is not set up" in html
    assert "[publish]" in html and str(config.path) in html and 'folder = "' in html


def test_pending_draft_without_publish_config_shows_no_setup_note(tmp_path, monkeypatch):
    monkeypatch.delenv("MONITOR_REVIEW_PASSWORD_HASH", raising=False)
    config, db = setup(tmp_path, extra=REVIEW)
    article = make_article(db, "https://news.example.com/b", "ICE posts data", BREACH_TEXT)
    make_incident(db, article, title="ICE posts data")
    drafting.generate_drafts(db, config, now=NOW)
    client = create_app(config, secret_key="k").test_client()
    sign_in(client)
    assert "Publishing is not set up" not in client.get("/drafts/1").text


def test_shipped_config_links_digest_drafts_to_the_review_page():
    from monitor.configure import load_config
    from monitor.digest import digest_settings
    from tests.conftest import ROOT

    settings = digest_settings(load_config(ROOT / "monitor.toml"))
    assert settings.draft_link({"id": 3, "incident_id": 9}) == "http://127.0.0.1:8000/drafts/3"


# --- 2. the draft page: facts grouped by sentence, history one click away --------------------


def sources_panel(html: str) -> str:
    return html.split('id="sources-title"', 1)[1].split('class="privacy"', 1)[0]


def test_facts_are_grouped_by_sentence(site):
    client, _, _, draft = site
    panel = sources_panel(client.get(f"/drafts/{draft['id']}").text)
    sentence = "The file listed names, dates of birth and nationalities of people in detention."
    facts = panel.split('class="facts-by-sentence"', 1)[1]
    assert facts.count(sentence) == 1
    group = facts.split(sentence, 1)[1].split("</li>", 1)[0]
    assert all(value in group for value in ("names", "birthdates", "nationalities"))


def test_history_is_linked_from_the_top_of_the_draft_page(site):
    client, _, _, draft = site
    save(client, draft["id"], text_of(draft) + "\nAn edit.\n")
    head = client.get(f"/drafts/{draft['id']}").text.split('class="draft-head"', 1)[1]
    head = head.split("</header>", 1)[0]
    assert 'href="#history"' in head and "2 versions" in head


# --- 5. "Sentences used" tells the source's words from the attorney's ------------------------


ORIGINAL = "The file listed names, dates of birth and nationalities of people in detention."


def test_an_edited_sentence_is_not_shown_as_the_sources_words(site):
    client, _, _, draft = site
    text = text_of(draft)
    assert ORIGINAL in text, "the fixture's draft cites this sentence"
    edited = "The file listed the names and birth dates of people held by ICE."
    save(client, draft["id"], text.replace(ORIGINAL, edited))
    panel = sources_panel(client.get(f"/drafts/{draft['id']}").text)
    used = panel.split("Sentences used in this draft", 1)[1].split("Extracted facts", 1)[0]
    item = [li for li in used.split("<li") if edited in li][0]
    assert 'class="edited"' in item and ORIGINAL in item  # what the source really says


def test_an_unedited_sentence_is_marked_as_the_sources_words(site):
    client, _, _, draft = site
    panel = sources_panel(client.get(f"/drafts/{draft['id']}").text)
    used = panel.split("Sentences used in this draft", 1)[1].split("Extracted facts", 1)[0]
    item = [li for li in used.split("<li") if ORIGINAL in li][0]
    assert 'class="verbatim"' in item


def test_classify_sentences_used():
    from monitor.web.citations import classify_used

    source = "ICE said it posted the data of 6,252 noncitizens. The file was online for hours."
    rows = classify_used(
        ["ICE said it posted the data of 6,252 noncitizens.",
         "As Example News reported: “The file was online for hours.”",
         "ICE said it posted the data of 6,252 people.",
         "Call our office today."],
        generated=[], article_text=source)
    assert [r["kind"] for r in rows] == ["verbatim", "verbatim", "edited", "draft"]
    assert rows[2]["original"] == "ICE said it posted the data of 6,252 noncitizens."


# --- 7. the status page is a page ------------------------------------------------------------


@pytest.fixture
def after_demo(site):
    """What `monitor demo` leaves: a demo run, one crawl per source long ago, no `run` pass."""
    from datetime import timedelta

    from monitor.storage import runs as run_store
    from tests.digest_data import add_crawl

    client, db, _, _ = site
    long_ago = NOW - timedelta(hours=3)
    run_id = run_store.start_run(db, "demo", now=long_ago)
    run_store.finish_run(db, run_id, status="ok", now=long_ago + timedelta(seconds=20),
                         stats={"new_articles": 64, "new_incidents": 21}, errors=[])
    add_crawl(db, "ice-breaking-news", status="ok", new_items=3, at=long_ago)
    add_crawl(db, "guardian-us-immigration", status="failed", errors=["HTTP 503"],
              at=long_ago)
    return client


def status_html(client) -> str:
    from unittest import mock

    with mock.patch("monitor.web.views._now", return_value=NOW):
        return client.get("/status").text


def test_status_page_is_not_a_text_dump(after_demo):
    html = status_html(after_demo)
    assert "<pre" not in html and "Last run:   " not in html
    assert 'class="status-table sources"' in html


def test_status_page_explains_that_only_the_demo_has_run(after_demo):
    html = status_html(after_demo)
    assert "none yet" not in html
    assert "No scheduled pass yet" in html and "monitor demo" in html


def test_status_page_says_a_past_due_source_is_overdue(after_demo):
    from datetime import timedelta

    from monitor.due import next_due
    from monitor.web.status_view import span
    from tests.watchlist import shipped_sources

    # crawled 3 h ago on a 30-minute interval: overdue since it fell due by monitor.due's rule
    ice = next(s for s in shipped_sources() if s.id == "ice-breaking-news")
    overdue = NOW - next_due(ice, NOW - timedelta(hours=3))
    html = status_html(after_demo)
    row = [r for r in html.split("<tr") if "ice-breaking-news" in r][0]
    assert f"overdue by {span(overdue)}" in row and " ago)" not in row \
        and timedelta(hours=2, minutes=31) <= overdue <= timedelta(hours=2, minutes=34)


def test_status_page_lists_warnings_first(after_demo):
    html = status_html(after_demo)
    assert html.index('class="warnings"') < html.index('class="status-table sources"')
    assert "guardian-us-immigration" in html.split('class="warnings"', 1)[1].split("</ul>")[0]


def test_relative_times_read_naturally():
    from datetime import timedelta

    from monitor.web.status_view import due_text, relative

    assert relative((NOW - timedelta(minutes=83)).isoformat(), NOW) == "1 h 23 min ago"
    assert relative((NOW + timedelta(minutes=12)).isoformat(), NOW) == "in 12 min"
    assert due_text((NOW - timedelta(minutes=83)).isoformat(), NOW) \
        == ("due now, overdue by 1 h 23 min", True)
    assert due_text(None, NOW) == ("", False)


def test_inbox_and_draft_page_still_show_when_the_database_refuses_writes(site):
    """`PRAGMA query_only` makes SQLite itself refuse every write, as a read-only file would."""
    from monitor.web import get_db

    client, _, _, draft = site
    app = client.application
    app.before_request_funcs.setdefault(None, []).append(
        lambda: get_db().conn.execute("PRAGMA query_only = ON") and None)
    assert client.get("/").status_code == 200
    assert client.get(f"/drafts/{draft['id']}").status_code == 200


@pytest.mark.parametrize("line, title", [
    ("# Learn C#", "Learn C#"),
    ("# Title ##", "Title"),
    ("# ICE \\*exposed\\* 6,252 \\[records\\]", "ICE *exposed* 6,252 [records]"),
])
def test_headline_reads_the_h1_as_plain_text(line: str, title: str):
    assert draft_meta.headline(f"---\ntitle: \"x\"\n---\n\n{line}\n\nBody.\n") == title
