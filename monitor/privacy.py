"""The privacy guard: a draft never republishes personal data of the people an incident affects.

Pure functions over sentences. Each sentence either passes, is redacted (a personal phone
number or e-mail address replaced by a marker) or is left out (an A-number, a birthdate, or
names of private individuals from a leaked-roster style list: these identify a person, and a
sentence around them rarely says anything the draft needs). Every decision is returned so the
draft can list it for the reviewer; a decision's `excerpt` is itself redacted, so the front
matter never carries what the guard removed.

Agencies, places and public officials pass: the guard looks for the shapes of personal
records, not for every capitalised word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from monitor.facts import month_alternation

# A-number (alien registration number): A-123-456-789, A123456789, A 123 456 789, A#12345678,
# and "A-number 123456789" / "número A 123456789".
A_NUMBER = re.compile(
    r"(?<![\w/])A\s?[-#]?\s?\d{3}[-\s]?\d{3}[-\s]?\d{2,3}(?!\d)"
    r"|(?i:A-?numbers?|alien (?:registration )?numbers?|n[uú]mero A|n[uú]mero de extranjero)"
    r"\W{0,3}(?:#\s?)?\d{8,9}\b"
)
_MONTHS = f"(?:{month_alternation()})"  # the shared month table, data/facts.toml [dates]
_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2}|" + _MONTHS
         + r"\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+(?:de\s+)?" + _MONTHS + r"\.?,?\s+(?:de\s+)?\d{4})")
BIRTHDATE = re.compile(
    r"(?:\b(?:d\.?o\.?b\.?|date of birth|birth ?date|born(?: on)?|fecha de nacimiento|"
    r"nacid[oa] el|f\. ?nac\.?)\W{0,3}" + _DATE + r")",
    re.I,
)
EMAIL = re.compile(r"\b[\w.+-]+@([\w-]+\.)+[a-z]{2,}\b", re.I)
PUBLIC_EMAIL_DOMAIN = re.compile(r"@(?:[\w-]+\.)*(?:gov|mil|uscourts\.gov)$", re.I)
PHONE = re.compile(
    r"(?<![\w-])(?:\+?1[-.\s]?)?\(?([2-9]\d{2})\)?[-.\s]?\d{3}[-.\s]\d{4}(?![\w-])"
    r"|(?<![\w-])\+\d{1,3}[-.\s]?\d{2,4}[-.\s]\d{3,4}[-.\s]\d{3,4}(?![\w-])"
)
TOLL_FREE = {"800", "833", "844", "855", "866", "877", "888"}

# A "name": two to four capitalised words (accents and hyphens allowed).
_WORD = (r"(?:[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+(?:[-'][A-ZÁÉÍÓÚÑ]?[a-záéíóúñü]+)?"
         r"|[A-ZÁÉÍÓÚÑÜ]{3,}(?:-[A-ZÁÉÍÓÚÑÜ]{2,})?)")
_PARTICLE = r"(?:de\s+la\s+|de\s+los\s+|de\s+|del\s+|van\s+|y\s+(?=[A-ZÁÉÍÓÚÑ][a-z]+\b\s*[,;]))?"
# "Maria Lopez", "María José de la Cruz", and the records style "LOPEZ, Maria" / "Lopez, Maria A."
NAME = re.compile(
    rf"\b[A-ZÁÉÍÓÚÑÜ]{{2,}}(?:[- ][A-ZÁÉÍÓÚÑÜ]{{2,}})*,\s+[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+"
    rf"(?:\s+[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+|\s+[A-Z]\.)?"
    rf"|\b{_WORD}(?:\s+{_PARTICLE}{_WORD}){{1,3}}\b"
)
RECORD_FIELD = re.compile(
    r"\b(?:name|detainee|nombre|full name|last name|first name|apellidos?)\s*:\s*", re.I)
LIST_CONTEXT = re.compile(
    r"\b(?:list|lists|listed|roster|spreadsheet|file|records?|names? of|including|among them|"
    r"identified as|lista|nombres? de|entre ellos|incluidos?)\b", re.I)
# Words that make a capitalised run an institution, place or title rather than a person.
NOT_PERSON = {
    word.lower() for word in (
        "Immigration Customs Enforcement Department Homeland Security Border Patrol Protection "
        "Citizenship Services Office Executive Review Justice Federal Court Courts District "
        "Circuit Supreme County City State States United America American Center Centre "
        "Detention Processing Facility Service National Guard Police Sheriff Agency Bureau "
        "Investigations Operations Removal Field Congress Senate House Administration Register "
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
        "May June July August September October November December The A An In On At Of For "
        "And But Advocates Officials Agency Republican Democrat Democratic University Law School "
        "News Times Post Press Associated Guardian Reuters Union Civil Liberties Council "
        "Coalition Project Network Institute Foundation Committee Commission Secretary Director "
        "Judge Senator Representative Governor Mayor President Attorney General Commissioner "
        "Spokesperson Spokesman Spokeswoman Acting Deputy Chief Inspector Sen Rep Gov Dr Mr Mrs "
        "Ms Street Avenue Road Mesa Otay Texas California Florida Arizona Georgia Louisiana "
        "Mississippi Illinois Chicago Dallas Houston Miami York Angeles Los San Francisco "
        "Diego Antonio Honduras Guatemala Salvador Mexico Venezuela Cuba Haiti Colombia "
        "Nicaragua Ecuador Nacional Servicio Departamento Seguridad Control Aduanas Estados "
        "Unidos Centro Tribunal Corte Gobierno Administración Ice Hsi Ero Cbp Uscis Dhs Eoir"
    ).split()
}
OFFICIAL_TITLE = re.compile(
    r"\b(?:Secretary|Director|Judge|Justice|Senator|Sen\.|Representative|Rep\.|Governor|Gov\.|"
    r"Mayor|President|Commissioner|Attorney General|Chief|Sheriff|spokesperson|spokesman|"
    r"spokeswoman|portavoz|secretari[oa]|juez|jueza|senador[a]?|gobernador[a]?|alcalde|"
    r"alcaldesa|director[a]?)\b\.?,?\s*$", re.I)
ROSTER_MIN_NAMES = 3


@dataclass(frozen=True)
class Decision:
    """What the guard did to one sentence, safe to show (the excerpt is redacted)."""

    action: str  # "dropped" | "redacted"
    reason: str  # "a-number" | "birthdate" | "phone" | "email" | "private-names"
    excerpt: str
    where: str = ""  # e.g. "lead", "information", "title", "quote"
    source: int | None = None  # footnote number of the source the sentence came from

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass(frozen=True)
class Guarded:
    """A sentence after the guard: `text` is None when the sentence must be left out."""

    text: str | None
    decisions: tuple[Decision, ...] = ()


def _person_names(sentence: str, public_names: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Spans of capitalised runs that look like names of people (not agencies or officials).

    A run is cut at words that belong to institutions, places or titles ("Maria Lopez
    Honduras" yields "Maria Lopez"); what remains must still be two words or more.
    """
    public = {n.lower() for n in public_names}
    spans = []
    for match in NAME.finditer(sentence):
        for start, end in _person_runs(sentence, match.start(), match.end()):
            if sentence[start:end].lower() in public:
                continue
            if OFFICIAL_TITLE.search(sentence[:start][-40:]):
                continue
            spans.append((start, end))
    return spans


