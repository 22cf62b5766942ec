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
