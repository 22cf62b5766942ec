"""Explainable relevance: which terms and rules made an article an enforcement incident.

All vocabulary, weights, co-occurrence rules and the threshold live in `taxonomy.toml`, so the
scorer can be tuned by editing data, and every point of the score is traceable to a match.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from monitor.relevance_model import RelevanceModel, load_model
from monitor.textfold import fold

DEFAULT_TAXONOMY = Path(__file__).with_name("taxonomy.toml")


@dataclass
class Judgement:
    """The verdict on one article and the evidence for it."""

    score: float
    relevant: bool
    incident_type: str | None
    matches: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage (JSON column) so "why flagged" can be shown later."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Judgement:
        """Rebuild a stored judgement, e.g. to pass it to `explain`."""
        return cls(float(data["score"]), bool(data["relevant"]), data.get("incident_type"),
                   list(data.get("matches") or []))


@dataclass(frozen=True)
class _Term:
    """One compiled term: `pattern` runs on folded text unless `case_sensitive`."""

    term: str
    pattern: re.Pattern[str]
    weight: float
    case_sensitive: bool = False
    # the text every match starts with (its first word): the regex is tried only where
    # str.find (C speed) sees it, not at every position of a long article, which its leading
    # lookbehind makes `re` do; empty for `re:` and case-sensitive terms (see `anchor`)
    literal: str = ""
    # the text every match starts with, for finding it: `literal`, or what a regex term's
    # pattern must begin with after its zero-width checks (`\bICE\b`: "ICE"), else empty
    anchor: str = ""

    def finditer(self, haystack: str) -> Iterator[re.Match[str]]:
        """What `pattern.finditer` yields: non-overlapping matches, left to right."""
        if not self.anchor:
            yield from self.pattern.finditer(haystack)
            return
        find, match, literal = haystack.find, self.pattern.match, self.anchor
        position = find(literal)
        while position >= 0:
            found = match(haystack, position)  # the lookbehind still sees the text before
            if found:
                yield found
                position = find(literal, found.end())
            else:
                position = find(literal, position + 1)

    def search(self, haystack: str) -> re.Match[str] | None:
        """What `pattern.search` returns: the first match, or None."""
        if self.anchor and self.anchor not in haystack:
            return None  # what finditer finds, without making a generator (facts ask often)
        return next(self.finditer(haystack), None)


@dataclass(frozen=True)
class Taxonomy:
    """A compiled taxonomy file; build it with `load_taxonomy`."""

    threshold: float
    title_multiplier: float
    agency_cap: float
    min_incident_weight: float
    strong_incident_weight: float
    type_priority: tuple[str, ...]
    cooccurrence: tuple[tuple[str, tuple[str, ...]], ...]
    agencies: dict[str, tuple[_Term, ...]]
    agency_weights: dict[str, float]
    government: tuple[_Term, ...]
    context: tuple[_Term, ...]
    incidents: dict[str, tuple[_Term, ...]]
    labels: dict[str, str]
    boosts: dict[str, float]
    negatives: dict[str, tuple[_Term, ...]]
    negative_weights: dict[str, float]
    government_weight: float
    context_weight: float
    # every term's `literal` (first word), once, and one regex that finds all of them where a
    # term's pattern may start (after a non-[\w-] character), scanning the article once
    literals: tuple[str, ...] = field(init=False, default=())
    literal_scan: re.Pattern[str] = field(init=False, default=re.compile(r"(?!)"))
    # literal -> the literals it starts with (itself included): the scan reports only the
    # longest at each position
    literal_prefixes: dict[str, tuple[str, ...]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        groups = (*self.agencies.values(), *self.incidents.values(), *self.negatives.values(),
                  self.government, self.context)
        found = tuple(sorted({term.literal for group in groups for term in group} - {""}))
        object.__setattr__(self, "literals", found)
        if found:
            scan = re.compile(rf"(?<![\w-])(?=({_alternation(found)}))")
            object.__setattr__(self, "literal_scan", scan)
        object.__setattr__(self, "literal_prefixes", {
            literal: tuple(other for other in found if literal.startswith(other))
            for literal in found})

    def present(self, folded: str) -> set[str]:
        """The literals that occur in `folded` where a term's pattern could match them."""
        prefixes = self.literal_prefixes
        return {short for longest in set(self.literal_scan.findall(folded))
                for short in prefixes[longest]}


