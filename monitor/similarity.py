"""Same-story similarity: an article against an incident's centroid, one learned score.

After Miranda et al. (EMNLP 2018, multilingual streaming news clustering): every article is
compared with each candidate incident's *centroid* over several feature spaces, and one logistic
regression turns the per-space similarities into a probability with one threshold. Evidence is
soft: a conflicting state or figure lowers the score by its learned weight, it never vetoes.

Feature spaces of an article (`ArticleFeatures`):

* TF-IDF of lemmas (simplemma, English and Spanish offline), body and headline separately;
  Spanish lemmas in `data/cluster_terms.toml [translate]` are mapped to English, so a Spanish
  report's words can meet an English centroid;
* names: capitalised words inside sentences never seen lower-case in the text (a detainee's
  surname, a company), accents folded (`monitor.textfold.fold`);
* places *of the event*, from `monitor.facts` (the `data/` gazetteer) minus outlet names and
  attributions ("the Los Angeles Times reported"); states kept apart from specific places;
* figures (counts from the facts), compared with `monitor.figures.figures_agree`, so "6,000",
  "more than 6,000" and "6.000" are one figure;
* event dates and agencies from the facts, the incident type, the time gap, and whether the
  article's language is new to the incident;
* the best MinHash Jaccard with a member (`monitor.neardup`), for reprints.

The weights, the threshold and the IDF table are data (`data/cluster_model.json`), written by
`python -m monitor.cluster_training` from the real-report corpus's dev split and operator
decisions. Scoring needs numpy and simplemma only.
"""

from __future__ import annotations

import functools
import json
import math
import re
import tomllib
import zlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import simplemma

from monitor.figures import figures_agree
from monitor.textfold import fold

DATA = Path(__file__).with_name("data")
DEFAULT_MODEL = DATA / "cluster_model.json"
MAX_TERMS = 64  # an article's strongest lemmas; the rest add little to a cosine
MAX_TITLE_TERMS = 16
MAX_CENTROID_TERMS = 256
MAX_WORDS = 1500
BROAD_PLACES = {"state", "country", "region", "nation", "continent", "province"}
FEATURES = (
    "text_cosine", "closest_member_cosine", "title_cosine", "cross_language_text_cosine",
    "text_cosine_despite_conflict",
    "names_shared", "names_disjoint", "place_shared", "place_conflict", "state_shared",
    "state_conflict", "figure_agrees", "figure_conflict", "date_shared", "date_conflict",
    "agency_shared", "type_differs", "jaccard",
    "country_shared", "country_conflict", "names_novel",
)
# The time gap is computed (for the explanation and the follow-up role) but not weighed: in the
# corpus different incidents are mostly years apart, so a learned gap weight would do the work
# that content must do in a live stream, where every candidate is from the last weeks.
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d.,]*\d|\d", re.UNICODE)
_CAP = re.compile(r"(?<![\w'’])[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+(?:-[A-ZÁÉÍÓÚÑÜ][a-záéíóúñü]+)?")
_LOWER = re.compile(r"(?<![\w'’])[a-záéíóúñü][a-záéíóúñü]+")
_STOP = frozenset(
    "a an and are as at be been but by de del el en es for from has have he her his in is it its "
    "la las lo los of on or que se she so than that the their them they this to un una was were "
    "which who will with y al con para por su sus no not said dijo".split()
)


@functools.cache
def _terms_data() -> dict[str, Any]:
    with (DATA / "cluster_terms.toml").open("rb") as fh:
        return tomllib.load(fh)


@functools.cache
def _outlet_pattern() -> re.Pattern[str]:
    words = sorted(_terms_data()["places"]["outlet_words"], key=len, reverse=True)
    return re.compile(r"\s+(?:" + "|".join(re.escape(w) for w in words) + r")\b")


