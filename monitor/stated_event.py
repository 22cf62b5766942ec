"""Who did what to whom in a Spanish sentence, as English values a lead template can state (pure).

An English post leads with an English sentence. When the best lead of an incident is a Spanish
sentence ("Funcionarios estadounidenses deportaron a 18 migrantes …"), the draft states it in
the firm's English from what the sentence itself says: the actor (an agency, or a subject such
as "un juez federal"), the event's verb (deportaron → deported), what it was done to (a figure
with its noun in English, a person named, a document such as "una orden ejecutiva", a topic
such as "la ciudadanía por nacimiento"), where and when. The vocabulary is `facts.toml`
`[in_english]`; the sentence shape is `templates/partials/stated_lead.txt.j2`. Nothing is
guessed: when a part cannot be read, `event_parts` returns None and the sentence is not stated.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from monitor import facts
from monitor.draft_story import format_date
from monitor.textfold import fold

PLACE_KINDS = {"city", "state", "country"}
# A name: capitalised words, "de"/"del" inside ("Mario Guevara", "Texas Couplings LLC").
NAME = re.compile(r"(?:(?:el|la|los|las)\s+)?((?:[A-ZÁÉÍÓÚÑ][\w.&'-]*)(?:\s+(?:de\s+|del\s+)?"
                  r"[A-ZÁÉÍÓÚÑ][\w.&'-]*){0,3})")
# Words between a verb and its object that say when: "deportó este jueves a …".
WHEN = re.compile(r"^(?:\s*(?:el|la|este|esta|estos|estas|en|los|las|pasado|pasada|últimos|"
                  r"últimas|recientes|días|semana|mes|lunes|martes|miércoles|jueves|viernes|"
                  r"sábado|domingo|hoy|ayer|noche|tarde|mañana|madrugada)\b)*\s*")


def _table(name: str) -> dict[str, str]:
    return facts.in_english_table(name)


@lru_cache(maxsize=1)
def _folded_singular() -> dict[str, str]:
    """`[in_english] singular` keyed by folded word ("estudiante" → "a student")."""
    return {fold(k): v for k, v in _table("singular").items()}


@lru_cache(maxsize=1)
def _verbs() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The active verb forms and the passive participles of `[in_english]`, longest first."""
    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    active = re.compile(r"(?<![\w])(" + alternation(list(_table("actions"))) + r")(?![\w])")
    passive = re.compile(r"(?<![\w])(?:fue|fueron|ha sido|han sido)\s+("
                         + alternation(list(_table("passives"))) + r")(?:o|a|os|as)?(?![\w])")
    return active, passive


def event_parts(sentence: str, found: dict[str, list[dict]],
                months: list[str]) -> dict[str, Any] | None:
    """The event of a Spanish sentence in English values: `actor`, `action`, `object`,
    `passive` (the object was acted on: "18 migrants were deported"), `plural`, `places`
    ("in El Cajón, California", "to Honduras") and the resolved `date`; None when the actor,
    the verb or (for a verb that needs one) its object cannot be read."""
    lowered = sentence.lower()
    active, passive = _verbs()
    match = passive.search(lowered)
    if match is not None:
        parts = _passive(sentence, match, found)
    else:
        parts = None
        for match in active.finditer(lowered):
            parts = _active(sentence, match, found)
            if parts is not None:
                break
    if parts is None:
        return None
    parts["places"] = _places(sentence[parts.pop("after"):])
    parts["date"] = _date(found, months)
    if parts["object"] is None and not (parts["topic"] or parts["date"] or parts["places"]):
        return None  # "The Supreme Court ruled." says too little
    return parts


def _active(sentence: str, match: re.Match[str], found: dict[str, list[dict]],
            ) -> dict[str, Any] | None:
    verb = match.group(1)
    action = _table("actions")[verb]
    actor = _actor(sentence[:match.start()])
    if actor is None:
        return None
    rest = sentence[match.end():]
    thing, plural, end = _object(rest, found)
    # A measure whose own words cannot be stated, by what it is about: "bloqueó el intento del
    # gobierno de restringir la ciudadanía por nacimiento" blocked a measure on birthright
    # citizenship.
    # A ruling is on what its clause says ("dictaminó que los jueces carecen de la autoridad
    # para emitir órdenes judiciales de alcance nacional": ruled on nationwide injunctions).
    ruling = action in set(_table("intransitive").values())
    topic = None if thing else _longest(fold(rest if ruling else _clause(rest)),
                                        _table("topics"))
    if thing is None and topic is None and not ruling:
        return None
    return {"actor": actor, "action": action, "object": thing, "topic": topic and topic[0],
            "passive": False, "plural": plural, "after": match.end() + end}