def _alternation(words: tuple[str, ...]) -> str:
    """`a(?:bc|b)?|x(?:y)` for a, ab, abc, xy: branches keyed by first character (so `re` tries
    one group per position, not hundreds of words), longest first within each."""
    by_first: dict[str, list[str]] = {}
    for word in words:
        by_first.setdefault(word[0], []).append(word[1:])
    branches = []
    for first, rests in sorted(by_first.items()):
        tails = "|".join(re.escape(r) for r in sorted(rests, key=len, reverse=True) if r)
        optional = "?" if "" in rests else ""
        branches.append(re.escape(first) + (f"(?:{tails}){optional}" if tails else ""))
    return "|".join(branches)


def compile_term(term: str, weight: float = 0.0, *, case_sensitive: bool = False) -> _Term:
    """Turn the taxonomy's small term syntax ('detain*', 're:...') into a regex."""
    if case_sensitive:
        pattern = re.compile(term)
        return _Term(term, pattern, weight, True, anchor=_leading_text(pattern))
    if term.startswith("re:"):
        pattern = re.compile(term[3:])
        return _Term(term, pattern, weight, anchor=_leading_text(pattern))
    words = []
    for word in fold(term).split():
        if word.endswith("*"):
            words.append(re.escape(word[:-1]) + r"[\w'-]*")
        else:
            words.append(re.escape(word))
    body = r"[\s\-]+".join(words)
    literal = fold(term).split()[0].removesuffix("*") if words else ""
    return _Term(term, re.compile(rf"(?<![\w-]){body}(?!\w)"), weight, literal=literal,
                 anchor=literal)


def _leading_text(pattern: re.Pattern[str]) -> str:
    """The literal text every match of `pattern` starts with, after its leading zero-width
    checks (`\b`, lookarounds), or "" when there is none or it cannot be told for sure.

    Regexes starting with `\b` get none of `re`'s own prefix search, so without this each is
    tried at every position of the article.
    """
    if pattern.flags & re.IGNORECASE:
        return ""
    try:
        from re import _parser  # the stdlib's own parse of the pattern (Python >= 3.11)

        items = list(_parser.parse(pattern.pattern, pattern.flags))
        zero_width = {_parser.AT, _parser.ASSERT, _parser.ASSERT_NOT}
        literal = _parser.LITERAL
    except (ImportError, AttributeError, re.error):
        return ""
    position = 0
    while position < len(items) and items[position][0] in zero_width:
        position += 1
    text = []
    for op, value in items[position:]:
        if op is not literal:
            break
        text.append(chr(value))
    return "".join(text)


def _terms(entries: list[str], weight: float, case_sensitive: list[str] | None = None) -> tuple:
    compiled = [compile_term(t, weight) for t in entries]
    compiled += [compile_term(t, weight, case_sensitive=True) for t in case_sensitive or []]
    return tuple(compiled)


def _build(raw: dict[str, Any]) -> Taxonomy:
    agencies = {
        name: _terms(spec.get("terms", []), spec["weight"], spec.get("case_sensitive"))
        for name, spec in raw["agencies"].items()
    }
    incidents = {
        # strongest and longest first, so they claim their words before weaker substrings
        kind: tuple(compile_term(t, w) for t, w in
                    sorted(spec["terms"].items(), key=lambda tw: (-tw[1], -len(tw[0]))))
        for kind, spec in raw["incidents"].items()
    }
    negatives = {
        name: _terms(spec["terms"], spec["weight"], spec.get("case_sensitive"))
        for name, spec in raw.get("negatives", {}).items()
    }
    gov, ctx = raw.get("government", {}), raw.get("context", {})
    return Taxonomy(
        threshold=float(raw["threshold"]),
        title_multiplier=float(raw.get("title_multiplier", 1.0)),
        agency_cap=float(raw.get("agency_cap", 99.0)),
        min_incident_weight=float(raw.get("min_incident_weight", 0.0)),
        strong_incident_weight=float(raw.get("strong_incident_weight", float("inf"))),
        type_priority=tuple(raw.get("type_priority", list(incidents))),
        cooccurrence=tuple((r["name"], tuple(r["require"])) for r in raw["cooccurrence"]),
        agencies=agencies,
        agency_weights={n: float(s["weight"]) for n, s in raw["agencies"].items()},
        government=_terms(gov.get("terms", []), gov.get("weight", 0.0), gov.get("case_sensitive")),
        context=_terms(ctx.get("terms", []), ctx.get("weight", 0.0), ctx.get("case_sensitive")),
        incidents=incidents,
        labels={k: spec.get("label", k) for k, spec in raw["incidents"].items()},
        boosts={k: float(spec.get("type_boost", 1.0)) for k, spec in raw["incidents"].items()},
        negatives=negatives,
        negative_weights={n: float(s["weight"]) for n, s in raw.get("negatives", {}).items()},
        government_weight=float(gov.get("weight", 0.0)),
        context_weight=float(ctx.get("weight", 0.0)),
    )