@functools.lru_cache(maxsize=1 << 17)
def _lemma(word: str, language: str) -> str:
    langs = ("es", "en") if language == "es" else ("en", "es")
    # low_memory: the dictionaries stay compressed (about 13 MB instead of 117 MB for the two
    # languages), the same lemmas; the cache above makes the slower lookup rare.
    lemma = fold(simplemma.lemmatize(word, lang=langs, low_memory=True))
    return _terms_data()["translate"].get(lemma, lemma) if language == "es" else lemma


_LEMMAS: dict[str, dict[str, str | None]] = {}  # language -> word -> lemma (None: not content)
_LEMMA_CACHE_SIZE = 1 << 18


def _lemma_table(words: list[str], language: str) -> dict[str, str | None]:
    """The language's word -> lemma memo, filled for `words`: the same words recur in every
    article, so each is lemmatised once (simplemma per word was a quarter of signing)."""
    table = _LEMMAS.setdefault(language, {})
    missing = set(words).difference(table)
    if len(table) + len(missing) > _LEMMA_CACHE_SIZE:
        table.clear()
        missing = set(words)
    for word in missing:
        keep = not (word in _STOP or len(word) < 3 or word[0].isdigit())
        table[word] = _lemma(word, language) if keep else None
    return table


def lemmas(text: str, language: str) -> list[str]:
    """Folded content lemmas, Spanish ones mapped through the EN-ES term table."""
    words = _WORD.findall(text.lower())[:MAX_WORDS]
    return list(filter(None, map(_lemma_table(words, language).__getitem__, words)))


@functools.lru_cache(maxsize=1 << 18)
def term_id(term: str) -> int:
    """Stable 32-bit id of a term, so stored vectors stay comparable across runs."""
    return zlib.crc32(term.encode("utf-8"))


_TF_CACHED = 64
_TF = [0.0] + [1.0 + math.log(c) for c in range(1, _TF_CACHED)]  # sublinear tf, small counts


class Idf:
    """Inverse document frequencies from the training corpus; unseen terms count as rare."""

    def __init__(self, table: Mapping[str, float], default: float) -> None:
        self.table, self.default = dict(table), float(default)

    def vector(self, terms: list[str], limit: int) -> tuple[np.ndarray, np.ndarray]:
        """The strongest `limit` terms as (ids, l2-normed weights), sublinear tf times idf."""
        if not terms:
            return np.zeros(0, np.uint32), np.zeros(0, np.float32)
        counts = Counter(terms)
        get, default, tf = self.table.get, self.default, _TF
        # sorted(...)[:limit] is what heapq.nlargest returns, in one C sort; tf(1) = 1.0
        scores = [(tf[c] if c < _TF_CACHED else 1.0 + math.log(c)) * get(t, default)
                  for t, c in counts.items()]
        scored = sorted(zip(scores, counts, strict=True), reverse=True)[:limit]
        norm = math.sqrt(sum(w * w for w, _ in scored)) or 1.0
        ids = np.fromiter(map(term_id, [t for _, t in scored]), np.uint32, len(scored))
        weights = np.fromiter((w / norm for w, _ in scored), np.float32, len(scored))
        order = np.argsort(ids)
        return ids[order], weights[order]


@functools.cache
def follow_up_cues() -> tuple[frozenset[int], float]:
    """(term ids of the follow-up headline cues, minimum days after the first report)."""
    table = _terms_data()["follow_up"]
    return frozenset(term_id(c) for c in table["cues"]), float(table["min_days"])


def new_development_cues(f: ArticleFeatures, c: Centroid) -> list[int]:
    """Cue terms in the article's headline that none of the incident's headlines had."""
    cues, _ = follow_up_cues()
    mine = [int(t) for t in f.title[0] if int(t) in cues]
    if not mine:
        return []
    seen = {int(t) for t, w in zip(c.title[0], c.title[1], strict=True) if w > 0}
    return [t for t in mine if t not in seen]


NAME_MIN_IDF = 4.5  # a capitalised word in more than ~1% of reports ("Customs") is no name


