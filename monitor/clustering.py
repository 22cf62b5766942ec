"""Near-duplicate and same-story detection: one incident, many sources.

Every article becomes a `Signature`: a MinHash (datasketch, `affine32`, 128 permutations) over
word 3-shingles of the normalised title and text, plus a small *profile* of language-neutral
anchors taken from the facts (agencies, counts, places, dates, organisations), from the title
(content words) and from the text itself (proper-noun tokens such as a detainee's surname,
accents folded; explicit dates in English or Spanish; numbers), so the rule still works when the
fact extractor finds little. The signature serialises to bytes, so the index can be rebuilt
from stored rows (`IncidentIndex.restore`) and each run only signs the new articles.

Candidates for a new article are the incidents of (a) its LSH neighbours (text Jaccard above
`lsh_threshold`) and (b) the incidents sharing a fact key with it (a specific place token, a
person-like name, a count, an event date, an organisation), within `window_days` of the
incident's first/last article. Each candidate incident is scored against the union of its
articles' profiles; the best passing candidate wins.

The rule (evidence points, each signal capped):

=============  =========================================================  ==========
signal         matches when                                               points
=============  =========================================================  ==========
text           estimated word-shingle Jaccard >= 0.15 / 0.30 / 0.50       1 / 2 / 3
title          Dice of title content words >= 0.5 / 0.7                    1 / 1.5
place          a specific place (city, facility, site) shares a token     1.5 +0.5 each, cap 2.5
state          same US state (only when no specific place is shared)      0.5
count          a count of people agrees (within 5%)                       1.5 +0.5, cap 2
figure         a distinctive figure (>= 100, not round: 6,252) appears    2.5 (in place of count)
               on both sides, as a count or anywhere in the text
date           an event date agrees exactly / only within a day           1.5 +0.5, cap 2 / 0.75
names          proper-noun tokens shared (not places/orgs/agencies)       1 each, cap 3
numbers        other numbers in the text agree (ages, sums; >= 10)        1 +0.5, cap 1.5
org            an organisation shares a token                             1, cap 1.5
agency         same agency (ICE, CBP, ...; HSI/ERO count as ICE)           0.5
type           same incident type / different type                        +0.5 / -1
=============  =========================================================  ==========

Names found in more than three other incidents of the time window (a spokesperson, a president)
and very common given names (José, María, John) count 0.3 instead of 1; officials quoted in
every kind of story (Trump, Noem, Homan, ...) are not names at all; and fact keys shared by
more than 50 incidents of the window are not used to find candidates (they are not
discriminating, and skipping them keeps lookups cheap).

An article joins an incident when score >= `join_score` (3.0), at least two signals of
different kinds matched (or one distinctive figure: two stories in the same fortnight do not
share "6,252" by chance), and at least one of them is a *specific* fact (specific place, count,
date, names, organisation, numbers): text, title and agency alone never join below the
near-duplicate threshold, because agency releases are templated (the ICE death-in-custody
boilerplate gives two releases about different people a Jaccard of 0.5).

Vetoes, because two incidents of the same type in the same month must never merge:

* state conflict: both sides name US states and none is shared;
* place conflict: both name specific places, none shared, no count agrees and fewer than
  two uncommon names are shared (a date is no excuse: two deaths a day apart happen);
* no name in common: each side has three or more uncommon proper nouns and they share none
  (and no count agrees): same-story reports always share a person, place or organisation;
* figures conflict: both give counts and none agrees, *and* both give dates and none agrees
  (two removal flights to Caracas a fortnight apart with 199 and 175 people);
* a count conflict alone costs 1 point (figures get revised, extractors misread "F-150"); a
  date conflict alone costs 2. "Washington" never makes a state conflict.

A near-duplicate (Jaccard >= `duplicate_threshold`, 0.8, or Jaccard >= 0.5 with >= 0.8 of the
shorter text contained in the other: a trimmed syndicated copy) joins its original's incident
and is recorded as `duplicate_of`, even outside the time window; it is still refused on a state,
place or name veto (templated releases about different people). Everything that decided an
assignment is returned in `Assignment.reason` so `monitor incidents show ID` can print it.
"""

from __future__ import annotations

import functools
import json
import math
import re
import struct
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from monitor.urls import normalise_text

SHINGLE_SIZE = 3
SIGNATURE_MAGIC = b"IXS1"
MAX_DOCS_COMPARED = 50  # text/title comparison per incident; profiles still use every article
MAX_BLOCK = 50  # a fact key shared by more in-window incidents is too common to block on

AGENCY_PARENT = {"HSI": "ICE", "ERO": "ICE", "BORDER PATROL": "CBP", "USBP": "CBP", "OFO": "CBP"}

