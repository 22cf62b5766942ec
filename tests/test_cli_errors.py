"""Operator mistakes produce one clear line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli, write_config


def test_missing_config_is_one_line(workdir: Path):
    result = run_cli("crawl", config=workdir / "nope.toml")
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0


def test_missing_config_names_the_file(workdir: Path):
    result = run_cli("crawl", config=workdir / "nope.toml")
    assert "config file not found" in result.stderr and "nope.toml" in result.stderr


def test_invalid_toml_config(workdir: Path):
    bad = workdir / "bad.toml"
    bad.write_text("[firm\nname = 1\n")
    result = run_cli("draft", config=bad)
    assert result.returncode == 2 and "not valid TOML" in result.stderr


def test_config_without_firm_phone(workdir: Path):
    bad = workdir / "bad.toml"
    bad.write_text('[firm]\nname = "X"\nsite_url = "https://x.example"\n')
    result = run_cli("draft", config=bad)
    assert "[firm] needs a non-empty 'phone'" in result.stderr


def test_password_in_config_is_refused(workdir: Path):
    config = write_config(workdir, extra="")
    config.write_text(config.read_text().replace('sender = ', 'password = "hunter2"\nsender = '))
    result = run_cli("draft", config=config)
    assert "must not hold a password" in result.stderr


def test_unreadable_sources_file(workdir: Path):
    sources = workdir / "sources.toml"
    sources.write_bytes(b"\xff\xfe not utf-8 [[source]")
    result = run_cli("crawl", config=write_config(workdir, sources=sources))
    assert result.returncode == 2 and "sources.toml" in result.stderr


def test_missing_sources_file(workdir: Path):
    result = run_cli("crawl", config=write_config(workdir, sources=workdir / "none.toml"))
    assert "sources file not found" in result.stderr


def test_unknown_source_id(config_path: Path):
    result = run_cli("crawl", "--source", "no-such-source", config=config_path)
    assert result.returncode == 2 and "unknown source id: no-such-source" in result.stderr


def test_bad_source_line_is_skipped_and_named(workdir: Path, snapshot_server):
    base, _ = snapshot_server
    sources = workdir / "sources.toml"
    sources.write_text(
        '[[source]]\nid = "broken"\nkind = "telepathy"\nurl = "https://x.example/feed"\n\n'
        '[[source]]\nid = "guardian"\nkind = "feed"\n'
        'url = "https://www.theguardian.com/us-news/usimmigration/rss"\n'
    )
    result = run_cli("crawl", "--snapshot", base, config=write_config(workdir, sources=sources))
    assert "broken: kind" in result.stderr and "3 new articles" in result.stdout


def test_every_command_has_help():
    for command in ("crawl", "draft", "digest", "demo", "search"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout, command
