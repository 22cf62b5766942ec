"""Explainable relevance: which terms and rules made an article an enforcement incident."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

AGENCIES = ["ICE", "Ice", "CBP", "USCIS", "DHS", "EOIR", "HSI", "Border Patrol"]
INCIDENT_TERMS = {
    "data_breach": ["data breach", "inadvertently posted", "personal information", "names",
                    "datos", "publicó por error"],
    "raid": ["raid", "worksite", "search warrants"],
    "arrest_detention": ["arrested", "detained"],
    "detention_conditions": ["died in custody", "death", "dies in"],
    "deportation": ["deported", "removal flight", "deportation"],
}


@dataclass
class Judgement:
    """The verdict on one article and the evidence for it."""

    score: float
    relevant: bool
    incident_type: str | None
    matches: list[dict] = field(default_factory=list)


def judge(
    title: str, text: str, *, language: str = "en", threshold: float | None = None
) -> Judgement:
    """Score an article; `matches` lists every rule that fired with its weight."""
    threshold = 3.0 if threshold is None else threshold
    haystack = f"{title}\n{text}"
    matches: list[dict] = []
    for agency in AGENCIES:
        if re.search(rf"\b{re.escape(agency)}\b", haystack):
            matches.append({"rule": "agency", "term": agency, "weight": 1.0})
    type_scores: dict[str, float] = {}
    for kind, terms in INCIDENT_TERMS.items():
        for term in terms:
            if re.search(rf"\b{re.escape(term)}\b", haystack, re.IGNORECASE):
                matches.append({"rule": f"incident:{kind}", "term": term, "weight": 2.0})
                type_scores[kind] = type_scores.get(kind, 0) + 2.0
    score = sum(m["weight"] for m in matches)
    has_agency = any(m["rule"] == "agency" for m in matches)
    incident_type = max(type_scores, key=type_scores.get) if type_scores else None
    relevant = has_agency and incident_type is not None and score >= threshold
    return Judgement(score, relevant, incident_type, matches)


def explain(judgement: Judgement) -> str:
    """A one-line "why flagged" for people: the rules that fired and the score."""
    if not judgement.matches:
        return f"no rule matched (score {judgement.score:.1f})"
    terms = ", ".join(f"{m['rule']} '{m['term']}'" for m in judgement.matches[:6])
    return f"{terms} (score {judgement.score:.1f})"
