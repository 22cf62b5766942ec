"""Golden files: the text part as received over SMTP, volatile headers normalised.

After an intended wording change, regenerate with
`UPDATE_GOLDEN=1 pytest tests/test_digest_golden.py` and review the diff of `tests/golden/digest/`.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest

from monitor import digest as digesting
from monitor.configure import load_config
from tests.digest_data import (
    T0,
    add_crawl,
    add_draft,
    add_incident,
    add_source,
    db_at,
    digest_config,
)
from tests.smtp_server import Received, SmtpServer

GOLDEN = Path(__file__).resolve().parent / "golden" / "digest"
SHOWN_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "Auto-Submitted")


def normalised(received: Received) -> str:
    """Headers a reader sees (Date and Message-ID masked) and the text part."""
    message = received.message
    lines = [f"{name}: {message[name]}" for name in SHOWN_HEADERS]
    head = "\n".join(lines)
    head = re.sub(r"^Date: .*$", "Date: <DATE>", head, flags=re.M)
    head = re.sub(r"^Message-ID: <[^@>]+@", "Message-ID: <ID@", head, flags=re.M)
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    return f"{head}\n\n{body}"


def check(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.fixture
def digests(tmp_path: Path):
    """Two daily digests a day apart, as received: the first, then the update."""
    with SmtpServer() as server:
        config = load_config(digest_config(
            tmp_path, server.port, digest='draft_url = "http://127.0.0.1:8080/drafts/{id}"\n'
                                          'timezone = "America/New_York"'))
        db = db_at(tmp_path)
        raid = add_incident(db, title="HSI executes search warrants at Mississippi poultry plants",
                            url="https://www.ice.gov/news/releases/poultry", score=8.0,
                            counts=[(212, "workers")])
        add_draft(db, raid, title="HSI executes search warrants at Mississippi poultry plants")
        add_incident(db, title="ICE posted personal details of 6,252 asylum seekers",
                     url="https://www.theguardian.com/us-news/ice-posted", outlet="The Guardian",
                     incident_type="data_breach", score=5.0, counts=[(6252, "asylum seekers")],
                     why="agency 'Ice', incident:data_breach 'names' (score 5.0)")
        add_crawl(db, "uscis-news", status="failed", errors=["HTTP 503"], at=T0 - timedelta(3))
        add_crawl(db, "uscis-news", status="failed", errors=["HTTP 503"], at=T0 - timedelta(2))
        add_crawl(db, "uscis-news", status="failed", errors=["HTTP 503 Service Unavailable"],
                  at=T0 - timedelta(1))
        digesting.send_due_digests(db, config, T0)
        add_source(db, raid, title="Guardian: 300 workers detained in Mississippi",
                   url="https://www.theguardian.com/us-news/poultry-300", outlet="The Guardian",
                   counts=[(300, "workers")], now=T0 + timedelta(hours=6))
        digesting.send_due_digests(db, config, T0 + timedelta(days=1))
        assert len(server.received) == 2
        yield server.received


def test_first_digest_matches_golden(digests):
    check("daily-first.txt", normalised(digests[0]))


def test_update_digest_matches_golden(digests):
    check("daily-update.txt", normalised(digests[1]))
