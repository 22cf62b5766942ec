"""Agency documents as leads (memoranda, Federal Register trackers), what takes effect when, and
the floor of a short draft: on frozen real families of the corpus (`tests/data/real/corpus.jsonl`,
drafted as `bench/draft_quality.py` drafts them) and on the functions that read them."""

from __future__ import annotations

from datetime import UTC, datetime

from bench import draft_quality as dq
from monitor import draft_story, drafting, facts

MPP_MEMO = "2021-10-mpp-termination-memo"  # dev: the Secretary's memo, headings on lines
OIG_ALERT = "2019-07-oig-rgv-overcrowding-management-alert"  # test: the memo is one block
SECURING_BORDER = "2024-06-securing-the-border-asylum-ifr"  # test: the FR API copy, no title
TEXAS_SB8 = "2025-06-texas-sb8-287g-mandate"  # test: the effective date only in Spanish

OIG_BLOCK = (
    "July 2, 2019 OIG-19-51 CONTAINS PRIVACY ACT INFORMATION – DO NOT DISCLOSE OFFICE OF "
    "INSPECTOR GENERAL Department of Homeland Security Washington, DC 20528 / www.oig.dhs.gov "
    "July 02, 2019 MEMORANDUM FOR: The Honorable Kevin K. McAleenan Acting Secretary Department "
    "of Homeland Security FROM: Jennifer L. Costello Acting Inspector General SUBJECT: Management "
    "Alert – DHS Needs to Address Dangerous Overcrowding in the Rio Grande Valley For your action "
    "is our final management alert, the purpose of which is to notify you of urgent issues.")


def labels() -> dict:
    return dq.json.loads(dq.KEY_FACTS.read_text(encoding="utf-8"))


def test_memo_headings_read_sender_subject_date_and_refuse_other_text():
    assert facts.memo_headings("", OIG_BLOCK) == {
        "sender": "Jennifer L. Costello", "sender_title": "Acting Inspector General",
        "subject": "Management Alert – DHS Needs to Address Dangerous Overcrowding in the Rio "
                   "Grande Valley",
        "date": "2019-07-02", "office": "Department of Homeland Security"}
    assert facts.memo_headings("", "ICE said on Monday it arrested 100 people.") is None
    blank_sender = "MEMORANDUM FOR: L. Francis Cissna Director FROM: SUBJECT: Policy Guidance"
    assert facts.memo_headings("", blank_sender) is None
    # A blank FROM: under a letterhead that opens with its title: the Secretary's memo.
    assert facts.memo_headings("", "Secretary U.S. Department of Homeland Security Washington, "
                                   "DC 20528 January 25, 2019 " + blank_sender) == {
        "sender": "", "sender_title": "Secretary", "subject": "Policy Guidance",
        "date": "2019-01-25", "office": "U.S. Department of Homeland Security"}


def test_memo_headings_in_one_block_are_never_sentences():
    sentences = drafting.split_sentences(OIG_BLOCK)
    assert [s for s in sentences if "MEMORANDUM" in s or "FROM:" in s or "SUBJECT:" in s] == []


def test_a_memo_leads_with_its_sender_and_subject(corpus_families, corpus_config):
    """Dev: the Secretary's memo on Scribd, not a law firm's retelling of it."""
    context, _, _ = dq.build(corpus_families[MPP_MEMO], corpus_config)
    assert context["lead"]["text"] == (
        "On October 29, 2021, Alejandro N. Mayorkas, Secretary of the Department of Homeland "
        "Security, issued a memorandum: “Termination of the Migrant Protection Protocols”.")


def test_an_inspector_generals_alert_in_one_block_leads_as_the_inspector_general(
        corpus_families, corpus_config):
    """Test: "The US Homeland Security watchdog has issued …" (a wire story) led before."""
    measured = dq.measure(corpus_families[OIG_ALERT], corpus_config, labels()[OIG_ALERT])
    assert (measured["lead_ok"], "Inspector General" in measured["lead_text"]) == (True, True)