def _person_runs(sentence: str, start: int, end: int) -> list[tuple[int, int]]:
    if "," in sentence[start:end]:  # "LOPEZ, Maria": a records-style name, kept whole
        words = re.findall(r"[^\s,]+", sentence[start:end])
        return [] if any(_not_person(w) for w in words) else [(start, end)]
    runs, current = [], []
    for word in re.finditer(r"\S+", sentence[start:end]):
        if _not_person(word.group(0)) or word.group(0).islower():
            runs.append(current)
            current = []
        else:
            current.append((start + word.start(), start + word.end()))
    runs.append(current)
    return [(run[0][0], run[-1][1]) for run in runs if len(run) >= 2]


def _not_person(word: str) -> bool:
    return word.lower().strip("'.,;") in NOT_PERSON


def _roster_names(sentence: str, public_names: Iterable[str] = ()) -> list[tuple[int, int]]:
    """Names that appear as entries of a personal-record list, else an empty list.

    A list is three or more person names in one sentence next to list words ("the file
    listed …") or separated only by commas/semicolons, or any name in a record field
    ("Name: …"). A single person quoted in a news story is not a roster.
    """
    spans = _person_names(sentence, public_names)
    if not spans:
        return []
    if RECORD_FIELD.search(sentence):
        return spans
    if len(spans) < ROSTER_MIN_NAMES:
        return []
    gaps = [sentence[a[1]:b[0]] for a, b in zip(spans, spans[1:], strict=False)]
    listed = sum(1 for gap in gaps if _list_gap(gap))
    if listed >= ROSTER_MIN_NAMES - 1 or LIST_CONTEXT.search(sentence):
        return spans
    return []


