"""Facts with the sentence each came from: who, how many, where, when, which groups, what data.

Every fact is a dict with `value` and `sentence` so a draft can quote its evidence. The wording
(nouns, number words, data categories) lives in `data/facts.toml`; the gazetteers (states, cities,
detention facilities, countries, organisations) are TSV files in `data/`.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from monitor.relevance import compile_term, fold, load_taxonomy
from monitor.textfold import strip_accents

DATA = Path(__file__).with_name("data")
KINDS = ("agencies", "counts", "places", "dates", "organizations", "data_categories")


@lru_cache(maxsize=1)
def _config() -> dict[str, Any]:
    with (DATA / "facts.toml").open("rb") as fh:
        return tomllib.load(fh)


def _rows(name: str, width: int) -> list[list[str]]:
    """Rows of a shipped TSV list, comments skipped, padded to `width` columns."""
    rows = []
    for line in (DATA / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            cells = [c.strip() for c in line.split("\t")]
            rows.append(cells + [""] * (width - len(cells)))
    return rows


def _aliases(cell: str) -> list[str]:
    return [a.strip() for a in cell.split(";") if a.strip()]


# --------------------------------------------------------------------------------------------
# Sentences


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(a.lower() for a in _config()["abbreviations"])


_BOUNDARY = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"“'(¿¡]?[A-Z0-9ÁÉÍÓÚÑ])|\n+")


def split_sentences(text: str) -> list[str]:
    """Split prose into sentences without breaking at 'Jan.', 'U.S.' or 'Calif.'."""
    sentences, start = [], 0
    for boundary in _BOUNDARY.finditer(text):
        before = text[start:boundary.start()].rsplit(None, 1)
        last = before[-1].lower() if before else ""
        if text[boundary.start()] == "." and (
            last in _abbreviations() or re.fullmatch(r"[a-z]|(?:[a-z]\.)+[a-z]", last)
        ):
            continue
        piece = text[start:boundary.end()].strip()
        if piece:
            sentences.append(piece)
        start = boundary.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


# --------------------------------------------------------------------------------------------
# Counts


def _alternation(words: list[str]) -> str:
    folded = sorted({fold(w) for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"[\s-]+") for w in folded)


@lru_cache(maxsize=4)
def _count_pattern(language: str) -> tuple[re.Pattern[str], dict[str, int]]:
    counts = _config()["counts"]
    words = {fold(k): v for k, v in counts["words"].get(language, {}).items()}
    if language not in counts["words"]:
        for table in counts["words"].values():
            words.update({fold(k): v for k, v in table.items()})
    word_alt = _alternation(list(words))
    noun = _alternation(counts["nouns"])
    vague = _alternation(list(counts["vague"]))
    # vague amounts first: "millones de personas" is "millions of", not one million
    number = (
        rf"(?P<vague>{vague})\s+(?:of|de)"
        r"|(?P<digits>\d{1,3}(?:[,.]\d{3})+(?!\d)|\d+(?:[.,]\d{1,2})?)"
        r"(?:\s+(?P<mult>million|millones|millon|mil|thousand))?"
        rf"|(?P<words>(?:{word_alt})(?:(?:[\s-]+|\s+(?:and|y)\s+)(?:{word_alt}))*)"
    )
    pattern = (
        rf"(?<![\w$.,])(?:(?P<qual>{_alternation(counts['qualifiers'])})\s+)?(?:{number})\s+"
        rf"(?P<mods>(?:[\w'.’-]+\s+){{0,{int(counts['max_modifiers'])}}}?)"
        rf"(?P<noun>(?:{noun})(?:\s+(?:and|or|y|o|e)\s+(?:{noun}))?)(?!\w)"
    )
    return re.compile(pattern), words


@lru_cache(maxsize=1)
def _vague_amounts() -> dict[str, int]:
    """The vague amounts ('dozens of') by folded word, built once, not once per sentence."""
    return {fold(k): v for k, v in _config()["counts"]["vague"].items()}


def _number_from_words(text: str, words: dict[str, int]) -> int | None:
    if " ".join(text.split()) in words:  # a number of two words ("medio millon")
        return words[" ".join(text.split())]
    total = current = 0
    for token in re.split(r"[\s-]+", text):
        if token in ("and", "y") or not token:
            continue
        value = words.get(token)
        if value is None:
            return None
        if value == 100 and token in ("hundred",):
            current = (current or 1) * 100
        elif value >= 1000:
            total += (current or 1) * value
            current = 0
        else:
            current += value
    return total + current or None


def _number_from_digits(digits: str, mult: str | None) -> int:
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", digits):
        value = float(re.sub(r"[,.]", "", digits))
    else:
        value = float(digits.replace(",", "."))
    factor = {"million": 1e6, "millones": 1e6, "millon": 1e6, "mil": 1e3, "thousand": 1e3}
    return int(round(value * factor.get(mult or "", 1)))


def _counts(sentence: str, folded: str, language: str) -> list[dict]:
    pattern, words = _count_pattern(language)
    vague = _vague_amounts()
    found = []
    for m in pattern.finditer(folded):
        mods = m.group("mods")
        if re.search(r"\d|percent|por ciento|%", mods):
            continue
        if m.group("digits"):
            digits = m.group("digits")
            if re.fullmatch(r"(?:19|20)\d\d", digits) and mods:
                continue  # a year followed by words: "in 2019 the migrants"
            value = _number_from_digits(digits, m.group("mult"))
        elif m.group("words"):
            value = _number_from_words(m.group("words"), words)
        else:
            value = vague.get(m.group("vague"))
        if not value:
            continue
        fact = {"value": value, "noun": _original(sentence, folded, m.start("noun"),
                                                  m.end("noun")).lower(),
                "text": _original(sentence, folded, m.start(), m.end()), "sentence": sentence}
        if m.group("qual") or m.group("vague"):
            group = "qual" if m.group("qual") else "vague"
            fact["qualifier"] = _original(sentence, folded, m.start(group), m.end(group)).lower()
            fact["approximate"] = True
            if group == "vague":  # "thousands of": an amount, not a figure to compare
                fact["vague"] = True
        found.append(fact)
    return found


def _original(original: str, folded: str, start: int, end: int) -> str:
    """Quote the original text for a span found in its folded copy (same length for Latin)."""
    return (original if len(original) == len(folded) else folded)[start:end]


# --------------------------------------------------------------------------------------------
# Places and organisations


@dataclass(frozen=True)
class _Place:
    value: str
    kind: str
    state: str | None = None
    city: str | None = None
    needs_state: bool = False


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[re.Pattern[str], dict[str, _Place], dict[str, str]]:
    """One case-sensitive alternation over every place name; longest names win at a position."""
    names: dict[str, _Place] = {}
    state_codes: dict[str, str] = {}  # any state spelling -> postal code

    def add(name: str, place: _Place) -> None:
        for variant in {name, strip_accents(name)}:
            names.setdefault(variant, place)

    for country, others in _rows("countries.tsv", 2):
        for name in [country, *_aliases(others)]:
            add(name, _Place(country, "country"))
    for state, postal, ap, others in _rows("us_states.tsv", 4):
        for name in [state, *_aliases(others)]:
            add(name, _Place(state, "state", postal))
            state_codes[name] = postal
        state_codes[postal] = postal
        if ap:
            state_codes[ap] = postal
    for city, postal, others, flag in _rows("us_cities.tsv", 4):
        for name in [city, *_aliases(others)]:
            place = _Place(city, "city", postal, needs_state=flag == "*")
            if name in names and names[name].kind == "city":  # same name in two states
                place = _Place(city, "city", None, needs_state=True)
            names[name] = place
            if flag != "*":
                names.setdefault(name.upper(), place)  # datelines: "EL PASO, Texas –"
    for facility, city, postal, others in _rows("detention_facilities.tsv", 4):
        for name in [facility, *_aliases(others)]:
            add(name, _Place(facility, "facility", postal, city))
    guards = _config()["places"]["not_followed_by"]

    def rest(name: str) -> str:
        piece = re.escape(name[1:])
        if name in guards:
            piece += rf"(?!\s*(?:{guards[name]}))"
        return piece

    alternation = _first_character_alternation(sorted(names, key=len, reverse=True), rest)
    pattern = re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")
    return pattern, names, state_codes


def _first_character_alternation(names: list[str], rest: Any = None) -> str:
    """`A(?:laska|la)|T(?:exas)`: the names grouped by first character, in their order within
    each group, `rest(name)` the regex after that character (escaped by default).

    A name can only match where its first character is, so at each position the same name
    matches first as in the plain `Alaska|Texas|Ala` (longest first) alternation; but `re`
    tries one group there, not each of the thousands of names (its leading lookbehind gives
    the pattern no prefix search): the places pass was a third of the facts' time."""
    rest = rest or (lambda name: re.escape(name[1:]))
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name[0], []).append(rest(name))
    return "|".join(f"{re.escape(first)}(?:{'|'.join(tails)})" for first, tails in groups.items())


