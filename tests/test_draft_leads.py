"""The lead of an English post is an English sentence stating the event, on frozen real
families from the corpus (dev incidents, drafted as `bench/draft_quality.py` drafts them): an
all-Spanish incident's Spanish lead is stated in the firm's English from what its sentence says
(`monitor.stated_event`, `templates/partials/stated_lead.txt.j2`). One assertion each.
"""

from __future__ import annotations

from bench import draft_quality as dq
from monitor import facts, stated_event


def lead(corpus_families, corpus_config, key: str) -> str:
    context, _, _ = dq.build(corpus_families[key], corpus_config)
    return context["lead"]["text"]


def parts(sentence: str) -> dict | None:
    found = facts.sentence_facts([sentence], language="es")[0]
    return stated_event.event_parts(sentence, found, facts.month_names())


def test_a_spanish_deportation_is_stated_in_english(corpus_families, corpus_config):
    """"Funcionarios estadounidenses deportaron a 18 migrantes …" (17 de octubre de 2025)."""
    assert lead(corpus_families, corpus_config, "2025-10-guantanamo-18-deported") == (
        "U.S. officials deported 18 migrants on October 17, 2025.")


def test_a_spanish_raid_is_stated_with_its_agency_figure_and_place(corpus_families,
                                                                   corpus_config):
    """"… agentes de la Agencia de Inmigración y Control de Aduanas (ICE) … detuvieron a al menos
    20 trabajadores en una fábrica de pintura en la ciudad de El Cajón, California." (a nominal
    "resultó en la detención de …" ranked above it is not stated)."""
    assert lead(corpus_families, corpus_config, "2025-03-el-cajon-sdpc-raid") == (
        "ICE agents detained at least 20 workers in El Cajón, California.")


def test_the_signing_leads_not_the_announcement_that_it_will_be_signed(corpus_families,
                                                                        corpus_config):
    """"La Casa Blanca anunció … que el presidente Donald Trump firmará una orden ejecutiva"
    ranked first; "El presidente Donald Trump firmó una orden ejecutiva …" states the event."""
    assert lead(corpus_families, corpus_config, "2025-04-sanctuary-cities-executive-order") == (
        "President Donald Trump signed an executive order.")


def test_a_measure_is_named_by_its_topic_when_its_words_cannot_be_stated(corpus_families,
                                                                         corpus_config):
    """"Un juez federal bloqueó el viernes el intento del gobierno de Trump de restringir la
    ciudadanía por nacimiento …"."""
    assert lead(corpus_families, corpus_config, "2025-07-sorokin-birthright-injunction") == (
        "A federal judge blocked a measure on birthright citizenship on July 25, 2025.")


def test_a_ruling_is_stated_with_what_it_is_on(corpus_families, corpus_config):
    """"Una dividida Corte Suprema dictaminó el viernes que los jueces individuales carecen de la
    autoridad para emitir órdenes judiciales de alcance nacional …"."""
    assert lead(corpus_families, corpus_config,
                "2025-06-scotus-trump-v-casa-universal-injunctions") == (
        "The Supreme Court ruled on nationwide injunctions.")


def test_a_notice_s_headings_lead_before_a_stated_spanish_sentence(corpus_families,
                                                                    corpus_config):
    """Syria's TPS: the Federal Register notice, not a Spanish report stated in English."""
    assert lead(corpus_families, corpus_config, "2025-09-syria-tps-termination").startswith(
        "On September 22, 2025, U.S. Citizenship and Immigration Services (USCIS)")


def test_a_spanish_passive_without_its_actor_does_not_displace_an_english_lead(
        corpus_families, corpus_config):
    """"Tres ciudadanos hondureños fueron deportados …" names no actor: the English report leads."""
    assert lead(corpus_families, corpus_config,
                "2025-10-guatemala-first-third-country-deportees").startswith(
        "Guatemala's migration authority received its first flight of deportees")


def test_a_figure_that_is_not_the_verb_s_object_is_said_with_what_of_it():
    """"publicó por error los datos de 6,252 personas": the data of 6,252 people, not people."""
    assert parts("El Servicio de Inmigración y Control de Aduanas (ICE) publicó por error los "
                 "datos de 6,252 personas.")["object"] == "the data of 6,252 people"


def test_a_passive_names_its_actor_after_por():
    assert parts("Guevara fue arrestado por el Servicio de Control de Inmigración y Aduanas "
                 "(ICE) mientras cubría una protesta.")["actor"] == "ICE"


def test_a_sentence_whose_verb_is_only_announced_is_not_stated():
    """"anunció … que … firmará": a saying verb and a future, no event to state."""
    assert parts("La Casa Blanca anunció este lunes que el presidente Donald Trump firmará una "
                 "orden ejecutiva.") is None


def test_a_lawsuit_over_the_event_does_not_displace_it(corpus_families, corpus_config):
    """Medicaid data: most reports open with the 20 states' lawsuit; the event is the handover."""
    assert lead(corpus_families, corpus_config, "2025-06-medicaid-data-ice").startswith(
        "The Trump administration has handed over the personal data of immigrant Medicaid")


