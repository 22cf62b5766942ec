"""Which sentences tell an incident's story, each adding a fact no earlier one carries (pure).

A draft built by weight alone repeats itself: eleven sources all say "names, birthdates,
nationalities and detention locations of 6,252 people". Here every candidate sentence is read
as a set of *facts* (who, how many, where, when, what data, how long, named people and
organisations, and the part of the story it tells: discovery, official response, what next)
using `monitor.facts`; a sentence enters "The Information" only when it carries a fact that the
lead and the sentences before it do not. Counts are one fact when `monitor.figures.figures_agree`
says they are one figure ("more than 6,000", "6,252", "6.000"), so a rounded repeat adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monitor import facts as fact_module
from monitor.figures import figures_agree
from monitor.textfold import fold
from monitor.urls import bare_host, is_http_url, url_key

KIND_WEIGHTS = {"count": 3.0, "duration": 3.0, "data": 2.0, "date": 1.5, "place": 1.5,
                "role": 1.5, "agency": 1.0, "org": 0.75, "name": 0.5, "word": 0.1}
# The order of a story: what happened, how it came to light, the response, context, what next.
ROLE_ORDER = {"event": 0, "discovery": 1, "response": 2, "": 3, "background": 4, "next": 5}
EVENT_KINDS = {"count", "data", "duration", "date"}
# A sentence must add at least this much: a new name or organisation alone is not a new fact.
MIN_GAIN = 1.0
# A sentence that fills a short draft without a fact of that weight must be mostly new: 60 % of
# its facts and uncommon words (tuned on the dev split: 0.5 keeps the lead told again, 0.7
# drops findings in words such as a spokesman's "preview of additional operations").
MIN_NOVELTY = 0.6
# Nouns that count people in general: "6,252 people" and "6,252 noncitizens" are one quantity.
# Subsets ("women", "children", "workers") are quantities of their own.
PEOPLE_NOUNS = {"people", "persons", "immigrants", "migrants", "asylum seekers", "refugees",
                "detainees", "noncitizens", "non-citizens", "individuals", "aliens", "asylees",
                "nationals", "citizens", "residents", "beneficiaries", "recipients", "holders",
                "personas", "inmigrantes", "migrantes", "solicitantes de asilo", "refugiados",
                "detenidos", "ciudadanos", "residentes", "beneficiarios", "extranjeros"}
DEMONYM = re.compile(r"(?:ans|ians|eses?|nos|ños|ses)$")  # "Venezuelans", "venezolanos"
# A report that attributes its news to another outlet is a rewrite, not the original report.
CITES_ANOTHER = re.compile(
    r"\b(?:according to (?:a |an )?(?:report (?:by|in|from) )?(?:the )?[A-Z][\w.]+(?: [A-Z][\w.]+)*"
    r"(?: (?:reported|report))?|first reported by|as (?:first )?reported by|reported by (?:the )?"
    r"[A-Z]|citing (?:the )?[A-Z]|told (?:the )?[A-Z][\w]+ (?:Post|Times|News|Journal)|"
    r"según (?:informó |publicó |reportó )?(?:el |la )?(?:diario |periódico |cadena )?[A-Z]|"
    r"informó (?:el |la )?(?:diario |periódico )[A-Z])")
POSSESSIVE = re.compile(r"['’]s?$")
PROPER = re.compile(r"(?<![\w.])[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’-]+(?:\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ'’-]+)*")
# A sentence cut from the middle ("address the migration crisis along our southern border."):
# a piece of an earlier sentence, never a fact of its own.
FRAGMENT = re.compile(r"^[\"“'‘«(]?[a-záéíóúñ]")
ENDS_SENTENCE = re.compile(r"[.!?…][\"'”’»)]*$")
# A teaser cut off by its page ("… and Immigration and Customs Enforcement com..."): no end.
CUT_OFF = re.compile(r"\w(?:\.\.\.|…)$")


@dataclass
class Candidate:
    """One sentence of one source, with the facts it carries."""

    text: str
    source: dict[str, Any]
    position: int
    facts: dict[str, list[dict]]
    atoms: set[tuple] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    sources: list[int] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    stands_for: str = ""  # a templated lead: the source sentence it states

    @property
    def role(self) -> str:
        """The part of the story this sentence tells first (event before response …); a
        sentence of no particular part that carries a figure, data, a duration or a date is
        the event itself, any other is context."""
        if self.roles:
            return min(self.roles, key=ROLE_ORDER.__getitem__)
        return "event" if EVENT_KINDS & {a[0] for a in self.atoms} else ""


def cited_url(article: dict[str, Any]) -> str:
    """The link a draft cites: the URL that was fetched, not the dedupe key.

    Articles are stored under `canonical_url` (https, tracking parameters removed …), which is
    an identity, not an address: a site served over http is cited over http. The URL the page
    was read at after redirects (`fetched_url`, from the response) is cited when it is the
    stored page; rows stored before that column have the link as the source gave it
    (`original_url`), cited when it names the same page on the same host. A Google News
    redirect or a feed's tracking link is neither, and the stored URL is used.
    """
    stored = article.get("url") or ""
    if not is_http_url(stored):
        return ""
    for link in (article.get("fetched_url"), article.get("original_url")):
        link = link or ""
        if (is_http_url(link) and bare_host(link) == bare_host(stored)
                and url_key(link) == url_key(stored)):
            return link
    return stored


def is_agency(article: dict[str, Any]) -> bool:
    """An agency's own statement (a .gov or .mil page): the best primary source."""
    host = bare_host(article.get("url") or "")
    return host.endswith((".gov", ".mil"))