@lru_cache(maxsize=1)
def _city_state_pattern() -> re.Pattern[str]:
    """'Lynn, Massachusetts' / 'GALVESTON, Texas' / 'Ocilla, Ga.': a city we have no list for."""
    _, _, codes = _gazetteer()
    states = "|".join(re.escape(s) for s in sorted(codes, key=len, reverse=True))
    word = r"(?:[A-Z][a-záéíóúñ'.-]+|[A-Z]{3,})"
    return re.compile(rf"\b(?P<city>{word}(?:\s{word}){{0,2}}),\s(?P<state>{states})(?![\w])")


_DEMONYM_END = re.compile(r"(?:ans?|ians?|eans?|eses?|ecos?|ecas?|anos?|anas?|eños?|eñas?|enses?)$")


@lru_cache(maxsize=4096)
def demonym_country(word: str) -> str | None:
    """The country a nationality word names ("Guatemalan", "guatemalteca", "Mexican",
    "Hondurans" -> the country), so "a Guatemalan girl" and "a girl from Guatemala" carry one
    fact. None for any other word, a place's own name included ("Indiana" is no Indian)."""
    folded = fold(word)
    if not _DEMONYM_END.search(folded) or folded in _place_words():
        return None
    for country, stem in _country_stems():
        if folded.startswith(stem) and len(folded) - len(stem) <= 6:
            return country
    return None