@functools.cache
def _not_names() -> frozenset[str]:
    """Template words (`cluster_terms.toml [names]`) and month/weekday words (`facts.toml`)."""
    with (DATA / "facts.toml").open("rb") as fh:
        dates = tomllib.load(fh)["dates"]
    words = [*dates["months_en"], *dates["months_es"], *dates["month_abbr"],
             *dates["weekdays_en"], *dates["weekdays_es"], *_terms_data()["names"]["not_names"]]
    return frozenset(fold(w) for w in words)


def names_in(text: str, idf: Idf | None = None, language: str = "en") -> frozenset[str]:
    """Proper-noun-like words: capitalised inside a sentence, never lower-case in the text,
    and rare in the training corpus (with `idf`), looked up as the text's language lemmatises
    them: a Spanish word of the term table is counted under its English term, so "Patrulla
    Fronteriza" is no more a name than "Border Patrol" is."""
    lower = {fold(w) for w in _LOWER.findall(text)}
    found = set()
    for m in _CAP.finditer(text):
        before = text[max(0, m.start() - 3):m.start()].rstrip()
        if not before or before[-1] in ".!?:;\"“”—–(\n":
            continue
        for part in m.group(0).split("-"):
            token = fold(part)
            if len(token) >= 3 and token not in lower and token not in _STOP and (
                    token not in _not_names()) and (
                    idf is None
                    or idf.table.get(_lemma(token, language), idf.default) >= NAME_MIN_IDF):
                found.add(token)
    return frozenset(found)


def _event_places(facts: Mapping) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(specific places, states, countries) where the event happened: outlet names are left
    out. Countries tell two TPS terminations or two removal flights of one week apart."""
    outlet = _outlet_pattern()
    specific, states, countries = set(), set(), set()
    for fact in facts.get("places") or []:
        if not isinstance(fact, dict) or not fact.get("value"):
            continue
        value, sentence = str(fact["value"]), str(fact.get("sentence") or "")
        spots = [m.end() for m in re.finditer(re.escape(value), sentence)]
        if spots and all(outlet.match(sentence, end) for end in spots):
            continue
        if fact.get("kind") == "state":
            states.add(fold(value))
        elif fact.get("kind") == "country":
            countries.add(fold(value))
        elif fact.get("kind") not in BROAD_PLACES:
            specific.add(fold(value))
            if fact.get("state"):
                states.add(fold(str(fact["state"])))
    return frozenset(specific), frozenset(states), frozenset(countries)


def _figures(facts: Mapping) -> tuple[tuple[float, str | None], ...]:
    out = []
    for fact in facts.get("counts") or []:
        if isinstance(fact, dict) and isinstance(fact.get("value"), int | float):
            if fact["value"] >= 2:
                out.append((float(fact["value"]), fact.get("qualifier")))
    return tuple(out[:12])


def _agencies(facts: Mapping) -> frozenset[str]:
    parent = _terms_data()["agencies"]["parent"]
    out = set()
    for fact in facts.get("agencies") or []:
        if isinstance(fact, dict) and fact.get("value"):
            name = str(fact["value"]).upper()
            out.add(parent.get(name, name))
    return frozenset(out)


@functools.lru_cache(maxsize=1 << 14)  # the same few timestamps are parsed per candidate
def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=None)


@dataclass
class ArticleFeatures:
    """What an article contributes to a centroid (compact: a few hundred bytes)."""

    language: str
    published: str | None
    incident_type: str | None
    terms: tuple[np.ndarray, np.ndarray]
    title: tuple[np.ndarray, np.ndarray]
    names: frozenset[str] = frozenset()
    places: frozenset[str] = frozenset()
    states: frozenset[str] = frozenset()
    figures: tuple[tuple[float, str | None], ...] = ()
    dates: frozenset[str] = frozenset()
    agencies: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language, "published": self.published,
            "incident_type": self.incident_type,
            "terms": [self.terms[0].tolist(), np.round(self.terms[1], 4).tolist()],
            "title": [self.title[0].tolist(), np.round(self.title[1], 4).tolist()],
            "names": sorted(self.names), "places": sorted(self.places),
            "states": sorted(self.states), "figures": [list(f) for f in self.figures],
            "dates": sorted(self.dates), "agencies": sorted(self.agencies),
            "countries": sorted(self.countries),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ArticleFeatures:
        def vec(pair: list) -> tuple[np.ndarray, np.ndarray]:
            return np.array(pair[0], np.uint32), np.array(pair[1], np.float32)

        return cls(
            data.get("language") or "en", data.get("published"), data.get("incident_type"),
            vec(data["terms"]), vec(data["title"]), frozenset(data.get("names", ())),
            frozenset(data.get("places", ())), frozenset(data.get("states", ())),
            tuple((float(v), q) for v, q in data.get("figures", ())),
            frozenset(data.get("dates", ())), frozenset(data.get("agencies", ())),
            frozenset(data.get("countries", ())),
        )


def features_of(title: str, text: str, language: str, published: str | None,
                incident_type: str | None, facts: Mapping, idf: Idf) -> ArticleFeatures:
    """An article's feature spaces (facts in the `monitor.facts` format)."""
    language = language or "en"
    specific, states, countries = _event_places(facts)
    dates = {str(f["value"])[:10] for f in facts.get("dates") or []
             if isinstance(f, dict) and f.get("value")}
    # an undated page is placed in time by the latest event date it gives
    when = published or (max(dates) if dates else None)
    return ArticleFeatures(
        language=language, published=when, incident_type=incident_type,
        terms=idf.vector(lemmas(f"{title}\n{text}", language), MAX_TERMS),
        title=idf.vector(lemmas(title, language), MAX_TITLE_TERMS),
        names=names_in(text, idf, language), places=specific, states=states,
        figures=_figures(facts), dates=frozenset(dates), agencies=_agencies(facts),
        countries=countries,
    )


