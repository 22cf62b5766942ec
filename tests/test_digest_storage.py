"""The digests storage: upgrading a database written by the first version, and its records."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor import digest as digesting
from monitor.config import Recipient
from monitor.storage import digests as digest_store
from monitor.storage import open_db
from tests.digest_data import T0, add_incident, add_source

ANA = Recipient(email="attorney@law.example.com")


@pytest.fixture
def legacy_db(tmp_path: Path) -> Path:
    """A database whose digests tables are at m001, with one digest sent by the first version."""
    path = tmp_path / "monitor.db"
    db = open_db(path)
    incident = add_incident(db, title="HSI raids poultry plants", url="https://www.ice.gov/a")
    db.conn.close()
    raw = sqlite_utils.Database(path)
    for table in ("digest_items", "digests"):
        raw[table].drop()
    raw["_sqlite_migrations"].delete_where("migration_set = ?", ["digests"])
    first_version = Migrations("digests")
    first_version()(digest_store.m001_digests)
    first_version.apply(raw)
    assert "kind" not in raw["digest_items"].columns_dict  # really the first version's schema
    digest_id = raw["digests"].insert({"recipient": ANA.email, "created_at": T0.isoformat(),
                                       "sent_at": T0.isoformat(), "status": "sent",
                                       "subject": "1 new incident", "items": "[]"}).last_pk
    raw["digest_items"].insert({"digest_id": digest_id, "recipient": ANA.email,
                                "incident_id": incident, "incident_version": 1})
    raw.conn.close()
    return path


def test_upgrade_keeps_old_items_as_incidents(legacy_db: Path):
    db = open_db(legacy_db)
    assert list(digest_store.delivered(db, ANA.email)) == [("incident", "1")]


def test_upgraded_item_is_not_repeated(legacy_db: Path):
    db = open_db(legacy_db)
    assert digesting.build_digest(db, ANA, now=T0 + timedelta(days=1)).has_news is False


def test_upgraded_item_update_lists_sources_seen_after_that_digest(legacy_db: Path):
    db = open_db(legacy_db)
    add_source(db, 1, title="Guardian on the raid", url="https://www.theguardian.com/raid",
               outlet="The Guardian", now=T0 + timedelta(hours=3))
    built = digesting.build_digest(db, ANA, now=T0 + timedelta(days=1))
    [updated] = built.updated_incidents
    assert [s["outlet"] for s in updated["changes"]["new_sources"]] == ["The Guardian"]


def test_failed_attempt_does_not_count_as_delivered(tmp_path: Path):
    db = open_db(tmp_path / "monitor.db")
    add_incident(db, title="HSI raids poultry plants", url="https://www.ice.gov/a")
    built = digesting.build_digest(db, ANA, now=T0)
    attempt = digest_store.start_attempt(db, ANA.email, "s", built.items, message_id="<1@x>",
                                         now=T0)
    digest_store.finish_attempt(db, attempt, sent=False, error="451 try later", now=T0)
    assert len(digesting.build_digest(db, ANA, now=T0).new_incidents) == 1
