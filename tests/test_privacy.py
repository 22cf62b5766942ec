"""The privacy guard: personal data of affected people never reaches a draft."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import drafting, privacy
from tests.draft_fixtures import NOW, make_article, make_incident, setup


@pytest.mark.parametrize("sentence", [
    "The detainee, A-123-456-789, was moved to Texas.",
    "Records show A123456789 next to each entry.",
    "His file number A 087 654 321 was visible.",
    "Her A-number 123456789 appeared in the file.",
    "El documento mostraba su número A 098765432.",
])
def test_sentence_with_a_number_is_dropped(sentence):
    assert privacy.guard_sentence(sentence).text is None


@pytest.mark.parametrize("sentence", [
    "The man, born on March 3, 1990, was held in Otay Mesa.",
    "Each row gave a DOB: 03/04/1985 and a nationality.",
    "The file listed her date of birth 1990-07-21.",
    "Nacido el 3 de marzo de 1990, llegó a Texas en 2019.",
])
def test_sentence_with_birthdate_is_dropped(sentence):
    assert privacy.guard_sentence(sentence).text is None


def test_ordinary_dates_pass():
    sentence = "On November 19, 2026 the agency acknowledged the posting."
    assert privacy.guard_sentence(sentence).text == sentence


def test_personal_phone_number_is_redacted():
    text = privacy.guard_sentence("Reach his wife at (619) 555-0142 for comment.").text
    assert text == "Reach his wife at [phone number removed] for comment."


def test_international_phone_number_is_redacted():
    text = privacy.guard_sentence("Su hermana contestó en el +502 5555 1234 ayer.").text
    assert "5555" not in text


def test_toll_free_hotline_is_kept():
    sentence = "Report abuse to the ICE hotline at 1-888-351-4024."
    assert privacy.guard_sentence(sentence).text == sentence


def test_personal_email_is_redacted():
    text = privacy.guard_sentence("Relatives wrote from maria.lopez@gmail.com last week.").text
    assert "maria.lopez" not in text


def test_government_email_is_kept():
    sentence = "Questions go to press@ice.dhs.gov, the agency said."
    assert privacy.guard_sentence(sentence).text == sentence


ROSTER = ("The spreadsheet listed Maria Lopez, Jose Hernandez, Ana Gutierrez, Carlos Ramirez "
          "and Luis Ortega among the detainees.")


def test_leaked_roster_of_names_is_dropped():
    assert privacy.guard_sentence(ROSTER).text is None


def test_roster_decision_names_reason():
    assert privacy.guard_sentence(ROSTER).decisions[0].reason == "private-names"


def test_roster_excerpt_does_not_repeat_names():
    assert "Lopez" not in privacy.guard_sentence(ROSTER).decisions[0].excerpt


def test_spanish_roster_is_dropped():
    assert privacy.guard_sentence(
        "La lista incluía a María José Pérez, Luis Gómez y Ana Ruiz.").text is None


def test_records_style_roster_is_dropped():
    assert privacy.guard_sentence(
        "Detainees: LOPEZ, Maria; HERNANDEZ, Jose; RUIZ, Ana; ORTEGA, Luis.").text is None


def test_table_style_roster_is_dropped():
    row = ("Maria Lopez Honduras Stewart Jose Hernandez Guatemala Otay Mesa Ana Ruiz Mexico "
           "Adelanto")
    assert privacy.guard_sentence(row).text is None


def test_people_quoted_in_prose_are_not_a_roster():
    sentence = "Maria Lopez said her brother was detained on Monday in Texas."
    assert privacy.guard_sentence(sentence).text == sentence


def test_record_field_name_is_dropped():
    assert privacy.guard_sentence("Name: Rosa Martinez, Nationality: Honduras.").text is None


def test_public_official_passes():
    sentence = "DHS Secretary Kristi Noem said the release was an error."
    assert privacy.guard_sentence(sentence).text == sentence


def test_agency_names_pass():
    sentence = ("Immigration and Customs Enforcement and Customs and Border Protection said "
                "6,252 noncitizens in Otay Mesa Detention Center and Dallas were notified.")
    assert privacy.guard_sentence(sentence).text == sentence


def test_configured_public_names_pass():
    sentence = "Advocates named Jane Roe, John Doe and Mary Major, the plaintiffs, in the suit."
    assert privacy.guard_sentence(
        sentence, public_names=["Jane Roe", "John Doe", "Mary Major"]).text == sentence


def test_excerpt_of_a_number_decision_is_masked():
    decision = privacy.guard_sentence("The detainee, A-123-456-789, was moved.").decisions[0]
    assert "123" not in decision.excerpt


def test_title_is_masked_not_dropped():
    assert privacy.guard_title("Leaked file shows A-123-456-789").text == \
        "Leaked file shows [A-number]"


LEAK_TEXT = (
    "ICE said a spreadsheet of 4,100 detainees was posted online by mistake. "
    "The ICE spreadsheet listed Maria Lopez, Jose Hernandez, Ana Gutierrez and Carlos Ramirez "
    "among those held in Texas. "
    "One entry showed A-123-456-789 next to a detention center in Georgia. "
    "Another row gave a DOB: 03/04/1985 for a woman held in Louisiana. "
    "Relatives in San Diego said they could be reached at (619) 555-0142 by ICE officials. "
    "The agency said 4,100 people were affected and it removed the file within a day."
)


@pytest.fixture
def leak_draft(tmp_path: Path) -> str:
    config, db = setup(tmp_path)
    article = make_article(db, "https://news.example.com/leak", "ICE spreadsheet leaked",
                           LEAK_TEXT)
    make_incident(db, article, title="ICE spreadsheet leaked")
    drafting.generate_drafts(db, config, now=NOW)
    return next((tmp_path / "drafts").glob("*.md")).read_text(encoding="utf-8")


@pytest.mark.parametrize("personal", ["Lopez", "Hernandez", "123-456-789", "03/04/1985",
                                      "555-0142"])
def test_draft_never_carries_personal_data(leak_draft, personal):
    assert personal not in leak_draft


@pytest.mark.parametrize("reason", ["private-names", "a-number", "birthdate", "phone"])
def test_front_matter_lists_guard_decisions(leak_draft, reason):
    front_matter = leak_draft.split("\n---\n", 1)[0]
    assert f'reason: "{reason}"' in front_matter


def test_draft_keeps_safe_sentences_of_a_leak(leak_draft):
    assert "removed the file within a day" in leak_draft
