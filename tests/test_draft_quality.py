"""Drafts of frozen real families from the corpus (`tests/data/real/corpus.jsonl`) read as posts.

Each family is all the corpus reports sharing an `incident_key`, drafted the way
`bench/draft_quality.py` drafts them (stored as the pipeline stores them, no clustering). One
assertion each: the issue's complaints (a caption as lead, a repeating Information, a figure
conflict that is none, a pasted Spanish quote, the https form of an http link, a 744-word body).
"""

from __future__ import annotations

import re

from bench import draft_quality as dq
from monitor import facts

BREACH = "2018-01-dhs-oig-case-management-breach"  # 7 reports, figures 240,000 … 246,167
DEATH_ES = "2025-10-hasan-saleh-death"  # 8 of 11 reports in Spanish
LARGEST = "2025-05-south-sudan-third-country-deportations"  # 27 reports
CAPTIONED = "2018-12-felipe-gomez-alonzo-death"  # reports carry photo captions and datelines




def draft(corpus_families, corpus_config, key):
    context, text, _ = dq.build(corpus_families[key], corpus_config)
    return context, text


def test_no_lead_or_fact_is_a_caption_byline_or_credit(corpus_families, corpus_config):
    lines = [line for key in (CAPTIONED, BREACH, LARGEST)
             for line in dq.fact_lines(draft(corpus_families, corpus_config, key)[1])]
    assert [line for line in lines if facts.is_boilerplate(dq.CITE.sub("", line).lstrip("- "))
            or re.search(r"Getty|/Reuters|\bphoto (?:provided|by)\b|\(AP Photo", line)] == []


def test_information_sentences_each_add_something(corpus_families, corpus_config):
    """No bullet whose key facts, numbers and names the lead and earlier bullets all carry."""
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    redundant = {key: dq.measure(corpus_families[key], corpus_config, labels.get(key))["redundant"]
                 for key in (BREACH, DEATH_ES, "2019-06-cbp-perceptics-breach")}
    assert redundant == {key: 0 for key in redundant}


def test_agreeing_figures_of_one_quantity_are_not_a_conflict(corpus_families, corpus_config):
    """"more than 240,000", "246,000", "nearly 250,000", "approximately 246,167" employees."""
    context, _ = draft(corpus_families, corpus_config, BREACH)
    assert context["figures"] == []


def test_key_facts_are_carried_and_cited(corpus_families, corpus_config):
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    measured = dq.measure(corpus_families[BREACH], corpus_config, labels[BREACH])
    carried, cited, total = measured["facts"]
    assert (carried, cited) == (total, total)


def test_spanish_sources_are_stated_not_pasted_in_an_english_post(corpus_families, corpus_config):
    _, text = draft(corpus_families, corpus_config, DEATH_ES)
    assert "reported, in Spanish: «" not in text


def test_an_http_source_is_cited_over_http(corpus_families, corpus_config):
    """The link fetched, not the https canonical form used for dedupe."""
    _, text = draft(corpus_families, corpus_config, BREACH)
    assert "(http://www.ibtimes.com/dhs-confirms-data-breach-240000-current-former-employee-" \
           "information-leaked-2637016)" in text


def test_body_stays_within_the_configured_length_on_the_largest_family(corpus_families,
                                                                         corpus_config):
    _, text = draft(corpus_families, corpus_config, LARGEST)
    assert len(dq.CITE.sub("", dq.body_of(text)).split()) <= 500


def test_lead_states_who_did_what_from_the_agency_statement(corpus_families, corpus_config):
    """The DHS statement leads the breach, not a trade site rewriting it."""
    context, _ = draft(corpus_families, corpus_config, BREACH)
    number = context["lead"]["sources"][0]
    lead_source = next(s for s in context["sources"] if s["number"] == number)
    assert lead_source["url"].startswith("https://www.dhs.gov/")


def test_a_spanish_duration_is_a_how_long_fact():
    sentence = ("El joven Carlos Hernández Vásquez colapsó en su celda, donde estuvo tirado en el "
                "piso por alrededor de cuatro horas antes de ser encontrado sin vida.")
    assert [(d["value"], d["unit"]) for d in facts.durations(sentence)] == [(4, "hours")]