def source_rank(article: dict[str, Any], sentences: list[str]) -> int:
    """0 for an agency's statement, 1 for an original report, 2 for a report that attributes
    the news to another outlet in its opening sentences (an aggregator or a local rewrite)."""
    if is_agency(article):
        return 0
    opening = " ".join(sentences[:3])
    return 2 if CITES_ANOTHER.search(opening) else 1


def is_story_sentence(sentence: str, *, max_words: int) -> bool:
    """A sentence a draft may use: ends like a sentence (not cut off mid-word), 6 words or
    more, at most twice the per-sentence limit, not a fragment starting in lower case, not page
    furniture (captions, bylines, "Read more" …) and not a document's heading ("AGENCY: …",
    "ACTION: Final rule.")."""
    words = len(sentence.split())
    return (6 <= words <= 2 * max_words and bool(ENDS_SENTENCE.search(sentence))
            and not CUT_OFF.search(sentence) and not FRAGMENT.match(sentence)
            and not fact_module.is_boilerplate(sentence) and not fact_module.is_heading(sentence))


CREDIT = re.compile(r"\b(?:photo|foto|image|imagen|credit|crédito|getty|courtesy|cortesía|"
                    r"AP|Reuters|AFP|EFE)\b", re.I)


def is_caption(sentence: str, following: str) -> bool:
    """A photo caption without a credit of its own ("U.S. Immigration and Customs Enforcement
    agents conduct an operation in Los Angeles on Sunday, Feb. 11, 2018."): the line after it
    is the photo's credit ("(Photo by Peter Nissen, courtesy ICE)")."""
    return bool(following) and fact_module.is_boilerplate(following) and bool(
        CREDIT.search(following)) and len(following.split()) <= 15 and not re.match(
        r"(?:by|por)\s", following, re.I)  # a byline follows a story, not a photo


def noun_class(noun: str) -> str:
    """"people" for a count of people in general (any nationality), else the noun itself."""
    noun = " ".join((noun or "").lower().split())
    last = (noun.split()[-1:] or [""])[0]
    if noun in PEOPLE_NOUNS or last in PEOPLE_NOUNS or (DEMONYM.search(last) and len(
            noun.split()) == 1 and last not in {"mujeres", "hombres", "niños"}):
        return "people"
    return noun


class Figures:
    """The incident's distinct figures: a count joins the first earlier figure it agrees with
    (`figures_agree`), so "6,252" and "more than 6,000" are one. For telling what a sentence
    adds, any agreeing count is the same figure ("350,000 migrants", "300,000 Venezuelans");
    for conflicts (`by_kind`), only counts of the same kind of thing are compared."""

    def __init__(self, by_kind: bool = False) -> None:
        self.by_kind = by_kind
        self.groups: list[dict[str, Any]] = []

    def key(self, fact: dict[str, Any]) -> int | None:
        if fact.get("vague") or not isinstance(fact.get("value"), int | float):
            return None  # "thousands of" is an amount, not a figure
        kind = noun_class(fact.get("noun", "")) if self.by_kind else ""
        for number, group in enumerate(self.groups):
            if group["kind"] == kind and any(figures_agree(fact, f) for f in group["facts"]):
                group["facts"].append(fact)
                return number
        self.groups.append({"kind": kind, "facts": [fact]})
        return len(self.groups) - 1


