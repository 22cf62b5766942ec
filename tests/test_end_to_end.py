"""The whole job over real HTTP on 127.0.0.1: feed -> pages -> SQLite -> draft -> digest."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest

from monitor.storage import open_db
from tests.conftest import run_cli

# An agency feed, an outlet feed and a Spanish-language Google News search from the watch list
# (tests/test_watchlist.py crawls all of it).
SOURCES = ["ice-breaking-news", "guardian-us-immigration", "google-news-es-custodia-datos"]
CHOSEN = [arg for sid in SOURCES for arg in ("--source", sid)]


@pytest.fixture
def crawled(config_path: Path, snapshot_server):
    base, state = snapshot_server
    result = run_cli("crawl", "--snapshot", base, *CHOSEN, config=config_path)
    assert result.returncode == 0, result.stderr
    return config_path, state, result


def db_for(config_path: Path):
    return open_db(config_path.parent / "monitor.db")


def test_crawl_stores_every_followed_article(crawled):
    config_path, _, _ = crawled
    assert db_for(config_path)["articles"].count == 4 + 3 + 3


def test_crawl_stores_canonical_urls_without_tracking_parameters(crawled):
    config_path, _, _ = crawled
    urls = [r["url"] for r in db_for(config_path)["articles"].rows]
    assert not [u for u in urls if "utm_" in u or "CMP=" in u]


def test_crawl_extracts_body_not_boilerplate(crawled):
    config_path, _, _ = crawled
    row = next(db_for(config_path)["articles"].rows_where("title LIKE 'ICE statement%'"))
    assert "6,252 noncitizens" in row["text"] and "Privacy Policy" not in row["text"]


def test_crawl_sends_descriptive_user_agent(crawled):
    _, state, _ = crawled
    agents = {entry["headers"].get("User-Agent") for entry in state.log}
    assert agents == {"ImmigrationNewsMonitor/0.1 (+https://law.example.com; Test Immigration Law)"}


def test_second_crawl_adds_nothing(crawled, snapshot_server):
    config_path, _, _ = crawled
    base, _ = snapshot_server
    again = run_cli("crawl", "--snapshot", base, *CHOSEN, config=config_path)
    assert "0 new articles" in again.stdout


def test_second_crawl_does_not_refetch_known_articles(crawled, snapshot_server):
    config_path, _, _ = crawled
    base, state = snapshot_server
    before = len(state.log)
    run_cli("crawl", "--snapshot", base, *CHOSEN, config=config_path)
    fetched = [e["path"] for e in state.log[before:]
               if "/news/releases/" in e["path"] or "/rss/articles/" in e["path"]]
    assert fetched == []


@pytest.fixture
def drafted(crawled):
    config_path, _, _ = crawled
    result = run_cli("draft", config=config_path)
    assert result.returncode == 0, result.stderr
    return config_path


def breach_draft(config_path: Path) -> str:
    drafts = sorted((config_path.parent / "drafts").glob("*inadvertent-posting*.md"))
    assert drafts, "no draft for the ICE statement"
    return drafts[0].read_text(encoding="utf-8")


def test_draft_has_headline(drafted):
    assert "# ICE statement on the inadvertent posting of detainee information" in breach_draft(
        drafted)


@pytest.mark.parametrize("section", ["## The Information", "## Why It Matters", "## Sources"])
def test_draft_has_firm_sections(drafted, section):
    assert section in breach_draft(drafted)


def test_draft_links_its_source(drafted):
    assert re.search(r"\]\(https://www\.ice\.gov/news/releases/ice-statement-inadvertent-posting"
                     r"-detainee-information\)", breach_draft(drafted))


def test_draft_carries_call_to_action_from_config(drafted):
    assert "(555) 010-9999" in breach_draft(drafted).replace("\\(", "(").replace("\\)", ")")


def test_draft_front_matter_is_marked_pending(drafted):
    assert 'status: "pending-review"' in breach_draft(drafted)


def test_second_draft_run_writes_nothing(drafted):
    again = run_cli("draft", config=drafted)
    assert "wrote" not in again.stdout


def test_digest_preview_is_valid_multipart(drafted, workdir):
    preview = workdir / "preview.eml"
    result = run_cli("digest", "--preview", str(preview), config=drafted)
    assert result.returncode == 0, result.stderr
    message = email.message_from_bytes(preview.read_bytes(), policy=email.policy.default)
    kinds = sorted(part.get_content_type() for part in message.iter_parts())
    assert kinds == ["text/html", "text/plain"]


def test_digest_preview_lists_incidents(drafted, workdir):
    preview = workdir / "preview.eml"
    run_cli("digest", "--preview", str(preview), config=drafted)
    message = email.message_from_bytes(preview.read_bytes(), policy=email.policy.default)
    text = message.get_body(("plain",)).get_content()
    assert "ICE statement on the inadvertent posting of detainee information" in text


def test_search_finds_articles_through_fts(drafted):
    result = run_cli("search", "poultry", config=drafted)
    assert "Mississippi poultry plants" in result.stdout