@lru_cache(maxsize=1)
def _country_stems() -> tuple[tuple[str, str], ...]:
    """Each country with the stem its nationality words start with ("guatem", "mexic", "cuba")."""
    generic = {"republic", "islands", "island", "kingdom", "united", "states", "democratic",
               "of", "the", "el", "la", "and", "federation", "arab", "emirates"}
    stems = []
    for country, _ in _rows("countries.tsv", 2):
        words = [w for w in fold(country).split() if w not in generic]
        if words:  # "Dominican Republic": "dominic"; "United States": none
            stems.append((country, words[-1][:max(4, len(words[-1]) - 2)]))
    return tuple(sorted(stems, key=lambda cs: -len(cs[1])))


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    return frozenset(fold(name) for name in _gazetteer()[1])


def _places(sentences: list[str]) -> list[dict]:
    pattern, names, codes = _gazetteer()
    found: list[dict] = []
    mentioned_states = set()
    for sentence in sentences:
        taken: set[int] = set()
        for m in pattern.finditer(sentence):
            place = names[m.group(0)]
            taken.update(range(m.start(), m.end()))
            fact = {"value": place.value, "kind": place.kind, "sentence": sentence}
            if place.state:
                fact["state"] = place.state
                if place.kind == "state":
                    mentioned_states.add(place.state)
            if place.city:
                fact["city"] = place.city
            after = sentence[m.end():m.end() + 25]
            nearby = re.match(r",\s*([A-Z][\w.]*(?:\s[A-Z][\w.]*)?)", after)
            if nearby and nearby.group(1) in codes:
                fact["state"] = codes[nearby.group(1)]
                fact["state_named"] = True
            fact["_needs_state"] = place.needs_state
            found.append(fact)
        for m in _city_state_pattern().finditer(sentence):
            city = m.group("city")
            if m.start("city") in taken or city in names or city.title() in names:
                continue
            found.append({"value": city.title() if city.isupper() else city, "kind": "city",
                          "state": codes[m.group("state")], "sentence": sentence})
    result, seen = [], set()
    for fact in found:
        needs = fact.pop("_needs_state", False)
        named = fact.pop("state_named", False)
        if needs and not named and fact.get("state") not in mentioned_states:
            continue
        key = (fact["value"], fact["kind"])
        if key not in seen:
            seen.add(key)
            result.append(fact)
    return result


@lru_cache(maxsize=1)
def _organization_list() -> tuple[re.Pattern[str], dict[str, str]]:
    names: dict[str, str] = {}
    for canonical, others in _rows("organizations.tsv", 2):
        for name in [canonical, *_aliases(others)]:
            names[name] = canonical
    alternation = _first_character_alternation(sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])"), names


_CAP = r"[A-ZÁÉÍÓÚÑ][\w'’&.-]*"
_CONNECTOR = r"(?:of|for|and|on|the|de|del|la|las|los|el|para|y|e|por|en)"
# "and"/"y" join words inside one name ("Immigrant and Refugee Rights"); "and the" starts another
_LINK = r"(?:(?:and|y|e|&)\s+|(?:of|for|on|de|del|para|por|en)\s+(?:(?:the|la|las|los|el)\s+)?)"
_RUN = re.compile(rf"{_CAP}(?:\s+{_LINK}?{_CAP})*")


def _organizations(sentences: list[str]) -> list[dict]:
    pattern, names = _organization_list()
    config = _config()["organizations"]
    keywords = set(config["keywords"])
    exclude = set(config["exclude_words"])
    found: list[dict] = []
    for sentence in sentences:
        taken: set[int] = set()
        for m in pattern.finditer(sentence):
            taken.update(range(m.start(), m.end()))
            found.append({"value": names[m.group(0)], "sentence": sentence, "source": "list"})
        for m in _RUN.finditer(sentence):
            run = m.group(0)
            overlap = sorted(taken.intersection(range(m.start(), m.end())))
            if overlap:  # keep what comes before a listed name ("X Project and <listed>")
                run = sentence[m.start():overlap[0]]
            name = _organization_name(run, keywords, exclude)
            if name:
                found.append({"value": name, "sentence": sentence, "source": "pattern"})
    result, seen = [], set()
    for fact in found:
        if fact["value"] not in seen:
            seen.add(fact["value"])
            result.append(fact)
    return result


def _organization_name(run: str, keywords: set[str], exclude: set[str]) -> str | None:
    """Trim a capitalised run to an organisation name, or None if it is not one."""
    words = run.split()
    while words and words[0] in ("The", "El", "La", "Los", "Las"):
        words = words[1:]
    hits = [i for i, w in enumerate(words) if w.strip(".,'’") in keywords]
    if not hits or len(words) < 2:
        return None
    last = hits[-1]
    continues = last + 1 < len(words) and re.fullmatch(_CONNECTOR, words[last + 1])
    if not continues:
        words = words[:last + 1]
    while words and re.fullmatch(_CONNECTOR, words[-1]):
        words = words[:-1]
    if len(words) < 2 or any(w in exclude for w in words):
        return None
    return " ".join(words).rstrip(".,")


