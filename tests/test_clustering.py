"""Same-story clustering: real families from the corpus's test split, the team-written set as
regression, explanations, follow-ups, signatures and the near-duplicate index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from monitor.cluster_training import corpus_docs
from monitor.clustering import Doc, IncidentIndex, Signature, pairwise_scores
from monitor.incident_merge import cluster
from monitor.neardup import LSH, minhash
from monitor.similarity import (
    FEATURES,
    Centroid,
    _lemma,
    _terms_data,
    default_model,
    features_of,
    names_in,
    pair_features,
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

# The known mistake behind the strict xfails below (bench/cluster_quality.py, written set): the
# second Caracas flight (175 deported, 6 April) joins the first (199, 24 March). Its wording,
# names and places are the first's; the conflicting figure and date lower the score (see its
# reason) but not below the threshold: similarity 0.999.
CARACAS_FLIGHTS = ("second Caracas flight (175 deported, 13 days later) joins the first (199): "
                   "wording, names and places outweigh the conflicting figure and date")


def _partition(assignments: dict[int, int]) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for doc_id, incident in assignments.items():
        groups.setdefault(incident, set()).add(doc_id)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture(scope="module")
def test_split():
    docs, labels, _ = corpus_docs("test")
    return labels, cluster(docs)


def _incidents_of(split, key: str) -> set[int]:
    labels, predicted = split
    return {predicted[i] for i, label in labels.items() if label == key}


def _assigned_with(doc_id: int, ids: list[int]) -> int | None:
    index = IncidentIndex()
    cluster([DOCS[i] for i in ids], index)
    return index.assign(DOCS[doc_id]).incident_id


# -- real families (test split: never trained or calibrated on)


def test_nashville_operation_15_reports_in_two_languages_form_one_incident(test_split) -> None:
    assert len(_incidents_of(test_split, "2025-05-nashville-ice-thp-operation")) == 1


def test_family_reunification_parole_termination_8_reports_form_one_incident(test_split) -> None:
    assert len(_incidents_of(test_split, "2025-12-family-reunification-parole-termination")) == 1


def test_hasan_saleh_death_11_reports_mostly_spanish_form_one_incident(test_split) -> None:
    assert len(_incidents_of(test_split, "2025-10-hasan-saleh-death")) == 1


NEWARK_HALVES = ("the stream starts two incidents (14 and 7 reports); the merge pass joined them "
                 "when the family had 19 reports, and not since two were added (nor after the "
                 "session-24 retrain on the grown corpus)")


@pytest.mark.xfail(strict=True, reason=NEWARK_HALVES)
def test_newark_delaney_hall_arrest_21_reports_in_two_languages_form_one_incident(
        test_split) -> None:
    assert len(_incidents_of(test_split, "2025-05-newark-delaney-hall-baraka-arrest")) == 1


FLORES_RULES = ("the merge pass joins the Flores replacement proposal (Sept 2018) and final rule "
                "(Aug 2019): one wording, one programme, similarity 0.9998 both ways")


@pytest.mark.xfail(strict=True, reason=FLORES_RULES)
def test_flores_proposed_and_final_rule_a_year_apart_stay_apart(test_split) -> None:
    proposal = _incidents_of(test_split, "2018-09-flores-replacement-nprm")
    final = _incidents_of(test_split, "2019-08-flores-replacement-final-rule")
    assert not proposal & final


def test_third_country_deportations_to_two_countries_stay_apart(test_split) -> None:
    south_sudan = _incidents_of(test_split, "2025-05-south-sudan-third-country-deportations")
    eswatini = _incidents_of(test_split, "2025-07-eswatini-deportations")
    assert not south_sudan & eswatini


def test_houston_and_nashville_operations_same_month_stay_apart(test_split) -> None:
    houston = _incidents_of(test_split, "2025-05-ice-houston-422-arrests")
    nashville = _incidents_of(test_split, "2025-05-nashville-ice-thp-operation")
    assert not houston & nashville


# -- the team-written set, kept as regression


@pytest.mark.xfail(strict=True, reason=CARACAS_FLIGHTS)
def test_exact_clusters_on_fixed_subset() -> None:
    expected = _partition({i: hash(LABELS[i]) for i in SUBSET})
    assert _partition(cluster([DOCS[i] for i in SUBSET])) == expected


@pytest.mark.xfail(strict=True, reason=CARACAS_FLIGHTS)
def test_whole_set_meets_precision_target() -> None:
    assert pairwise_scores(LABELS, cluster(DOCS.values()))["precision"] >= 0.95


@pytest.mark.xfail(strict=True, reason=CARACAS_FLIGHTS)
def test_flights_to_same_city_with_different_figures_stay_apart() -> None:
    assert _assigned_with(25, [21, 22, 23, 24]) is None


def test_spanish_report_joins_english_incident() -> None:
    assert _assigned_with(4, [1, 2]) == 1


def test_spanish_breach_report_joins_through_figure() -> None:
    assert _assigned_with(12, [9]) == 9


def test_spanish_first_then_english_joins() -> None:
    assert _assigned_with(22, [21]) == 21


def test_spanish_figure_with_dot_separator_joins() -> None:
    assert _assigned_with(56, [54, 55]) == 54


def test_same_month_deaths_at_different_facilities_stay_apart() -> None:
    assert _assigned_with(1, [6, 7, 8]) is None


def test_templated_agency_releases_stay_apart() -> None:
    assert _assigned_with(37, [34]) is None


def test_raids_in_different_states_same_month_stay_apart() -> None:
    assert _assigned_with(18, [14, 15, 16, 17]) is None


def test_courthouse_arrests_in_different_cities_stay_apart() -> None:
    assert _assigned_with(28, [31, 32, 33]) is None


def test_breach_and_death_on_same_day_stay_apart() -> None:
    assert _assigned_with(9, [1, 2, 3]) is None


def test_policy_story_without_facts_stays_alone() -> None:
    assert _assigned_with(40, [9, 10, 11]) is None


def test_two_tps_notices_in_one_week_stay_apart() -> None:
    assert _assigned_with(51, [48, 49, 50]) is None


def test_railcar_deaths_and_pursuit_crash_stay_apart() -> None:
    assert _assigned_with(42, [45, 46, 47]) is None


def test_reprint_is_marked_duplicate_of_original() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    assert index.assign(DOCS[3]).duplicate_of == 2


# -- explanations


def test_reason_gives_similarity_above_threshold() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    reason = index.assign(DOCS[4]).reason
    assert reason["similarity"] >= reason["threshold"] == default_model().threshold


def test_join_into_a_big_incident_is_checked_against_its_closest_member() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    reason = index.assign(DOCS[4]).reason
    assert reason["member_similarity"] >= reason["member_threshold"] > 0


def test_explanation_prints_the_closest_member_check() -> None:
    from monitor.incidents import explain_reason

    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    bar = f"(bar {index.member_threshold:.2f})"  # the calibrated bar, from the model file
    assert f"closest member 1.00 {bar}" in explain_reason(index.assign(DOCS[4]).reason)


def test_late_join_must_pass_the_stricter_bar() -> None:
    index = IncidentIndex(threshold=0.5, follow_up_threshold=1.01)
    cluster([DOCS[1], DOCS[2]], index)
    later = Doc(**{**DOCS[4].__dict__, "id": 1000, "published": "2023-01-25T00:00:00Z"})
    assert index.assign(later).incident_id is None


def test_country_of_the_event_is_read_from_the_facts() -> None:
    facts = {"places": [{"value": "Syria", "kind": "country", "sentence": "TPS for Syria ends."}]}
    assert _features("TPS", "TPS for Syria ends.", facts).countries == frozenset({"syria"})


def test_reason_lists_top_features_by_name() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    names = [name for name, _ in index.assign(DOCS[4]).reason["contributions"]]
    assert names and set(names) <= set(FEATURES)


def test_reason_names_shared_person() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    assert "medina" in index.assign(DOCS[4]).reason["shared"]["names"]


def test_rejection_reason_gives_closest_incident_below_threshold() -> None:
    index = IncidentIndex()
    cluster([DOCS[i] for i in (6, 7, 8)], index)
    closest = index.assign(DOCS[1]).reason["closest"]
    assert closest["similarity"] < closest["threshold"]


# -- evidence


def _features(title: str, text: str, facts: dict, language: str = "en"):
    return features_of(title, text, language, "2025-01-10", "raid", facts,
                       default_model().idf)


def test_outlet_name_is_not_a_place_of_the_event() -> None:
    sentence = "The Los Angeles Times reported the raid."
    facts = {"places": [{"value": "Los Angeles", "kind": "city", "sentence": sentence}]}
    assert _features("Raid", sentence, facts).places == frozenset()


def test_place_of_the_event_is_kept() -> None:
    sentence = "Agents raided a farm near Los Angeles on Tuesday."
    facts = {"places": [{"value": "Los Angeles", "kind": "city", "sentence": sentence}]}
    assert _features("Raid", sentence, facts).places == frozenset({"los angeles"})


def test_rounded_qualified_figure_agrees_with_exact_one() -> None:
    exact = _features("Leak", "x", {"counts": [{"value": 6252, "noun": "people"}]})
    rounded = _features("Fuga", "x", {"counts": [{"value": 6000, "qualifier": "more than",
                                                  "noun": "personas"}]}, "es")
    centroid = Centroid()
    centroid.add(exact)
    assert pair_features(rounded, centroid)["figure_agrees"] == 1.0


def test_spanish_words_meet_english_centroid_through_term_table() -> None:
    english = _features("Raid", "Agents arrested workers in a raid at the plant.", {})
    spanish = _features("Redada", "Agentes arrestaron a trabajadores en una redada en la "
                        "planta.", {}, "es")
    centroid = Centroid()
    centroid.add(english)
    assert pair_features(spanish, centroid)["text_cosine"] > 0.5


def test_spanish_shooting_meets_english_shooting() -> None:
    english = _features("Shooting", "An agent was involved in a shooting outside the church.", {})
    spanish = _features("Tiroteo", "Un agente participó en un tiroteo frente a la iglesia.", {},
                        "es")
    centroid = Centroid()
    centroid.add(english)
    assert pair_features(spanish, centroid)["text_cosine"] > 0.5


def test_every_english_term_of_the_table_is_what_the_lemmatiser_gives() -> None:
    # a pair whose English side English text never yields ("shooting": its lemma is "shoot")
    # never meets anything
    table = _terms_data()["translate"]
    assert {en: _lemma(en, "en") for en in table.values() if _lemma(en, "en") != en} == {}


def test_spanish_agency_words_are_not_names() -> None:
    text = ("Ayer la Patrulla Fronteriza detuvo a Medina, beneficiario del Estatus de "
            "Protección Temporal.")
    assert names_in(text, default_model().idf, "es") == frozenset({"medina"})


# -- follow-ups


def test_article_weeks_later_attaches_as_follow_up() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    later = Doc(**{**DOCS[4].__dict__, "id": 1000, "published": "2023-01-25T00:00:00Z"})
    result = index.assign(later)
    assert (result.incident_id, result.role, result.reason["decision"]) == (1, "follow_up",
                                                                            "follow-up")


def _later(doc_id: int, new_id: int, published: str, title: str) -> Doc:
    return Doc(**{**DOCS[doc_id].__dict__, "id": new_id, "published": published, "title": title})


def test_lawsuit_headline_days_later_is_a_follow_up_by_its_cue() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    lawsuit = _later(4, 1001, "2022-12-02T00:00:00Z", "Familia presenta demanda por la muerte")
    result = index.assign(lawsuit)
    assert (result.role, result.reason.get("follow_up_by")) == ("follow_up", "headline cue")


def test_cue_word_the_incident_already_had_is_not_a_new_development() -> None:
    index = IncidentIndex()
    first = _later(1, 1002, DOCS[1].published, "Family files lawsuit over Medina's death")
    cluster([first, DOCS[2]], index)
    lawsuit = _later(4, 1003, "2022-12-02T00:00:00Z", "La demanda de la familia Medina")
    assert index.assign(lawsuit).role == "report"


def test_article_within_days_is_a_report() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    assert index.assign(DOCS[4]).role == "report"


# -- signatures, restore, operator moves


def test_signature_roundtrip_bytes() -> None:
    sig = IncidentIndex().signature(DOCS[4])
    assert Signature.from_bytes(sig.to_bytes()).to_bytes() == sig.to_bytes()


def test_old_format_signature_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="re-cluster"):
        Signature.from_bytes(b"IXS1" + b"\0" * 20)


def test_restore_skips_old_format_rows() -> None:
    assert IncidentIndex.restore([(1, b"IXS1" + b"\0" * 20)]).assignments() == {}


def test_restore_from_signatures_gives_same_assignments() -> None:
    first, rest = list(DOCS)[:20], list(DOCS)[20:]
    live = IncidentIndex()
    cluster([DOCS[i] for i in first], live)
    rows = [(live.incident_of[d], live.signatures[d].to_bytes()) for d in sorted(live.incident_of)]
    restored = IncidentIndex.restore(rows)
    assert cluster([DOCS[i] for i in rest], restored) == cluster([DOCS[i] for i in rest], live)


def test_operator_merge_moves_articles() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[6]], index)
    index.merge(1, 6)
    assert index.assignments() == {1: 1, 6: 1}


def test_operator_move_rebuilds_centroid() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    index.move(2, 99)
    assert index.incidents[1].centroid.size == 1 and index.assignments()[2] == 99


# -- near-duplicate index


def test_lsh_finds_a_lightly_edited_copy_after_compaction() -> None:
    rng = np.random.default_rng(5)
    lsh = LSH()
    for doc_id in range(1, 1400):  # past the first compaction (50,000 band keys)
        lsh.insert(doc_id, rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32))
    text = " ".join(f"word{i}" for i in range(300))
    lsh.insert(5000, minhash(text)[0])
    edited = text.replace("word17 ", "other ").replace("word200 ", "else ")
    assert 5000 in lsh.query(minhash(edited)[0])


def test_lsh_query_finds_exactly_the_ids_sharing_a_band() -> None:
    """Against a plain dict of band key -> ids: the directory gather, the binary-search path for
    a bucket crowded by many copies of one text, and the uncompacted recent keys all agree."""
    from monitor.neardup import _MAX_GATHER, band_keys

    rng = np.random.default_rng(9)
    base = rng.integers(0, 2**32, (300, 128), dtype=np.uint64).astype(np.uint32)
    lsh, plain = LSH(), {}
    for doc_id in range(1, 3001):
        if doc_id % 7 == 0:  # a near copy: most bands shared with an earlier signature
            sig = base[doc_id % 300].copy()
            sig[rng.integers(0, 128, 20)] = rng.integers(0, 2**32, 20, dtype=np.uint64)
        elif doc_id % 25 == 0:  # exact copies of one text crowd one bucket per band
            sig = base[0]
        else:
            sig = rng.integers(0, 2**32, 128, dtype=np.uint64).astype(np.uint32)
        lsh.insert(doc_id, sig)
        for key in band_keys(sig).tolist():
            plain.setdefault(key, []).append(doc_id)
    assert len(lsh._keys) and lsh._recent  # both the compacted and the recent part are used
    crowded = (band_keys(base[0]) >> lsh._shift).astype(np.intp)
    assert (lsh._starts[crowded + 1] - lsh._starts[crowded]).max() > _MAX_GATHER
    for probe in [*base[:40], base[0], *rng.integers(0, 2**32, (5, 128), dtype=np.uint64)]:
        probe = probe.astype(np.uint32)
        expected = [i for key in band_keys(probe).tolist() for i in plain.get(key, ())]
        assert lsh.query(probe) == set(expected)


def test_lsh_forgets_removed_ids() -> None:
    lsh = LSH()
    sig = minhash("one two three four five six seven")[0]
    lsh.insert(1, sig)
    lsh.remove(1)
    assert lsh.query(sig) == set()


def test_written_set_recall_stays_above_target() -> None:
    from monitor.clustering import pairwise_scores

    labels = {r["id"]: r["cluster"] for r in ROWS}
    assert pairwise_scores(labels, cluster(DOCS.values()))["recall"] >= 0.90


def test_reason_lists_shared_date() -> None:
    index = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], index)
    assert "2022-11-28" in index.assign(DOCS[4]).reason["shared"]["dates"]


def test_agreeing_figure_is_named_in_reason() -> None:
    index = IncidentIndex()
    cluster([DOCS[54]], index)
    assert 1461 in index.assign(DOCS[56]).reason["shared"]["figures"]


def test_restore_accepts_dict_rows() -> None:
    live = IncidentIndex()
    cluster([DOCS[1], DOCS[2]], live)
    rows = [{"incident_id": live.incident_of[d], "signature": live.signatures[d].to_bytes()}
            for d in (1, 2)]
    assert IncidentIndex.restore(rows).assignments() == live.assignments()
