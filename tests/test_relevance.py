"""Relevance rules (the model's input): per-item decisions on the written set, explanations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.relevance import Judgement, explain, incident_types, judge_rules, load_taxonomy

SET = Path(__file__).parent / "data" / "relevance_set.jsonl"
ITEMS = {item["id"]: item for item in map(json.loads, SET.read_text(encoding="utf-8").splitlines())}
INCIDENT_TYPES = set(incident_types())  # the taxonomy is the one list
# Fixed subset: every incident type in both languages and each family of hard negative.
SUBSET = [
    "en-pos-001", "en-pos-002", "en-pos-005", "en-pos-006", "en-pos-009", "en-pos-013",
    "en-pos-014", "en-pos-017", "en-pos-019", "en-pos-022", "en-pos-023", "en-pos-026",
    "en-pos-027", "en-pos-030", "en-pos-031", "en-pos-034", "en-pos-h02",
    "es-pos-001", "es-pos-003", "es-pos-004", "es-pos-006", "es-pos-009", "es-pos-012",
    "es-pos-015", "es-pos-017", "es-pos-019",
    "en-neg-001", "en-neg-002", "en-neg-004", "en-neg-006", "en-neg-008", "en-neg-011",
    "en-neg-013", "en-neg-015", "en-neg-017", "en-neg-018", "en-neg-023",
    "es-neg-001", "es-neg-003", "es-neg-004", "es-neg-005", "es-neg-006", "es-neg-007",
]


def verdict(item_id: str) -> Judgement:
    item = ITEMS[item_id]
    return judge_rules(item["title"], item["text"], language=item["language"])


@pytest.mark.parametrize("item_id", SUBSET)
def test_decision(item_id):
    assert verdict(item_id).relevant is ITEMS[item_id]["relevant"]


@pytest.mark.parametrize("item_id", [i for i in SUBSET if ITEMS[i]["relevant"]])
def test_incident_type(item_id):
    assert verdict(item_id).incident_type == ITEMS[item_id]["incident_type"]


def test_labelled_set_is_large_enough():
    assert len(ITEMS) >= 80


def test_labelled_set_covers_every_type():
    assert {i["incident_type"] for i in ITEMS.values() if i["relevant"]} == INCIDENT_TYPES


def test_labelled_set_has_both_languages():
    assert {i["language"] for i in ITEMS.values()} == {"en", "es"}


# --- taxonomy -----

def test_taxonomy_has_a_death_in_custody_type():
    assert "detention_death" in INCIDENT_TYPES


def test_taxonomy_threshold_from_file():
    assert load_taxonomy().threshold == 5.0


def test_taxonomy_is_cached():
    assert load_taxonomy() is load_taxonomy()


def test_taxonomy_has_spanish_agency_names():
    assert "La Migra" in load_taxonomy().agencies


MINI = """
threshold = 2.0
[[cooccurrence]]
name = "agency+incident"
require = ["agency", "incident"]
[agencies.ICE]
weight = 1.0
case_sensitive = ['\\bICE\\b']
[incidents.raid]
[incidents.raid.terms]
"raid*" = 2.0
"""


def test_custom_taxonomy_file(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(MINI, encoding="utf-8")
    assert judge_rules("ICE raids farm", "", taxonomy=load_taxonomy(path)).relevant


def test_custom_taxonomy_threshold(tmp_path):
    path = tmp_path / "mini.toml"
    path.write_text(MINI, encoding="utf-8")
    assert load_taxonomy(path).threshold == 2.0


# --- scoring rules -----

RAID = ("ICE raids meatpacking plant, detaining 200 workers",
        "Immigration agents raided the plant on Tuesday in a worksite enforcement operation.")


def test_threshold_override_keeps_score():
    assert judge_rules(*RAID, threshold=1000).score == judge_rules(*RAID).score


def test_threshold_override_blocks_incident():
    assert not judge_rules(*RAID, threshold=1000).relevant


def test_score_is_sum_of_match_weights():
    j = judge_rules(*RAID)
    assert j.score == pytest.approx(sum(m["weight"] for m in j.matches))


def test_agency_alone_is_not_an_incident():
    assert not judge_rules("ICE director visits Dallas field office", "He met staff.").relevant


def test_incident_terms_without_agency_are_not_an_incident():
    assert not judge_rules("Police raid drug house, arrest three", "Officers seized cash.").relevant


def test_government_needs_immigration_context():
    assert not judge_rules("Judge blocks Trump administration tariffs",
                     "A federal judge ruled the tariffs unlawful.").relevant


def test_government_with_immigration_context_counts():
    assert judge_rules("Judge blocks Trump administration plan to deport migrants",
                 "A federal judge ruled the deportations unlawful.").relevant


def test_lowercase_ice_is_not_an_agency():
    j = judge_rules("Police arrest driver after crash on ice", "The road was covered in ice.")
    assert not any(m["rule"] == "agency" for m in j.matches)


def test_guardian_style_ice_agents_is_an_agency():
    j = judge_rules("Ice agents detain father outside school", "He was taken into custody.")
    assert any(m["rule"] == "agency" and m["term"] == "ICE" for m in j.matches)


def test_ice_storm_is_not_an_agency():
    j = judge_rules("Ice storm leaves thousands without power",
                    "Crews were detained by the weather.")
    assert not any(m["rule"] == "agency" for m in j.matches)


def test_negative_visa_lottery_recorded():
    j = judge_rules("USCIS and State Department open visa lottery",
                    "Applicants may register online.")
    assert any(m["rule"] == "negative:lottery" for m in j.matches)


def test_negative_terms_lower_the_score():
    base = judge_rules("ICE arrests man in Texas", "ERO Houston arrested him on Monday.")
    lottery = judge_rules("ICE arrests man in Texas", "ERO Houston arrested him on Monday. "
                    "He had applied to the diversity visa lottery.")
    assert lottery.score < base.score


def test_negative_naturalization_ceremony():
    assert not judge_rules("USCIS welcomes 500 new citizens at naturalization ceremony",
                     "Officers detained no one; the ceremony was held in Houston.").relevant


def test_spanish_without_accents_matches():
    assert judge_rules("ICE detiene a padre en Chicago",
                       "Fue detenido frente a la escuela.").relevant


def test_spanish_la_migra_is_an_agency():
    j = judge_rules("Redada de la migra en Los Angeles", "Detuvieron a 40 trabajadores.")
    assert any(m["rule"] == "agency" and m["term"] == "La Migra" for m in j.matches)


def test_title_terms_weigh_more():
    in_title = judge_rules("ICE raid in Ohio", "Agents were there.")
    in_text = judge_rules("ICE in Ohio", "Agents were there for a raid.")
    assert in_title.score > in_text.score


def test_same_words_not_counted_twice():
    j = judge_rules("Arrestan a 20 migrantes: ICE", "")
    arrests = [m for m in j.matches if m["rule"] == "incident:arrest_detention"]
    assert len(arrests) == 1


# --- explanations -----

def test_matches_have_rule_term_weight_field():
    j = judge_rules(*RAID)
    assert all({"rule", "term", "weight", "field"} <= set(m) for m in j.matches)


def test_matches_quote_article_text():
    j = judge_rules("ICE detiene a migrante en Phoenix", "La detención ocurrió el lunes.")
    assert any(m["term"] == "detiene" for m in j.matches)


def test_matches_record_field():
    j = judge_rules(*RAID)
    assert next(m for m in j.matches if m["term"] == "raids")["field"] == "title"


def test_matches_record_cooccurrence_rule():
    assert any(m["rule"] == "cooccurrence:agency+incident" for m in judge_rules(*RAID).matches)


def test_explain_names_agency_and_terms():
    line = explain(verdict("en-pos-001"))
    assert line.startswith("agency USCIS + data breach or privacy leak terms 'names, dates")


def test_explain_shows_score():
    j = verdict("en-pos-001")
    assert explain(j).endswith(f"(score {j.score:.1f})")


def test_explain_not_flagged_mentions_negative():
    assert "minus lottery" in explain(verdict("en-neg-001"))


def test_explain_not_flagged_prefix():
    assert explain(verdict("en-neg-001")).startswith("not flagged:")


@pytest.mark.parametrize("headline", ["Ice Agents Arrest Father Outside School",
                                      "Woman Detained By Ice After Check-In"])
def test_title_case_ice_is_an_agency(headline):
    assert any(m["rule"] == "agency" for m in judge_rules(headline, "").matches)


def test_title_case_ice_hockey_is_not_an_agency():
    matches = judge_rules("Ice Hockey Fan Arrested", "").matches
    assert not any(m["rule"] == "agency" for m in matches)


def test_judgement_round_trips_through_dict():
    j = judge_rules(*RAID)
    assert Judgement.from_dict(j.to_dict()) == j