# --------------------------------------------------------------------------------------------
# Dates


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Month names and abbreviations (English, Spanish; lower case, unaccented) to 1..12.

    The one month table (`data/facts.toml [dates]`), for facts, page dates (`extraction`) and
    birth dates (`privacy`).
    """
    cfg = _config()["dates"]
    months = {m: i + 1 for i, m in enumerate(cfg["months_en"])}
    months.update({m: i + 1 for i, m in enumerate(cfg["months_es"])})
    months.update(cfg["month_abbr"])
    return months


def month_alternation() -> str:
    """A regex alternation of every month name, longest first (so "march" beats "mar")."""
    return "|".join(sorted(month_numbers(), key=len, reverse=True))


@lru_cache(maxsize=1)
def _date_patterns() -> dict[str, Any]:
    cfg = _config()["dates"]
    months = month_numbers()
    month_alt = month_alternation()
    weekdays = {d: i for i, d in enumerate(cfg["weekdays_en"])}
    weekdays.update({d: i for i, d in enumerate(cfg["weekdays_es"])})
    return {
        "months": months,
        "weekdays": weekdays,
        "relative": cfg["relative"],
        "iso": re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),
        "numeric": re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b"),
        "month_day": re.compile(
            rf"\b(?P<month>{month_alt})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
            r"(?:,?\s+(?P<year>\d{4}))?"),
        "day_month": re.compile(
            rf"\b(?P<day>\d{{1,2}})(?:\.?\s?[°º])?\s+de\s+(?P<month>{month_alt})\b"
            r"(?:\s+(?:de|del)\s+(?P<year>\d{4}))?"),
        "weekday": re.compile(rf"\b(?P<weekday>{'|'.join(weekdays)})\b"),
        "relative_word": re.compile(rf"\b(?P<rel>{'|'.join(cfg['relative'])})\b"),
    }


def _resolve(year: int | None, month: int, day: int, reference: date | None) -> str | None:
    """ISO date; a missing year is the reference's, or last year's if that lands in the future."""
    try:
        if year is not None:
            return date(year, month, day).isoformat()
        if reference is None:
            return None
        guess = date(reference.year, month, day)
        if guess > reference + timedelta(days=7):
            guess = date(reference.year - 1, month, day)
        return guess.isoformat()
    except ValueError:
        return None


def _dates(sentences: list[str], language: str, reference: date | None) -> list[dict]:
    p = _date_patterns()
    found: list[dict] = []
    for sentence in sentences:
        folded = fold(sentence)
        taken: set[int] = set()

        def add(m: re.Match[str], value: str | None, sentence: str = sentence,
                folded: str = folded, taken: set[int] = taken) -> None:
            if taken.intersection(range(m.start(), m.end())):
                return
            taken.update(range(m.start(), m.end()))
            found.append({"value": value, "text": _original(sentence, folded, m.start(), m.end()),
                          "sentence": sentence})

        for m in p["iso"].finditer(folded):
            add(m, _resolve(int(m[1]), int(m[2]), int(m[3]), None))
        for m in p["numeric"].finditer(folded):
            first, second = int(m[1]), int(m[2])
            month, day = (second, first) if language == "es" else (first, second)
            add(m, _resolve(int(m[3]), month, day, None))
        for key in ("month_day", "day_month"):
            for m in p[key].finditer(folded):
                year = int(m.group("year")) if m.group("year") else None
                add(m, _resolve(year, p["months"][m.group("month")], int(m.group("day")),
                                reference))
        for m in p["weekday"].finditer(folded):
            value = None
            if reference is not None:
                back = (reference.weekday() - p["weekdays"][m.group("weekday")]) % 7
                value = (reference - timedelta(days=back)).isoformat()
            add(m, value)
        for m in p["relative_word"].finditer(folded):
            offset = p["relative"][m.group("rel")]
            add(m, (reference + timedelta(days=offset)).isoformat() if reference else None)
    result, seen = [], set()
    for fact in found:
        key = (fact["value"], fact["text"].lower())
        if key not in seen:
            seen.add(key)
            result.append(fact)
    return result


# --------------------------------------------------------------------------------------------
# Agencies and data categories


def _agencies(sentences: list[str]) -> list[dict]:
    tax = load_taxonomy()
    skip = set(_config()["skip_agencies"])
    found = []
    folded_sentences = [fold(sentence) for sentence in sentences]
    everything = "\n".join(folded_sentences)
    for name, terms in tax.agencies.items():
        if name in skip:
            continue
        # a term whose literal is nowhere in the article cannot match any sentence of it
        live = [t for t in terms if not t.literal or t.literal in everything]
        if not live:
            continue
        for sentence, folded in zip(sentences, folded_sentences, strict=True):
            if any(t.search(sentence if t.case_sensitive else folded) for t in live):
                found.append({"value": name, "sentence": sentence})
                break
    order = {s: i for i, s in enumerate(sentences)}
    return sorted(found, key=lambda f: order[f["sentence"]])


@lru_cache(maxsize=1)
def _data_terms() -> tuple[tuple, tuple]:
    cfg = _config()["data_categories"]
    context = tuple(compile_term(t) for t in cfg["data_context"])
    categories = tuple(
        (name, bool(spec.get("generic")), tuple(compile_term(t) for t in spec["terms"]))
        for name, spec in cfg.items() if isinstance(spec, dict)
    )
    return context, categories


def _live(terms: tuple, folded_text: str) -> tuple:
    """The terms that can match somewhere in `folded_text`: a term whose anchor (the text
    every match starts with) is absent cannot match any of its sentences (issue 16: 2,800
    searches an article, nearly all of them for absent words)."""
    return tuple(t for t in terms if not t.anchor or t.anchor in folded_text)


def _data_categories(sentences: list[str]) -> list[dict]:
    context, categories = _data_terms()
    everything = "\n".join(fold(sentence) for sentence in sentences)
    context = _live(context, everything)
    categories = tuple((name, generic, live) for name, generic, terms in categories
                       if (live := _live(terms, everything)))
    found: dict[str, dict] = {}
    for sentence in sentences:
        folded = fold(sentence)
        hits = {}
        for name, generic, terms in categories:
            for term in terms:
                m = term.search(folded)
                if m:
                    hits[name] = (generic, _original(sentence, folded, m.start(), m.end()))
                    break
        specific = any(not generic for generic, _ in hits.values())
        about_data = specific or any(t.search(folded) for t in context)
        for name, (generic, text) in hits.items():
            if name not in found and (not generic or about_data):
                found[name] = {"value": name, "term": text, "sentence": sentence}
    return list(found.values())


# --------------------------------------------------------------------------------------------


def extract_facts(
    title: str,
    text: str,
    *,
    language: str = "en",
    reference: date | datetime | None = None,
) -> dict[str, list[dict]]:
    """Return facts keyed by kind; every fact carries `value` and the `sentence` it came from.

    `reference` (usually the article's published date) resolves 'Tuesday' or 'Jan. 12' to an
    ISO date; without it such dates keep `value` None and only their `text`.
    """
    if isinstance(reference, datetime):
        reference = reference.date()
    sentences = [s for s in [(title or "").strip()] if s] + [
        s for s in split_sentences(text or "") if not is_boilerplate(s)]
    counts, seen = [], set()
    for sentence in sentences:
        for fact in _counts(sentence, fold(sentence), language):
            key = (fact["value"], fact["noun"])
            if key not in seen:
                seen.add(key)
                counts.append(fact)
    return {
        "agencies": _agencies(sentences),
        "counts": counts,
        "places": _places(sentences),
        "dates": _dates(sentences, language, reference),
        "organizations": _organizations(sentences),
        "data_categories": _data_categories(sentences),
        "durations": [d for s in sentences for d in durations(s)],
    }


# --------------------------------------------------------------------------------------------
# Page furniture, durations and story roles (what drafting needs to pick sentences by fact)


@lru_cache(maxsize=1)
def _boilerplate() -> tuple[re.Pattern[str], ...]:
    patterns = []
    for pattern in _config()["boilerplate"]["patterns"]:
        if pattern.startswith("(?-i)"):
            patterns.append(re.compile(pattern[len("(?-i)"):]))
        else:
            patterns.append(re.compile(pattern, re.I))
    return tuple(patterns)


@lru_cache(maxsize=8192)
def is_boilerplate(sentence: str) -> bool:
    """A caption, photo credit, byline, time stamp or "Read more" line: page furniture that
    must never be a draft's lead or one of its facts (`data/facts.toml` `[boilerplate]`)."""
    text = " ".join((sentence or "").split())
    return any(p.search(text) for p in _boilerplate())


@lru_cache(maxsize=1)
def _headings() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _config()["headings"]["patterns"])


