"""Facts with the sentence each came from: who, how many, where, what data."""

from __future__ import annotations

import re

SENTENCE = re.compile(r"(?<=[.!?])\s+")
COUNT = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)\s+((?:[a-z]+\s){0,2}?(?:people|immigrants|migrants|"
                   r"asylum seekers|refugees|detainees|workers|noncitizens|individuals))", re.I)
AGENCY = re.compile(r"\b(ICE|CBP|USCIS|DHS|EOIR|HSI|ERO|Border Patrol)\b")


def extract_facts(title: str, text: str, *, language: str = "en") -> dict[str, list[dict]]:
    """Return facts keyed by kind; every fact carries `value` and the `sentence` it came from."""
    facts: dict[str, list[dict]] = {
        "agencies": [], "counts": [], "places": [], "dates": [], "organizations": [],
        "data_categories": [],
    }
    seen_agencies: set[str] = set()
    for sentence in SENTENCE.split(f"{title}. {text}"):
        for match in AGENCY.finditer(sentence):
            if match.group(1) not in seen_agencies:
                seen_agencies.add(match.group(1))
                facts["agencies"].append({"value": match.group(1), "sentence": sentence.strip()})
        for match in COUNT.finditer(sentence):
            facts["counts"].append({
                "value": int(match.group(1).replace(",", "")),
                "noun": match.group(2).lower(),
                "sentence": sentence.strip(),
            })
    return facts
