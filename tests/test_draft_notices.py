"""Federal Register notices, hard-wrapped documents, captions and near-repeats, on frozen real
families of the corpus (`tests/data/real/corpus.jsonl`) drafted as `bench/draft_quality.py`
drafts them, and on the functions that read them."""

from __future__ import annotations

from bench import draft_quality as dq
from monitor import draft_story, drafting, facts

FLORES_NPRM = "2018-09-flores-replacement-nprm"  # headings only: no sentence says who did what
PATHWAYS_NPRM = "2023-02-circumvention-of-lawful-pathways-nprm"  # citation in one copy only
SYRIA_TPS = "2025-09-syria-tps-termination"  # GovInfo text wrapped at 70 columns
LA_OPERATION = "2018-02-ice-southern-california-operation"  # a caption above its credit




def test_a_notice_without_a_news_sentence_leads_with_its_headings(corpus_families, corpus_config):
    context, _, _ = dq.build(corpus_families[FLORES_NPRM], corpus_config)
    assert context["lead"]["text"] == (
        "On September 7, 2018, the Department of Homeland Security and the Department of Health "
        "and Human Services published a proposed rule in the Federal Register (83 FR 45486, "
        "document 2018-19052): “Apprehension, Processing, Care, and Custody of Alien Minors and "
        "Unaccompanied Alien Children”.")


def test_a_notice_lead_cites_every_copy_a_field_came_from(corpus_families, corpus_config):
    """The GovInfo copy names the agencies and the action; only Casetext's has the citation
    and the date: both are cited."""
    context, text, _ = dq.build(corpus_families[PATHWAYS_NPRM], corpus_config)
    lead = context["lead"]
    assert "(88 FR 11704)" in lead["text"] and lead["text"].startswith("On February 23, 2023,")
    assert len(lead["sources"]) == 2
    assert "As Federal Register" not in text and "AGENCY:" not in text


def test_headings_of_a_notice_are_never_sentences_of_a_draft(corpus_families, corpus_config):
    for key in (FLORES_NPRM, PATHWAYS_NPRM, SYRIA_TPS):
        lines = dq.fact_lines(dq.build(corpus_families[key], corpus_config)[1])
        assert [line for line in lines if "ACTION:" in line or "BILLING CODE" in line
                or "Federal Register / Vol." in line] == []


def test_a_hard_wrapped_summary_is_one_sentence():
    text = ("SUMMARY: Through this notice, the Department of Homeland Security (DHS) \n"
            "announces that the Secretary of Homeland Security (Secretary) is \n"
            "terminating the designation of Syria for Temporary Protected Status. \n"
            "The designation of Syria is set to expire on September 30, 2025.\n" + "x" * 60
            + "\n" + "y" * 60 + "\n" + "z" * 60 + "\n")
    sentences = drafting.split_sentences(text)
    assert sentences[:2] == [
        "Through this notice, the Department of Homeland Security (DHS) announces that the "
        "Secretary of Homeland Security (Secretary) is terminating the designation of Syria "
        "for Temporary Protected Status.",
        "The designation of Syria is set to expire on September 30, 2025."]


def test_a_headline_stays_its_own_line_in_news_text():
    text = ("ICE arrests more than 100 in immigration sweeps across Southern California today\n"
            "Federal immigration officials said Wednesday they have arrested more than 100.")
    assert len(drafting.split_sentences(text)) == 2


def test_register_notice_reads_the_fields_and_refuses_other_text():
    notice = facts.register_notice(
        "Circumvention of Lawful Pathways",
        "Federal RegisterFeb 23, 2023\n88 Fed. Reg. 11704 (Feb. 23, 2023)\n\nAGENCY:\n\n"
        "U.S. Citizenship and Immigration Services, Department of Homeland Security.\n\n"
        "ACTION:\n\nNotice of proposed rulemaking.")
    assert notice == {"title": "Circumvention of Lawful Pathways",
                      "agencies": "U.S. Citizenship and Immigration Services, Department of "
                                  "Homeland Security",
                      "action": "Notice of proposed rulemaking", "citation": "88 FR 11704",
                      "date": "2023-02-23"}
    assert facts.register_notice("ICE arrests 100", "ICE said on Monday it arrested 100.") is None


