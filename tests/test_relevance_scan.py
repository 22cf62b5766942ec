"""The one-pass scan that rules terms out must find every first word a term could start with."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from monitor.relevance import load_taxonomy
from monitor.textfold import fold

CORPUS = Path(__file__).parent / "data" / "real" / "corpus.jsonl"


def _expected(literals: tuple[str, ...], folded: str) -> set[str]:
    """Literals that occur where a term pattern's `(?<![\\w-])` lets it start, one by one."""
    return {lit for lit in literals if re.search(rf"(?<![\w-]){re.escape(lit)}", folded)}


def _texts() -> list[str]:
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    return [fold(f"{i['title']}\n{i['text']}") for i in items[::7]] + [
        "", "police office service", "anti-ice protest", "ice", "(ice) arrested",
        "ice-led raid; detain, detained, detainees", "x\nice", "arrestan arrest arrests",
    ]


def test_scan_finds_exactly_the_literals_a_term_could_start_at() -> None:
    tax = load_taxonomy()
    assert len(tax.literals) > 100
    for folded in _texts():
        assert tax.present(folded) == _expected(tax.literals, folded), folded[:80]


@pytest.mark.parametrize(("folded", "inside"), [
    ("police office service", False),  # only inside words
    ("anti-ice protest", False),  # a hyphen before it: no term may start there
    ("agents of ice arrested", True),
])
def test_scan_respects_word_starts(folded: str, inside: bool) -> None:
    tax = load_taxonomy()
    assert ("ice" in tax.literals) and (("ice" in tax.present(folded)) is inside)


def _all_terms(tax) -> list:
    groups = (*tax.agencies.values(), *tax.incidents.values(), *tax.negatives.values(),
              tax.government, tax.context)
    return [term for group in groups for term in group]


def test_every_term_finds_what_its_regex_finds() -> None:
    """`_Term.finditer` jumps between occurrences of the term's anchor; it must yield exactly
    the matches `pattern.finditer` yields, regex terms with `\\b` and lookbehinds included."""
    tax = load_taxonomy()
    terms = _all_terms(tax)
    assert sum(1 for t in terms if t.anchor and not t.literal) > 20  # regex terms get anchors
    items = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    texts = [f"{i['title']}\n{i['text']}" for i in items[::15]] + [
        "anti-court ruling; immigration court; xICE ICE-led ICEd (ICE) ICE's Ice agents",
        "He died in custody. Judges ruled; the judge ruled. sexually abused detainees",
    ]
    for text in texts:
        for term in terms:
            haystack = text if term.case_sensitive else fold(text)
            fast = [m.span() for m in term.finditer(haystack)]
            assert fast == [m.span() for m in term.pattern.finditer(haystack)], term.term


@pytest.mark.parametrize(("pattern", "anchor"), [
    (r"\bICE\b", "ICE"),
    (r"(?<!immigration )\bcourt\b", "court"),
    (r"\babuso* sexual", "abus"),  # the repeated letter is not part of it
    (r"\bfoo|bar", ""),  # a match may start with either
    (r"(?i)\bice\b", ""),  # str.find cannot ignore case
    (r"\b(?:died|dies|dead)\b", "d"),
])
def test_leading_text(pattern: str, anchor: str) -> None:
    from monitor.relevance import _leading_text

    assert _leading_text(re.compile(pattern)) == anchor