def _passive(sentence: str, match: re.Match[str], found: dict[str, list[dict]],
             ) -> dict[str, Any] | None:
    """"Cerca de 200 migrantes venezolanos fueron deportados …", "Guevara fue arrestado por
    el ICE …": the subject is what was acted on, "por …" names the actor."""
    action = _table("passives")[match.group(1)]
    before = sentence[:match.start()]
    thing, plural = _subject(before, found)
    if thing is None:
        return None
    by = re.match(r"\s*por\s+(?:parte\s+de\s+)?(.{3,80}?)(?:[,;.]|\s+(?:mientras|en|el|tras)\s|$)",
                  sentence[match.end():])
    actor = _actor(by.group(1), agent=True) if by else None
    return {"actor": actor, "action": action, "object": thing, "topic": None, "passive": True,
            "plural": plural, "after": match.end()}


def _actor(before: str, agent: bool = False) -> str | None:
    """Who acted, read from the words before the verb, nearest clause first: an agency
    ("agentes de ICE" → "ICE agents") or a subject of `[in_english] subjects` ("un juez
    federal" → "a federal judge"; "el presidente Donald Trump" → "President Donald Trump")."""
    pieces = [p for p in re.split(r"[,;:(]|\s[-–—]\s", before) if p.strip()]
    near = fold(" ".join(pieces[-3:]))
    for piece in reversed(pieces[-3:]):
        folded = fold(piece)
        agencies = {str(a["value"]) for a in facts.sentence_facts([piece])[0]["agencies"]}
        subject = _longest(folded, _table("subjects"), first=True)
        if subject is not None:
            english, at = subject
            name = NAME.match(piece[at:].lstrip()) if english[:1].isupper() else None
            named = english.endswith(("President", "Governor", "Secretary"))
            return f"{english} {name.group(1)}" if named and name else english
        if len(agencies) == 1:
            agency = agencies.pop()
            role = _longest(near, _table("roles"))
            return f"{agency} {role[0]}" if role and not agent else agency
        if agencies:
            return None  # two agencies: which one acted is not said here
    return None


def _longest(folded: str, table: dict[str, str], first: bool = False) -> tuple[str, int] | None:
    """The longest term of `table` in the folded text (with `first`, the earliest: the head
    of "la Corte Suprema de Estados Unidos"), in English, and where it ends."""
    found = []
    for term in table:
        match = re.search(r"(?<!\w)" + re.escape(fold(term)) + r"(?!\w)", folded)
        if match:
            found.append((match.start() if first else 0, -len(term), match.end(), table[term]))
    if not found:
        return None
    _, _, end, english = min(found)
    return english, end


def _clause(rest: str) -> str:
    """The words after a verb up to the end of its clause (a comma before a new clause, "que",
    "donde" …); "El Cajón, California" stays whole."""
    return re.split(r"[,;]\s+(?![A-ZÁÉÍÓÚÑ])|\s+(?:que|donde|mientras|tras|luego|antes|"
                    r"después)\s", rest)[0]


def _object(rest: str, found: dict[str, list[dict]]) -> tuple[str | None, bool, int]:
    """What the verb was done to, with whether it is plural and where it ends in `rest`: a
    figure said after the verb, before another verb ("a más de 170 migrantes venezolanos"), a
    person or a thing named ("a Mario Guevara"), one person or thing of `[in_english]
    singular` ("a otro estudiante", "contra un vehículo"), a document of `objects` ("una orden
    ejecutiva") or a measure on a topic of `topics` ("la ciudadanía por nacimiento")."""
    clause = _clause(rest)
    for fact in found.get("counts") or []:
        text = fact.get("text") or ""
        at = rest.find(text) if text and not fact.get("vague") else -1
        if at < 0:
            continue
        # The verb's own object: only when-words and "a" between them ("deportaron este
        # jueves a 18 migrantes"), a second object ("…, y a tres niños"), or what of them
        # (`objects_of`: "publicó los datos de 6,252 personas": the data of 6,252 people).
        between = rest[:at].lower()
        of = next(((k, v) for k, v in _table("objects_of").items()
                   if fold(between).rstrip().endswith(fold(k))), None)
        if of:  # "los datos de": what is left before it must be when-words only
            between = between.rstrip()[:-len(of[0])]
        between = between[WHEN.match(between).end():]
        if not (re.fullmatch(r"(?:a|al|contra)?\s*", between) or (
                re.search(r"\sy\s+a\s*$", between) and not _verbs()[0].search(between))):
            continue
        stated = _count(fact, rest[at + len(text):])
        if stated is not None:
            return (f"{of[1]} {stated}" if of else stated), fact["value"] != 1, at + len(text)
    lead = WHEN.match(clause).end()
    head = clause[lead:]
    article = re.match(r"(?:a|al|contra|a la|a los|a las)\s+", head)
    body = head[article.end():] if article else head
    offset = lead + (article.end() if article else 0)  # where `body` starts in `rest`
    name = NAME.match(body) if article and body[:1].isupper() else None
    if name is None and article:
        name = re.match(r"(?:el|la|los|las)\s+((?:[A-ZÁÉÍÓÚÑ][\w.&'-]*\s*){1,4})", body)
    if name is not None and len(name.group(1).split()) >= 2 or (
            name is not None and name.group(1).isupper()):
        return name.group(1).strip(), False, offset + name.end()
    one = re.match(r"(?:un|una|otro|otra|el|la)\s+(\w+)", body)
    singular = _folded_singular()
    if one and fold(one.group(1)) in singular:
        return singular[fold(one.group(1))], False, offset + one.end()
    document = _longest(fold(head[:40]), _table("objects"))
    if document is not None:
        return document[0], False, lead
    return None, False, 0