@lru_cache(maxsize=8192)
def is_heading(sentence: str) -> bool:
    """A structured document's heading line ("AGENCY: …", "ACTION: Final rule.", "BILLING
    CODE …", "[FR Doc No: …]"): it names the document's parts and never tells the news. Not
    furniture: `extract_facts` still reads the agencies it names (`data/facts.toml`
    `[headings]`)."""
    text = " ".join((sentence or "").split())
    return any(p.search(text) for p in _headings())


@lru_cache(maxsize=1)
def _duration_pattern() -> tuple[re.Pattern[str], dict[str, str], dict[str, int]]:
    cfg = _config()["durations"]
    units = {fold(k): v for k, v in cfg["units"].items()}
    words: dict[str, int] = {}
    for table in _config()["counts"]["words"].values():
        words.update({fold(k): v for k, v in table.items() if v < 1000})
    words.update({"a": 1, "an": 1, "un": 1, "una": 1, "half an": 0})
    number = rf"(?P<digits>\d+(?:[.,]\d+)?)|(?P<words>{_alternation(list(words))})"
    pattern = (rf"(?<![\w$])(?:(?P<qual>{_alternation(cfg['qualifiers'])})\s+)?(?:{number})"
               rf"(?:[\s-]+|\s+(?:and a half|y media)\s+)(?P<unit>{_alternation(list(units))})"
               r"(?!\w)")
    return re.compile(pattern), units, words


def durations(sentence: str) -> list[dict]:
    """How long something lasted: "about five hours" -> {"value": 5, "unit": "hours", …}.

    Only figures that read as a length of time count: a qualifier ("about", "unas"), or a
    preceding "for"/"durante"/"during" — not "two days later" or "25 years old".
    """
    pattern, units, words = _duration_pattern()
    folded = fold(sentence)
    found = []
    for m in pattern.finditer(folded):
        before = folded[max(0, m.start() - 12):m.start()]
        after = folded[m.end():m.end() + 8]
        lasting = m.group("qual") or re.search(r"\b(?:for|within|durante|during|por|en)\s+$",
                                               before)
        if not lasting or re.match(r"\s*(?:old|later|ago|de edad|despues)", after):
            continue
        if m.group("digits"):
            value = float(m.group("digits").replace(",", "."))
        else:
            value = float(words.get(m.group("words"), 0))
        if not value:
            continue
        text = _original(sentence, folded, m.start(), m.end())
        found.append({"value": int(value) if value.is_integer() else value,
                      "unit": units[m.group("unit")], "text": text,
                      "qualifier": (m.group("qual") or None), "sentence": sentence})
    return found