def test_a_trackers_publisher_line_gives_a_notices_agencies():
    notice = facts.register_notice("Securing the Border", (
        "Final Rule\n\nSecuring the Border\n\nIn Plain English\n\nWhat is this Federal Register "
        "notice?\n\nThis is a final rule published in the Federal Register by Homeland Security "
        "Department, Justice Department, Executive Office for Immigration Review. Final rules "
        "have completed the public comment process."))
    assert notice == {"title": "Securing the Border", "action": "Final rule",
                      "agencies": "Homeland Security Department, Justice Department and "
                                  "Executive Office for Immigration Review"}


def test_an_agency_page_naming_no_agency_leads_with_its_notices_publisher(corpus_families,
                                                                         corpus_config):
    """The rule's abstract opens "On June 3, 2024, the President signed a Proclamation …": the
    Departments that published it are named from the tracker's copy of the notice."""
    measured = dq.measure(corpus_families[SECURING_BORDER], corpus_config,
                          labels()[SECURING_BORDER])
    assert (measured["lead_ok"], measured["lead_text"].startswith(
        "Homeland Security Department, Justice Department")) == (True, True)


def test_what_takes_effect_is_read_with_its_own_date():
    def effect(sentence: str) -> tuple[str, str] | None:
        found = facts.sentence_facts([sentence], language="es",
                                     reference=datetime(2025, 12, 9, tzinfo=UTC))[0]
        return facts.effect_date(sentence, found["dates"])

    assert effect("La normativa, que tendrá vigencia desde el 1° de enero de 2026, fija un "
                  "calendario.") == ("takes effect", "2026-01-01")
    assert effect("De acuerdo con el documento, el 14 de enero de 2026 expirará el parole de "
                  "todas las personas.") == ("expires", "2026-01-14")
    # The signing date belongs to another clause: no effective date stated.
    assert effect("El gobernador Greg Abbott firmó el 20 de junio de 2025 el Proyecto de Ley del "
                  "Senado 8, que entrará en vigor en enero de 2026.") is None


def test_a_spanish_effective_date_is_stated_in_english(corpus_families, corpus_config):
    """"La SB 8 … entró en vigor el 1.° de enero de 2026": stated, cited; the signing date of
    another clause ("firmó el 20 de junio …, que entrará en vigor en enero") is no effective
    date."""
    _, text, _ = dq.build(corpus_families[TEXAS_SB8], corpus_config)
    assert ("reporting in Spanish, says it took effect on January 1, 2026.[^" in text,
            "effect on June 20" in text) == (True, False)


def test_half_a_million_in_spanish_is_500000_and_medio_alone_no_count():
    found = facts.sentence_facts(["La medida afecta a más de medio millón de haitianos.",
                                  "En medio de 200 migrantes llegó la policía."], language="es")
    assert [(c["value"], c.get("qualifier")) for f in found for c in f["counts"]] == [
        (500000, "más de"), (200, None)]


def test_a_period_is_one_fact_in_any_unit():
    week = facts.durations("se cerrará durante una semana.")[0]
    days = facts.durations("the count is taken over seven days.")[0]
    assert draft_story.duration_atom(week) == draft_story.duration_atom(days)


def test_a_short_draft_states_facts_no_chosen_sentence_carries():
    """One sentence a source (`max_sentences_per_source = 1`): the second source sentence's
    figure and place are stated in the firm's words, cited, not dropped; nothing is stated
    twice."""
    article = {"id": 1, "url": "https://news.example/raid", "title": "Raid", "outlet": "Daily",
               "language": "en", "published": "2025-03-02T12:00:00+00:00", "summary": "",
               "text": "ICE agents arrested 40 workers at a plant in Omaha on March 1, 2025.\n"
                       "Officers also detained 12 people at a second site in Lincoln, Nebraska."}
    settings = drafting.DraftSettings(max_sentences_per_source=1)
    sources, _ = drafting.number_sources({}, [article], settings)
    candidates = drafting._candidates(sources, set(), settings, draft_story.Figures())
    budget = drafting._Budget(settings)
    lead, _, _ = drafting.choose_lead(candidates, settings, budget)
    information, _ = drafting.choose_information(candidates, lead, settings, budget, 400, 200)
    assert [(i["parts"] != [], i["sources"]) for i in information] == [(True, [1])]
    kinds = {p["kind"]: p for p in information[0]["parts"]}
    assert (kinds["count"]["value"], kinds["place"]["values"]) == ("12", ["Lincoln", "Nebraska"])