def _add_vectors(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
                 sign: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    ids = np.concatenate([a[0], b[0]])
    weights = np.concatenate([a[1], b[1] * np.float32(sign)])
    if not len(a[0]) and (len(ids) < 2 or bool((ids[1:] > ids[:-1]).all())):
        # a new centroid from one article's sorted ids: what unique + add.at give, cheaper
        uniq, summed = ids, (np.zeros(len(ids), np.float32) + weights).astype(np.float32)
    else:
        uniq, inverse = np.unique(ids, return_inverse=True)
        summed = np.zeros(len(uniq), np.float32)
        np.add.at(summed, inverse, weights)
    if len(uniq) > MAX_CENTROID_TERMS:
        keep = np.sort(np.argsort(summed)[-MAX_CENTROID_TERMS:])
        uniq, summed = uniq[keep], summed[keep]
    return uniq, summed


def cosine(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray],
           norm_b: float | None = None) -> float:
    """Cosine of two sparse (sorted ids, weights) vectors; `a` is an article's (unit length)."""
    size = len(b[0])
    if not len(a[0]) or not size:
        return 0.0
    # few numpy calls: at 40 cosines an article, each call's overhead is the cost
    pos = b[0].searchsorted(a[0])
    np.minimum(pos, size - 1, out=pos)  # past the end: b's last id is smaller, so no hit
    hit = b[0][pos] == a[0]
    dot = float(np.dot(a[1][hit], b[1][pos[hit]]))
    if not dot:
        return 0.0
    norm = float(vector_norm(a[1])) * (norm_b if norm_b is not None else float(vector_norm(b[1])))
    return dot / norm if norm else 0.0


def vector_norm(weights: np.ndarray) -> np.floating:
    """`np.linalg.norm` of a 1-D float vector, the same value without its generic checks."""
    return np.sqrt(weights.dot(weights))