def _count(fact: dict[str, Any], after: str) -> str | None:
    """A figure in English ("más de 170 migrantes venezolanos" → "more than 170 Venezuelans"),
    its nationality preferred as the noun; None when its noun has no English word."""
    noun = facts.english_demonym(after) or facts.in_english("nouns", fact.get("noun"))
    if noun is None:
        return None
    qualifier = facts.in_english("qualifiers", fact.get("qualifier"))
    if qualifier is None and fact.get("approximate"):
        qualifier = "about"
    return " ".join(filter(None, (qualifier, f"{fact['value']:,}", noun)))


def _subject(before: str, found: dict[str, list[dict]]) -> tuple[str | None, bool]:
    """The subject of a passive verb: a figure ending just before it, one person of
    `singular` opening its clause ("Un periodista de habla hispana … fue deportado"), or a
    name right before it ("Guevara fue arrestado")."""
    for fact in found.get("counts") or []:
        text = fact.get("text") or ""
        at = before.rfind(text) if text and not fact.get("vague") else -1
        if at >= 0 and len(before) - at - len(text) <= 20:
            stated = _count(fact, before[at + len(text):])
            if stated is not None:
                return stated, fact["value"] != 1
    clause = re.split(r"[,;:]", before)
    one = re.match(r"\s*(?:un|una|el|la)\s+(\w+)", clause[0]) if len(clause) == 1 or len(
        clause[0].split()) <= 12 else None
    singular = _folded_singular()
    if one and fold(one.group(1)) in singular:
        return singular[fold(one.group(1))], False
    name = re.search(r"((?:[A-ZÁÉÍÓÚÑ][\w'-]+\s+){0,2}[A-ZÁÉÍÓÚÑ][\w'-]+)\s*$", before)
    # A name opening its clause ("Guevara fue arrestado"), not one inside a longer subject
    # ("… que estaban en Estados Unidos fueron devueltos").
    named = facts.sentence_facts([name.group(1)])[0] if name else {}
    if name and not (named["agencies"] or named["places"]) and re.fullmatch(
            r"(?:.*[,;:]\s*)?", before[:name.start()]) and _longest(
            fold(name.group(1)), _table("subjects")) is None:
        return name.group(1), False
    return None, False


def _places(after: str) -> str | None:
    """Where, from the places after the object: "en … El Cajón, California" → "in El Cajón,
    California", "a Honduras" → "to Honduras"; a place after "de" alone is not said."""
    prepositions = _table("prepositions")
    after = _clause(after)
    folded = fold(after)
    placed = sorted((folded.find(fold(p["value"])), p["value"])
                    for p in facts.sentence_facts([after])[0]["places"]
                    if p.get("kind") in PLACE_KINDS)
    phrases: list[tuple[int, str, list[str]]] = []
    for at, value in placed:
        if at < 0:
            continue
        if phrases and 0 <= at - phrases[-1][0] <= 40 and re.fullmatch(
                r"[^,]*,\s*", folded[phrases[-1][0]:at]):
            phrases[-1][2].append(value)  # "El Cajón, California"
            continue
        words = re.findall(r"\w+", folded[max(0, at - 40):at])[-4:]
        english = next((prepositions[w] for w in reversed(words) if w in prepositions), None)
        if english:
            phrases.append((at, english, [value]))
    return " ".join(f"{p} {', '.join(values)}" for _, p, values in phrases[:1]) or None


def _date(found: dict[str, list[dict]], months: list[str]) -> str | None:
    """The first full date the sentence gives ("October 17, 2025"); a month or year alone is
    not a date a lead states."""
    for fact in found.get("dates") or []:
        value = fact.get("value") or ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return format_date(value, months)
    return None