def test_an_agreement_signed_last_april_is_background(corpus_families, corpus_config):
    """"The agreement, signed last April by …, let ICE submit names …" is not the news."""
    assert lead(corpus_families, corpus_config,
                "2026-02-irs-erroneous-address-disclosure-ice").startswith(
        "The IRS erroneously shared the taxpayer information of thousands of people")


def test_an_indictment_is_an_event(corpus_families, corpus_config):
    """Not "The suburban Chicago facility has been a flashpoint since …" (background)."""
    assert lead(corpus_families, corpus_config,
                "2025-10-broadview-six-protesters-indicted").startswith(
        "On Wednesday, President Donald Trump's Department of Justice unsealed an indictment")


def test_the_latest_in_a_conflict_is_context_and_firing_pepper_balls_an_event(
        corpus_families, corpus_config):
    """Not "The conflict over several hours is the latest pushback by federal authorities …"."""
    assert lead(corpus_families, corpus_config,
                "2025-09-broadview-fence-protest-pepper-balls-sept-26").startswith(
        "Tensions reached a boiling point as federal agents fired pepper balls and tear gas")


def test_a_person_s_claim_is_not_the_lead(corpus_families, corpus_config):
    """"Jorge Garcia says a legal blunder allowed ICE officials to force him back to Mexico."."""
    assert not lead(corpus_families, corpus_config,
                    "2018-01-jorge-garcia-detroit-deported").startswith("Jorge Garcia says")


def test_taken_into_custody_is_an_event_before_a_background_sentence(corpus_families,
                                                                     corpus_config):
    """Not "For four years, federal immigration authorities had given her a pass …"."""
    assert lead(corpus_families, corpus_config,
                "2017-02-garcia-de-rayos-phoenix-deported").startswith(
        "Guadalupe Garcia de Rayos, 36, of Mesa, Ariz., was taken into custody")


def test_what_a_bill_would_do_is_no_event():
    """"A bill that would require …" (pending) says no action; the signing does."""
    assert ("action" in facts.lead_parts("The governor signed a bill that would deport them."),
            "action" in facts.lead_parts("The bill would deport anyone who overstays.")) == (
        True, False)


def test_a_surname_is_stated_as_the_name_its_article_gives(corpus_families, corpus_config):
    """"Guevara fue arrestado por el Servicio … (ICE) …"; the article names Mario Guevara."""
    assert lead(corpus_families, corpus_config, "2025-06-mario-guevara-arrest-deportation") == (
        "Mario Guevara was arrested by ICE.")


def test_a_generic_actor_is_named_only_when_it_is_the_verb_s_subject(corpus_families,
                                                                     corpus_config):
    """"Federal prosecutors on Sunday charged two Chicago residents … with … impeding federal
    officers": the officers are no subject, so the headline's CBP did not charge them."""
    assert lead(corpus_families, corpus_config,
                "2025-10-marimar-martinez-brighton-park-shooting").startswith(
        "Federal prosecutors on Sunday charged two Chicago residents")


def test_a_report_weeks_after_the_first_ones_does_not_lead_with_a_later_development(
        corpus_families, corpus_config):
    """Not "The Trump administration has removed all the migrants … and flown them back" (a
    report of March) but the first flight's arrival in February."""
    assert lead(corpus_families, corpus_config, "2025-02-guantanamo-migrant-flights") == (
        "A U.S. military plane carrying 200 migrants deported from the United States arrived at "
        "Guantanamo Bay, Cuba, on the evening of February 4, 2025.")


def test_an_operation_conducted_on_dates_yields_to_its_figure(corpus_families, corpus_config):
    """Not "ICE officers … conducted the enforcement actions Oct. 3 through Oct. 9." (what was
    done and to how many is in the announcement of its conclusion: more than 170)."""
    assert "more than 170" in lead(corpus_families, corpus_config,
                                   "2020-10-ice-sanctuary-jurisdictions-operation")


def test_agents_swarming_locations_is_an_event(corpus_families, corpus_config):
    """Not "Supervisors and managers … were taken into custody …, federal authorities
    confirmed" (no agency named) but the ICE agents who swarmed 16 locations."""
    assert lead(corpus_families, corpus_config, "2013-08-phoenix-dannys-car-wash-raid").startswith(
        "U.S. Immigration and Customs Enforcement agents swarmed 16 locations")


def test_an_inspector_general_s_first_person_finding_names_the_office(corpus_families,
                                                                      corpus_config):
    """Oversight.gov's "We identified violations of … detention standards …" does not say
    whose report it is; the other sources name DHS OIG."""
    assert lead(corpus_families, corpus_config, "2021-03-oig-la-palma-covid-violations") == (
        "The DHS Office of Inspector General identified violations of U.S. Immigration and "
        "Customs Enforcement (ICE) detention standards that threatened the health, safety, and "
        "rights of detainees.")


def test_announcing_or_conducting_alone_is_an_announcement():
    """"conducted" alone says something was done; with "arrested" the sentence says what."""
    assert ("announcement" in facts.lead_parts("ICE conducted the operation Oct. 3 through 9."),
            "announcement" in facts.lead_parts("ICE conducted an operation and arrested 40.")) == (
        True, False)