@dataclass
class Centroid:
    """An incident as the sum of its articles: vectors summed, sets counted, time spanned."""

    terms: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.uint32), np.zeros(0, np.float32))
    title: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.uint32), np.zeros(0, np.float32))
    names: Counter = field(default_factory=Counter)
    places: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    figures: list[tuple[float, str | None]] = field(default_factory=list)
    dates: Counter = field(default_factory=Counter)
    agencies: Counter = field(default_factory=Counter)
    countries: Counter = field(default_factory=Counter)
    types: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None
    size: int = 0
    norm: float = 0.0

    def add(self, f: ArticleFeatures, sign: int = 1) -> None:
        """Add an article (or, with sign -1, take one out after an operator's split)."""
        self.terms = _add_vectors(self.terms, f.terms, sign)
        self.norm = float(vector_norm(self.terms[1]))
        self.title = _add_vectors(self.title, f.title, sign)
        for counter, values in ((self.names, f.names), (self.places, f.places),
                                (self.states, f.states), (self.dates, f.dates),
                                (self.agencies, f.agencies), (self.countries, f.countries),
                                (self.types, [f.incident_type] if f.incident_type else []),
                                (self.languages, [f.language])):
            counter.update({v: sign for v in values})
            if sign < 0:
                for v in values:
                    if counter[v] <= 0:
                        del counter[v]
        if sign > 0:
            self.figures = (self.figures + list(f.figures))[-24:]
            when = parse_time(f.published)
            if when:
                self.first = when if self.first is None else min(self.first, when)
                self.last = when if self.last is None else max(self.last, when)
        self.size += sign


def gap_days(when: datetime | None, c: Centroid) -> float | None:
    """Days between an article and the incident's span (0 inside it), None when unknown."""
    if when is None or c.first is None or c.last is None:
        return None
    if c.first <= when <= c.last:
        return 0.0
    edge = c.first if when < c.first else c.last
    return abs((when - edge).total_seconds()) / 86400.0


def pair_features(f: ArticleFeatures, c: Centroid, jaccard: float = 0.0,
                  member_cosine: float = 0.0) -> dict[str, float | None]:
    """The pair's evidence, each a number the model weighs (names as in `FEATURES`); None is
    "unknown" (an undated article has no time gap), which the model counts as no evidence."""
    text = cosine(f.terms, c.terms, c.norm)
    cross = 0.0 if f.language in c.languages else 1.0
    shared_names = f.names & c.names.keys()
    figure_hits = any(figures_agree({"value": v, "qualifier": q}, {"value": w, "qualifier": r})
                      for v, q in f.figures for w, r in c.figures)
    gap = gap_days(parse_time(f.published), c)
    out: dict[str, float | None] = {
        "text_cosine": text,
        "closest_member_cosine": max(member_cosine, text if c.size == 1 else 0.0),
        "title_cosine": cosine(f.title, c.title),
        "cross_language_text_cosine": text * cross,
        "names_shared": min(len(shared_names), 4) / 4.0,
        "names_disjoint": float(len(f.names) >= 3 and len(c.names) >= 3 and not shared_names),
        "place_shared": float(bool(f.places & c.places.keys())),
        "place_conflict": float(bool(f.places and c.places and not f.places & c.places.keys())),
        "state_shared": float(bool(f.states & c.states.keys())),
        "state_conflict": float(bool(f.states and c.states and not f.states & c.states.keys())),
        "figure_agrees": float(figure_hits),
        "figure_conflict": float(bool(f.figures and c.figures and not figure_hits)),
        "date_shared": float(bool(f.dates & c.dates.keys())),
        "date_conflict": float(bool(f.dates and c.dates and not f.dates & c.dates.keys())),
        "agency_shared": float(bool(f.agencies & c.agencies.keys())),
        # no "type_same": a guessed type is nearly always there on both sides, so "same" is
        # "not differs" and its weight was the intercept's (-0.97 beside type_differs' -1.61)
        "type_differs": float(bool(f.incident_type and c.types and f.incident_type not in c.types)),
        "gap_log_days": math.log1p(gap) if gap is not None else None,
        "gap_unknown": float(gap is None),
        "jaccard": jaccard,
        "country_shared": float(bool(f.countries & c.countries.keys())),
        "country_conflict": float(bool(f.countries and c.countries
                                       and not f.countries & c.countries.keys())),
        # the share of the article's names the incident has never mentioned: a report of
        # another death names another detainee, another town, another spokesperson
        "names_novel": (len(f.names - c.names.keys()) / len(f.names)
                        if len(f.names) >= 2 and len(c.names) >= 2 else 0.0),
    }
    # a templated release about another place or figure reads the same: its wording counts
    # for less when the facts disagree
    conflict = max(out["place_conflict"], out["state_conflict"], out["figure_conflict"])
    out["text_cosine_despite_conflict"] = text * conflict
    return out


