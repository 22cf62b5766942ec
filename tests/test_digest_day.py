"""Issue 19, the digest an attorney reads: delivered to a real aiosmtpd server on 127.0.0.1.

One entry per incident (its draft inside it, not listed again), one figure line with each
number once, readable reasons, a styled HTML part with links to the review page when
`draft_url` is set, and alerts whose subjects name their incident.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from tests.digest_data import T0, add_draft, add_incident, add_source
from tests.smtp_server import SmtpServer
from tests.test_digest_content import World

DRAFT_URL = 'draft_url = "http://127.0.0.1:8000/drafts/{id}"'
IMMEDIATE = """
[[recipients]]
email = "oncall@law.example.com"
name = "On call"
frequency = "immediate"
"""


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def world(tmp_path: Path, smtp: SmtpServer) -> World:
    return World(tmp_path, smtp, digest=DRAFT_URL)


def breach(world: World) -> int:
    """The demo's breach: one number reported under five nouns by five outlets."""
    incident = add_incident(world.db, title="ICE posted 6,252 detainees' data",
                            url="https://www.ice.gov/statement", incident_type="data_breach",
                            score=9.0, counts=[(6252, "people")])
    for n, noun in enumerate(("noncitizens", "immigrants", "inmigrantes", "asylum seekers")):
        add_source(world.db, incident, title=f"Report {n}", url=f"https://o{n}.example/b",
                   outlet=f"Outlet {n}", counts=[(6252, noun), (2000, "asylum seekers")])
    return incident


def test_an_incident_with_a_pending_draft_is_listed_once(world: World):
    add_draft(world.db, breach(world), title="ICE posted 6,252 detainees' data")
    world.send()
    assert world.text().count("ICE posted 6,252 detainees' data") == 1
    assert world.html().count("ICE posted 6,252 detainees&#39; data") == 1


def test_the_incident_entry_says_its_draft_waits_and_links_it(world: World):
    add_draft(world.db, breach(world), title="ICE posted 6,252 detainees' data")
    world.send()
    assert "Draft (pending review): http://127.0.0.1:8000/drafts/1" in world.text()
    assert re.search(r'<a href="http://127.0.0.1:8000/drafts/1"[^>]*>Review the draft</a>',
                     world.html())


def test_a_draft_of_an_incident_already_announced_is_still_listed(world: World):
    add_draft(world.db, breach(world), title="ICE posted 6,252 detainees' data")
    world.send(T0)
    world.db["drafts"].update(1, {"version": 2})  # regenerated: the recipient has not seen it
    world.send(T0 + timedelta(days=1))
    assert "DRAFTS WAITING FOR REVIEW (1)" in world.text()


def test_one_figure_line_with_each_number_once(world: World):
    breach(world)
    world.send()
    (line,) = [ln for ln in world.text().splitlines() if ln.strip().startswith("Figures:")]
    assert line.count("6,252") == 1 and line.count("2,000") == 1


def test_a_known_number_under_another_noun_is_not_a_new_figure(world: World):
    incident = breach(world)
    world.send(T0)
    add_source(world.db, incident, title="Another outlet", url="https://late.example/b",
               outlet="Late Outlet", counts=[(6252, "migrantes")],
               now=T0 + timedelta(hours=3))
    world.send(T0 + timedelta(days=1))
    assert "New figure" not in world.text()


def test_why_flagged_is_readable(world: World):
    incident = breach(world)
    article_store_update_matches(world, incident)
    world.send()
    assert "Why flagged: Names ICE and DHS; Data breach or privacy leak wording" in world.text()


def article_store_update_matches(world: World, incident: int) -> None:
    primary = world.db["incidents"].get(incident)["primary_article_id"]
    world.db["articles"].update(primary, {"matches": article_store_json([
        {"field": "text", "rule": "agency", "term": "ICE", "weight": 1.5},
        {"field": "text", "rule": "agency", "term": "DHS", "weight": 1.0},
        {"field": "text", "rule": "incident:data_breach", "term": "exposed", "weight": 1.0}])})


def article_store_json(value) -> str:
    from monitor.storage.db import dumps

    return dumps(value)


def test_html_part_is_styled_with_one_card_per_incident(world: World):
    breach(world)
    add_incident(world.db, title="HSI raids poultry plants", url="https://www.ice.gov/raid")
    world.send()
    html = world.html()
    assert html.count('class="incident"') == 2
    assert re.search(r'<td class="incident" style="[^"]*border[^"]*"', html)
    assert "<style" not in html  # inline styles only: mail clients drop <style> blocks


def test_alerts_for_different_incidents_have_different_subjects(tmp_path: Path,
                                                                 smtp: SmtpServer):
    world = World(tmp_path, smtp, digest=DRAFT_URL, recipients=IMMEDIATE)
    add_incident(world.db, title="ICE raids a Mississippi plant", url="https://a.example/1",
                 score=9.0)
    world.send(T0)
    add_incident(world.db, title="Detainee dies at Otay Mesa", url="https://a.example/2",
                 incident_type="detention_death", score=9.5, now=T0 + timedelta(hours=1))
    world.send(T0 + timedelta(hours=1))
    subjects = [r.message["Subject"] for r in smtp.received]
    assert subjects == ["Alert: ICE raids a Mississippi plant",
                        "Alert: Detainee dies at Otay Mesa"]


def test_alert_with_several_incidents_names_the_first_and_counts_the_rest(tmp_path: Path,
                                                                         smtp: SmtpServer):
    world = World(tmp_path, smtp, recipients=IMMEDIATE)
    add_incident(world.db, title="Detainee dies at Otay Mesa", url="https://a.example/2",
                 score=9.5)
    add_incident(world.db, title="ICE raids a plant", url="https://a.example/1", score=9.0)
    world.send()
    assert smtp.received[0].message["Subject"] == "Alert: Detainee dies at Otay Mesa (+1 more)"


def test_alert_subject_from_a_hostile_title_is_one_plain_line(tmp_path: Path,
                                                               smtp: SmtpServer):
    world = World(tmp_path, smtp, recipients=IMMEDIATE)
    add_incident(world.db, title="<b>Raid</b>\r\nBcc: victim@example.com " + "x" * 300,
                 url="https://a.example/1", score=9.0)
    world.send()
    message = smtp.received[0].message
    assert message["Bcc"] is None
    subject = message["Subject"]
    assert "<b>" not in subject and "\n" not in subject and len(subject) <= 140


def test_widely_reported_story_comes_before_a_higher_scored_single_source(world: World):
    add_incident(world.db, title="A court filing", url="https://court.example/c",
                 incident_type="court_ruling", score=20.0, now=T0 - timedelta(hours=20))
    breach(world)  # five outlets, score 9, reported 20 hours after the filing
    world.send(T0)
    text = world.text()
    assert text.index("ICE posted 6,252 detainees' data") < text.index("A court filing")


def test_entry_gives_the_story_date(world: World):
    breach(world)
    world.send()
    assert "| first reported Nov 24" in world.text()


def test_a_story_whose_title_is_only_markup_still_has_a_heading(world: World):
    add_incident(world.db, title="<img src=x onerror=alert(1)>", url="https://a.example/x")
    world.send()
    assert "* (a story without a usable title)" in world.text()
    assert "onerror" not in world.html()