def atoms_of(sentence: str, found: dict[str, list[dict]], figures: Figures) -> set[tuple]:
    """The facts one sentence carries, as comparable keys."""
    atoms: set[tuple] = set()
    for fact in found.get("counts") or []:
        key = figures.key(fact)
        if key is not None:
            atoms.add(("count", key))
    for fact in found.get("durations") or []:
        atoms.add(duration_atom(fact))
    for kind, name in (("agencies", "agency"), ("places", "place"), ("organizations", "org"),
                       ("data_categories", "data")):
        for fact in found.get(kind) or []:
            atoms.add((name, str(fact.get("value"))))
    for fact in found.get("dates") or []:
        if not _date_of_saying(sentence, fact.get("text", "")):
            atoms.add(("date", fact.get("value") or fold(fact.get("text", ""))))
    # Names by word: "Kristi Noem" after "Noem" adds only "Kristi"; the sentence's first word
    # is capitalised anyway.
    for match in PROPER.finditer(sentence):
        for word in match.group(0).split():
            country = fact_module.demonym_country(word)
            if country:  # "Guatemalan" and "Guatemala" are one fact: the country
                atoms |= {("place", country), ("name", fold(country.split()[-1]))}
            elif len(word) >= 3 and match.start() + match.group(0).find(word) > 0:
                # "Hernandez's" is Hernandez: a possessive names no one new.
                atoms.add(("name", POSSESSIVE.sub("", fold(word))))
    # What the sentence says in words ("did not meet standards for medical staffing"): each
    # uncommon word a small fact, so a sentence of new findings is not taken for a repeat.
    for word in fact_module.content_words(sentence):
        atoms.add(("word", word))
    for role in fact_module.story_roles(sentence):
        atoms.add(("role", role))
    return atoms


# A period in one unit: "seven days" and "una semana" are one fact. A month is 30 days.
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "weeks": 10080, "months": 43200,
                "years": 525600}


def duration_atom(fact: dict[str, Any]) -> tuple:
    """How long, as a comparable fact: its length in minutes (its own unit if unknown)."""
    minutes = UNIT_MINUTES.get(fact["unit"])
    return ("duration", "minutes", fact["value"] * minutes) if minutes else (
        "duration", fact["unit"], fact["value"])


SAYING = re.compile(r"\b(?:said|says|announced|confirmed|reported|acknowledged|told|dijo|informó|"
                    r"anunció|confirmó|reportó|señaló)\s+(?:on\s+|el\s+|este\s+)?$", re.I)


def _date_of_saying(sentence: str, text: str) -> bool:
    """"…, ICE said Thursday": the day a statement was made, not a fact of the event."""
    at = sentence.find(text) if text else -1
    return at > 0 and bool(SAYING.search(sentence[:at]))


def gain(atoms: set[tuple], covered: set[tuple], words: bool = True) -> float:
    """What a sentence adds to what is covered, weighted by kind; `words=False` leaves out
    its uncommon words (a finding in words only counts while a draft is below its minimum)."""
    # Summed in a sorted order and rounded: a float sum over a set depends on the set's order
    # (string hashing differs between runs), and a gain of exactly MIN_GAIN must pass each run.
    return round(sum(sorted(KIND_WEIGHTS.get(atom[0], 1.0) for atom in atoms - covered
                            if words or atom[0] != "word")), 6)


def adds(atoms: set[tuple], covered: set[tuple]) -> set[tuple]:
    """The facts a sentence adds to what is covered: its new atoms but its uncommon words (a
    finding in words restates; it is no fact of its own), and no place or unresolved date
    ("Friday", "May 29") whose every word is a name already covered ("Canton, Mississippi"
    after "Canton", "on Friday" after "Friday, September 19")."""
    names = {a[1] for a in covered if a[0] == "name"}
    new = set()
    for atom in atoms - covered:
        if atom[0] == "word":
            continue
        if atom[0] in {"place", "date"} and isinstance(atom[1], str) and not re.match(
                r"\d{4}-", atom[1]):
            words = re.findall(r"[^\W\d_]{2,}", re.sub(r"['’]s\b", "", fold(atom[1])))
            if words and all(w in names for w in words):
                continue
        new.add(atom)
    return new


def novelty(atoms: set[tuple], covered: set[tuple]) -> float:
    """The share of a sentence's facts and uncommon words that are new: a sentence that tells
    the lead again with one new word ("filed a lawsuit Thursday against both …") is low."""
    return len(atoms - covered) / len(atoms) if atoms else 0.0


def format_date(iso: str | None, months: list[str]) -> str | None:
    try:
        day = date.fromisoformat(iso or "")
    except ValueError:
        return None
    return f"{months[day.month - 1].capitalize()} {day.day}, {day.year}"


