"""`monitor serve`: the password-hash helper, refusals, and a real server on 127.0.0.1."""

from __future__ import annotations

import http.client
import re
import select
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.web.citations import sentences_by_footnote
from monitor.web.inbox import NO_DRAFT, inbox_rows
from monitor.web.security import SignInThrottle, check_password, hash_password
from tests.conftest import ROOT, run_cli, write_config


def test_hash_password_prints_a_hash_of_the_password():
    result = CliRunner().invoke(cli, ["serve", "--hash-password"],
                                input="s3cret-words\ns3cret-words\n")
    stored = re.search(r'password_hash = "([^"]+)"', result.output).group(1)
    assert check_password(stored, "s3cret-words")


def test_hash_password_refuses_a_short_password():
    result = CliRunner().invoke(cli, ["serve", "--hash-password"], input="short\nshort\n")
    assert "at least 8 characters" in str(result.exception)


def test_serve_without_password_hash_is_one_line_error(tmp_path: Path):
    result = run_cli("serve", config=write_config(tmp_path),
                     env={"MONITOR_REVIEW_PASSWORD_HASH": ""})
    assert result.returncode == 2 and result.stderr.startswith("monitor: error: no review password")


def test_serve_refuses_a_public_address_unless_configured(tmp_path: Path):
    config = write_config(tmp_path, extra=f'[review]\npassword_hash = "{hash_password("x" * 8)}"\n')
    result = run_cli("serve", "--host", "0.0.0.0", config=config)
    assert "refusing to listen on 0.0.0.0" in result.stderr


@pytest.fixture
def served(tmp_path: Path):
    """`monitor serve --port 0` as a real process; yields the port it printed."""
    config = write_config(tmp_path, extra=f'[review]\npassword_hash = "{hash_password("x" * 8)}"\n')
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "--config", str(config), "serve", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "monitor serve printed nothing within 60 s"
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, line + process.stderr.read()
        yield int(match.group(1))
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_on_loopback_with_the_sign_in_page(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    connection.request("GET", "/login")
    assert connection.getresponse().status == 200


def test_serve_sends_unsigned_visitors_to_sign_in(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    connection.request("GET", "/")
    assert connection.getresponse().getheader("Location").startswith("/login")


# --- pure parts ------------------------------------------------------------------------------


def test_sentences_are_read_from_the_draft_footnotes():
    text = "---\ntitle: x\n---\n\n# T\n\nLead one.[^1]\n\n- Fact \\*two\\*.[^2][^1]\n\n" \
           "[^1]: Source one.\n[^2]: Source two.\n"
    assert sentences_by_footnote(text) == {"1": ["Lead one.", "Fact *two*."],
                                           "2": ["Fact *two*."]}


def test_inbox_puts_pending_before_undrafted_before_decided():
    incidents = [{"id": 1, "score": 9.0}, {"id": 2, "score": 1.0}, {"id": 3, "score": 5.0}]
    drafts = [{"incident_id": 1, "status": "approved"}, {"incident_id": 2, "status": "pending"}]
    assert [r["status"] for r in inbox_rows(incidents, drafts)] == [
        "pending", NO_DRAFT, "approved"]


def test_throttle_forgives_after_the_window():
    throttle = SignInThrottle(limit=2, window=60)
    throttle.failed("a", 0)
    throttle.failed("a", 1)
    assert not throttle.blocked("a", 62)


def test_inbox_pages_hold_at_most_per_page_rows():
    from monitor.web.inbox import paginate

    rows, page, pages = paginate([{"n": n} for n in range(250)], "3", per_page=100)
    assert (len(rows), page, pages) == (50, 3, 3)


def test_inbox_page_out_of_range_shows_the_last_page():
    from monitor.web.inbox import paginate

    assert paginate([{"n": n} for n in range(250)], "99", per_page=100)[1] == 3


def test_fact_shows_a_resolved_date_beside_the_words():
    from monitor.web.views import _fact_value

    assert _fact_value("dates", {"text": "Thursday", "value": "2026-11-19"}) == (
        "Thursday (2026-11-19)")


def test_fact_without_text_shows_value_and_noun():
    from monitor.web.views import _fact_value

    assert _fact_value("counts", {"value": 212, "noun": "workers"}) == "212 workers"


def test_identifiers_are_masked_in_scraped_sentences():
    from monitor.web.views import redact_identifiers

    assert redact_identifiers("Her A-number 123456789 was listed.") == (
        "Her [A-number] was listed.")