@lru_cache(maxsize=1)
def _story_terms() -> dict[str, tuple]:
    return {role: tuple(compile_term(t) for t in terms)
            for role, terms in _config()["story"].items()}


@lru_cache(maxsize=8192)
def story_roles(sentence: str) -> frozenset[str]:
    """Which parts of the story a sentence tells: "discovery", "response", "next",
    "background" (or none: the event itself)."""
    folded = fold(sentence)
    return frozenset(role for role, terms in _story_terms().items()
            if any(t.pattern.search(sentence if t.case_sensitive else folded) for t in terms))


def in_english(kind: str, word: str | None) -> str | None:
    """A Spanish count's qualifier or noun in English (`facts.toml` `[in_english]`), the word
    itself when it is already English (`kind` "qualifiers": "more than"), else None."""
    word = " ".join((word or "").lower().split())
    table = _config()["in_english"][kind]
    if word in table:
        return table[word]
    english = _config()["counts"][kind]  # the English words are the counts' own
    return word if word in english else None


def english_demonym(after_figure: str) -> str | None:
    """The nationality written right after a Spanish figure (" venezolanos" after "100
    migrantes"), in English ("Venezuelans": a capitalised noun of `[in_english] nouns`), else
    None: an English post counts them by it."""
    following = re.match(r"\s+(\w+)", after_figure)
    english = in_english("nouns", following.group(1)) if following else None
    return english if english and english[:1].isupper() else None


def in_english_table(name: str) -> dict[str, str]:
    """One table of `facts.toml` `[in_english]` (Spanish words → English), for stating a
    Spanish sentence's event in English (`monitor.stated_event`)."""
    return _config()["in_english"][name]


@lru_cache(maxsize=1)
def _lead_terms() -> dict[str, tuple]:
    return {part.removesuffix("s"): tuple(compile_term(t) for t in terms)
            for part, terms in _config()["lead"].items()}  # "subjects" → "subject"


EFFECT_REACH = 25  # characters between a term and its date ("desde el ", "on ")


@lru_cache(maxsize=1)
def _effect_terms() -> tuple[tuple[Any, str], ...]:
    table = _config()["in_english"]["effects"]
    return tuple((compile_term(term), english) for term, english in table.items())


def effect_date(sentence: str, dates: list[dict]) -> tuple[str, str] | None:
    """What a sentence says takes effect or ends, and when, in English (`facts.toml`
    `[in_english] effects`): "…, que entrará en vigor el 1 de enero de 2026" is ("takes
    effect", "2026-01-01"). The date is the first resolved one starting within
    `EFFECT_REACH` characters after the term, else the last one ending just before it; None
    without a term or such a date."""
    folded = fold(sentence)
    for term, english in _effect_terms():
        match = term.pattern.search(folded)
        if match is None:
            continue
        placed = sorted((folded.find(fold(d.get("text") or "")), d["value"]) for d in dates
                        if d.get("value") and d.get("text") and fold(d["text"]) in folded)
        # Said with the term: "expirará el 14 de enero", "el 14 de enero … expirará"; not a
        # date of another clause ("firmó el 20 de junio …, que entrará en vigor en enero").
        after = [value for at, value in placed if 0 <= at - match.end() <= EFFECT_REACH]
        before = [value for at, value in placed
                  if 0 <= match.start() - at <= EFFECT_REACH + 30]
        if after or before:
            return english, (after[0] if after else before[-1])
    return None


MODAL = re.compile(r"\b(?:would|could|might)\b(?:\s+not)?(?:\s+(?:be|have|been))*\s+[\w'-]+")


@lru_cache(maxsize=8192)
def lead_parts(sentence: str) -> frozenset[str]:
    """What of "who did what" an English sentence says in words (`facts.toml` `[lead]`):
    "subject" (an actor the agency gazetteer does not name: "federal immigration officials",
    "the President"), "action" (the verb of an event: arrested, signed, exposed), "later" (a
    later development: a lawsuit) and "announcement" (its only event verbs say that something
    was issued, announced or conducted, not what was done)."""
    folded = fold(sentence)
    # What would, could or might happen is not an event: "a bill that would require …",
    # "information … would not be sent to deportation agents".
    actual = MODAL.sub(" ", folded)
    terms = _lead_terms()
    verbs = {t.term for t in terms["action"] if t.pattern.search(actual)}
    parts = {part for part, found in terms.items() if part not in ("action", "announcement")
             and any(t.pattern.search(folded) for t in found)}
    parts |= {"action"} if verbs else set()
    # Only verbs that say something was issued, announced or conducted: an "announcement".
    if verbs and verbs <= {t.term for t in terms["announcement"]}:
        parts.add("announcement")
    return frozenset(parts)


def sentence_facts(sentences: list[str], *, language: str = "en",
                   reference: date | datetime | None = None) -> list[dict[str, list[dict]]]:
    """The facts of each sentence on its own (same kinds as `extract_facts`, plus "durations"),
    so a draft can tell which sentence adds a fact that no earlier one carries."""
    if isinstance(reference, datetime):
        reference = reference.date()
    return [_one_sentence_facts(sentence, language, reference) for sentence in sentences]