US_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "new hampshire", "new jersey",
    "new mexico", "new york", "north carolina", "north dakota", "ohio", "oklahoma", "oregon",
    "pennsylvania", "rhode island", "south carolina", "south dakota", "tennessee", "texas",
    "utah", "vermont", "virginia", "washington", "west virginia", "wisconsin", "wyoming",
    "puerto rico", "district of columbia",
}
PLACE_ALIASES = {  # Spanish names of US states and cities -> English, accents already folded
    "nueva york": "new york", "nuevo mexico": "new mexico", "nueva jersey": "new jersey",
    "carolina del norte": "north carolina", "carolina del sur": "south carolina",
    "dakota del norte": "north dakota", "dakota del sur": "south dakota", "luisiana": "louisiana",
    "pensilvania": "pennsylvania", "misisipi": "mississippi", "misuri": "missouri",
    "virginia occidental": "west virginia", "hawai": "hawaii", "tenesi": "tennessee",
    "oregon": "oregon", "nuevo hampshire": "new hampshire", "nueva orleans": "new orleans",
    "filadelfia": "philadelphia", "washington d c": "district of columbia",
    "estados unidos": "united states", "eeuu": "united states", "ee uu": "united states",
    "mexico": "mexico",
}
AMBIGUOUS_STATES = frozenset({"washington"})  # in news text, usually the federal government
BROAD_KINDS = {"state", "country", "region", "nation", "continent", "province"}
COUNTRIES = {
    "united states", "mexico", "guatemala", "honduras", "el salvador", "nicaragua", "venezuela",
    "colombia", "cuba", "haiti", "ecuador", "peru", "brazil", "china", "india", "canada",
    "south korea", "corea del sur", "dominican republic", "republica dominicana", "usa", "us",
}
PLACE_GENERIC = {
    "center", "centre", "detention", "processing", "service", "facility", "county", "city",
    "regional", "medical", "hospital", "correctional", "contract", "centro", "detencion",
    "procesamiento", "de", "del", "la", "el", "los", "las", "san", "santa", "new", "nueva",
    "nuevo", "north", "south", "east", "west", "fort", "port", "saint", "st", "lake", "the",
    "of", "and", "y", "in", "at", "ice", "federal", "jail", "prison", "court", "immigration",
    "condado", "ciudad", "airport", "aeropuerto", "international", "internacional", "building",
    "plant", "site", "office", "field", "camp", "institute", "health", "healthcare", "campus",
    "valley", "river", "beach", "springs", "park", "hills", "heights", "island", "bay", "creek",
    "mount", "point", "grove", "falls", "harbor", "canyon", "memorial", "general", "baptist",
    "university", "foods", "farm", "farms", "factory", "station", "street", "avenue", "road",
    "highway", "border", "bridge", "crossing", "downtown", "area", "metro", "greater",
}
ORG_GENERIC = {
    "project", "group", "coalition", "coalicion", "center", "law", "rights", "immigrant",
    "immigrants", "inmigrantes", "de", "del", "la", "el", "foundation", "council", "network",
    "alliance", "department", "office", "university", "the", "of", "and", "for", "y", "para",
    "state", "national", "american", "association", "asociacion", "inc", "llc", "corp",
    "company", "services", "union", "committee", "legal", "refugee", "justice", "human",
    "first", "patrol", "highway", "government", "gobierno", "ministry", "ministerio",
}
STOPWORDS = set("""
a an the of and or but if in on at by for to from with without into onto over under after before
about as is are was were be been being has have had do does did not no yes this that these those
it its he she they them his her their our we you i who whom which what when where why how than
then there here said says say will would could should may might can also just more most less
least many much some any each every all both few other such only own same so too very new one
two three four five six seven eight nine ten first second third last week day days year years
month months monday tuesday wednesday thursday friday saturday sunday january february march
april june july august september october november december jan feb mar apr jun jul aug sep sept
oct nov dec mr mrs ms dr rep sen gov u.s us federal officials official agency agencies according
el la los las un una unos unas de del al y o pero si en con por para sin sobre tras ante bajo
desde hasta entre es son fue fueron ser ha han habia este esta estos estas ese esa eso esos esas
que quien quienes cual como cuando donde porque mas menos muy tambien ya no se su sus le les lo
dijo segun lunes martes miercoles jueves viernes sabado domingo enero febrero marzo abril mayo
junio julio agosto septiembre setiembre octubre noviembre diciembre ano anos mes dia dias
""".split())
NAME_STOP = STOPWORDS | {
    "immigration", "customs", "enforcement", "removal", "operations", "homeland", "security",
    "department", "office", "inspector", "general", "professional", "responsibility", "services",
    "citizenship", "border", "patrol", "protection", "investigations", "special", "agent",
    "charge", "united", "states", "america", "american", "national", "federal", "state", "court",
    "judge", "attorney", "attorneys", "lawyer", "congress", "congressional", "house", "senate",
    "white", "administration", "president", "secretary", "minister", "ministro", "news", "press",
    "release", "statement", "update", "breaking", "exclusive", "video", "photos", "read", "more",
    "servicio", "inmigracion", "control", "aduanas", "seguridad", "nacional", "departamento",
    "oficina", "patrulla", "fronteriza", "estados", "unidos", "gobierno", "presidente", "corte",
    "tribunal", "juez", "jueza", "abogado", "abogada", "centro", "detencion", "agentes", "agente",
    "associated", "reuters", "getty", "images", "copyright", "twitter", "facebook", "instagram",
    "share", "subscribe", "advertisement", "related", "ap", "afp", "efe", "cnn", "inc", "llc",
    "northern", "southern", "eastern", "western", "central", "district", "county", "city",
    "act", "program", "operation", "operacion", "policy", "law", "bill", "order", "rule",
    # programmes and legal terms are capitalised but name no particular incident
    "temporary", "protected", "status", "estatus", "proteccion", "temporal", "deferred",
    "action", "childhood", "arrivals", "daca", "parole", "humanitarian", "asylum", "asilo",
    "refugee", "refugees", "visa", "visas", "green", "card", "alien", "aliens", "enemies",
    "register", "supreme", "circuit", "appeals", "board", "review", "executive", "proclamation",
    "notice", "designation", "termination", "extension", "employment", "authorization",
    "document", "documents", "permanent", "resident", "residents", "citizen", "citizens",
    "naturalization", "proceedings", "detainer", "detainers", "sanctuary", "cities",
    "amendment", "constitution",
    "democrats", "republicans", "democrat",
    "republican", "governor", "mayor", "sheriff", "police", "agency", "agencia",
}
# officials quoted in stories about every kind of incident: naming them says nothing
NAME_STOP |= {
    "trump", "biden", "obama", "harris", "vance", "noem", "homan", "mclaughlin", "lyons",
    "mayorkas", "rubio", "bondi", "garland", "hegseth", "leavitt", "abbott", "desantis",
    "newsom", "hochul", "pritzker", "kristi", "donald", "kamala", "tricia",
}
NAME_STOP |= PLACE_GENERIC | ORG_GENERIC
# given names shared by thousands of people: weak evidence (0.3), and never "uncommon"
COMMON_GIVEN_NAMES = frozenset({
    "jose", "juan", "carlos", "luis", "jesus", "miguel", "francisco", "antonio", "manuel",
    "pedro", "alejandro", "jorge", "mario", "ricardo", "roberto", "fernando", "javier",
    "eduardo", "rafael", "oscar", "sergio", "victor", "daniel", "david", "angel", "maria",
    "ana", "rosa", "carmen", "guadalupe", "juana", "john", "james", "michael",
    "robert", "william", "mary", "jennifer", "linda", "elizabeth", "joseph", "thomas",
    "alberto", "mohammed", "muhammad", "ahmed", "ali",
})
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*", re.UNICODE)
_CAP = re.compile(r"\b[A-ZÁÉÍÓÚÑÜ][\w’'-]+", re.UNICODE)