def test_a_lead_says_what_happened_not_when_it_was_found_or_background(corpus_families,
                                                                        corpus_config):
    """An actor and what they did: not "The CBP reports that it learned of the breach on May
    31, 2019." (the discovery, with an agency and a date), not "An internal memo … exposed the
    shift" when "ICE will no longer report deaths …" opens another report, and not "The Essex
    County Correctional Facility has a contract with ICE to house nearly 1,000 immigrants"
    (dev split: no event's verb)."""
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    keys = ("2019-06-cbp-perceptics-breach", "2026-04-ice-ends-post-release-death-reporting")
    leads_ok = {key: dq.measure(corpus_families[key], corpus_config, labels[key])["lead_ok"]
                for key in keys}
    essex, _ = draft(corpus_families, corpus_config,
                     "2019-02-oig-essex-county-issues-requiring-action")
    assert (leads_ok, "has a contract" in essex["lead"]["text"]) == (
        {key: True for key in keys}, False)


def test_a_generic_actor_is_named_from_its_own_source(corpus_families, corpus_config):
    """"Federal immigration officials said Wednesday they have arrested more than 100 people …"
    under the headline "ICE arrests more than 100 in immigration sweeps …": the lead names ICE,
    in the template's words, with the sentence's own verb and figure, cited as the sentence."""
    context, _ = draft(corpus_families, corpus_config, "2018-02-ice-southern-california-operation")
    assert (context["lead"]["text"], context["lead"]["sources"]) == (
        "ICE arrested more than 100 people in Los Angeles.", [2, 3])


def test_every_test_incident_with_two_reports_has_key_fact_labels():
    """The bench's headline is over the labelled incidents: an unlabelled one must be labelled
    (from its reports' own text), not silently left out."""
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    assert sorted(set(dq.incidents("test")) - set(labels)) == []


def test_an_unlabelled_incident_fails_the_bench_by_name_and_totals_stay_over_the_labelled(
        capsys):
    """Not a KeyError: the totals are the labelled incident's, the other is listed by name."""
    rows = [("2099-01-labelled", 2, {"facts": (3, 3, 4), "lead_ok": True}),
            ("2099-02-unlabelled", 2, {})]
    failed = dq.labelled_totals(rows)
    assert (failed, capsys.readouterr().out.splitlines()) == (True, [
        "        leads stating the event 100%; key facts carried 3/4 (75%), cited 3/3 "
        "(over 1 labelled incidents)",
        "        no key-fact labels (1): 2099-02-unlabelled"])


KINDS = {"who", "what", "how_many", "where", "when", "how_long", "how_discovered", "response",
         "next"}


def test_every_labelled_incident_has_a_lead_fact_pair_and_exists_in_the_corpus():
    """The lead check needs a "who" and a "what" or "how many" fact; a label whose key names no
    incident the bench drafts (a typo, a key renamed in the corpus) would never be measured."""
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    labels.pop("_about")
    drafted = set(dq.incidents("test")) | set(dq.incidents("dev"))
    bad = {key: sorted({f["kind"] for f in facts}) for key, facts in labels.items()
           if not ({"who"} <= {f["kind"] for f in facts}
                   and {f["kind"] for f in facts} & {"what", "how_many"})
           or not {f["kind"] for f in facts} <= KINDS
           or not all(f["any"] and f["fact"] for f in facts)}
    assert (sorted(set(labels) - drafted), bad) == ([], {})


def test_the_dev_split_is_labelled_and_reports_leads_and_key_facts(capsys):
    """Dev is where drafting is tuned: its leads and key facts print as test's do."""
    labels = dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))
    dev = dq.incidents("dev")
    labelled = [key for key in dev if key in labels]
    assert len(labelled) >= 100
    assert dq.report("dev", keys={labelled[0]}) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if labelled[0] in line)
    assert re.search(r"lead (ok|MISS) .* facts \d+/\d+ carried, \d+ cited", line)


def test_an_unlabelled_incident_fails_the_test_split_but_only_is_listed_on_dev(
        tmp_path, monkeypatch, capsys):
    """The same missing labels: the test split exits 1 (its headline would leave the incident
    out unseen), the dev split lists it and exits 0."""
    test_key, dev_key = BREACH, "2019-02-oig-essex-county-issues-requiring-action"
    assert dq.report("test", keys={test_key}) == 0
    empty = tmp_path / "key_facts.json"
    empty.write_text("{}", encoding="utf-8")
    monkeypatch.setattr(dq, "KEY_FACTS", empty)
    capsys.readouterr()
    statuses = (dq.report("test", keys={test_key}), dq.report("dev", keys={dev_key}))
    out = capsys.readouterr().out
    assert (statuses, f"no key-fact labels (1): {test_key}" in out,
            f"no key-fact labels (1): {dev_key}" in out) == ((1, 0), True, True)
