"""`monitor demo`: the README's first command, run twice."""

from __future__ import annotations

from tests.conftest import run_cli


def test_demo_twice_adds_nothing_the_second_time(config_path):
    first = run_cli("demo", config=config_path)
    assert first.returncode == 0, first.stderr
    second = run_cli("demo", config=config_path)
    assert "Articles stored: 0 new" in second.stdout and "Drafts written:  0" in second.stdout


def test_demo_summary_names_the_digest_preview(config_path):
    result = run_cli("demo", config=config_path)
    assert "digest-preview.eml" in result.stdout
