"""`monitor digest` by hand: preview, options, errors, schedule, crash safety, the demo snapshot."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor import digest as digesting
from monitor.configure import load_config
from monitor.storage import digests as digest_store
from tests.conftest import run_cli, write_config
from tests.digest_data import T0, add_draft, add_incident, db_at, digest_config
from tests.smtp_server import SmtpServer

NOW = T0.isoformat()
RECIPIENTS = """
[[recipients]]
email = "attorney@law.example.com"
name = "Ana Attorney"

[[recipients]]
email = "paralegal@law.example.com"
frequency = "weekly"
"""


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def seeded(tmp_path: Path, smtp: SmtpServer) -> Path:
    config = digest_config(tmp_path, smtp.port, recipients=RECIPIENTS)
    db = db_at(tmp_path)
    raid = add_incident(db, title="HSI raids Mississippi poultry plants",
                        url="https://www.ice.gov/news/releases/poultry", score=8.0)
    add_draft(db, raid, title="Poultry raid draft")
    return config


def read_eml(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=email.policy.default)


# --- preview ------------------------------------------------------------------------------

@pytest.fixture
def previewed(seeded: Path):
    path = seeded.parent / "out" / "digest.eml"
    result = run_cli("digest", "--preview", str(path), "--now", NOW, config=seeded)
    return seeded, path, result


def test_preview_writes_multipart_file(previewed):
    _, path, _ = previewed
    assert sorted(p.get_content_type() for p in read_eml(path).iter_parts()) == [
        "text/html", "text/plain"]


def test_preview_sends_nothing(previewed, smtp: SmtpServer):
    assert smtp.received == []


def test_preview_records_nothing(previewed):
    config, _, _ = previewed
    assert digest_store.list_digests(db_at(config.parent)) == []


def test_preview_then_real_run_still_delivers(previewed, smtp: SmtpServer):
    config, _, _ = previewed
    run_cli("digest", "--now", NOW, config=config)
    assert len(smtp.received) == 2


def test_preview_for_chosen_recipient(seeded: Path):
    path = seeded.parent / "paralegal.eml"
    run_cli("digest", "--preview", str(path), "--to", "paralegal@law.example.com", config=seeded)
    assert read_eml(path)["To"] == "paralegal@law.example.com"


def test_preview_into_missing_folder_is_created(seeded: Path):
    path = seeded.parent / "a" / "b" / "preview.eml"
    run_cli("digest", "--preview", str(path), config=seeded)
    assert path.exists()


# --- options and errors -------------------------------------------------------------------

def test_unknown_recipient_is_a_one_line_error(seeded: Path):
    result = run_cli("digest", "--to", "nobody@example.com", config=seeded)
    assert (result.returncode, result.stderr.strip().count("\n"),
            "no such [[recipients]] entry" in result.stderr) == (2, 0, True)


def test_bad_now_is_a_one_line_error(seeded: Path):
    result = run_cli("digest", "--now", "yesterday", config=seeded)
    assert result.returncode == 2 and "not an ISO 8601 time" in result.stderr


@pytest.mark.parametrize("setting,message", [
    ('timezone = "Mars/Olympus"', "not a known time zone"),
    ("immediate_min_score = -1", "immediate_min_score must be a number >= 0"),
    ('draft_url = "javascript:alert(1)"', "draft_url must be an http(s) URL"),
    ("colour = 1", "[digest]"),
])
def test_bad_digest_setting_is_a_one_line_error(tmp_path: Path, setting: str, message: str):
    config = digest_config(tmp_path, 1, digest=setting)
    result = run_cli("digest", config=config)
    assert (result.returncode, message in result.stderr) == (2, True)


def test_no_recipients_is_a_clear_error(tmp_path: Path):
    config = digest_config(tmp_path, 1, recipients="")
    result = run_cli("digest", config=config)
    assert result.returncode == 2 and "no [[recipients]]" in result.stderr


def test_to_sends_only_to_that_recipient(seeded: Path, smtp: SmtpServer):
    run_cli("digest", "--now", NOW, "--to", "paralegal@law.example.com", config=seeded)
    assert [r.rcpt_tos for r in smtp.received] == [["paralegal@law.example.com"]]


def test_each_recipient_gets_their_own_email(seeded: Path, smtp: SmtpServer):
    run_cli("digest", "--now", NOW, config=seeded)
    assert sorted(r.rcpt_tos[0] for r in smtp.received) == [
        "attorney@law.example.com", "paralegal@law.example.com"]


def test_not_due_says_when(seeded: Path):
    run_cli("digest", "--now", NOW, config=seeded)
    result = run_cli("digest", "--now", "2026-11-24T12:00:00+00:00", config=seeded)
    assert "paralegal@law.example.com: not due until 2026-12-01 06:00 UTC" in result.stdout


# --- crash safety and concurrency ---------------------------------------------------------

def test_attempt_interrupted_mid_send_is_resent_under_the_same_message_id(seeded: Path,
                                                                          smtp: SmtpServer):
    """The process died after DATA but before recording: resend, same Message-ID."""
    config = load_config(seeded)
    db = db_at(seeded.parent)
    recipient = config.recipients[0]
    built = digesting.build_digest(db, recipient, config, T0)
    digest_store.start_attempt(db, recipient.email, "subject", built.items,
                               message_id="<crashed@law.example.com>", now=T0)
    digesting.send_due_digests(db, config, T0 + timedelta(hours=1), only=recipient.email)
    assert [r.message["Message-ID"] for r in smtp.received] == ["<crashed@law.example.com>"]


def test_run_while_another_is_sending_sends_nothing(seeded: Path, smtp: SmtpServer):
    config = load_config(seeded)
    db = db_at(seeded.parent)
    recipient = config.recipients[0]
    built = digesting.build_digest(db, recipient, config, T0)
    digest_store.start_attempt(db, recipient.email, "subject", built.items,
                               message_id="<busy@law.example.com>", now=T0)
    outcomes = digesting.send_due_digests(db, config, T0 + timedelta(seconds=5),
                                          only=recipient.email)
    assert ([o.status for o in outcomes], smtp.received) == (["busy"], [])


def test_second_claim_for_the_same_recipient_is_refused(seeded: Path):
    db = db_at(seeded.parent)
    first = digest_store.start_attempt(db, "a@example.com", "s", [], message_id="<1@x>",
                                       stale_before="2026-11-24T06:00:00+00:00", now=T0)
    second = digest_store.start_attempt(db, "a@example.com", "s", [], message_id="<2@x>",
                                        stale_before="2026-11-24T06:00:00+00:00", now=T0)
    assert (first is not None, second) == (True, None)


# --- the demo snapshot, crawled for real ----------------------------------------------------

@pytest.fixture
def demo_digest(tmp_path: Path, snapshot_server, smtp: SmtpServer):
    """Crawl and draft the bundled snapshot, then send the digest to the test server."""
    base, _ = snapshot_server
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8").replace("port = 1\n", f"port = {smtp.port}\n")
    config.write_text(text, encoding="utf-8")
    for args in (("crawl", "--snapshot", base), ("draft",)):
        result = run_cli(*args, config=config)
        assert result.returncode == 0, result.stderr
    result = run_cli("digest", config=config)
    assert result.returncode == 0, result.stderr
    return config, smtp


def test_demo_digest_lists_the_breach_incident_with_its_best_link(demo_digest):
    """The incident holding the ICE statement is listed under its title with the link of its
    primary source (which one is primary depends on which outlet stored its dates first)."""
    config, smtp = demo_digest
    db = db_at(config.parent)
    title, url = db.execute(
        "SELECT i.title, p.url FROM articles a JOIN incidents i ON i.id = a.incident_id "
        "JOIN articles p ON p.id = i.primary_article_id WHERE a.url = ?",
        ["https://www.ice.gov/news/releases/ice-statement-inadvertent-posting-detainee-"
         "information"]).fetchone()
    text = smtp.received[0].message.get_body(("plain",)).get_content()
    assert title in text and url in text


def test_demo_digest_names_each_draft_inside_its_incident_once(demo_digest):
    """Every demo incident has a new draft: each entry says so; no second list repeats them."""
    config, smtp = demo_digest
    drafts = db_at(config.parent).execute("SELECT COUNT(*) FROM drafts").fetchone()[0]
    text = smtp.received[0].message.get_body(("plain",)).get_content()
    assert "DRAFTS WAITING FOR REVIEW" not in text
    assert text.count("Draft (pending review): ") == drafts > 0


def test_demo_recrawl_sends_no_repeat(demo_digest, snapshot_server):
    config, smtp = demo_digest
    base, _ = snapshot_server
    run_cli("crawl", "--snapshot", base, config=config)
    run_cli("draft", config=config)
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    result = run_cli("digest", "--now", tomorrow.isoformat(), config=config)
    assert (len(smtp.received), "nothing new" in result.stdout) == (1, True)
