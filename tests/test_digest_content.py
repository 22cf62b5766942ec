"""What a digest says: sections, what changed since the last one, filters, safety of output.

Delivered in-process to a real aiosmtpd server on 127.0.0.1; state built through storage.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor import digest as digesting
from monitor.configure import load_config
from monitor.storage import digests as digest_store
from monitor.storage import drafts as draft_store
from monitor.storage import incidents as incident_store
from tests.digest_data import (
    T0,
    add_crawl,
    add_draft,
    add_incident,
    add_source,
    db_at,
    digest_config,
)
from tests.smtp_server import SmtpServer

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


class World:
    """A config, its database and the SMTP server, with a helper to run the digest."""

    def __init__(self, folder: Path, server: SmtpServer, **config) -> None:
        self.server = server
        self.config = load_config(digest_config(folder, server.port, **config))
        self.db = db_at(folder)

    def send(self, now=T0) -> list[digesting.Outcome]:
        return digesting.send_due_digests(self.db, self.config, now)

    def text(self, index: int = -1) -> str:
        body = self.server.received[index].message.get_body(("plain",)).get_content()
        return body.replace("\r\n", "\n")

    def html(self, index: int = -1) -> str:
        return self.server.received[index].message.get_body(("html",)).get_content()


@pytest.fixture
def world(tmp_path: Path, smtp: SmtpServer) -> World:
    return World(tmp_path, smtp)


def poultry(world: World) -> int:
    return add_incident(world.db, title="HSI raids Mississippi poultry plants",
                        url="https://www.ice.gov/news/releases/poultry", score=8.0,
                        counts=[(212, "workers")])


def leak(world: World) -> int:
    return add_incident(world.db, title="ICE posted details of asylum seekers",
                        url="https://www.theguardian.com/ice-posted", outlet="The Guardian",
                        incident_type="data_breach", score=5.0)


# --- new incidents -------------------------------------------------------------------------

@pytest.mark.parametrize("expected", [
    "NEW INCIDENTS (1)",
    "* HSI raids Mississippi poultry plants",
    "Type: raid | score 8.0 | 1 source",
    "Why flagged: agency 'ICE', incident:raid 'worksite'",
    "Best source: ice.gov https://www.ice.gov/news/releases/poultry",
    "Figures: 212 workers",
])
def test_new_incident_section(world: World, expected: str):
    poultry(world)
    world.send()
    assert expected in world.text()


def test_new_incident_links_its_draft_on_the_review_page(tmp_path: Path, smtp: SmtpServer):
    world = World(tmp_path, smtp, digest='draft_url = "http://127.0.0.1:8080/drafts/{id}"')
    add_draft(world.db, poultry(world), title="Poultry raid draft")
    world.send()
    assert 'href="http://127.0.0.1:8080/drafts/1"' in world.html()


def test_without_review_page_the_draft_file_is_named(world: World):
    add_draft(world.db, poultry(world), title="Poultry raid draft")
    world.send()
    assert "Draft (pending review): 2026-11-24-incident-1.md" in world.text()


def test_incidents_are_grouped_not_one_email_per_article(world: World):
    incident = poultry(world)
    add_source(world.db, incident, title="Guardian: poultry raid",
               url="https://www.theguardian.com/poultry", outlet="The Guardian")
    leak(world)
    world.send()
    assert len(world.server.received) == 1


def test_incident_with_two_sources_counts_both(world: World):
    incident = poultry(world)
    add_source(world.db, incident, title="Guardian: poultry raid",
               url="https://www.theguardian.com/poultry", outlet="The Guardian")
    world.send()
    assert "Type: raid | score 8.0 | 2 sources" in world.text()


def test_highest_score_first(world: World):
    leak(world)
    poultry(world)
    world.send()
    text = world.text()
    assert text.index("poultry plants") < text.index("asylum seekers")


# --- updates: what changed since the recipient's last digest --------------------------------

@pytest.fixture
def updated(world: World) -> World:
    """Day 1: two incidents sent. Then the raid gains a Guardian source with a new figure."""
    raid = poultry(world)
    leak(world)
    world.send(T0)
    add_source(world.db, raid, title="Guardian counts 300 workers detained",
               url="https://www.theguardian.com/poultry-300", outlet="The Guardian",
               counts=[(300, "workers")], now=T0 + timedelta(hours=5))
    world.send(T0 + DAY)
    return world


def test_update_sends_a_second_digest(updated: World):
    assert len(updated.server.received) == 2


def test_update_subject_counts_the_update(updated: World):
    assert updated.server.received[1].message["Subject"].startswith("1 updated incident —")


@pytest.mark.parametrize("expected", [
    "UPDATED INCIDENTS (1)",
    "Now 2 sources",
    "New source: The Guardian: Guardian counts 300 workers detained "
    "https://www.theguardian.com/poultry-300",
    "New figure: 300 workers (The Guardian)",
])
def test_update_says_what_changed(updated: World, expected: str):
    assert expected in updated.text()


def test_follow_up_source_is_announced_as_a_new_development(world: World):
    raid = poultry(world)
    world.send(T0)
    later = add_source(world.db, raid, title="Workers sue over poultry plant raid",
                       url="https://example.org/lawsuit", outlet="Clarion Ledger",
                       now=T0 + timedelta(hours=5))
    incident_store.save_signature(world.db, later, raid, b"", published=None, reason={},
                                  role="follow_up")
    world.send(T0 + DAY)
    assert ("New development: Clarion Ledger: Workers sue over poultry plant raid "
            "https://example.org/lawsuit") in world.text()
    assert "New development: <a href=\"https://example.org/lawsuit\"" in world.html()


def test_update_does_not_repeat_known_figure(updated: World):
    assert "New figure: 212 workers" not in updated.text()


def test_unchanged_incident_is_not_repeated(updated: World):
    assert "asylum seekers" not in updated.text()


def test_updated_incident_is_not_listed_as_new(updated: World):
    assert "NEW INCIDENTS" not in updated.text()


def test_version_bump_without_visible_change_sends_nothing(world: World):
    raid = poultry(world)
    world.send(T0)
    incident_store.update_incident(world.db, raid, {"score": 8.0}, now=T0 + timedelta(hours=1))
    assert [o.status for o in world.send(T0 + DAY)] == ["nothing-new"]


def test_renamed_incident_shows_its_old_title(world: World):
    raid = poultry(world)
    world.send(T0)
    incident_store.update_incident(world.db, raid, {"title": "212 arrested in poultry raid"},
                                   now=T0 + timedelta(hours=1))
    world.send(T0 + DAY)
    assert "Was titled: HSI raids Mississippi poultry plants" in world.text()


def test_incident_older_than_max_age_is_left_out(world: World):
    add_incident(world.db, title="Raid reported last spring", url="https://www.ice.gov/spring",
                 now=T0 - 40 * DAY)
    poultry(world)
    world.send()
    assert "last spring" not in world.text()


def test_one_step_record_of_a_sent_digest_also_prevents_repeats(world: World):
    """The simple path a scheduler may use: build, send elsewhere, record_digest('sent')."""
    add_draft(world.db, poultry(world), title="Poultry raid draft")
    recipient = world.config.recipients[0]
    built = digesting.build_digest(world.db, recipient, world.config, T0)
    digest_store.record_digest(world.db, recipient.email, "s", built.items, status="sent", now=T0)
    assert digesting.build_digest(world.db, recipient, world.config, T0 + DAY).has_news is False


# --- drafts and source problems -----------------------------------------------------------

def test_pending_draft_is_announced_as_new(world: World):
    """A draft written after its incident was announced is listed as new on its own."""
    incident = poultry(world)
    world.send(T0)
    add_draft(world.db, incident, title="Poultry raid draft", now=T0 + HOUR)
    world.send(T0 + DAY)
    assert "* Poultry raid draft [new]" in world.text()


def test_draft_still_waiting_alone_sends_no_digest(world: World):
    add_draft(world.db, poultry(world), title="Poultry raid draft")
    world.send(T0)
    assert [o.status for o in world.send(T0 + DAY)] == ["nothing-new"]


def test_draft_still_waiting_is_listed_with_news(world: World):
    add_draft(world.db, poultry(world), title="Poultry raid draft")
    world.send(T0)
    leak(world)
    world.send(T0 + DAY)
    assert "* Poultry raid draft\n" in world.text()


def test_revised_draft_is_announced_again(world: World):
    raid = poultry(world)
    draft_id = add_draft(world.db, raid, title="Poultry raid draft")
    world.send(T0)
    draft_store.save_draft(world.db, {"incident_id": raid, "version": 2}, now=T0 + 2 * HOUR)
    world.send(T0 + DAY)
    assert draft_id and "* Poultry raid draft [revised]" in world.text()


def test_merged_incident_is_not_listed(world: World):
    raid = poultry(world)
    incident_store.update_incident(world.db, raid, {"status": "merged"}, now=T0)
    leak(world)
    world.send()
    assert "poultry plants" not in world.text()


def test_source_failing_three_times_is_reported(world: World):
    # `failing` is monitor.health's judgement: [health] failures (3) failed crawls in a row
    for hours in (3, 2, 1):
        add_crawl(world.db, "uscis-news", status="failed", errors=["HTTP 503 Service Unavailable"],
                  at=T0 - hours * HOUR)
    world.send()
    assert "uscis-news: failing, 3 crawls in a row; last error: HTTP 503 Service Unavailable" \
        in world.text()


def test_two_failures_are_not_yet_a_problem(world: World):
    add_crawl(world.db, "uscis-news", status="ok", new_items=3, at=T0 - 3 * HOUR)
    for hours in (2, 1):
        add_crawl(world.db, "uscis-news", status="failed", errors=["HTTP 503"],
                  at=T0 - hours * HOUR)
    assert [o.status for o in world.send()] == ["nothing-new"]


def test_one_failure_is_not_yet_a_problem(world: World):
    add_crawl(world.db, "uscis-news", status="ok", new_items=3, at=T0 - 2 * DAY)
    add_crawl(world.db, "uscis-news", status="failed", errors=["HTTP 503"], at=T0 - DAY)
    assert [o.status for o in world.send()] == ["nothing-new"]


def test_silent_source_is_reported(world: World):
    add_crawl(world.db, "eoir-news", status="ok", new_items=2, at=T0 - 10 * DAY)
    add_crawl(world.db, "eoir-news", status="ok", new_items=0, seen=2,
              at=T0 - timedelta(hours=1))
    world.send()
    assert "eoir-news: silent, no new item since 2026-11-14" in world.text()


def test_source_not_crawled_lately_is_reported(world: World):
    add_crawl(world.db, "cbp-news", status="ok", new_items=2, at=T0 - 3 * DAY)
    world.send()
    assert "cbp-news: not crawled since Nov 21 07:00 UTC" in world.text()


def test_known_source_problem_alone_sends_no_digest(world: World):
    add_crawl(world.db, "cbp-news", status="ok", new_items=2, at=T0 - 3 * DAY)
    world.send(T0)
    assert [o.status for o in world.send(T0 + DAY)] == ["nothing-new"]


def test_known_source_problem_is_marked_ongoing(world: World):
    add_crawl(world.db, "cbp-news", status="ok", new_items=2, at=T0 - 3 * DAY)
    world.send(T0)
    leak(world)
    world.send(T0 + DAY)
    assert "cbp-news: not crawled since Nov 21 07:00 UTC (ongoing)" in world.text()


# --- recipients: frequency and filters ----------------------------------------------------

TWO = """
[[recipients]]
email = "partner@law.example.com"
frequency = "immediate"