_COMBINING = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase and strip accents: "Jesús Ramírez" and "Jesus Ramirez" are the same anchor."""
    if not text or text.isascii():
        return (text or "").casefold()
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).casefold()


def _tokens(text: str) -> list[str]:
    return [t.strip("'’-") for t in re.findall(r"[a-z0-9][a-z0-9'’-]*", fold(text))]


# --------------------------------------------------------------------------- data model


@dataclass
class Doc:
    """One article as the clusterer sees it (facts in the monitor.facts format)."""

    id: int
    title: str
    text: str
    language: str = "en"
    published: str | None = None  # ISO 8601
    incident_type: str | None = None
    facts: Mapping[str, list[dict]] = field(default_factory=dict)


@dataclass
class Profile:
    """The language-neutral anchors of one article (or the union over an incident's articles)."""

    title: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()
    counts: frozenset[int] = frozenset()
    specific: frozenset[str] = frozenset()  # significant tokens of cities, facilities, sites
    states: frozenset[str] = frozenset()
    place_tokens: frozenset[str] = frozenset()  # every token of every place, to exclude from names
    dates: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    org_tokens: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    numbers: frozenset[int] = frozenset()  # other numbers in the text (ages, sums, capacities)

    def to_json(self) -> dict:
        return {k: sorted(v) for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: Mapping) -> Profile:
        return cls(**{k: frozenset(data.get(k, ())) for k in cls.__dataclass_fields__})

    def union(self, other: Profile) -> Profile:
        return Profile(**{k: getattr(self, k) | getattr(other, k) for k in self.__dict__})


@dataclass
class Signature:
    """What the index keeps per article; `to_bytes` is what storage persists."""

    doc_id: int
    minhash: LeanMinHash
    profile: Profile
    published: str | None = None
    incident_type: str | None = None
    size: int = 0  # number of distinct shingles, to turn a Jaccard estimate into containment

    def to_bytes(self) -> bytes:
        """Magic, MinHash length, little-endian LeanMinHash, then the profile as JSON."""
        mh = bytearray(self.minhash.bytesize("<"))
        self.minhash.serialize(mh, "<")
        meta = {
            "doc_id": self.doc_id, "published": self.published,
            "incident_type": self.incident_type, "size": self.size,
            "profile": self.profile.to_json(),
        }
        body = json.dumps(meta, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return SIGNATURE_MAGIC + struct.pack("<I", len(mh)) + bytes(mh) + body

    @classmethod
    def from_bytes(cls, blob: bytes) -> Signature:
        if blob[:4] != SIGNATURE_MAGIC:
            raise ValueError("not an incident signature")
        (size,) = struct.unpack_from("<I", blob, 4)
        minhash = LeanMinHash.deserialize(blob[8:8 + size], "<")
        meta = json.loads(blob[8 + size:].decode("utf-8"))
        return cls(meta["doc_id"], minhash, Profile.from_json(meta["profile"]),
                   meta.get("published"), meta.get("incident_type"), meta.get("size", 0))


@dataclass
class Assignment:
    """Where an article goes and why. incident_id None means "start a new incident"."""

    incident_id: int | None
    reason: dict
    duplicate_of: int | None
    signature: Signature


@dataclass
class _Incident:
    doc_ids: list[int] = field(default_factory=list)
    profile: Profile = field(default_factory=Profile)
    first: datetime | None = None
    last: datetime | None = None
    types: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- profiles


def shingles(text: str, size: int = SHINGLE_SIZE) -> set[str]:
    """Word n-grams of the normalised text; short texts fall back to single words."""
    words = normalise_text(text).split()
    if len(words) < size:
        return set(words)
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


@functools.lru_cache(maxsize=1 << 17)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


_K1, _K2, _K3 = np.uint32(0x9E3779B1), np.uint32(0x85EBCA77), np.uint32(0xC2B2AE3D)


def shingle_hashes(text: str, size: int = SHINGLE_SIZE) -> np.ndarray:
    """Distinct 32-bit hashes of the word 3-shingles, vectorised.

    Each word is hashed once (CRC32, cached); a shingle's hash is an odd-multiplier mix of its
    three word hashes, modulo 2^32. Stable across runs and Python versions, so stored
    signatures stay comparable; about 5x faster than hashing every shingle string.
    """
    words = normalise_text(text).split()
    if not words:
        return np.zeros(1, dtype=np.uint32)
    wh = np.fromiter((_word_hash(w) for w in words), dtype=np.uint32, count=len(words))
    if len(words) < size:
        return np.unique(wh)
    with np.errstate(over="ignore"):
        mixed = wh[:-2] * _K1 + wh[1:-1] * _K2 + wh[2:] * _K3
    return np.unique(mixed)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, as datasketch's affine32 scheme applies it."""
    with np.errstate(over="ignore"):
        hv = hv ^ (hv >> np.uint32(16))
        hv = hv * np.uint32(0x85EBCA6B)
        hv = hv ^ (hv >> np.uint32(13))
        hv = hv * np.uint32(0xC2B2AE35)
        return hv ^ (hv >> np.uint32(16))


def minhash_of(text: str, num_perm: int = 128, seed: int = 1) -> LeanMinHash:
    """MinHash (datasketch affine32) of the text's word shingles."""
    return _minhash_and_size(text, num_perm, seed)[0]


@functools.cache
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    return a.astype(np.uint32), b.astype(np.uint32)


def _minhash_and_size(text: str, num_perm: int = 128, seed: int = 1) -> tuple[LeanMinHash, int]:
    """Same values as `MinHash(scheme="affine32").update_batch(hashes)`, without its Python loop."""
    hashes = shingle_hashes(text)
    a, b = _permutations(num_perm, seed)
    with np.errstate(over="ignore"):
        values = (_fmix32(hashes)[:, None] * a + b).min(axis=0)
    return LeanMinHash(seed=seed, hashvalues=values, scheme="affine32"), len(hashes)


def containment(jaccard: float, size_a: int, size_b: int) -> float:
    """Share of the smaller text found in the other, from the Jaccard estimate and set sizes.

    A syndicated copy that drops two paragraphs has a Jaccard near 0.7 with the original but a
    containment near 0.9: containment is what "reprint" means.
    """
    if not size_a or not size_b:
        return jaccard
    overlap = jaccard / (1 + jaccard) * (size_a + size_b)
    return min(1.0, overlap / min(size_a, size_b))


def _place_key(value: str) -> str:
    key = " ".join(_tokens(value))
    return PLACE_ALIASES.get(key, key)


def _value_list(facts: Mapping, key: str) -> list[dict]:
    items = facts.get(key) or []
    return [item for item in items if isinstance(item, dict) and item.get("value") is not None]


def names_in(text: str) -> set[str]:
    """Proper-noun-like tokens of body text: capitalised mid-sentence, never seen lowercase.

    Titles are left out (Title Case headlines capitalise every word) and so are words seen only
    at the start of a sentence ("Fatalities in ICE custody ..." is boilerplate, not a name).
    """
    lower_seen = set(fold(" ".join(re.findall(r"\b[a-záéíóúñü][\w’'-]*", text))).split())
    initial: set[str] = set()
    inner: set[str] = set()
    for match in _CAP.finditer(text):
        before = text[max(0, match.start() - 12):match.start()].rstrip()
        at_start = not before or before[-1] in ".!?:;\"“”—–("
        for n, part in enumerate(re.split(r"[-’']", match.group(0))):
            token = fold(part)
            if len(token) < 3 or token in NAME_STOP or token in lower_seen:
                continue
            if part.isupper() and len(part) <= 5:  # acronyms are agencies or outlets, not names
                continue
            (initial if at_start and n == 0 else inner).add(token)
    return inner


MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "february": 2, "feb": 2, "febrero": 2, "march": 3,
    "mar": 3, "marzo": 3, "april": 4, "apr": 4, "abril": 4, "may": 5, "mayo": 5, "june": 6,
    "jun": 6, "junio": 6, "july": 7, "jul": 7, "julio": 7, "august": 8, "aug": 8, "agosto": 8,
    "september": 9, "sept": 9, "sep": 9, "septiembre": 9, "setiembre": 9, "october": 10,
    "oct": 10, "octubre": 10, "november": 11, "nov": 11, "noviembre": 11, "december": 12,
    "dec": 12, "diciembre": 12,
}
# a generic word + day pattern, then a dict lookup: much faster than a 40-way alternation
_DATE_EN = re.compile(r"\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4}))?")
_DATE_ES = re.compile(r"\b(\d{1,2})\s+de\s+([a-z]{4,10})\b(?:\s+(?:de|del)\s+(\d{4}))?")


def _date_matches(folded: str) -> list[tuple[int, int, str | None, tuple[int, int]]]:
    """(month, day, year text, span) of every English or Spanish month-day date."""
    out = []
    for m in _DATE_EN.finditer(folded):
        if m.group(1) in MONTHS:
            out.append((MONTHS[m.group(1)], int(m.group(2)), m.group(3), m.span()))
    for m in _DATE_ES.finditer(folded):
        if m.group(2) in MONTHS:
            out.append((MONTHS[m.group(2)], int(m.group(1)), m.group(3), m.span()))
    return out
_NUMBER = re.compile(
    r"(?<![\w.,$§#/(-])(\d{1,3}(?:[.,]\d{3})+|\d{1,4})(?![\w(/]|[.,]\d|\s*\(|-\d)"
)
_LEGAL_BEFORE = re.compile(r"(?:section|sec|u\.?s\.?c|c\.?f\.?r|no|case|form|title|ley|articulo)"
                           r"\.?\s*$")


_STATE_NAMES = sorted(
    (US_STATES - {"washington", "georgia"})
    | {k for k, v in PLACE_ALIASES.items() if v in US_STATES},
    key=len, reverse=True,
)
_STATE_TOKENS = {t for name in US_STATES | set(PLACE_ALIASES) for t in name.split()}
_STATE_SET = frozenset(_STATE_NAMES)
_STATE_FIRST = frozenset(name.split()[0] for name in _STATE_SET)


def states_in(text: str) -> set[str]:
    """US states named in the text, Spanish names mapped to English ("Nuevo México").

    Washington and Georgia are left to the fact extractor: in news text they are as often the
    federal government and the country as the states.
    """
    return _states_folded(fold(text))


def _states_folded(folded: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", folded)
    found = set()
    for i, word in enumerate(words):
        if word not in _STATE_FIRST:
            continue
        for n in (1, 2, 3):
            name = word if n == 1 else " ".join(words[i:i + n])
            if name in _STATE_SET:
                found.add(PLACE_ALIASES.get(name, name))
    return found


def dates_in(text: str, published: str | None) -> set[str]:
    """Explicit month-day dates in English or Spanish, the year taken from context.

    A date without a year is put in the year before publication when it would otherwise fall
    more than six months after it ("Dec. 30" in a January article); nearer future dates stay
    (an effective date, a hearing). Weekdays are ignored: "said
    Wednesday" is usually the publication day, which every story of that day shares.
    """
    return _dates_folded(fold(text), published)


def _dates_folded(folded: str, published: str | None) -> set[str]:
    when = _parse_time(published)
    out: set[str] = set()
    for month, day, year_text, _ in _date_matches(folded):
        year = int(year_text) if year_text else (when.year if when else None)
        if year is None:
            continue
        try:
            value = date(year, month, day)
        except ValueError:
            continue
        if not year_text and when and value > when.date() + timedelta(days=183):
            try:
                value = date(year - 1, month, day)
            except ValueError:  # Feb. 29
                continue
        out.add(value.isoformat())
    return out


def numbers_in(text: str) -> set[int]:
    """Numbers >= 10 written in digits (6,252 and 6.252 alike); years and day-of-month excluded."""
    return _numbers_folded(fold(text))


def _numbers_folded(folded: str) -> set[int]:
    out: set[int] = set()
    text = folded
    spans = [span for *_, span in _date_matches(folded)]
    for match in _NUMBER.finditer(text):
        if any(a <= match.start() < b for a, b in spans):
            continue
        raw = match.group(1)
        value = int(re.sub(r"[.,]", "", raw))
        if value < 10 or (1900 <= value <= 2100 and len(raw) == 4):
            continue
        if _LEGAL_BEFORE.search(text[max(0, match.start() - 12):match.start()]):
            continue  # statute sections and case numbers recur across unrelated stories
        out.add(value)
    return out


def distinctive(value: int) -> bool:
    """A figure unlikely to recur by chance: >= 100 and not round (6,252 or 475, not 6,000)."""
    return value >= 100 and value % 10 != 0


def _sentence_case(title: str) -> bool:
    """Title Case headlines capitalise everything; only sentence-case titles yield names."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", title) if len(w) > 3]
    if len(words) < 3:
        return False
    capitalised = sum(w[0].isupper() for w in words[1:])
    return capitalised / (len(words) - 1) < 0.5


def profile_of(doc: Doc) -> Profile:
    """Extract the anchors of one article; pure function of the Doc."""
    facts = doc.facts or {}
    agencies = set()
    for item in _value_list(facts, "agencies"):
        value = str(item["value"]).strip().upper()
        agencies.add(AGENCY_PARENT.get(value, value))
    counts = set()
    for item in _value_list(facts, "counts"):
        try:
            value = int(item["value"])
        except (TypeError, ValueError):
            continue
        if value >= 2:
            counts.add(value)
    specific, states, place_tokens = set(), set(), set()
    for item in _value_list(facts, "places"):
        key = _place_key(str(item["value"]))
        if not key:
            continue
        place_tokens.update(key.split())
        kind = str(item.get("kind") or "").lower()
        if key in US_STATES:
            states.add(key)
        elif kind in BROAD_KINDS or key in COUNTRIES:
            continue
        else:
            significant = [t for t in key.split() if t not in PLACE_GENERIC and len(t) > 2]
            specific.update(significant or [key])
    dates = set()
    for item in _value_list(facts, "dates"):
        value = str(item["value"])[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            dates.add(value)
    orgs, org_tokens = set(), set()
    for item in _value_list(facts, "organizations"):
        toks = _tokens(str(item["value"]))
        org_tokens.update(toks)
        orgs.update(t for t in toks if t not in ORG_GENERIC and len(t) > 2)
    title = {t for t in _tokens(doc.title) if t not in STOPWORDS and len(t) > 2}
    title = {t[:-1] if t.endswith("s") and len(t) > 4 else t for t in title}
    names = names_in(doc.text)
    if _sentence_case(doc.title):
        names |= names_in(doc.title)
    names -= _STATE_TOKENS
    folded = fold(f"{doc.title}. {doc.text}")
    states |= _states_folded(folded)
    dates |= _dates_folded(folded, doc.published)
    numbers = _numbers_folded(folded) - counts
    agency_tokens = {fold(a) for a in agencies}
    names -= agency_tokens
    return Profile(
        title=frozenset(title), agencies=frozenset(agencies), counts=frozenset(counts),
        specific=frozenset(specific), states=frozenset(states),
        place_tokens=frozenset(place_tokens), dates=frozenset(dates), orgs=frozenset(orgs),
        org_tokens=frozenset(org_tokens), names=frozenset(names), numbers=frozenset(numbers),
    )


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.fromisoformat(str(value)[:10])
        except ValueError:
            return None
    return parsed.replace(tzinfo=None) if parsed.tzinfo is None else parsed.astimezone(
        tz=None).replace(tzinfo=None)


def _counts_agree(a: int, b: int) -> bool:
    return abs(a - b) <= 0.05 * max(a, b)


def _dates_agree(a: str, b: str) -> bool:
    try:
        return abs(date.fromisoformat(a) - date.fromisoformat(b)) <= timedelta(days=1)
    except ValueError:
        return a == b


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Rule:
    """Thresholds of the joining rule (see the module docstring)."""

    join_score: float = 3.0
    duplicate_threshold: float = 0.8
    window_days: int = 14
    common_name_incidents: int = 3  # a name in more in-window incidents than this is "common"
    duplicate_containment: float = 0.8
    duplicate_min_jaccard: float = 0.5

    def is_duplicate(self, jaccard: float, contained: float) -> bool:
        """Near-duplicate: very similar, or one text mostly inside the other (trimmed reprint)."""
        return jaccard >= self.duplicate_threshold or (
            jaccard >= self.duplicate_min_jaccard and contained >= self.duplicate_containment
        )


def score_pair(
    doc: Profile,
    incident: Profile,
    *,
    jaccard: float,
    title_similarity: float,
    containment: float | None = None,
    same_type: bool | None,
    common_names: frozenset[str] = frozenset(),
    rule: Rule = Rule(),
) -> dict:
    """Score one article profile against an incident profile; returns the explainable reason."""
    common_names = common_names | COMMON_GIVEN_NAMES
    points: dict[str, float] = {}
    shared: dict[str, list] = {}
    if jaccard >= 0.5:
        points["text"] = 3.0
    elif jaccard >= 0.3:
        points["text"] = 2.0
    elif jaccard >= 0.15:
        points["text"] = 1.0
    if title_similarity >= 0.7:
        points["title"] = 1.5
    elif title_similarity >= 0.5:
        points["title"] = 1.0
    places = sorted(doc.specific & incident.specific)
    if places:
        points["place"] = min(2.5, 1.5 + 0.5 * (len(places) - 1))
        shared["places"] = places
    states = sorted(doc.states & incident.states)
    if states:
        shared["states"] = states
        if not places:
            points["state"] = 0.5
    counts = sorted({a for a in doc.counts for b in incident.counts if _counts_agree(a, b)})
    if counts:
        points["count"] = min(2.0, 1.5 + 0.5 * (len(counts) - 1))
        shared["counts"] = counts
    figures = (doc.numbers | doc.counts) & (incident.numbers | incident.counts)
    rare = sorted(v for v in figures if distinctive(v))
    if rare:
        points["count"] = max(points.get("count", 0.0), 2.5)
        shared["distinctive_figures"] = rare
    dates = sorted({a for a in doc.dates for b in incident.dates if _dates_agree(a, b)})
    exact_dates = sorted(doc.dates & incident.dates)
    if exact_dates:
        points["date"] = min(2.0, 1.5 + 0.5 * (len(exact_dates) - 1))
        shared["dates"] = exact_dates
    elif dates:
        points["date"] = 0.75
        shared["dates"] = dates
    excluded = doc.place_tokens | incident.place_tokens | doc.org_tokens | incident.org_tokens
    names = sorted((doc.names & incident.names) - excluded)
    if names:
        weight = sum(0.3 if n in common_names else 1.0 for n in names)
        points["names"] = round(min(3.0, weight), 2)
        shared["names"] = names
    numbers = sorted(figures - set(counts) - set(rare))
    if numbers:
        points["numbers"] = min(1.5, 1.0 + 0.5 * (len(numbers) - 1))
        shared["numbers"] = numbers
    orgs = sorted(doc.orgs & incident.orgs)
    if orgs:
        points["org"] = min(1.5, 1.0 + 0.5 * (len(orgs) - 1))
        shared["organizations"] = orgs
    agencies = sorted(doc.agencies & incident.agencies)
    if agencies:
        points["agency"] = 0.5
        shared["agencies"] = agencies
    if same_type is True:
        points["type"] = 0.5
    elif same_type is False:
        points["type"] = -1.0

    conflicts: list[str] = []
    count_conflict = bool(doc.counts and incident.counts and not counts)
    date_conflict = bool(doc.dates and incident.dates and not dates)
    if count_conflict:
        points["count_conflict"] = -1.0
        conflicts.append("counts")
    if date_conflict:
        points["date_conflict"] = -2.0
        conflicts.append("dates")
    vetoes: list[str] = []
    doc_states, inc_states = doc.states - AMBIGUOUS_STATES, incident.states - AMBIGUOUS_STATES
    if doc_states and inc_states and not states:
        vetoes.append("different states")
    strong_names = [n for n in names if n not in common_names]
    doc_own = doc.names - excluded - common_names
    inc_own = incident.names - excluded - common_names
    if len(doc_own) >= 3 and len(inc_own) >= 3 and not names and not counts:
        vetoes.append("no name in common")
    if doc.specific and incident.specific and not places and not counts and len(strong_names) < 2:
        vetoes.append("different places")
    if count_conflict and date_conflict:
        vetoes.append("different figures and dates")

    score = round(sum(points.values()), 2)
    kinds = {k for k, v in points.items() if v > 0 and k not in {"agency", "type", "state"}}
    specific = kinds & {"place", "count", "date", "names", "org", "numbers"}
    contained = jaccard if containment is None else containment
    duplicate = rule.is_duplicate(jaccard, contained)
    hard_vetoes = [v for v in vetoes if v != "different figures and dates"]
    if duplicate and not hard_vetoes:
        decision, joined = "near-duplicate", True
    elif vetoes:
        decision, joined = "veto: " + "; ".join(vetoes), False
    elif score >= rule.join_score and (len(kinds) >= 2 or rare) and specific:
        decision, joined = "same story", True
    else:
        decision, joined = "not enough evidence", False
    return {
        "decision": decision, "joined": joined, "score": score,
        "jaccard": round(jaccard, 3), "containment": round(contained, 3),
        "title_similarity": round(title_similarity, 3),
        "points": points, "shared": shared, "conflicts": conflicts,
    }


# --------------------------------------------------------------------------- the index


class IncidentIndex:
    """Incremental incident assignment: sign, assign, add; restore from stored signatures.

    Typical use by the storage stage, per new article::

        sig = index.signature(doc)
        a = index.assign(doc, sig)
        incident_id = a.incident_id or storage.create_incident(...)
        index.add(incident_id, doc, sig)          # and persist sig.to_bytes(), a.reason
    """

    def __init__(
        self,
        *,
        num_perm: int = 128,
        lsh_threshold: float = 0.3,
        window_days: int = 14,
        join_score: float = 3.0,
        duplicate_threshold: float = 0.8,
    ) -> None:
        self.num_perm = num_perm
        self.lsh_threshold = lsh_threshold
        self.rule = Rule(join_score, duplicate_threshold, window_days)
        self.lsh = MinHashLSH(threshold=lsh_threshold, num_perm=num_perm)
        self.signatures: dict[int, Signature] = {}
        self.incident_of: dict[int, int] = {}
        self.incidents: dict[int, _Incident] = {}
        # fact key -> week number -> incident ids: candidate lookup costs O(window), not O(archive)
        self.postings: dict[str, dict[int, set[int]]] = defaultdict(dict)
        self.latest_week = 0

    # -- signatures
    def signature(self, doc: Doc) -> Signature:
        """Sign one article: MinHash of title + text shingles and its anchor profile."""
        minhash, size = _minhash_and_size(f"{doc.title}\n{doc.text}", self.num_perm)
        return Signature(
            doc_id=doc.id, minhash=minhash, profile=profile_of(doc), published=doc.published,
            incident_type=doc.incident_type, size=size,
        )

    # -- state changes
    def add(self, incident_id: int, doc: Doc | None, signature: Signature | None = None) -> None:
        """Record that an article belongs to an incident (after `assign` or an operator's move)."""
        if signature is None:
            if doc is None:
                raise ValueError("need a doc or a signature")
            signature = self.signature(doc)
        doc_id = signature.doc_id
        if doc_id in self.incident_of:
            self.remove(doc_id)
        self.signatures[doc_id] = signature
        self.incident_of[doc_id] = incident_id
        self.lsh.insert(doc_id, signature.minhash, check_duplication=False)
        self._attach(incident_id, signature)

    def _week(self, when: datetime | None) -> int:
        return when.toordinal() // 7 if when else self.latest_week

    def _attach(self, incident_id: int, signature: Signature) -> None:
        inc = self.incidents.get(incident_id)
        if inc is None:  # a new incident shares its first article's profile: no copy
            inc = self.incidents[incident_id] = _Incident(profile=signature.profile)
        else:
            inc.profile = inc.profile.union(signature.profile)
        inc.doc_ids.append(signature.doc_id)
        if signature.incident_type:
            inc.types.add(signature.incident_type)
        when = _parse_time(signature.published)
        if when:
            inc.first = when if inc.first is None else min(inc.first, when)
            inc.last = when if inc.last is None else max(inc.last, when)
        week = self._week(when)
        self.latest_week = max(self.latest_week, week)
        for key in _fact_keys(signature.profile):
            self.postings[key].setdefault(week, set()).add(incident_id)

    def _detach(self, incident_id: int) -> list[int]:
        """Drop an incident's postings and profile; returns its article ids (still signed)."""
        inc = self.incidents.pop(incident_id, None)
        if inc is None:
            return []
        for doc_id in inc.doc_ids:
            signature = self.signatures[doc_id]
            week = self._week(_parse_time(signature.published))
            for key in _fact_keys(signature.profile):
                bucket = self.postings.get(key, {}).get(week)
                if bucket is not None:
                    bucket.discard(incident_id)
        return inc.doc_ids

    def _reattach(self, incident_id: int, doc_ids: Iterable[int]) -> None:
        for doc_id in sorted(doc_ids):
            if self.incident_of.get(doc_id) == incident_id:
                self._attach(incident_id, self.signatures[doc_id])

    def remove(self, doc_id: int) -> None:
        """Forget an article (operator split/move); its incident's profile is rebuilt."""
        incident_id = self.incident_of[doc_id]
        members = self._detach(incident_id)
        del self.incident_of[doc_id]
        self.signatures.pop(doc_id)
        self.lsh.remove(doc_id)
        self._reattach(incident_id, members)

    def merge(self, keep: int, drop: int) -> None:
        """Operator merge: every article of `drop` now belongs to `keep`."""
        kept, dropped = self._detach(keep), self._detach(drop)
        for doc_id in dropped:
            self.incident_of[doc_id] = keep
        self._reattach(keep, [*kept, *dropped])

    def move(self, doc_id: int, incident_id: int) -> None:
        """Operator split: put one article into another (possibly new) incident."""
        old = self.incident_of[doc_id]
        old_members, new_members = self._detach(old), self._detach(incident_id)
        self.incident_of[doc_id] = incident_id
        self._reattach(old, old_members)
        self._reattach(incident_id, [*new_members, doc_id])

    @classmethod
    def restore(
        cls, rows: Iterable[tuple[int, bytes] | Mapping], **kwargs: float
    ) -> IncidentIndex:
        """Rebuild from stored `(incident_id, signature_bytes)` rows (or dicts with those keys).

        Rows should come in the order the articles were first assigned (e.g. by article id) so
        the rebuilt index equals the one that produced them; nothing is re-signed.
        """
        index = cls(**kwargs)  # type: ignore[arg-type]
        for row in rows:
            if isinstance(row, Mapping):
                incident_id, blob = row["incident_id"], row["signature"]
            else:
                incident_id, blob = row
            index.add(int(incident_id), None, Signature.from_bytes(bytes(blob)))
        return index

    # -- queries
    def _candidates(self, signature: Signature) -> tuple[set[int], frozenset[str]]:
        """Incidents worth scoring, and the names too common in the window to count fully."""
        found: set[int] = set()
        for doc_id in self.lsh.query(signature.minhash):
            found.add(self.incident_of[doc_id])
        when = _parse_time(signature.published)
        week = self._week(when)
        span = self.rule.window_days // 7 + 1
        common: set[str] = set()
        for key in _fact_keys(signature.profile):
            buckets = self.postings.get(key)
            if not buckets:
                continue
            near: set[int] = set()
            for w in range(week - span, week + span + 1):
                near.update(buckets.get(w, ()))
            if key.startswith("n:") and len(near) > self.rule.common_name_incidents:
                common.add(key[2:])
            if len(near) <= MAX_BLOCK:
                found.update(near)
        return found, frozenset(common)

    def _in_window(self, inc: _Incident, when: datetime | None) -> bool:
        if when is None or inc.first is None or inc.last is None:
            return True
        window = timedelta(days=self.rule.window_days)
        return inc.first - window <= when <= inc.last + window

    def score(
        self, signature: Signature, incident_id: int, common_names: frozenset[str] | None = None
    ) -> dict:
        """The explainable comparison of one signed article with one incident."""
        inc = self.incidents[incident_id]
        best_j, best_c, best_doc, best_title = 0.0, 0.0, None, 0.0
        for doc_id in inc.doc_ids[:MAX_DOCS_COMPARED]:
            other = self.signatures[doc_id]
            j = _jaccard(signature, other)
            c = containment(j, signature.size, other.size)
            if (c, j) > (best_c, best_j):
                best_j, best_c, best_doc = j, c, doc_id
            best_title = max(best_title, _dice(signature.profile.title, other.profile.title))
        same_type = None
        if signature.incident_type and inc.types:
            same_type = signature.incident_type in inc.types
        reason = score_pair(
            signature.profile, inc.profile, jaccard=best_j, containment=best_c,
            title_similarity=best_title,
            same_type=same_type,
            common_names=self._candidates(signature)[1] if common_names is None else common_names,
            rule=self.rule,
        )
        reason["incident_id"] = incident_id
        reason["closest_article"] = best_doc
        when = _parse_time(signature.published)
        if reason["joined"] and not self._in_window(inc, when):
            if reason["decision"] != "near-duplicate":
                reason["joined"] = False
                reason["decision"] = f"outside the {self.rule.window_days}-day window"
        return reason

    def assign(self, doc: Doc, signature: Signature | None = None) -> Assignment:
        """Pick the incident for a new article (not added yet: call `add` with the result)."""
        signature = signature or self.signature(doc)
        when = _parse_time(signature.published)
        reasons = []
        candidates, common = self._candidates(signature)
        for incident_id in sorted(candidates):
            inc = self.incidents[incident_id]
            if not self._in_window(inc, when) and not self._maybe_duplicate(signature, inc):
                continue
            reasons.append(self.score(signature, incident_id, common))
        joined = [r for r in reasons if r["joined"]]
        if not joined:
            best_rejected = max(reasons, key=lambda r: r["score"], default=None)
            reason = {"decision": "new incident", "candidates": len(reasons)}
            if best_rejected:
                reason["closest"] = best_rejected
            return Assignment(None, reason, None, signature)
        best = max(joined, key=lambda r: (r["decision"] == "near-duplicate", r["score"]))
        best = dict(best, candidates=len(reasons))
        duplicate_of = best["closest_article"] if best["decision"] == "near-duplicate" else None
        return Assignment(best["incident_id"], best, duplicate_of, signature)

    def _maybe_duplicate(self, signature: Signature, inc: _Incident) -> bool:
        for doc_id in inc.doc_ids[:MAX_DOCS_COMPARED]:
            other = self.signatures[doc_id]
            j = _jaccard(signature, other)
            if self.rule.is_duplicate(j, containment(j, signature.size, other.size)):
                return True
        return False

    def assignments(self) -> dict[int, int]:
        """doc id -> incident id, for evaluation and for checking a restore."""
        return dict(self.incident_of)


def _jaccard(a: Signature, b: Signature) -> float:
    same = np.count_nonzero(a.minhash.hashvalues == b.minhash.hashvalues)
    return float(same) / len(a.minhash.hashvalues)


def _fact_keys(profile: Profile) -> Iterator[str]:
    """Blocking keys: what a same-story article in another language must share to be compared."""
    for token in profile.specific:
        yield f"p:{token}"
    for value in profile.counts:
        if value >= 3:
            yield f"c:{value}"
    for value in profile.dates:
        yield f"d:{value}"
    for token in profile.orgs:
        yield f"o:{token}"
    for value in profile.numbers:
        if value >= 100:
            yield f"c:{value}"
    for token in profile.names:
        yield f"n:{token}"


def cluster(docs: Iterable[Doc], index: IncidentIndex | None = None) -> dict[int, int]:
    """Batch helper: assign documents in publication order; returns doc id -> incident id.

    New incidents are numbered from the first article's id, so labels are deterministic.
    """
    index = index or IncidentIndex()
    ordered = sorted(docs, key=lambda d: (d.published or "", d.id))
    for doc in ordered:
        sig = index.signature(doc)
        result = index.assign(doc, sig)
        index.add(result.incident_id if result.incident_id is not None else doc.id, doc, sig)
    return index.assignments()


def pairwise_scores(labels: Mapping[int, str], predicted: Mapping[int, int]) -> dict[str, float]:
    """Pairwise precision/recall/F1: over all pairs of articles, "same incident?" agreement."""
    ids = sorted(labels)
    tp = fp = fn = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            same_true = labels[a] == labels[b]
            same_pred = predicted.get(a) == predicted.get(b)
            tp += same_true and same_pred
            fp += same_pred and not same_true
            fn += same_true and not same_pred
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn,
            "pairs": math.comb(len(ids), 2)}
