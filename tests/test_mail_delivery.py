"""`monitor digest` against a real aiosmtpd server on 127.0.0.1: arrival, failures, recovery."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.storage import digests as digest_store
from tests.conftest import run_cli
from tests.digest_data import T0, add_draft, add_incident, db_at, digest_config
from tests.smtp_server import SmtpServer, free_port, self_signed_cert, silent_server

NOW = T0.isoformat()
LATER = "2026-11-24T08:00:00+00:00"


def seed(folder: Path) -> None:
    db = db_at(folder)
    raid = add_incident(db, title="HSI executes search warrants at Mississippi poultry plants",
                        url="https://www.ice.gov/news/releases/poultry", score=8.0,
                        counts=[(212, "workers")])
    add_draft(db, raid, title="Mississippi poultry plant raid")
    add_incident(db, title="ICE posted personal details of asylum seekers",
                 url="https://www.theguardian.com/us-news/ice-posted", outlet="The Guardian",
                 incident_type="data_breach", score=5.0)


def digest(config: Path, *args: str, now: str = NOW, env: dict[str, str] | None = None):
    return run_cli("digest", "--now", now, *args, config=config, env=env)


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def delivered(tmp_path: Path, smtp: SmtpServer):
    """One successful run: (config, server, CLI result)."""
    config = digest_config(tmp_path, smtp.port)
    seed(tmp_path)
    return config, smtp, digest(config)


def only_message(server: SmtpServer):
    assert len(server.received) == 1
    return server.received[0].message


def test_digest_run_exits_zero(delivered):
    assert delivered[2].returncode == 0, delivered[2].stderr


def test_digest_arrives_once(delivered):
    assert len(delivered[1].received) == 1


def test_digest_envelope_goes_to_the_recipient(delivered):
    assert delivered[1].received[0].rcpt_tos == ["attorney@law.example.com"]


def test_digest_to_header_names_the_recipient(delivered):
    assert only_message(delivered[1])["To"] == "Ana Attorney <attorney@law.example.com>"


def test_digest_has_text_and_html_parts(delivered):
    message = only_message(delivered[1])
    assert sorted(p.get_content_type() for p in message.iter_parts()) == [
        "text/html", "text/plain"]


@pytest.mark.parametrize("header", ["Message-ID", "Date", "From", "Subject"])
def test_digest_carries_header(delivered, header):
    assert only_message(delivered[1])[header]


def test_digest_subject_says_what_is_inside(delivered):
    assert only_message(delivered[1])["Subject"].startswith(
        "2 new incidents, 1 draft to review — Immigration monitor, Nov 24")


@pytest.mark.parametrize("expected", [
    "HSI executes search warrants at Mississippi poultry plants",
    "ICE posted personal details of asylum seekers",
    "https://www.ice.gov/news/releases/poultry",
    "https://www.theguardian.com/us-news/ice-posted",
])
def test_digest_text_lists_incidents_and_links(delivered, expected):
    assert expected in only_message(delivered[1]).get_body(("plain",)).get_content()


@pytest.mark.parametrize("link", ["https://www.ice.gov/news/releases/poultry",
                                  "https://www.theguardian.com/us-news/ice-posted"])
def test_digest_html_links_best_sources(delivered, link):
    assert f'href="{link}"' in only_message(delivered[1]).get_body(("html",)).get_content()


def test_digest_is_recorded_sent_with_its_message_id(delivered):
    config, server, _ = delivered
    [row] = digest_store.list_digests(db_at(config.parent), status="sent")
    assert row["message_id"] == only_message(server)["Message-ID"]


def test_second_run_sends_nothing_more(delivered):
    config, server, _ = delivered
    digest(config, now="2026-11-25T07:00:00+00:00")
    assert len(server.received) == 1


def test_second_run_says_nothing_new(delivered):
    config, _, _ = delivered
    assert "nothing new" in digest(config, now="2026-11-25T07:00:00+00:00").stdout


# --- server down, then back -------------------------------------------------------------

@pytest.fixture
def refused_run(tmp_path: Path):
    """The SMTP server is down: (config, port, CLI result)."""
    port = free_port()
    config = digest_config(tmp_path, port)
    seed(tmp_path)
    return config, port, digest(config)


def test_server_down_exits_non_zero(refused_run):
    assert refused_run[2].returncode == 1


def test_server_down_logs_one_clear_line(refused_run):
    _, port, result = refused_run
    lines = [line for line in result.stderr.splitlines() if "not sent" in line]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "pending" in lines[0]


def test_server_down_marks_nothing_sent(refused_run):
    config, _, _ = refused_run
    assert digest_store.list_digests(db_at(config.parent), status="sent") == []


def test_server_down_then_recovery_delivers_exactly_once(refused_run):
    config, port, _ = refused_run
    with SmtpServer(port) as server:
        digest(config, now=LATER)
        digest(config, now="2026-11-24T09:00:00+00:00")
    assert len(server.received) == 1


def test_recovery_digest_holds_the_pending_incidents(refused_run):
    config, port, _ = refused_run
    with SmtpServer(port) as server:
        digest(config, now=LATER)
    text = only_message(server).get_body(("plain",)).get_content()
    assert "Mississippi poultry plants" in text and "asylum seekers" in text


# --- 451, then accepted ------------------------------------------------------------------

@pytest.fixture
def deferred(tmp_path: Path):
    """The server answers DATA with 451 once, then accepts: (config, server, first result)."""
    with SmtpServer(replies=["451 4.3.0 Temporary local problem, try again"]) as server:
        config = digest_config(tmp_path, server.port)
        seed(tmp_path)
        yield config, server, digest(config)


def test_451_exits_non_zero(deferred):
    assert deferred[2].returncode == 1


def test_451_is_named_in_the_log_line(deferred):
    assert "451 4.3.0 Temporary local problem" in deferred[2].stderr


def test_451_records_a_failed_attempt(deferred):
    config, _, _ = deferred
    assert [d["status"] for d in digest_store.list_digests(db_at(config.parent))] == ["failed"]


def test_451_then_recovery_delivers_exactly_once(deferred):
    config, server, _ = deferred
    digest(config, now=LATER)
    digest(config, now="2026-11-24T09:00:00+00:00")
    assert (server.handler.attempts, len(server.received)) == (2, 1)


def test_451_recovery_run_exits_zero(deferred):
    config, _, _ = deferred
    assert digest(config, now=LATER).returncode == 0


def test_451_at_rcpt_then_recovery_delivers_exactly_once(tmp_path: Path):
    with SmtpServer(rcpt_replies=["450 4.2.1 Mailbox busy, try again"]) as server:
        config = digest_config(tmp_path, server.port)
        seed(tmp_path)
        first = digest(config)
        digest(config, now=LATER)
        digest(config, now="2026-11-24T09:00:00+00:00")
    assert (first.returncode, "450 4.2.1 Mailbox busy" in first.stderr,
            len(server.received)) == (1, True, 1)


def test_permanent_rejection_keeps_items_pending(tmp_path: Path):
    with SmtpServer(replies=["554 5.6.0 Message rejected"]) as server:
        config = digest_config(tmp_path, server.port)
        seed(tmp_path)
        digest(config)
        digest(config, now=LATER)
    assert len(server.received) == 1


def test_status_summary_counts_failed_attempts(deferred):
    config, _, _ = deferred
    [row] = digest_store.delivery_summary(db_at(config.parent))
    assert (row["last_sent_at"], row["failed_since"], "451" in row["last_error"]) == (
        None, 1, True)


# --- timeouts, authentication, TLS --------------------------------------------------------

def test_silent_server_times_out_and_keeps_items(tmp_path: Path):
    with silent_server() as port:
        config = digest_config(tmp_path, port, timeout=1)
        seed(tmp_path)
        result = digest(config)
    assert result.returncode == 1 and "did not answer within 1s" in result.stderr


AUTH = 'username = "monitor"\npassword_env = "TEST_SMTP_PASSWORD"\n'


def test_wrong_password_is_refused_and_nothing_is_marked_sent(tmp_path: Path):
    with SmtpServer(users={"monitor": "s3cret"}) as server:
        config = digest_config(tmp_path, server.port, smtp=AUTH)
        seed(tmp_path)
        result = digest(config, env={"TEST_SMTP_PASSWORD": "wrong"})
    assert (result.returncode, "login as monitor refused" in result.stderr,
            len(server.received)) == (1, True, 0)


def test_missing_password_variable_is_a_clear_error(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
    with SmtpServer(users={"monitor": "s3cret"}) as server:
        config = digest_config(tmp_path, server.port, smtp=AUTH)
        seed(tmp_path)
        result = digest(config)
    assert "TEST_SMTP_PASSWORD is not set" in result.stderr


def test_password_from_environment_logs_in_and_delivers(tmp_path: Path):
    with SmtpServer(users={"monitor": "s3cret"}) as server:
        config = digest_config(tmp_path, server.port, smtp=AUTH)
        seed(tmp_path)
        digest(config, env={"TEST_SMTP_PASSWORD": "s3cret"})
    assert len(server.received) == 1


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_tls_with_login_delivers(tmp_path: Path, security: str):
    cert, key = self_signed_cert(tmp_path)
    with SmtpServer(users={"monitor": "s3cret"}, tls=(cert, key),
                    implicit_tls=security == "ssl") as server:
        config = digest_config(tmp_path, server.port, smtp=f'security = "{security}"\n' + AUTH)
        seed(tmp_path)
        result = digest(config, env={"TEST_SMTP_PASSWORD": "s3cret", "SSL_CERT_FILE": str(cert)})
    assert len(server.received) == 1, result.stderr


def test_starttls_with_an_untrusted_certificate_is_refused(tmp_path: Path):
    cert, key = self_signed_cert(tmp_path)
    with SmtpServer(tls=(cert, key)) as server:
        config = digest_config(tmp_path, server.port, smtp='security = "starttls"\n')
        seed(tmp_path)
        result = digest(config)
    assert (result.returncode, len(server.received)) == (1, 0)


def test_starttls_required_but_not_offered_is_refused(tmp_path: Path, smtp: SmtpServer):
    config = digest_config(tmp_path, smtp.port, smtp='security = "starttls"\n')
    seed(tmp_path)
    result = digest(config)
    assert "does not offer STARTTLS" in result.stderr
