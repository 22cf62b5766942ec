"""Incident clustering: exact clusters on a fixed subset, cross-language joins, hard negatives,
restore from stored signatures, explainable reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.clustering import (
    Doc,
    IncidentIndex,
    Signature,
    cluster,
    dates_in,
    names_in,
    numbers_in,
    pairwise_scores,
    profile_of,
    states_in,
)

DATA = Path(__file__).parent / "data" / "cluster_set.jsonl"
ROWS = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
DOCS = {
    r["id"]: Doc(r["id"], r["title"], r["text"], r["language"], r["published"],
                 r["incident_type"], r["facts"])
    for r in ROWS
}
LABELS = {r["id"]: r["cluster"] for r in ROWS}

# Two deaths in custody in the same month, a data breach on one of those days, and two
# removal flights to Caracas a fortnight apart: every kind of trap in one subset.
SUBSET = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 21, 22, 23, 24, 25, 26, 27]


def _partition(assignments: dict[int, int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for doc_id, incident in assignments.items():
        groups.setdefault(incident, set()).add(doc_id)
    return {frozenset(g) for g in groups.values()}


def _labelled_partition(ids: list[int]) -> set[frozenset[int]]:
    return _partition({i: hash(LABELS[i]) for i in ids})


def _index_with(ids: list[int]) -> IncidentIndex:
    index = IncidentIndex()
    cluster([DOCS[i] for i in ids], index)
    return index


def _assigned_with(doc_id: int, ids: list[int]) -> int | None:
    index = _index_with(ids)
    return index.assign(DOCS[doc_id]).incident_id


@pytest.fixture(scope="module")
def full_index() -> IncidentIndex:
    return _index_with(list(DOCS))


def test_exact_clusters_on_fixed_subset() -> None:
    assert _partition(cluster([DOCS[i] for i in SUBSET])) == _labelled_partition(SUBSET)


def test_whole_set_meets_precision_target(full_index: IncidentIndex) -> None:
    assert pairwise_scores(LABELS, full_index.assignments())["precision"] >= 0.95


def test_whole_set_meets_recall_target(full_index: IncidentIndex) -> None:
    assert pairwise_scores(LABELS, full_index.assignments())["recall"] >= 0.90


def test_spanish_report_joins_english_incident() -> None:
    assert _assigned_with(4, [1, 2]) == 1


def test_spanish_breach_report_joins_through_count() -> None:
    assert _assigned_with(12, [9]) == 9


def test_spanish_first_then_english_joins() -> None:
    assert _assigned_with(22, [21]) == 21


def test_same_month_deaths_at_different_facilities_stay_apart() -> None:
    assert _assigned_with(1, [6, 7, 8]) is None


def test_templated_agency_releases_stay_apart() -> None:
    assert _assigned_with(37, [34]) is None


def test_raids_in_different_states_same_month_stay_apart() -> None:
    assert _assigned_with(18, [14, 15, 16, 17]) is None


def test_flights_to_same_city_with_different_figures_stay_apart() -> None:
    assert _assigned_with(25, [21, 22, 23, 24]) is None


def test_courthouse_arrests_in_different_cities_stay_apart() -> None:
    assert _assigned_with(28, [31, 32, 33]) is None


def test_breach_and_death_on_same_day_stay_apart() -> None:
    assert _assigned_with(9, [1, 2, 3]) is None


def test_reprint_is_marked_duplicate_of_original() -> None:
    index = _index_with([1, 2])
    assert index.assign(DOCS[3]).duplicate_of == 2


def test_reason_names_shared_person() -> None:
    index = _index_with([1, 2])
    assert "medina" in index.assign(DOCS[4]).reason["shared"]["names"]


def test_reason_lists_shared_date() -> None:
    index = _index_with([1, 2])
    assert "2022-11-28" in index.assign(DOCS[4]).reason["shared"]["dates"]


def test_reason_says_same_story() -> None:
    index = _index_with([1, 2])
    assert index.assign(DOCS[4]).reason["decision"] == "same story"


def test_rejection_reason_explains_veto() -> None:
    index = _index_with([6, 7, 8])
    assert index.assign(DOCS[1]).reason["closest"]["decision"].startswith("veto")


def test_signature_roundtrip_bytes() -> None:
    sig = IncidentIndex().signature(DOCS[4])
    assert Signature.from_bytes(sig.to_bytes()).to_bytes() == sig.to_bytes()


def test_signature_roundtrip_keeps_minhash() -> None:
    sig = IncidentIndex().signature(DOCS[4])
    assert Signature.from_bytes(sig.to_bytes()).minhash.jaccard(sig.minhash) == 1.0


def test_restore_from_signatures_gives_same_assignments() -> None:
    first, rest = list(DOCS)[:20], list(DOCS)[20:]
    live = _index_with(first)
    rows = [(live.incident_of[d], live.signatures[d].to_bytes()) for d in sorted(live.incident_of)]
    restored = IncidentIndex.restore(rows)
    assert cluster([DOCS[i] for i in rest], restored) == cluster([DOCS[i] for i in rest], live)


def test_restore_accepts_dict_rows() -> None:
    live = _index_with([1, 2])
    rows = [{"incident_id": live.incident_of[d], "signature": live.signatures[d].to_bytes()}
            for d in (1, 2)]
    assert IncidentIndex.restore(rows).assignments() == live.assignments()


def test_operator_merge_moves_articles() -> None:
    index = _index_with([1, 6])
    index.merge(1, 6)
    assert index.assignments() == {1: 1, 6: 1}


def test_operator_move_splits_article_out() -> None:
    index = _index_with([1, 2, 4])
    index.move(4, 99)
    assert index.assignments()[4] == 99


def test_move_rebuilds_incident_profile() -> None:
    index = _index_with([1, 2])
    index.move(2, 99)
    assert "pueblo" not in index.incidents[1].profile.orgs


def test_article_outside_window_starts_new_incident() -> None:
    late = Doc(**{**DOCS[4].__dict__, "id": 1000, "published": "2023-03-01T00:00:00Z"})
    assert _index_with([1, 2]).assign(late).incident_id is None


def test_policy_story_without_facts_stays_alone() -> None:
    assert _assigned_with(40, [9, 10, 11]) is None


def test_dates_in_reads_spanish_dates() -> None:
    assert dates_in("murió el 28 de noviembre en San Diego", "2022-12-01") == {"2022-11-28"}


def test_dates_in_reads_english_abbreviations() -> None:
    assert dates_in("passed away Nov. 28 at a hospital", "2022-11-30") == {"2022-11-28"}


def test_dates_in_rolls_back_year_for_december_in_january() -> None:
    assert dates_in("arrested on Dec. 30", "2023-01-04") == {"2022-12-30"}


def test_numbers_in_reads_both_thousand_separators() -> None:
    assert numbers_in("6,252 people and 6.252 personas") == {6252}


def test_numbers_in_skips_years_and_days() -> None:
    assert numbers_in("On Nov. 28, 2022 ICE said") == set()


def test_names_in_skips_sentence_initial_words() -> None:
    assert names_in("Fatalities are rare. Officers found Medina-Ruiz unresponsive.") == {
        "medina", "ruiz"}


def test_names_in_folds_accents() -> None:
    assert "jesus" in names_in("the man, Jesús Medina, died")


def test_states_in_maps_spanish_names() -> None:
    assert states_in("detenido en Carolina del Norte y Nuevo México") == {
        "north carolina", "new mexico"}


def test_profile_maps_hsi_to_ice() -> None:
    doc = Doc(1, "t", "x", facts={"agencies": [{"value": "HSI", "sentence": "x"}]})
    assert profile_of(doc).agencies == frozenset({"ICE"})


def test_profile_ignores_malformed_facts() -> None:
    doc = Doc(1, "t", "x", facts={"counts": [{"value": "many"}, {"noun": "people"}]})
    assert profile_of(doc).counts == frozenset()


def test_two_tps_notices_in_one_week_stay_apart() -> None:
    assert _assigned_with(51, [48, 49, 50]) is None


def test_railcar_deaths_and_pursuit_crash_stay_apart() -> None:
    assert _assigned_with(42, [45, 46, 47]) is None


def test_spanish_figure_with_dot_separator_joins() -> None:
    assert _assigned_with(56, [54, 55]) == 54


def test_distinctive_figure_is_named_in_reason() -> None:
    index = _index_with([54])
    assert 1461 in index.assign(DOCS[56]).reason["shared"]["distinctive_figures"]
