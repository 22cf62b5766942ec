"""Golden drafts for several incident types: the whole file, volatile fields normalised.

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_drafting_golden.py`
and review the diff of `tests/golden/drafts/` like any other change.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from monitor import drafting
from tests.draft_fixtures import NOW, join_incident, make_article, make_incident, setup

GOLDEN = Path(__file__).resolve().parent / "golden" / "drafts"

# Facts are given as the facts stage stores them, so these files test the drafting alone.
S_ICE_COUNT = ("U.S. Immigration and Customs Enforcement (ICE) is notifying 6,252 noncitizens "
               "whose personal information was inadvertently posted on ICE.gov on November 16.")
S_ICE_ERO = ("ICE Enforcement and Removal Operations (ERO) has opened a review and is contacting "
             "each affected person.")
S_GUARDIAN = ("Ice published the names and birthdates of 6,300 asylum seekers on its public "
              "website, advocates said on Wednesday.")
S_GUARDIAN_A = "One row listed a man as A-201-555-019 next to his detention center in Georgia."
S_ES = ("El Servicio de Inmigración y Control de Aduanas (ICE) reconoció que publicó por error "
        "los datos de 6,252 inmigrantes.")
S_RAID = ("During the operation, HSI and ICE Enforcement and Removal Operations arrested 212 "
          "workers who are suspected of being unlawfully present in the United States.")
S_RAID_PLACE = ("Homeland Security Investigations (HSI) special agents executed criminal search "
                "warrants Thursday at two poultry processing plants in Scott County, "
                "Mississippi.")
S_DEATH = ("A 41-year-old Guatemalan man died in Immigration and Customs Enforcement custody on "
           "Tuesday after falling ill at the Otay Mesa Detention Center, his family said.")
S_DEATH_ICE = "ICE confirmed the death and said it would review the case."
S_COURT = ("A federal judge on Monday blocked ICE from arresting people at New York courthouses, "
           "ruling that the practice deters 3 groups of witnesses from appearing.")

CASES = {
    "data_breach": {
        "type": "data_breach",
        "title": "ICE statement on the inadvertent posting of detainee information",
        "articles": [
            ("https://www.ice.gov/news/releases/ice-statement-inadvertent-posting", "ice.gov",
             "ICE statement on the inadvertent posting of detainee information",
             "WASHINGTON — U.S. Immigration and Customs Enforcement (ICE) is notifying 6,252 "
             "noncitizens whose personal information was inadvertently posted on ICE.gov on "
             "November 16. The spreadsheet was online for approximately five hours before it "
             "was removed. ICE Enforcement and Removal Operations (ERO) has opened a review "
             "and is contacting each affected person.", "en", "2026-11-19T02:15:00+00:00",
             {"counts": [{"value": 6252, "noun": "noncitizens", "sentence": S_ICE_COUNT}],
              "agencies": [{"value": "ICE", "sentence": S_ICE_COUNT},
                           {"value": "ERO", "sentence": S_ICE_ERO}],
              "dates": [{"value": "2026-11-16", "sentence": S_ICE_COUNT}]}),
            ("https://www.theguardian.com/us-news/2026/nov/19/ice-posted-details", "The Guardian",
             "Ice posted personal details of thousands of asylum seekers online",
             "Ice published the names and birthdates of 6,300 asylum seekers on its public "
             "website, advocates said on Wednesday. One row listed a man as A-201-555-019 next "
             "to his detention center in Georgia. \"This is exactly the information asylum law "
             "requires the government to keep confidential,\" said an attorney in Texas.",
             "en", "2026-11-19T14:02:11+00:00",
             {"counts": [{"value": 6300, "noun": "asylum seekers", "sentence": S_GUARDIAN}],
              "agencies": [{"value": "ICE", "sentence": S_GUARDIAN}],
              "places": [{"value": "Georgia", "kind": "state", "sentence": S_GUARDIAN_A}],
              "data_categories": [{"value": "birthdates", "sentence": S_GUARDIAN}]}),
            ("https://noticias.example-latino.com/2026/11/20/ice-publico-datos",
             "Noticias Latino", "ICE publicó por error los datos de solicitantes de asilo",
             "El Servicio de Inmigración y Control de Aduanas (ICE) reconoció que publicó por "
             "error los datos de 6,252 inmigrantes. La información estuvo disponible durante "
             "unas cinco horas, según un comunicado publicado el miércoles.",
             "es", "2026-11-20T09:12:00+00:00",
             {"agencies": [{"value": "ICE", "sentence": S_ES}],
              "counts": [{"value": 6252, "noun": "inmigrantes", "sentence": S_ES}]}),
        ],
    },
    "raid": {
        "type": "raid",
        "title": "HSI executes criminal search warrants at Mississippi poultry plants",
        "articles": [
            ("https://www.ice.gov/news/releases/hsi-mississippi-poultry", "ice.gov",
             "HSI executes criminal search warrants at Mississippi poultry plants",
             "JACKSON, Miss. — Homeland Security Investigations (HSI) special agents executed "
             "criminal search warrants Thursday at two poultry processing plants in Scott "
             "County, Mississippi. During the operation, HSI and ICE Enforcement and Removal "
             "Operations arrested 212 workers who are suspected of being unlawfully present in "
             "the United States. Workers with young children were released the same day.",
             "en", "2026-11-19T21:40:00+00:00",
             {"counts": [{"value": 212, "noun": "workers", "sentence": S_RAID}],
              "agencies": [{"value": "HSI", "sentence": S_RAID}],
              "places": [{"value": "Scott County", "kind": "county", "sentence": S_RAID_PLACE}]}),
        ],
    },
    "detention_death": {
        "type": "detention_death",
        "title": "Man held at Otay Mesa detention center dies in ICE custody, family says",
        "articles": [
            ("https://www.theguardian.com/us-news/2026/nov/20/otay-mesa-death", "The Guardian",
             "Man held at Otay Mesa detention center dies in ICE custody, family says",
             "A 41-year-old Guatemalan man died in Immigration and Customs Enforcement custody "
             "on Tuesday after falling ill at the Otay Mesa Detention Center, his family said. "
             "Relatives said they could be reached at (619) 555-0142 for comment. ICE "
             "confirmed the death and said it would review the case.",
             "en", "2026-11-20T08:00:00+00:00",
             {"agencies": [{"value": "ICE", "sentence": S_DEATH_ICE}],
              "places": [{"value": "Otay Mesa Detention Center", "kind": "facility",
                          "sentence": S_DEATH}]}),
        ],
    },
    "court_ruling": {
        "type": "court_ruling",
        "title": "Judge blocks ICE courthouse arrests in New York",
        "articles": [
            ("https://news.example.com/judge-blocks-courthouse-arrests", "Example News",
             "Judge blocks <script>alert(1)</script>ICE courthouse [arrests](javascript:x)",
             "A federal judge on Monday blocked ICE from arresting people at New York "
             "courthouses, ruling that the practice deters 3 groups of witnesses from "
             "appearing. Judge Jed Rakoff wrote that the agency had exceeded its authority.",
             "en", "2026-11-18T16:00:00+00:00",
             {"agencies": [{"value": "ICE", "sentence": S_COURT}],
              "places": [{"value": "New York", "kind": "state", "sentence": S_COURT}]}),
        ],
    },
}


def normalise(text: str) -> str:
    """Generation and retrieval stamps change every run; nothing else may."""
    text = re.sub(r'^generated_at: ".*"$', 'generated_at: "<generated>"', text, flags=re.M)
    text = re.sub(r'^(\s+retrieved: )".*"$', r'\1"<retrieved>"', text, flags=re.M)
    return re.sub(r", retrieved \d{4}-\d{2}-\d{2}\.", ", retrieved <retrieved>.", text)


def render_case(tmp_path: Path, case: dict) -> str:
    config, db = setup(tmp_path)
    incident = None
    for url, outlet, title, text, language, published, facts in case["articles"]:
        article = make_article(db, url, title, text, outlet=outlet, language=language,
                               published=published, incident_type=case["type"], facts=facts)
        if incident is None:
            incident = make_incident(db, article, title=case["title"],
                                     incident_type=case["type"])
        else:
            join_incident(db, incident, article)
    drafting.generate_drafts(db, config, now=NOW)
    return normalise(next((tmp_path / "drafts").glob("*.md")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(CASES))
def test_draft_matches_golden(tmp_path: Path, name: str):
    text = render_case(tmp_path, CASES[name])
    golden = GOLDEN / f"{name}.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
