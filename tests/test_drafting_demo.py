"""Over every draft of the demo: each fact sentence is cited, each citation a stored source."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from monitor.storage import open_db
from tests.conftest import run_cli, write_config

CITATIONS = re.compile(r"((?:\[\^\d+\])+)$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    config = write_config(folder)
    result = run_cli("demo", config=config)
    assert result.returncode == 0, result.stderr
    drafts = sorted((folder / "drafts").glob("*.md"))
    assert drafts, "the demo wrote no drafts"
    return config, folder, drafts


def front(text: str) -> str:
    return text.split("\n---\n", 1)[0]


def information(text: str) -> list[str]:
    part = text.split("## The Information\n", 1)[1].split("\n## ", 1)[0].split("\n**", 1)[0]
    return [line for line in part.splitlines() if line.startswith("- ")]


def footnotes(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\[\^(\d+)\]: .*?\]\((https?://[^)]+)\)", text, flags=re.M))


def incident_urls(folder: Path, text: str) -> set[str]:
    """The links a draft of this incident may cite: each stored source's URL as read after
    redirects (`fetched_url`: the publisher's own address, trailing slash included, of a Google
    News link), the link as the source gave it, or its stored URL."""
    incident_id = int(re.search(r"^incident_id: (\d+)$", front(text), flags=re.M).group(1))
    db = open_db(folder / "monitor.db")
    rows = list(db["articles"].rows_where("incident_id = ?", [incident_id]))
    return {r["url"] for r in rows} | {r[k] for r in rows for k in ("original_url", "fetched_url")
                                       if r[k]}


def test_every_fact_sentence_carries_a_citation(demo):
    _, _, drafts = demo
    uncited = [line for path in drafts for line in information(path.read_text())
               if not CITATIONS.search(line)]
    assert uncited == []


def test_every_citation_resolves_to_a_stored_source_of_the_incident(demo):
    _, folder, drafts = demo
    unresolved = []
    for path in drafts:
        text = path.read_text()
        notes, stored = footnotes(text), incident_urls(folder, text)
        for line in information(text):
            for number in re.findall(r"\[\^(\d+)\]", CITATIONS.search(line).group(1)):
                if notes.get(number) not in stored:
                    unresolved.append((path.name, number))
    assert unresolved == []


def test_every_draft_has_a_cited_lead(demo):
    _, _, drafts = demo
    leads = [path.read_text().split("\n---\n", 1)[1].split("## The Information")[0]
             for path in drafts]
    assert all(re.search(r"\[\^\d+\]\s*$", lead.strip()) for lead in leads)


def test_a_draft_without_fact_sentences_says_so_and_does_not_repeat_its_lead(demo):
    """A one-sentence source (a Federal Register abstract) gives a lead and a note, not the
    lead again as a bullet."""
    _, _, drafts = demo
    for path in drafts:
        text = path.read_text()
        lead = text.split("\n---\n", 1)[1].split("## The Information")[0].strip().splitlines()[-1]
        bullets = information(text)
        assert f"- {lead}" not in bullets and (bullets or "add no fact beyond" in text), path.name


def test_front_matter_values_are_json_literals(demo):
    _, _, drafts = demo
    for path in drafts:
        for line in front(path.read_text()).splitlines()[1:]:
            if ": " in line:
                json.loads(line.split(": ", 1)[1])


def test_cli_lists_demo_drafts_as_pending(demo):
    config, _, drafts = demo
    result = run_cli("drafts", "list", "--status", "pending", config=config)
    assert result.stdout.count("pending") == len(drafts)


def test_cli_approve_then_list_approved(demo):
    config, _, _ = demo
    run_cli("drafts", "approve", "1", "--as", "Ana", "-m", "fine", config=config)
    result = run_cli("drafts", "list", "--status", "approved", config=config)
    assert result.stdout.startswith("   1  approved")


def test_cli_reject_needs_known_draft(demo):
    config, _, _ = demo
    result = run_cli("drafts", "reject", "999", "--as", "Ana", config=config)
    assert (result.returncode, result.stderr.strip()) == (
        2, "monitor: error: no draft with id 999")


def test_cli_diff_shows_hand_edit(demo):
    config, folder, _ = demo
    show = run_cli("drafts", "show", "2", "--meta", config=config)
    path = Path(re.search(r"file:\s+(\S+)", show.stdout).group(1))
    path.write_text(path.read_text() + "\nAn attorney's sentence.\n")
    result = run_cli("drafts", "diff", "2", config=config)
    assert "+An attorney's sentence." in result.stdout


def _breach(drafts: list[Path]) -> str:
    """The demo's breach draft with the most sources (the issue's "4 of 6 repeat" draft)."""
    breaches = [p.read_text() for p in drafts if 'incident_type: "data_breach"' in p.read_text()]
    return max(breaches, key=lambda text: text.count("\n  - number: "))


def test_breach_draft_information_adds_a_fact_in_every_sentence(demo):
    from bench.draft_quality import redundant_lines

    assert redundant_lines(_breach(demo[2])) == []


def test_breach_draft_says_how_long_the_file_was_online(demo):
    assert re.search(r"(?:about|approximately|roughly) five hours", _breach(demo[2]))