def _list_gap(gap: str) -> bool:
    """Between two entries of a list or table: separators, ages, dates, countries, no prose."""
    words = re.findall(r"[^\s,;/|·•()]+", gap)
    return len(words) <= 5 and all(
        not w.islower() or w in {"and", "y", "or", "o", "e"} for w in words)


def _mask_spans(text: str, spans: list[tuple[int, int]], marker: str) -> str:
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + marker + text[end:]
    return text


def redact_for_display(text: str, public_names: Iterable[str] = ()) -> str:
    """Every pattern the guard knows replaced by a marker: safe to show a reviewer.

    Names of people are masked too (not only roster entries): an excerpt of a dropped
    sentence must not pair a name with what was dropped.
    """
    text = A_NUMBER.sub("[A-number]", text)
    text = BIRTHDATE.sub("[birthdate]", text)
    text = EMAIL.sub("[e-mail]", text)
    text = PHONE.sub("[phone]", text)
    return _mask_spans(text, _person_names(text, public_names), "[name]")


def _excerpt(text: str, public_names: Iterable[str], words: int = 18) -> str:
    shown = redact_for_display(text, public_names).split()
    return " ".join(shown[:words]) + (" …" if len(shown) > words else "")


def _phone_is_personal(match: re.Match) -> bool:
    """Toll-free numbers belong to agencies and hotlines; other numbers may be a person's."""
    area = match.group(1)
    return area not in TOLL_FREE


def guard_sentence(sentence: str, *, where: str = "", source: int | None = None,
                   public_names: Iterable[str] = ()) -> Guarded:
    """Decide one sentence: pass it, redact contact details in it, or leave it out."""
    public_names = tuple(public_names)
    excerpt = _excerpt(sentence, public_names)

    def drop(reason: str) -> Guarded:
        return Guarded(None, (Decision("dropped", reason, excerpt, where, source),))

    if A_NUMBER.search(sentence):
        return drop("a-number")
    if BIRTHDATE.search(sentence):
        return drop("birthdate")
    if _roster_names(sentence, public_names):
        return drop("private-names")
    decisions = []
    text = sentence
    emails = [m for m in EMAIL.finditer(text) if not PUBLIC_EMAIL_DOMAIN.search(m.group(0))]
    if emails:
        text = _mask_spans(text, [m.span() for m in emails], "[e-mail address removed]")
        decisions.append(Decision("redacted", "email", excerpt, where, source))
    phones = [m for m in PHONE.finditer(text) if _phone_is_personal(m)]
    if phones:
        text = _mask_spans(text, [m.span() for m in phones], "[phone number removed]")
        decisions.append(Decision("redacted", "phone", excerpt, where, source))
    return Guarded(text, tuple(decisions))


def guard_title(title: str, *, source: int | None = None,
                public_names: Iterable[str] = ()) -> Guarded:
    """Titles cannot be left out, so everything the guard finds in one is masked instead."""
    guarded = guard_sentence(title, where="title", source=source, public_names=public_names)
    if guarded.text is not None:
        return guarded
    masked = redact_for_display(title, public_names)
    decision = guarded.decisions[0]
    return Guarded(masked, (Decision("redacted", decision.reason, decision.excerpt, "title",
                                     source),))


def contains_personal_data(text: str, public_names: Iterable[str] = ()) -> list[str]:
    """The reasons the guard would act on `text` (for tests and checks over whole drafts)."""
    reasons = []
    if A_NUMBER.search(text):
        reasons.append("a-number")
    if BIRTHDATE.search(text):
        reasons.append("birthdate")
    if any(not PUBLIC_EMAIL_DOMAIN.search(m.group(0)) for m in EMAIL.finditer(text)):
        reasons.append("email")
    if any(_phone_is_personal(m) for m in PHONE.finditer(text)):
        reasons.append("phone")
    if _roster_names(text, public_names):
        reasons.append("private-names")
    return reasons