@lru_cache(maxsize=8)
def _load(path: str) -> Taxonomy:
    with open(path, "rb") as fh:
        return _build(tomllib.load(fh))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Read and compile a taxonomy file once per path (compiling ~600 regexes is not free)."""
    return _load(str(path or DEFAULT_TAXONOMY))


def incident_types() -> tuple[str, ...]:
    """The one list of incident types: the default taxonomy's `[incidents.*]` sections."""
    return tuple(load_taxonomy().incidents)


def _find(term: _Term, fields: dict[str, tuple[str, str]]) -> str | None:
    """Name of the first field (title before text) where the term occurs, else None."""
    for name, (original, folded) in fields.items():
        if term.search(original if term.case_sensitive else folded):
            return name
    return None


def _locate(
    term: _Term, fields: dict[str, tuple[str, str]], taken: set[tuple[str, int]]
) -> tuple[str, int, int, str] | None:
    """First occurrence (field, start, end, quoted text) not overlapping text already claimed.

    Claiming stops 'arrest*' and 'arrestan' (or 'search warrant' inside 'executed a search
    warrant') from scoring the same words twice.
    """
    for name, (original, folded) in fields.items():
        haystack = original if term.case_sensitive else folded
        for found in term.finditer(haystack):
            span = range(found.start(), found.end())
            if any((name, i) in taken for i in span):
                continue
            # folding keeps one character per character for Latin text: quote the original
            source = original if len(original) == len(folded) else folded
            return name, found.start(), found.end(), source[found.start():found.end()].strip()
    return None


def judge(
    title: str,
    text: str,
    *,
    language: str = "en",
    threshold: float | None = None,
    taxonomy: Taxonomy | None = None,
    model: RelevanceModel | None | bool = True,
) -> Judgement:
    """The verdict on an article: the rules' evidence, then the learned model's decision.

    With the shipped model (`model=True`, the default taxonomy) the model decides relevance and
    type from the rule features and the words, and its strongest features are appended to
    `matches` (rule "model:feature") so "why flagged" can name them; `threshold` is then a
    probability. With a custom taxonomy or `model=False` the rules decide alone, as before.
    """
    if model is True:
        model = load_model() if taxonomy is None else None
    verdict = judge_rules(title, text, language=language, taxonomy=taxonomy,
                          threshold=None if model else threshold)
    if not model:
        return verdict
    cutoff = model.threshold if threshold is None else threshold
    prediction = model.predict(title or "", text or "", language, verdict.matches, cutoff=cutoff)
    relevant = prediction.probability >= cutoff
    matches = verdict.matches + [
        {"rule": "model", "term": f"p={prediction.probability:.2f} (threshold {cutoff:g})",
         "weight": 0.0, "field": "-", "probability": round(prediction.probability, 4)}]
    matches += [{"rule": "model:feature", "term": name, "weight": 0.0, "field": "-",
                 "contribution": value} for name, value in prediction.contributions]
    incident_type = prediction.incident_type if relevant else verdict.incident_type
    return Judgement(verdict.score, relevant, incident_type, matches)


