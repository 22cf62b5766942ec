"""Facts: counts with their nouns, places, dates, organisations, data categories, sentences."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.facts import extract_facts, split_sentences

BREACH_TITLE = (
    "USCIS says it inadvertently posted personal information of 6,252 refugees and asylees")
BREACH_TEXT = (
    "WASHINGTON — U.S. Citizenship and Immigration Services disclosed on Thursday that a report "
    "uploaded to its public website on Feb. 26 contained the names, dates of birth and A-numbers "
    "of 6,252 refugees and asylees. The file also listed home addresses and nationalities. "
    "Human Rights First said the Department of Homeland Security must notify every family. "
    "Some of the people named are held at the Stewart Detention Center in Lumpkin, Georgia."
)
REFERENCE = date(2026, 3, 5)


@pytest.fixture(scope="module")
def breach() -> dict:
    return extract_facts(BREACH_TITLE, BREACH_TEXT, reference=REFERENCE)


SPANISH_TITLE = "Redada de ICE en planta empacadora de Iowa deja más de 300 inmigrantes detenidos"
SPANISH_TEXT = (
    "Agentes del Servicio de Inmigración y Control de Aduanas detuvieron el 14 de abril a más de "
    "300 inmigrantes en Marshalltown, Iowa. Decenas de familias esperaron noticias frente a la "
    "iglesia. Unas doscientas personas fueron trasladadas a Des Moines. La Coalición por los "
    "Derechos de los Inmigrantes de Iowa pidió información. Según la ACLU, el ICE publicó por "
    "error los nombres y la nacionalidad de los detenidos."
)


@pytest.fixture(scope="module")
def spanish() -> dict:
    return extract_facts(SPANISH_TITLE, SPANISH_TEXT, language="es", reference=date(2026, 4, 20))


def values(facts: list[dict]) -> list:
    return [f["value"] for f in facts]


def first(facts: list[dict], value) -> dict:
    return next(f for f in facts if f["value"] == value)


def test_all_kinds_present(breach):
    assert set(breach) == {"agencies", "counts", "places", "dates", "organizations",
                           "data_categories", "durations"}


# --- counts -----

def test_count_6252_value(breach):
    assert breach["counts"][0]["value"] == 6252


def test_count_6252_noun(breach):
    assert breach["counts"][0]["noun"] == "refugees and asylees"


def test_count_recorded_once(breach):
    assert values(breach["counts"]).count(6252) == 1


def test_count_sentence_is_source(breach):
    assert breach["counts"][0]["sentence"] == BREACH_TITLE


def test_spanish_count_mas_de(spanish):
    assert (spanish["counts"][0]["value"], spanish["counts"][0]["noun"]) == (300, "inmigrantes")


def test_spanish_count_qualifier(spanish):
    assert spanish["counts"][0]["qualifier"] == "más de"


def test_spanish_count_in_words(spanish):
    assert first(spanish["counts"], 200)["noun"] == "personas"


def test_spanish_vague_count_is_approximate(spanish):
    assert first(spanish["counts"], 20)["approximate"] is True


@pytest.mark.parametrize(
    ("text", "value", "noun"),
    [
        ("Agents detained two hundred workers.", 200, "workers"),
        ("Officers arrested eighty-four people on Thursday.", 84, "people"),
        ("The flight carried 130 deported migrants.", 130, "migrants"),
        ("The decision affects 72.000 personas.", 72000, "personas"),
        ("About 1.5 million immigrants could lose status.", 1_500_000, "immigrants"),
        ("Dozens of families gathered outside.", 24, "families"),
    ],
)
def test_count_forms(text, value, noun):
    counts = extract_facts("", text)["counts"]
    assert (counts[0]["value"], counts[0]["noun"]) == (value, noun)


def test_year_is_not_a_count():
    assert extract_facts("", "In 2019 the migrants were released.")["counts"] == []


def test_percentage_is_not_a_count():
    assert extract_facts("", "About 30 percent of detainees were women.")["counts"] == []


# --- agencies -----

def test_agencies_named(breach):
    assert values(breach["agencies"]) == ["USCIS", "DHS"]


def test_agency_sentence(breach):
    assert first(breach["agencies"], "DHS")["sentence"].startswith("Human Rights First said")


def test_spanish_agency_full_name(spanish):
    assert "ICE" in values(spanish["agencies"])


# --- places -----

def test_facility_found(breach):
    assert first(breach["places"], "Stewart Detention Center")["kind"] == "facility"


def test_facility_state(breach):
    assert first(breach["places"], "Stewart Detention Center")["state"] == "GA"


def test_state_found(breach):
    assert first(breach["places"], "Georgia")["kind"] == "state"


def test_city_found(breach):
    assert first(breach["places"], "Lumpkin")["kind"] == "city"


def test_place_sentence(breach):
    assert "Stewart Detention Center" in first(breach["places"], "Lumpkin")["sentence"]


def test_dateline_city_washington_is_not_the_state(breach):
    assert "Washington" not in values(breach["places"])


def test_spanish_city_with_state(spanish):
    assert first(spanish["places"], "Marshalltown")["state"] == "IA"


def test_spanish_state_name():
    places = extract_facts("", "Detuvieron a 40 personas en Nueva York y Carolina del Norte.",
                           language="es")["places"]
    assert values(places) == ["New York", "North Carolina"]


def test_unlisted_city_from_city_state_pattern():
    places = extract_facts("", "He was arrested in Lynn, Massachusetts, on Monday.")["places"]
    assert first(places, "Lynn")["state"] == "MA"


def test_facility_alias():
    places = extract_facts("", "She is held at Alligator Alcatraz in the Everglades.")["places"]
    assert values(places) == ["South Florida Detention Facility"]


def test_ambiguous_city_needs_its_state():
    places = extract_facts("", "Elizabeth said she was afraid.")["places"]
    assert places == []


def test_country_found():
    places = extract_facts("", "He was deported to Honduras on Friday.")["places"]
    assert first(places, "Honduras")["kind"] == "country"


def test_washington_post_is_not_a_place():
    assert extract_facts("", "The Washington Post reported the raid.")["places"] == []


# --- dates -----

def test_date_month_day_resolved_with_reference(breach):
    assert first(breach["dates"], "2026-02-26")["text"] == "Feb. 26"


def test_weekday_resolved_with_reference(breach):
    assert first(breach["dates"], "2026-03-05")["text"] == "Thursday"


def test_spanish_date(spanish):
    assert first(spanish["dates"], "2026-04-14")["text"] == "14 de abril"


def test_full_date_without_reference():
    dates = extract_facts("", "The program was launched Sept. 27, 2011 in Mexico.")["dates"]
    assert values(dates) == ["2011-09-27"]


def test_unresolvable_date_keeps_text():
    dates = extract_facts("", "He was arrested on Tuesday.")["dates"]
    assert (dates[0]["value"], dates[0]["text"]) == (None, "Tuesday")


# --- organisations -----

def test_listed_organization(breach):
    assert "Human Rights First" in values(breach["organizations"])


def test_listed_organization_alias(spanish):
    assert "American Civil Liberties Union" in values(spanish["organizations"])


def test_pattern_organization_spanish(spanish):
    assert "Coalición por los Derechos de los Inmigrantes de Iowa" in values(
        spanish["organizations"])


def test_pattern_organization_english():
    orgs = extract_facts("", "The Tucson Migrant Rights Coalition sued on Friday.")["organizations"]
    assert values(orgs) == ["Tucson Migrant Rights Coalition"]


def test_detention_center_is_not_an_organization(breach):
    assert "Stewart Detention Center" not in values(breach["organizations"])


# --- data categories -----

@pytest.mark.parametrize(
    "category", ["names", "birthdates", "a_numbers", "addresses", "nationalities"])
def test_data_categories_found(breach, category):
    assert category in values(breach["data_categories"])


def test_data_category_sentence(breach):
    assert first(breach["data_categories"], "a_numbers")["sentence"].startswith("WASHINGTON")


def test_spanish_data_categories(spanish):
    assert values(spanish["data_categories"]) == ["names", "nationalities"]


def test_generic_names_need_data_context():
    assert extract_facts("", "Detainees wrote their names on the wall.")["data_categories"] == []


def test_generic_names_with_data_context():
    facts = extract_facts("", "A spreadsheet with detainees' names was posted online.")
    assert values(facts["data_categories"]) == ["names"]


def test_social_security_numbers():
    facts = extract_facts("", "The leak exposed Social Security numbers and phone numbers.")
    assert values(facts["data_categories"]) == ["social_security_numbers", "phone_numbers"]


# --- sentences -----

def test_sentence_split_keeps_abbreviations():
    text = "He was arrested Jan. 5 in Ocilla, Ga. by U.S. agents. Then he was moved."
    assert split_sentences(text) == ["He was arrested Jan. 5 in Ocilla, Ga. by U.S. agents.",
                                     "Then he was moved."]


def test_every_fact_has_value_and_sentence(breach):
    facts = [f for kind in breach.values() for f in kind]
    assert all("value" in f and f["sentence"] for f in facts)


@pytest.mark.parametrize(
    ("text", "value", "noun"),
    [
        ("Detuvieron a dos mil quinientas personas.", 2500, "personas"),
        ("Cuarenta y dos migrantes fueron deportados.", 42, "migrantes"),
        ("ICE consultará datos de millones de inmigrantes.", 1_000_000, "inmigrantes"),
    ],
)
def test_spanish_count_forms(text, value, noun):
    counts = extract_facts("", text, language="es")["counts"]
    assert (counts[0]["value"], counts[0]["noun"]) == (value, noun)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Texas Civil Rights Project and the Center for Gender and Refugee Studies sued.",
         ["Texas Civil Rights Project", "Center for Gender and Refugee Studies"]),
        ("Advocates with Unión del Barrio protested.", ["Unión del Barrio"]),
        ("A spokesperson for the Santa Ana Police Department declined to comment.", []),
    ],
)
def test_organization_pattern_boundaries(text, expected):
    assert values(extract_facts("", text)["organizations"]) == expected


def test_a_fixed_flaw_is_the_response():
    """DHS's "At the direction of DHS, the vulnerability was immediately addressed." says what
    was done about it (the 2013 vendor flaw, dev); a letter "addressed to" someone does not."""
    from monitor import facts as fact_module

    assert ("response" in fact_module.story_roles(
        "At the direction of DHS, the vulnerability was immediately addressed."),
        "response" in fact_module.story_roles("The letter addressed to the Secretary asks why.")
    ) == (True, False)