def test_a_caption_above_its_credit_is_not_a_fact(corpus_families, corpus_config):
    lines = dq.fact_lines(dq.build(corpus_families[LA_OPERATION], corpus_config)[1])
    assert [line for line in lines if "conduct an operation is Los Angeles" in line] == []
    assert draft_story.is_caption("Agents conduct an operation in Los Angeles on Sunday.",
                                  "(Photo by Peter Nissen, courtesy ICE)")
    assert not draft_story.is_caption("The raid took place near the university, officials said.",
                                      "By EFE (Confidencial)")


def test_fragments_are_not_story_sentences():
    assert not draft_story.is_story_sentence(
        "address the migration crisis along our southern border.", max_words=50)


def test_a_near_repeat_does_not_fill_a_short_draft():
    covered = {("agency", "DOJ"), ("place", "Chicago"), ("place", "Illinois"), ("word", "lawsu"),
               ("word", "sanctu")}
    repeat = covered | {("date", "2025-02-06")}
    assert draft_story.novelty(repeat, covered) < draft_story.MIN_NOVELTY
    assert draft_story.novelty({("word", "dehydr"), ("word", "shock"), ("place", "Chicago")},
                               covered) >= draft_story.MIN_NOVELTY


def test_an_uncredited_caption_is_furniture():
    assert facts.is_boilerplate("Immigration Customs and Enforcement (ICE) and Department of "
                                "Homeland Security officers walk ahead of a bus at the DHS field "
                                "office in Nashville, Tenn., on Sunday, May 4, 2025.")
    assert not facts.is_boilerplate("ICE agents arrested 27 people in San Francisco on "
                                    "Thursday, Sept. 28, 2017.")


def test_a_nationality_and_its_country_are_one_fact():
    figures = draft_story.Figures()
    lead = "A Guatemalan girl died in Border Patrol custody."
    again = "The girl from Guatemala died in Border Patrol custody."
    atoms = [draft_story.atoms_of(s, facts.sentence_facts([s])[0], figures) for s in (lead, again)]
    assert ("place", "Guatemala") in atoms[0] and ("place", "Guatemala") in atoms[1]
    assert {a for a in atoms[1] - atoms[0] if a[0] in ("place", "name")} == set()
    assert facts.demonym_country("Republican") is None
    assert facts.demonym_country("Indiana") is None


def test_a_teaser_cut_off_mid_word_is_not_a_story_sentence(corpus_families, corpus_config):
    """Federal News Network's teaser "… Customs and Border Protection and Immigration and
    Customs Enforcement com..." is cut off by its page; its full sentence is used instead."""
    text = dq.build(corpus_families["2013-05-dhs-vendor-background-investigation-pii"],
                    corpus_config)[1]
    assert "com...[" not in text and "Tens of thousands of current and former" in text


def test_a_newsroom_s_appeal_for_money_is_furniture():
    assert facts.is_boilerplate("Your tax-deductible gift today powers our reporters and keeps "
                                "us independent.")


def test_a_spanish_figure_is_stated_with_its_nationality(corpus_families, corpus_config):
    """"el gobierno … ha trasladado a más de 100 migrantes venezolanos a la base naval de
    Guantánamo": more than 100 Venezuelans, not "more than 100 migrants"."""
    text = dq.build(corpus_families["2025-02-guantanamo-migrant-flights"], corpus_config)[1]
    assert "reporting in Spanish, counts more than 100 Venezuelans." in text


def test_a_spanish_dateline_is_not_part_of_its_sentence():
    """Where and when the article was written ("Ciudad de México, 6 de noviembre de 2025.—")
    is no place or date of the event; a dash inside a sentence stays."""
    assert (drafting.split_sentences("Ciudad de México, 6 de noviembre de 2025.— Un agente de "
                                     "la Patrulla Fronteriza fue señalado."),
            drafting.split_sentences("Trump—who won—spoke on Friday in Texas.")) == (
        ["Un agente de la Patrulla Fronteriza fue señalado."],
        ["Trump—who won—spoke on Friday in Texas."])