def judge_rules(
    title: str,
    text: str,
    *,
    language: str = "en",
    threshold: float | None = None,
    taxonomy: Taxonomy | None = None,
) -> Judgement:
    """Score an article by the taxonomy alone; `matches` lists every rule that fired with its
    (effective) weight.

    Terms of every language are applied whatever `language` says: Spanish outlets use English
    agency names and mis-detected short texts must not lose their evidence.
    """
    tax = taxonomy or load_taxonomy()
    limit = tax.threshold if threshold is None else threshold
    fields = {"title": (title or "", fold(title or "")), "text": (text or "", fold(text or ""))}
    # most of the ~600 terms are absent: one scan of both folded fields for every term's first
    # word rules them out
    present = tax.present(f"{fields['title'][1]}\n{fields['text'][1]}")
    matches: list[dict] = []
    claimed: dict[str, set[tuple[str, int]]] = {}

    def absent(term: _Term) -> bool:
        return bool(term.literal) and term.literal not in present

    def hit(rule: str, term: _Term, weight: float) -> bool:
        if absent(term):
            return False
        taken = claimed.setdefault(rule, set())
        located = _locate(term, fields, taken)
        if located is None:
            return False
        where, start, end, quoted = located
        taken.update((where, i) for i in range(start, end))
        factor = tax.title_multiplier if where == "title" and weight > 0 else 1.0
        matches.append({"rule": rule, "term": quoted, "weight": weight * factor, "field": where})
        return True

    agency_total = 0.0
    for name, terms in tax.agencies.items():
        for term in terms:
            where = None if absent(term) else _find(term, fields)
            if where is not None:
                weight = min(tax.agency_weights[name], max(tax.agency_cap - agency_total, 0.0))
                agency_total += weight
                matches.append({"rule": "agency", "term": name, "weight": weight, "field": where})
                break
    # any() stops at the first hit, so government and context each count once
    signals = {
        "agency": any(m["rule"] == "agency" for m in matches),
        "government": any(hit("government", t, tax.government_weight) for t in tax.government),
        "context": any(hit("context", t, tax.context_weight) for t in tax.context),
    }

    type_scores: dict[str, float] = {}
    for kind, terms in tax.incidents.items():
        rule = f"incident:{kind}"
        for term in terms:
            if term.weight and (term.literal in present or not term.literal) and hit(
                    rule, term, term.weight):
                type_scores[kind] = type_scores.get(kind, 0.0) + matches[-1]["weight"]

    for name, terms in tax.negatives.items():
        found = [t for t in terms if not absent(t) and _find(t, fields)]
        if found:
            matches.append({"rule": f"negative:{name}", "term": ", ".join(t.term for t in found),
                            "weight": tax.negative_weights[name], "field": "any"})

    headline = {m["rule"].split(":", 1)[1] for m in matches
                if m["rule"].startswith("incident:") and m["field"] == "title"}
    incident_type = _best_type(type_scores, tax, headline)
    signals["incident"] = incident_type is not None
    signals["strong_incident"] = bool(
        incident_type and type_scores[incident_type] >= tax.strong_incident_weight)
    fired = [name for name, needs in tax.cooccurrence if all(signals.get(s) for s in needs)]
    for name in fired:
        matches.append({"rule": f"cooccurrence:{name}", "term": name, "weight": 0.0, "field": "-"})
    score = round(sum(m["weight"] for m in matches), 2)
    relevant = bool(fired) and score >= limit
    return Judgement(score, relevant, incident_type, matches)


def _best_type(
    type_scores: dict[str, float], tax: Taxonomy, headline_types: set[str] | frozenset = frozenset()
) -> str | None:
    """Highest-scoring type; a type the headline names gets its `type_boost`; ties go to the
    earlier entry of `type_priority`."""
    eligible = {
        k: v * (tax.boosts.get(k, 1.0) if k in headline_types else 1.0)
        for k, v in type_scores.items() if v >= tax.min_incident_weight
    }
    if not eligible:
        return None
    order = {k: i for i, k in enumerate(tax.type_priority)}
    return max(eligible, key=lambda k: (eligible[k], -order.get(k, len(order))))


def explain(judgement: Judgement, taxonomy: Taxonomy | None = None) -> str:
    """One line saying why an article was (or was not) flagged, for drafts and the review UI."""
    tax = taxonomy or load_taxonomy()
    agencies = _unique(m["term"] for m in judgement.matches if m["rule"] == "agency")
    if not agencies:
        agencies = _unique(m["term"] for m in judgement.matches if m["rule"] == "government")
    parts = []
    if agencies:
        parts.append("agency " + ", ".join(agencies))
    if judgement.incident_type:
        rule = f"incident:{judgement.incident_type}"
        terms = _unique(f"'{m['term']}'" for m in judgement.matches if m["rule"] == rule)
        label = tax.labels.get(judgement.incident_type, judgement.incident_type)
        parts.append(f"{label} terms {', '.join(terms[:4])}" if terms else label)
    negatives = [m for m in judgement.matches if m["rule"].startswith("negative:")]
    line = " + ".join(parts) or "no agency or incident terms"
    if negatives:
        line += "; minus " + ", ".join(
            f"{m['rule'].split(':', 1)[1]} ({m['weight']:g})" for m in negatives)
    verdict = "" if judgement.relevant else "not flagged: "
    line = f"{verdict}{line} (score {judgement.score:.1f})"
    model = next((m for m in judgement.matches if m["rule"] == "model"), None)
    if model is not None:
        features = [m for m in judgement.matches if m["rule"] == "model:feature"][:4]
        line += f"; model {model['term']}"
        if features:
            line += ": " + ", ".join(f"{m['term']} {m['contribution']:+.2f}" for m in features)
    return line


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))