@lru_cache(maxsize=4096)
def _one_sentence_facts(sentence: str, language: str,
                        reference: date | None) -> dict[str, list[dict]]:
    """One sentence's facts, cached (a draft reads the same sentence for its lead, its
    Information and its figures). Callers must not change the lists they get."""
    if is_boilerplate(sentence):
        return {kind: [] for kind in (*KINDS, "durations")}
    one = [sentence]
    return {
        "agencies": _agencies(one),
        "counts": _counts(sentence, fold(sentence), language),
        "places": _places(one),
        "dates": _dates(one, language, reference),
        "organizations": _organizations(one),
        "data_categories": _data_categories(one),
        "durations": durations(sentence),
    }


def month_names() -> list[str]:
    """English month names, January first (for stating a Spanish source's date in English)."""
    return list(_config()["dates"]["months_en"])


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    return frozenset(fold(w)[:6] for w in _config()["content"]["common"])


def content_words(sentence: str) -> set[str]:
    """The sentence's uncommon words (5 letters or more), each as its first 6 folded letters
    ("detained", "detention" -> "detain", "detent"), for telling a new finding from a repeat."""
    common = _common_words()
    return {w[:6] for w in re.findall(r"[a-z]{5,}", fold(sentence)) if w[:6] not in common}


# --------------------------------------------------------------------------------------------
# Federal Register notices: structured documents whose news is in their headings


_REGISTER = {
    "marker": re.compile(r"\bFederal Register\b|\bFed\. Reg\.|\b\d+ FR \d+\b|^\s*ACTION:", re.M),
    # A notice's own headings, not a news story quoting "the Federal Register".
    "structure": re.compile(r"\b(?:AGENCY|AGENCIES|ACTION):|published in the Federal Register by|"
                            r"\[(?:Rules and Regulations|Proposed Rules|Notices)\]|"
                            r"Federal Register / Vol\. \d+|Federal Register Volume"),
    "agency": re.compile(r"\bAGENC(?:Y|IES):\s*(?P<v>.+?)(?=\s*(?:ACTION:|SUMMARY:|\n\s*\n|$))",
                         re.S),
    "action": re.compile(r"\bACTION:\s*(?P<v>[^.\n]+)"),
    # A tracker's metadata line: "This is a final rule published in the Federal Register by
    # Homeland Security Department, Justice Department, …."
    "publisher": re.compile(r"\bThis is an? (?P<action>[a-z ]{4,30}?) published in the Federal "
                            r"Register by (?P<v>[A-Z][^.\n]{3,300})\."),
    "department": re.compile(r"\bDEPARTMENT\s+OF(?:\s+(?!DEPARTMENT\b)(?:[A-Z]{2,}|OF|AND|THE))+"),
    "citation": (re.compile(r"\b(?P<vol>\d{2,3}) (?:FR|Fed\. Reg\.) (?P<page>\d{3,6})\b"),
                 re.compile(r"Federal Register Volume (?P<vol>\d+)[^\]]*\][^\[]*(?:\[[^\]]*\]\s*)*?"
                            r"\[Pages? (?P<page>\d+)"),
                 re.compile(r"(?P<page>\d{3,6}) Federal Register / Vol\. (?P<vol>\d+)")),
    "number": re.compile(r"(?:FR Doc(?:ument)?(?: No)?:?|Document|\[)\s*(?P<v>\d{4}-\d{4,6})\b"),
    "date": re.compile(r"(?:Federal Register[^()\n/]{0,40}[(/]\s*|Fed\. Reg\. \d+ \(|"
                       r"Federal Register / Vol\. \d+, No\. \d+ / )(?:\w+day, )?"
                       r"(?P<month>[A-Z][a-z]+)\.? (?P<day>\d{1,2}), (?P<year>\d{4})"),
    "section": re.compile(r"\[(?P<v>Rules and Regulations|Proposed Rules|Notices)\]|"
                          r"/ (?P<w>Rules and Regulations|Proposed Rules|Notices)\b"),
    "title_cut": re.compile(r"^\d+ FR \d+(?: pgs?\. [\d-]+)? - |^\d{4}-\d{4,6}\.\s+|"
                            r",\s*\d+-\d+\s*\[\d{4}-\d+\]$|"
                            r";\s*(?:Proposed Rule|Final Rule|Notice|Interim Final Rule)$"),
}
_SECTION_ACTION = {"Rules and Regulations": "rule", "Proposed Rules": "proposed rule",
                   "Notices": "notice"}


def register_title(title: str) -> str:
    """A Federal Register document's own title, without the citation an aggregator adds
    ("83 FR 45486 - …", "…, 44392-44535 [2019-17927]", "…; Proposed Rule")."""
    return _REGISTER["title_cut"].sub("", " ".join((title or "").split())).strip()


