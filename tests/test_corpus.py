"""The real-report corpus: sizes, provenance, labels and the split the issue asks for."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from monitor import corpus

ITEMS = corpus.load()


def families() -> dict[str, list[dict]]:
    by_key: dict[str, list[dict]] = defaultdict(list)
    for item in ITEMS:
        if item.get("incident_key"):
            by_key[item["incident_key"]].append(item)
    return by_key


def test_corpus_has_at_least_400_items():
    assert len(ITEMS) >= 400


def test_at_least_30_percent_spanish():
    assert sum(i["language"] == "es" for i in ITEMS) / len(ITEMS) >= 0.30


def test_at_least_150_hard_negatives():
    assert sum(not i["relevant"] for i in ITEMS) >= 150


def test_every_negative_kind_is_present():
    assert {i["negative_kind"] for i in ITEMS if not i["relevant"]} == set(corpus.NEGATIVE_KINDS)


def test_every_incident_type_is_present():
    assert {i["incident_type"] for i in ITEMS if i["relevant"]} == set(corpus.INCIDENT_TYPES)


def test_at_least_40_incidents_with_4_reports_from_different_outlets():
    rich = [k for k, rows in families().items() if len({r["outlet"] for r in rows}) >= 4]
    assert len(rich) >= 40


def test_agency_releases_are_present():
    assert sum(i["source_kind"] == "agency" and i["relevant"] for i in ITEMS) >= 30


def test_urls_are_unique():
    assert len({i["url"] for i in ITEMS}) == len(ITEMS)


def test_ids_are_unique():
    assert len({i["id"] for i in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize("item", ITEMS, ids=lambda i: i["id"])
def test_item_is_well_formed(item):
    assert corpus.problems(item) == []


def test_no_report_of_the_excluded_november_2022_event():
    assert not [i for i in ITEMS
                if any(m in i["text"] + i["title"] for m in corpus.EXCLUDED_MARKERS)]


def test_every_incident_is_on_one_side_of_the_split():
    assert all(len({r["split"] for r in rows}) == 1 for rows in families().values())


def test_both_splits_are_used():
    assert {i["split"] for i in ITEMS} == {"dev", "test"}


def test_test_split_holds_a_quarter_or_more():
    assert sum(i["split"] == "test" for i in ITEMS) / len(ITEMS) >= 0.25


def test_assign_splits_keeps_existing_sides():
    rows = [{"url": "https://a.example/1", "incident_key": "k", "split": "test"},
            {"url": "https://b.example/2", "incident_key": "k"}]
    assert [r["split"] for r in corpus.assign_splits(rows)] == ["test", "test"]


def test_problems_rejects_the_excluded_event():
    item = {"url": "https://x.example/a", "outlet": "X", "date": None, "language": "en",
            "title": "ICE posted data of 6,252 asylum seekers", "text": "", "source_kind": "news",
            "relevant": True, "incident_type": "data_breach", "incident_key": "2022-11-x"}
    assert "reports the excluded November 2022 event" in corpus.problems(item)


def test_append_keeps_existing_lines_and_gives_new_rows_their_incidents_side(tmp_path):
    file = tmp_path / "corpus.jsonl"
    old = ('{"url": "https://a.example/1", "incident_key": "2025-01-k", "split": "test", '
           '"id": "real-x"}\n')
    file.write_text(old, encoding="utf-8")
    base = {"outlet": "X", "date": None, "language": "en", "title": "", "text": "t",
            "source_kind": "news", "relevant": True, "incident_type": "raid"}
    raw = tmp_path / "raw.jsonl"
    rows = [dict(base, url="https://b.example/2", incident_key="2025-01-k"),
            dict(base, url="https://a.example/1", incident_key="2025-01-k"),
            dict(base, url="https://c.example/3", incident_key=None)]
    raw.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    added, rejected = corpus.append([raw], path=file)
    lines = file.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[0] == old
    assert [a["url"] for a in added] == ["https://b.example/2"]
    assert json.loads(lines[1])["split"] == "test"
    assert len(lines) == 2 and len(rejected) == 1 and "without incident_key" in rejected[0]


def test_problems_rejects_a_partial_date():
    item = {"url": "https://x.example/b", "outlet": "X", "date": "2025-03", "language": "en",
            "title": "", "text": "", "source_kind": "news", "relevant": False,
            "negative_kind": "general"}
    assert corpus.problems(item) == ["date '2025-03' is not YYYY-MM-DD (null when unknown)"]
    assert corpus.problems(dict(item, date="2025-03-14")) == []
    assert corpus.problems(dict(item, date=None)) == []
