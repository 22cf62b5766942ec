"""Issue 17: the taxonomy is the one list of incident types; nothing else keeps its own.

`tests/test_drafting.py` checks the English "Why It Matters" partials against the taxonomy in
both directions; these checks cover every other template set and the taxonomy's own order.
"""

from __future__ import annotations

from monitor.relevance import incident_types, load_taxonomy
from tests.conftest import ROOT

TEMPLATES = ROOT / "templates"


def test_no_why_it_matters_partial_in_any_template_set_names_an_unknown_type():
    types = set(incident_types()) | {"default"}
    partials = sorted(TEMPLATES.glob("**/why/*.md.j2"))
    assert len({p.parent for p in partials}) >= 2  # the English and the Spanish set
    stray = [str(p.relative_to(ROOT)) for p in partials
             if p.name.removesuffix(".md.j2") not in types]
    assert stray == []


def test_every_template_set_has_a_default_why_it_matters():
    folders = {p.parent for p in TEMPLATES.glob("**/why/*.md.j2")}
    assert all((folder / "default.md.j2").exists() for folder in folders)


def test_type_priority_orders_exactly_the_taxonomy_types():
    taxonomy = load_taxonomy()
    assert sorted(taxonomy.type_priority) == sorted(incident_types())
    assert len(set(taxonomy.type_priority)) == len(taxonomy.type_priority)