def register_notice(title: str, text: str) -> dict[str, str] | None:
    """What a Federal Register document says in its headings: the agencies, the action
    ("Final rule"; `section`, "proposed rule", from the part of the Register it is in), the
    citation ("83 FR 45486"), the document number and the publication date, with its title
    (the fields a copy has). None for any other text.

    A notice's news is in these fields, not in prose: "AGENCY: U.S. Citizenship and
    Immigration Services …" is no sentence a post can lead with, but the fields state who did
    what, when, and where it is published.
    """
    text = text or ""
    head = text[:3000]
    if not _REGISTER["marker"].search(head):
        return None  # not a Federal Register document
    found: dict[str, str] = {"title": register_title(title)}
    agency = _REGISTER["agency"].search(head)
    named = " ".join(agency.group("v").split()).rstrip(".") if agency else ""
    if named and len(named) <= 320 and not re.search(r"[a-z]{2}\. [A-Z]", named):  # not prose
        found["agencies"] = named
    else:
        departments = []
        for m in _REGISTER["department"].finditer(head):
            name = " ".join(w.capitalize() if w not in ("OF", "AND", "THE") else w.lower()
                            for w in m.group(0).split())
            if name not in departments:
                departments.append(name)
        if departments:
            found["agencies"] = " and ".join(f"the {d}" for d in departments)
    action = _REGISTER["action"].search(head)
    section = _REGISTER["section"].search(head)
    publisher = _REGISTER["publisher"].search(head)
    if publisher and "agencies" not in found:  # "… published in the Federal Register by A, B, C."
        names = [n.strip() for n in publisher.group("v").split(",") if n.strip()]
        found["agencies"] = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 \
            else names[0]
    if action:
        found["action"] = re.sub(r"\s*\([^)]*\)", "", action.group("v").split(";")[0]).strip()
    elif publisher:
        found["action"] = publisher.group("action").capitalize()
    if section:  # the part of the Register: "rule" where ACTION: says "Interim final rule"
        found["section"] = _SECTION_ACTION[section.group("v") or section.group("w")]
    for pattern in _REGISTER["citation"]:
        m = pattern.search(head)
        if m:
            found["citation"] = f"{m.group('vol')} FR {m.group('page')}"
            break
    number = _REGISTER["number"].search(head) or _REGISTER["number"].search(title or "")
    if number:
        found["number"] = number.group("v")
    day = _REGISTER["date"].search(head)
    if day:
        month = month_numbers().get(fold(day.group("month")))
        value = _resolve(int(day.group("year")), month, int(day.group("day")), None) \
            if month else None
        if value:
            found["date"] = value
    if not _REGISTER["structure"].search(head) or len(found) < 2:
        return None  # a story about a notice, or a copy with nothing but its title
    return found


# --------------------------------------------------------------------------------------------
# Memoranda

_MEMO = {
    "fields": re.compile(r"\bMEMORANDUM (?:FOR|TO):\s*(?P<to>.*?)\s*\bFROM:\s*(?P<sender>.*?)\s*"
                         r"\bSUBJECT:\s*(?P<subject>.{8,400})", re.S),
    "date": re.compile(r"\b(?P<month>[A-Z][a-z]+)\.? (?P<day>\d{1,2})[.,] ?(?P<year>\d{4})\b"),
    "office": re.compile(r"\b(?:U\.S\. )?Department of"
                         r"(?: (?:the )?(?!Washington\b)[A-Z][a-z]+){1,3}"),
}


def memo_headings(title: str, text: str) -> dict[str, str] | None:
    """What an agency memorandum says in its headings ("MEMORANDUM FOR: …", "FROM: Jennifer
    L. Costello Acting Inspector General", "SUBJECT: Management Alert – …"): the sender's name
    and title, the subject, the memo's date and its letterhead's department. A blank "FROM:"
    under a letterhead that opens with a title ("Secretary U.S. Department of Homeland
    Security") is that title's memo, without a name. None for any other text, or when the
    sender is unknown.

    A memo's news is who sent it about what: an Inspector General's alert extracted as one
    unsplit block has no sentence saying so. The subject ends where the prose starts (the
    document's title when the subject begins with it, else its run of capitalised words).
    """
    head = " ".join((text or "")[:3000].split())
    fields = _MEMO["fields"].search(head)
    if fields is None:
        return None
    words = re.sub(r"[^\w.'’ -]", " ", fields.group("sender")).split()
    titles = {fold(w) for w in _config()["memo"]["titles"]}
    at = next((n for n, w in enumerate(words) if fold(w) in titles), None)
    letterhead = head[:fields.start()].split()
    own_title = list(itertools.takewhile(lambda w: fold(w) in titles, letterhead[:4]))
    if at:
        found = {"sender": " ".join(words[:at]), "sender_title": " ".join(words[at:at + 6])}
    elif not words and own_title:  # a blank FROM: under the letterhead "Secretary U.S. …"
        found = {"sender": "", "sender_title": " ".join(own_title)}
    else:  # no name before the title, or no title: the sender is unknown
        return None
    subject = fields.group("subject")
    own = " ".join((title or "").split())
    if own and fold(subject).startswith(fold(own)):
        found["subject"] = own
    else:
        run: list[str] = []
        small = set(_config()["memo"]["small_words"])
        for word in subject.split():
            if word[:1].isupper() or word[:1].isdigit() or word in small:
                run.append(word)
            else:
                break
        while run and (run[-1] in small or (len(run) > 1 and run[-1] in {
                "For", "A", "An", "The", "On", "In", "At", "Attached", "We", "This"})):
            run.pop()  # the prose's first word ("… Rio Grande Valley For your action …")
        if len(run) < 2:
            return None
        found["subject"] = " ".join(run).rstrip(",;:")
    day = _MEMO["date"].search(head[:fields.start()] or head)
    month = month_numbers().get(fold(day.group("month"))) if day else None
    value = _resolve(int(day.group("year")), month, int(day.group("day")), None) \
        if day and month else None
    if value:
        found["date"] = value
    office = _MEMO["office"].search(head[:fields.start()])  # the letterhead's department
    if office:
        found["office"] = office.group(0)
    return found
