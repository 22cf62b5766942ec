"""The clustering stage's new duties against a real SQLite file: follow-up roles, explanations
in `monitor incidents show`, and operator decisions exported as training pairs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from monitor import corpus
from monitor import incidents as stage
from monitor.cluster_training import operator_pairs as training_pairs
from monitor.clustering import Doc, IncidentIndex
from monitor.facts import extract_facts
from monitor.relevance import judge
from monitor.storage import articles as article_store
from monitor.storage import incidents as incident_store
from monitor.storage import open_db
from monitor.urls import content_hash
from tests.conftest import run_cli, write_config
from tests.test_incident_stage import _incident_of, _store


@pytest.fixture
def db(tmp_path: Path):
    return open_db(tmp_path / "monitor.db")


def test_report_weeks_later_is_stored_as_follow_up(db) -> None:
    _store(db, 1)
    stage.cluster_new_articles(db)
    later = _store(db, 4, published="2023-01-25T00:00:00Z")
    stage.cluster_new_articles(db)
    assert incident_store.roles(db, _incident_of(db, later))[later] == "follow_up"


def test_follow_up_is_a_new_development(db) -> None:
    _store(db, 1)
    stage.cluster_new_articles(db)
    later = _store(db, 4, published="2023-01-25T00:00:00Z")
    stage.cluster_new_articles(db)
    assert incident_store.new_developments(db) == {_incident_of(db, later): [later]}


def test_merge_exports_same_story_pairs(db) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    stage.merge_incidents(db, _incident_of(db, a), _incident_of(db, b))
    pairs = stage.operator_pairs(db)
    assert [(p["a"]["id"], p["b"]["id"], p["same"]) for p in pairs] == [(b, a, True)]


def test_split_exports_different_story_pairs(db) -> None:
    a, b = _store(db, 1), _store(db, 2)
    stage.cluster_new_articles(db)
    stage.split_incident(db, _incident_of(db, a), [b])
    pairs = stage.operator_pairs(db)
    assert [(p["a"]["id"], p["b"]["id"], p["same"]) for p in pairs] == [(b, a, False)]


def test_exported_pairs_feed_the_training_script(db, tmp_path: Path) -> None:
    a, b = _store(db, 1), _store(db, 6)
    stage.cluster_new_articles(db)
    stage.merge_incidents(db, _incident_of(db, a), _incident_of(db, b))
    file = tmp_path / "pairs.jsonl"
    file.write_text("".join(json.dumps(p) + "\n" for p in stage.operator_pairs(db)))
    features, labels = training_pairs(file, IncidentIndex())
    assert labels == [1] and features[0]["text_cosine"] > 0


LAWSUIT = (
    "SAN DIEGO — The family of Jesús Alberto Medina-Ruiz, a 43-year-old Mexican national who "
    "died in U.S. Immigration and Customs Enforcement (ICE) custody on Nov. 28, filed a lawsuit "
    "on Tuesday. Medina-Ruiz was housed at the Otay Mesa Detention Center, run by CoreCivic, "
    "when detention staff found him unresponsive in his cell. He was pronounced dead at Sharp "
    "Chula Vista Medical Center. The lawsuit says ICE and CoreCivic ignored his medical needs. "
    "Pueblo Sin Fronteras, which supported the family, said the death must be investigated."
)


@pytest.fixture
def cli_config(tmp_path: Path):
    config = write_config(tmp_path)
    database = open_db(tmp_path / "monitor.db")
    ids = {i: _store(database, i) for i in (1, 2, 4)}
    stage.cluster_new_articles(database)
    later = _store(database, 1, url="https://later.example.com/lawsuit",
                   title="Family of Mexican national who died in ICE custody sues",
                   published="2023-01-25T00:00:00Z", text=LAWSUIT)
    stage.cluster_new_articles(database)
    database.close()
    return config, ids, later


def test_cli_show_prints_similarity_threshold_and_features(cli_config) -> None:
    config, ids, _ = cli_config
    db = open_db(config.parent / "monitor.db")
    incident = article_store.get_article(db, ids[4])["incident_id"]
    out = run_cli("incidents", "show", str(incident), config=config).stdout
    assert "similarity" in out and "threshold" in out and "top features" in out


def test_cli_show_marks_follow_up(cli_config) -> None:
    config, ids, later = cli_config
    db = open_db(config.parent / "monitor.db")
    incident = article_store.get_article(db, later)["incident_id"]
    out = run_cli("incidents", "show", str(incident), config=config).stdout
    assert f"#{later}" in out and "[follow-up: new development]" in out


def test_cli_export_pairs_writes_file(cli_config, tmp_path: Path) -> None:
    config, ids, _ = cli_config
    db = open_db(config.parent / "monitor.db")
    incident = article_store.get_article(db, ids[1])["incident_id"]
    stage.split_incident(db, incident, [ids[2]])
    db.close()
    out = tmp_path / "pairs.jsonl"
    result = run_cli("incidents", "export-pairs", "-o", str(out), config=config)
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert "labelled pairs written" in result.stdout and rows and not rows[0]["same"]


@pytest.fixture(scope="module")
def halves():
    """The 23 dev-split reports (16 English, 7 Spanish) of the March 2025 termination of the
    CHNV parole programme: stored in one run, the stream starts two incidents and the merge
    pass joins them. (The test split's Haiti TPS termination, used until the model was
    retrained on session 24's features, now stays two incidents: see docs/clustering.md.)"""
    out = []  # typed by the shipped relevance model, as the pipeline types a stored article
    for number, item in enumerate(corpus.load(split="dev"), 1):
        if item.get("incident_key") == "2025-03-chnv-parole-termination":
            published = item.get("date") or None
            facts = extract_facts(item["title"], item["text"], language=item["language"],
                                  reference=datetime.fromisoformat(published) if published
                                  else None)
            kind = judge(item["title"], item["text"], language=item["language"]).incident_type
            out.append((Doc(number, item["title"], item["text"], item["language"], published,
                            kind, facts), item))
    return out


def _store_real(db, doc, item) -> int:
    record = {
        "url": item["url"], "source_id": "real", "outlet": item.get("outlet"),
        "title": doc.title, "text": doc.text,
        "content_hash": content_hash(f"{doc.title}\n{doc.text}"),
        "published": doc.published, "language": doc.language, "score": 5.0, "relevant": 1,
        "incident_type": doc.incident_type, "matches": [], "facts": doc.facts,
    }
    return article_store.upsert_article(db, record)[0]


def test_merge_pass_joins_two_halves_of_one_story_and_records_why(db, halves) -> None:
    for doc, item in halves:
        _store_real(db, doc, item)
    report = stage.cluster_new_articles(db)
    (kept, dropped), = report.merged
    decision = incident_store.decisions(db, kept)[0]
    note = json.loads(decision["note"])
    assert (decision["action"], decision["other_incident_id"], note["reason"]["decision"],
            {_incident_of(db, a) for a in note["moved"] + note["kept"]}) == (
        "auto_merge", dropped, "merged incidents", {kept})


def test_merge_pass_decision_is_not_exported_as_an_operator_pair(db, halves) -> None:
    for doc, item in halves:
        _store_real(db, doc, item)
    stage.cluster_new_articles(db)
    assert stage.operator_pairs(db) == []


def test_operator_split_of_a_merged_story_is_not_undone_by_the_next_run(db, halves) -> None:
    stored = {_store_real(db, doc, item): (doc, item) for doc, item in halves}
    (kept, _), = stage.cluster_new_articles(db).merged
    moved = json.loads(incident_store.decisions(db, kept)[0]["note"])["moved"]
    new = stage.split_incident(db, kept, moved)
    doc, item = stored[moved[0]]  # a revision: the next run touches the split-out incident
    _store_real(db, Doc(**{**doc.__dict__, "text": doc.text + " Updated."}), item)
    stage.cluster_new_articles(db)
    assert {_incident_of(db, a) for a in moved} == {new}


def test_cli_show_explains_an_automatic_merge(tmp_path: Path, halves) -> None:
    config = write_config(tmp_path)
    db = open_db(tmp_path / "monitor.db")
    ids = [_store_real(db, doc, item) for doc, item in halves]
    stage.cluster_new_articles(db)
    kept = _incident_of(db, ids[0])
    db.close()
    result = run_cli("incidents", "show", str(kept), config=config)
    assert "auto_merge" in result.stdout and "closest member pairs" in result.stdout


def test_a_batch_is_assigned_in_publication_order_whatever_order_it_was_stored() -> None:
    from monitor.incidents import story_order

    stored = [{"url": "https://b.example/undated", "published": None},
              {"url": "https://a.example/later", "published": "2026-11-20T10:00:00+00:00"},
              {"url": "https://c.example/first", "published": "2026-11-19T08:00:00+00:00"}]
    assert [a["url"] for a in sorted(stored, key=story_order)] == [
        "https://c.example/first", "https://a.example/later", "https://b.example/undated"]