def _nationality(sentence: str, figure: str) -> str | None:
    """The nationality written right after a figure ("100 migrantes venezolanos"), in English
    ("Venezuelans", a capitalised noun of `facts.toml` `[in_english] nouns`), else None."""
    at = sentence.find(figure) if figure else -1
    return fact_module.english_demonym(sentence[at + len(figure):]) if at >= 0 else None


def fact_parts(candidate: Candidate, new: set[tuple], months: list[str]) -> list[dict]:
    """The new facts of a non-English sentence, as values a template can state in English: a
    figure with its qualifier and noun in English ("más de 130 migrantes": more than 130
    migrants), how long, a date, what takes effect or ends on a date ("entrará en vigor el 1 de
    enero de 2026": takes effect on January 1, 2026), the places, the data exposed. Only what
    says something out of its sentence: a figure of an unknown thing ("3"), an agency or an
    organisation named ("The New York Times", and "New York" inside it) are not stated."""
    parts: list[dict[str, Any]] = []
    found = candidate.facts
    new_kinds = {a[0] for a in new}
    for fact in found.get("counts") or []:
        if "count" not in new_kinds or fact.get("vague"):
            continue
        people = noun_class(fact.get("noun", "")) == "people"
        noun = fact_module.in_english("nouns", fact.get("noun")) or ("people" if people else None)
        # Their nationality, when the sentence gives it, is what an English post says: "más de
        # 100 migrantes venezolanos" are more than 100 Venezuelans.
        nationality = _nationality(candidate.text, fact.get("text") or "")
        if nationality and noun is not None and people:
            noun = nationality
        if noun is None:
            continue  # "588 detenciones" is stated; a bare "3 arrestos" with no noun known is not
        qualifier = fact_module.in_english("qualifiers", fact.get("qualifier"))
        if qualifier is None and fact.get("approximate"):
            qualifier = "about"
        parts.append({"kind": "count", "value": f"{fact['value']:,}", "qualifier": qualifier,
                      "approximate": bool(fact.get("approximate")), "people": people,
                      "noun": "person" if noun == "people" and fact["value"] == 1 else noun,
                      "text": fact.get("text", "")})
    for fact in found.get("durations") or []:
        if duration_atom(fact) in new:
            unit = fact["unit"][:-1] if fact["value"] == 1 else fact["unit"]  # "1 week"
            parts.append({"kind": "duration", "value": fact["value"], "unit": unit,
                          "qualifier": fact_module.in_english("qualifiers", fact.get(
                              "qualifier")) or ("about" if fact.get("qualifier") else None),
                          "approximate": bool(fact.get("qualifier"))})
    effect = fact_module.effect_date(candidate.text, found.get("dates") or [])
    for fact in found.get("dates") or []:
        shown = format_date(fact.get("value"), months)
        if not shown or ("date", fact.get("value")) not in new:
            continue
        if effect and effect[1] == fact.get("value"):  # "entrará en vigor el …": what happens
            parts.append({"kind": "effect", "effect": effect[0], "value": shown})
        else:
            parts.append({"kind": "date", "value": shown})
    named = " ".join(str(f.get("value")) for f in found.get("organizations") or [])
    places = [str(f["value"]) for f in found.get("places") or []
              if ("place", str(f.get("value"))) in new and str(f["value"]) not in named]
    if places:
        parts.append({"kind": "place", "values": list(dict.fromkeys(places))})
    data = [str(f["value"]) for f in found.get("data_categories") or []
            if ("data", str(f.get("value"))) in new]
    if data:
        parts.append({"kind": "data", "values": list(dict.fromkeys(data))})
    unique: list[dict[str, Any]] = []
    for part in parts:  # "on September 19, 2025" once, however many times it is written
        if all({k: v for k, v in part.items() if k != "text"}
               != {k: v for k, v in u.items() if k != "text"} for u in unique):
            unique.append(part)
    parts = unique
    kinds = {p["kind"] for p in parts}
    if not (kinds & {"count", "duration", "data", "effect"} or {"date", "place"} <= kinds):
        return []  # a place or a date alone says too little out of its sentence
    return parts


CENTRAL_KINDS = {"count", "duration", "data", "date", "place", "agency", "name", "org"}


def centrality(candidates: list[Candidate]) -> dict[tuple, int]:
    """For each fact, how many sources state it: the event's core facts are the ones most
    reports share (the person who died, the date, the place), not one outlet's aside."""
    sources: dict[tuple, set[int]] = {}
    for candidate in candidates:
        for atom in candidate.atoms:
            if atom[0] in CENTRAL_KINDS:
                sources.setdefault(atom, set()).update(candidate.sources)
    return {atom: len(numbers) for atom, numbers in sources.items()}