def shared_evidence(f: ArticleFeatures, c: Centroid) -> dict[str, list]:
    """The values behind the matching features, for people reading `incidents show`."""
    out: dict[str, list] = {
        "names": sorted(f.names & c.names.keys()), "places": sorted(f.places & c.places.keys()),
        "states": sorted(f.states & c.states.keys()), "dates": sorted(f.dates & c.dates.keys()),
        "agencies": sorted(f.agencies & c.agencies.keys()),
        "countries": sorted(f.countries & c.countries.keys()),
        "figures": sorted({int(v) for v, q in f.figures for w, r in c.figures
                           if figures_agree({"value": v, "qualifier": q},
                                            {"value": w, "qualifier": r})}),
    }
    return {k: v for k, v in out.items() if v}


class SimilarityModel:
    """The trained logistic regression: probability, contributions, threshold."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.names: list[str] = list(data["features"])
        self.coef = np.array(data["coef"], dtype=float)
        self.intercept = float(data["intercept"])
        self.scale = np.array(data.get("scale") or [1.0] * len(self.names), dtype=float)
        self.threshold = float(data["threshold"])
        self.follow_up_threshold = float(data.get("follow_up_threshold", self.threshold))
        self.member_threshold = float(data.get("member_threshold", 0.0))
        self.idf = Idf(data.get("idf") or {}, data.get("idf_default", 8.0))

    @classmethod
    def load(cls, path: str | Path | None = None) -> SimilarityModel:
        file = Path(path or DEFAULT_MODEL)
        try:
            return cls(json.loads(file.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise FileNotFoundError(
                f"{file}: no clustering model; run `python -m monitor.cluster_training`"
            ) from None

    def vector(self, feats: Mapping[str, float | None]) -> np.ndarray:
        """Features divided by their training spread (not centred: an absent feature is 0, so
        a contribution is always "what this evidence added")."""
        return np.array([feats.get(n) or 0.0 for n in self.names], dtype=float) / self.scale

    def _probability(self, parts: np.ndarray) -> float:
        logit = self.intercept + float(parts.sum())
        return 1.0 / (1.0 + math.exp(-max(min(logit, 50.0), -50.0)))

    def probability(self, feats: Mapping[str, float | None]) -> float:
        """The probability alone: what a decision needs (`score` also explains it)."""
        return self._probability(self.coef * self.vector(feats))

    def score(self, feats: Mapping[str, float | None]) -> tuple[float, list[tuple[str, float]]]:
        """(probability, contributions strongest first): a linear model explains itself."""
        parts = self.coef * self.vector(feats)
        probability = self._probability(parts)
        values = parts.tolist()
        return probability, [(self.names[i], round(values[i], 3))
                             for i in np.argsort(-np.abs(parts)).tolist() if abs(values[i]) >= 0.01]


@functools.cache
def default_model() -> SimilarityModel:
    return SimilarityModel.load()
