"""The clustering stage against a real SQLite file: incremental runs, merged facts, primary
source, operator merge/split kept across runs, and the `monitor incidents` command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor import incidents as stage
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store
from monitor.storage import open_db
from monitor.urls import content_hash
from tests.conftest import run_cli, write_config

DATA = Path(__file__).parent / "data" / "cluster_set.jsonl"
ROWS = {r["id"]: r for r in map(json.loads, DATA.read_text(encoding="utf-8").splitlines())}
AGENCY_HOST = {"agency": "www.ice.gov"}


def _store(db, set_id: int, **changes) -> int:
    row = {**ROWS[set_id], **changes}
    host = AGENCY_HOST.get(row["source"], f"news{set_id}.example.com")
    record = {
        "url": row.get("url") or f"https://{host}/story-{set_id}",
        "source_id": row["source"], "outlet": host, "title": row["title"], "text": row["text"],
        "content_hash": content_hash(f"{row['title']}\n{row['text']}"),
        "published": row["published"], "language": row["language"], "score": 5.0,
        "relevant": int(row.get("relevant", True)), "incident_type": row["incident_type"],
        "matches": [], "facts": row["facts"],
    }
    return article_store.upsert_article(db, record)[0]


def _incident_of(db, article_id: int) -> int | None:
    return article_store.get_article(db, article_id)["incident_id"]


@pytest.fixture
def db(tmp_path: Path):
    return open_db(tmp_path / "monitor.db")


def test_spanish_and_english_reports_share_an_incident(db) -> None:
    ids = [_store(db, i) for i in (1, 2, 4)]
    stage.cluster_new_articles(db)
    assert len({_incident_of(db, i) for i in ids}) == 1


def test_same_month_deaths_get_two_incidents(db) -> None:
    first, second = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    assert _incident_of(db, first) != _incident_of(db, second)


def test_later_run_joins_through_stored_signatures(db) -> None:
    first = _store(db, 1)
    stage.cluster_new_articles(db)
    spanish = _store(db, 4)
    stage.cluster_new_articles(db)
    assert _incident_of(db, spanish) == _incident_of(db, first)


def test_join_marks_incident_updated(db) -> None:
    _store(db, 1)
    stage.cluster_new_articles(db)
    _store(db, 4)
    report = stage.cluster_new_articles(db)
    assert report.updated_incidents and not report.new_incidents


def test_join_bumps_incident_version(db) -> None:
    first = _store(db, 1)
    stage.cluster_new_articles(db)
    _store(db, 4)
    stage.cluster_new_articles(db)
    assert incident_store.get_incident(db, _incident_of(db, first))["version"] > 1


def test_exact_reprint_joins_its_original(db) -> None:
    first = _store(db, 2)
    copy = _store(db, 2, url="https://mirror.example.org/copy")
    stage.cluster_new_articles(db)
    assert _incident_of(db, copy) == _incident_of(db, first)


def test_primary_source_is_the_agency_release(db) -> None:
    news = _store(db, 2)
    stage.cluster_new_articles(db)
    release = _store(db, 1)
    stage.cluster_new_articles(db)
    assert incident_store.get_incident(db, _incident_of(db, news))["primary_article_id"] == release


def test_merged_facts_cite_every_source(db) -> None:
    ids = [_store(db, i) for i in (9, 12)]
    stage.cluster_new_articles(db)
    facts = incident_store.get_incident(db, _incident_of(db, ids[0]))["facts"]
    assert {s for c in facts["counts"] for s in c["sources"]} == set(ids)


def test_conflicting_figures_kept_side_by_side() -> None:
    articles = [
        {"id": 1, "url": "https://a.example/1", "facts": {"counts": [
            {"value": 475, "noun": "people", "sentence": "475 people"}]}},
        {"id": 2, "url": "https://b.example/2", "facts": {"counts": [
            {"value": 450, "noun": "people", "sentence": "450 people"}]}},
    ]
    assert stage.merge_facts(articles)["conflicts"] == [{"noun": "people", "values": [
        {"value": 475, "sources": [1]}, {"value": 450, "sources": [2]}]}]


def test_not_relevant_article_starts_no_incident(db) -> None:
    lonely = _store(db, 40, relevant=False)
    stage.cluster_new_articles(db)
    assert _incident_of(db, lonely) is None


def test_not_relevant_article_without_the_incident_type_stays_out(db) -> None:
    """Same facts as a member, but the rules found no incident in it (say, a drug seizure at
    the same port of entry): shared place and date alone do not make it the same story."""
    _store(db, 1)
    bystander = _store(db, 2, relevant=False, incident_type=None)
    stage.cluster_new_articles(db)
    assert _incident_of(db, bystander) is None


def test_not_relevant_article_of_the_incident_type_still_joins(db) -> None:
    first = _store(db, 1)
    low_score = _store(db, 2, relevant=False)
    stage.cluster_new_articles(db)
    assert _incident_of(db, low_score) == _incident_of(db, first)


def test_reason_is_recorded_for_joined_article(db) -> None:
    _store(db, 1)
    spanish = _store(db, 4)
    stage.cluster_new_articles(db)
    reasons = incident_store.reasons(db, _incident_of(db, spanish))
    assert reasons[spanish]["decision"] == "same story"


def test_merge_moves_articles(db) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    stage.merge_incidents(db, _incident_of(db, a), _incident_of(db, b))
    assert _incident_of(db, b) == _incident_of(db, a)


def test_merged_incident_leaves_the_list(db) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    drop = _incident_of(db, b)
    stage.merge_incidents(db, _incident_of(db, a), drop)
    assert drop not in {i["id"] for i in incident_store.list_incidents(db)}


def test_merge_is_kept_on_later_runs(db) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    keep = _incident_of(db, a)
    stage.merge_incidents(db, keep, _incident_of(db, b))
    later = _store(db, 8)  # the Spanish report of the merged-away incident
    stage.cluster_new_articles(db)
    assert _incident_of(db, later) == keep


def test_split_moves_article_to_new_incident(db) -> None:
    a, b = _store(db, 1), _store(db, 2)
    stage.cluster_new_articles(db)
    new = stage.split_incident(db, _incident_of(db, a), [b])
    assert _incident_of(db, b) == new != _incident_of(db, a)


def test_split_is_kept_when_article_is_revised(db) -> None:
    a, b = _store(db, 1), _store(db, 2)
    stage.cluster_new_articles(db)
    new = stage.split_incident(db, _incident_of(db, a), [b])
    _store(db, 2, url="https://news2.example.com/story-2", text=ROWS[2]["text"] + " Updated.")
    stage.cluster_new_articles(db)
    assert _incident_of(db, b) == new


def test_split_rejects_article_from_elsewhere(db) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    with pytest.raises(stage.IncidentError):
        stage.split_incident(db, _incident_of(db, a), [b])


@pytest.fixture
def cli_config(tmp_path: Path) -> tuple[Path, dict[int, int]]:
    config = write_config(tmp_path)
    database = open_db(tmp_path / "monitor.db")
    ids = {i: _store(database, i) for i in (1, 2, 4, 6)}
    stage.cluster_new_articles(database)
    database.close()
    return config, ids


def test_cli_lists_incidents_with_source_counts(cli_config) -> None:
    config, _ = cli_config
    out = run_cli("incidents", config=config).stdout
    assert "ARTICLES" in out and "Mexican national in ICE custody" in out


def test_cli_show_explains_why_joined(cli_config) -> None:
    config, ids = cli_config
    db = open_db(config.parent / "monitor.db")
    incident = article_store.get_article(db, ids[4])["incident_id"]
    out = run_cli("incidents", "show", str(incident), config=config).stdout
    assert "same story" in out and "medina" in out


def test_cli_merge_then_show_tombstone(cli_config) -> None:
    config, ids = cli_config
    db = open_db(config.parent / "monitor.db")
    keep, drop = (article_store.get_article(db, ids[i])["incident_id"] for i in (1, 6))
    run_cli("incidents", "merge", str(keep), str(drop), config=config)
    out = run_cli("incidents", "show", str(drop), config=config).stdout
    assert f"merged into {keep}" in out


def test_cli_unknown_incident_is_one_line_error(cli_config) -> None:
    config, _ = cli_config
    result = run_cli("incidents", "show", "999", config=config)
    assert result.returncode == 2 and "no incident 999" in result.stderr
