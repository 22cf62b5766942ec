"""Digests in scheduled passes: sent over real SMTP (aiosmtpd on loopback) when due, once."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from monitor.snapshot import serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, run_cli
from tests.opskit import ops_config, scalar
from tests.smtp_server import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture(scope="module")
def two_passes(tmp_path_factory):
    """Two passes, a daily recipient, a real SMTP server."""
    folder = tmp_path_factory.mktemp("digest")
    config = ops_config(folder)
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    text = config.read_text(encoding="utf-8").replace("port = 1\n", f"port = {port}\n")
    config.write_text(text, encoding="utf-8")
    try:
        with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
            first = run_cli("run", "--snapshot", base, config=config)
            after_first = len(inbox.messages)
            second = run_cli("run", "--snapshot", base, "--force", config=config)
    finally:
        controller.stop()
    return folder, first, after_first, second, inbox


def test_first_pass_sends_the_digest(two_passes):
    _, first, after_first, _, _ = two_passes
    assert (first.returncode, after_first) == (0, 1), first.stderr


def test_first_pass_reports_the_digest_sent(two_passes):
    _, first, *_ = two_passes
    assert "Digests:         1 sent, 0 failed" in first.stdout


def test_digest_goes_to_the_recipient(two_passes):
    *_, inbox = two_passes
    assert b"To: attorney@law.example.com" in inbox.messages[0]


def test_daily_digest_is_not_sent_again_in_the_next_pass(two_passes):
    *_, inbox = two_passes
    assert len(inbox.messages) == 1


def test_digest_recorded_as_sent_once(two_passes):
    folder, *_ = two_passes
    assert scalar(folder / "monitor.db", "SELECT COUNT(*) FROM digests WHERE status='sent'") == 1


def test_status_shows_the_digest_not_due(two_passes):
    folder, *_ = two_passes
    result = run_cli("status", config=folder / "monitor.toml")
    assert "0 incidents undelivered, not due" in result.stdout


def test_unreachable_smtp_keeps_the_pass_successful(tmp_path, snapshot_server):
    base, _ = snapshot_server
    config = ops_config(tmp_path)  # port 1: connection refused
    result = run_cli("run", "--snapshot", base, config=config)
    assert result.returncode == 0 and "not sent (kept for the next run)" in result.stdout


def test_unreachable_smtp_is_recorded_as_a_failed_attempt(tmp_path, snapshot_server):
    base, _ = snapshot_server
    config = ops_config(tmp_path)
    run_cli("run", "--snapshot", base, config=config)
    assert scalar(tmp_path / "monitor.db",
                  "SELECT COUNT(*) FROM digests WHERE status='failed'") == 1