[[recipients]]
email = "breaches@law.example.com"
frequency = "weekly"
incident_types = ["data_breach"]

[[recipients]]
email = "picky@law.example.com"
min_score = 7.5
"""


@pytest.fixture
def team(tmp_path: Path, smtp: SmtpServer) -> World:
    world = World(tmp_path, smtp, recipients=TWO)
    poultry(world)
    leak(world)
    world.send()
    return world


def text_for(world: World, email: str) -> str:
    [received] = [r for r in world.server.received if r.rcpt_tos == [email]]
    return received.message.get_body(("plain",)).get_content()


def test_immediate_gets_only_high_scores(team: World):
    text = text_for(team, "partner@law.example.com")
    assert "poultry plants" in text and "asylum seekers" not in text


def test_immediate_subject_is_an_alert(team: World):
    [received] = [r for r in team.server.received if r.rcpt_tos == ["partner@law.example.com"]]
    assert received.message["Subject"] == "Alert: HSI raids Mississippi poultry plants"


def test_incident_types_filter(team: World):
    text = text_for(team, "breaches@law.example.com")
    assert "asylum seekers" in text and "poultry plants" not in text


def test_min_score_filter(team: World):
    text = text_for(team, "picky@law.example.com")
    assert "poultry plants" in text and "asylum seekers" not in text


def test_immediate_recipient_is_mailed_again_within_the_hour(team: World):
    add_incident(team.db, title="ICE detains 40 in Newark sweep", score=9.0,
                 url="https://www.ice.gov/newark", now=T0 + timedelta(minutes=20))
    outcomes = {o.recipient: o.status for o in team.send(T0 + timedelta(minutes=30))}
    assert outcomes == {"partner@law.example.com": "sent",
                        "breaches@law.example.com": "not-due",
                        "picky@law.example.com": "not-due"}


def test_weekly_recipient_waits_a_week(team: World):
    leak_two = add_incident(team.db, title="Second breach", incident_type="data_breach",
                            url="https://www.ice.gov/breach-2", now=T0 + DAY)
    assert leak_two
    statuses = [[o.status for o in team.send(T0 + n * DAY) if o.recipient.startswith("breach")]
                for n in (3, 7)]
    assert statuses == [["not-due"], ["sent"]]


# --- schedule (pure) ----------------------------------------------------------------------

SETTINGS = digesting.DigestSettings(schedule_slack_minutes=60)


@pytest.mark.parametrize("frequency,last,now,due", [
    ("daily", None, T0, True),
    ("daily", T0, T0 + timedelta(hours=23, minutes=59, seconds=59), True),  # cron jitter
    ("daily", T0, T0 + timedelta(hours=12), False),
    ("weekly", T0, T0 + 6 * DAY, False),
    ("weekly", T0, T0 + 7 * DAY - timedelta(minutes=5), True),
    ("immediate", T0, T0 + timedelta(minutes=1), True),
])
def test_is_due(frequency: str, last, now, due: bool):
    recipient = digesting.Recipient(email="a@example.com", frequency=frequency)
    assert digesting.is_due(recipient, last.isoformat() if last else None, now, SETTINGS) is due


# --- safety of output ---------------------------------------------------------------------

XSS_TITLE = ("Raid <script>alert(1)</script><img src=x onerror=alert(2)> "
             "&lt;script&gt;alert(3)&lt;/script&gt; Tom & Jerry")


@pytest.fixture
def hostile(world: World) -> World:
    add_incident(world.db, title=XSS_TITLE + "\r\nBcc: victim@evil.example",
                 url="javascript:alert(4)", score=6.0,
                 why="agency 'ICE' \"><svg onload=alert(5)>")
    add_source(world.db, 1, title="<iframe src=//evil.example></iframe>Second",
               url="https://www.theguardian.com/second", outlet="<b>The Guardian</b>")
    world.send()
    return world


@pytest.mark.parametrize("raw", ["<script", "<img", "<svg", "<iframe", "onerror=",
                                 "javascript:", "<b>The Guardian"])
def test_html_part_carries_no_raw_markup_from_sources(hostile: World, raw: str):
    assert raw not in hostile.html()


@pytest.mark.parametrize("escaped", ["&lt;script&gt;alert(3)&lt;/script&gt;", "Tom &amp; Jerry",
                                     "&#34;&gt;"])
def test_html_part_shows_scraped_markup_escaped(hostile: World, escaped: str):
    assert escaped in hostile.html()


def test_title_line_breaks_never_reach_a_header(hostile: World):
    assert "victim@evil.example" not in str(hostile.server.received[0].message["Bcc"] or "") \
        and hostile.server.received[0].rcpt_tos == ["attorney@law.example.com"]


def test_title_line_breaks_stay_on_one_text_line(hostile: World):
    assert "\nBcc:" not in hostile.text()


def test_non_http_source_link_is_dropped(hostile: World):
    assert "Best source: The Guardian https://www.theguardian.com/second" in hostile.text()


def test_recipient_name_with_line_break_cannot_add_headers(tmp_path: Path, smtp: SmtpServer):
    world = World(tmp_path, smtp, recipients="""
[[recipients]]
email = "attorney@law.example.com"
name = "Ana\\r\\nBcc: victim@evil.example"
""")
    poultry(world)
    world.send()
    assert world.server.received[0].message["Bcc"] is None
