"""kill -9 a `monitor run` mid-crawl and mid-draft, run again: nothing lost, nothing doubled.

Mid-crawl: the snapshot server answers two article pages slowly, and the run is killed once
other articles are committed. Mid-draft: the test's copy of the draft template spends about a
second in a loop that renders nothing, and the run is killed as soon as the first draft is
committed, while it renders the second. Production code has no test hooks.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
from pathlib import Path

import pytest

from monitor.snapshot import serve_snapshot
from tests.conftest import DEMO_SNAPSHOT, ROOT, run_cli
from tests.opskit import (
    ops_config,
    query,
    scalar,
    set_templates,
    slow_snapshot,
    start,
    table_exists,
    wait_for,
)


def count(db: Path, table: str) -> int:
    return scalar(db, f"SELECT COUNT(*) FROM {table}")  # noqa: S608 - fixed table names


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """What an uninterrupted pass stores, to compare the crashed-and-rerun ones against."""
    folder = tmp_path_factory.mktemp("reference")
    config = ops_config(folder)
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        run_cli("run", "--snapshot", base, "--no-digests", config=config)
    db = folder / "monitor.db"
    return {"urls": sorted(r[0] for r in query(db, "SELECT url FROM articles")),
            "incidents": count(db, "incidents"), "drafts": count(db, "drafts")}


# -- kill -9 during the crawl --------------------------------------------------------------

@pytest.fixture(scope="module")
def crawl_crash(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crawlcrash")
    config = ops_config(folder)
    db = folder / "monitor.db"
    root = slow_snapshot(folder / "snap", page_delay=3)
    with serve_snapshot(root) as (base, _):
        child = start(config, "run", "--snapshot", base, "--no-digests")
        stored = wait_for(lambda: table_exists(db, "articles") and count(db, "articles") >= 3)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        killed = {"stored": stored, "urls": {r[0] for r in query(db, "SELECT url FROM articles")},
                  "run_status": scalar(db, "SELECT status FROM runs")}
        rerun = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    return db, killed, rerun


def test_crawl_was_killed_with_some_articles_committed(crawl_crash):
    _, killed, _ = crawl_crash
    assert killed["stored"] and 3 <= len(killed["urls"]) < 10


def test_killed_run_is_left_marked_running(crawl_crash):
    _, killed, _ = crawl_crash
    assert killed["run_status"] == "running"


def test_rerun_after_crawl_crash_exits_zero(crawl_crash):
    _, _, rerun = crawl_crash
    assert rerun.returncode == 0, rerun.stderr


def test_rerun_marks_the_killed_run_interrupted(crawl_crash):
    db, _, _ = crawl_crash
    assert scalar(db, "SELECT status FROM runs WHERE id = 1") == "interrupted"


def test_database_intact_after_crawl_crash(crawl_crash):
    db, _, _ = crawl_crash
    assert scalar(db, "PRAGMA integrity_check") == "ok"


def test_no_committed_article_lost_after_crawl_crash(crawl_crash):
    db, killed, _ = crawl_crash
    now = {r[0] for r in query(db, "SELECT url FROM articles")}
    assert killed["urls"] <= now


def test_rerun_completes_the_crawl(crawl_crash, reference):
    db, _, _ = crawl_crash
    assert sorted(r[0] for r in query(db, "SELECT url FROM articles")) == reference["urls"]


def test_no_duplicate_articles_after_crawl_crash(crawl_crash):
    db, _, _ = crawl_crash
    assert scalar(db, "SELECT COUNT(*) - COUNT(DISTINCT url) FROM articles") == 0


def test_incidents_as_without_crash(crawl_crash, reference):
    db, _, _ = crawl_crash
    assert count(db, "incidents") == reference["incidents"]


def test_drafts_as_without_crash(crawl_crash, reference):
    db, _, _ = crawl_crash
    assert count(db, "drafts") == reference["drafts"]


# -- kill -9 during drafting ---------------------------------------------------------------

# A template loop that renders nothing but takes about a second: drafting slows to a pace the
# test can act on, and the output is byte-for-byte what the firm's template renders.
SLOW_RENDER = "{%- for _ in range(8000000) %}{% endfor -%}"


@pytest.fixture(scope="module")
def draft_crash(tmp_path_factory):
    folder = tmp_path_factory.mktemp("draftcrash")
    templates = folder / "templates"
    shutil.copytree(ROOT / "templates", templates)
    draft = templates / "draft.md.j2"
    draft.write_text(SLOW_RENDER + draft.read_text(encoding="utf-8"), encoding="utf-8")
    config = ops_config(folder)
    set_templates(config, templates)
    db = folder / "monitor.db"
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        child = start(config, "run", "--snapshot", base, "--no-digests")
        # The first draft row is committed: the run is now rendering the second one.
        first = wait_for(lambda: table_exists(db, "drafts") and count(db, "drafts") >= 1,
                         step=0.005)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        killed = {"first": first, "drafts": count(db, "drafts"),
                  "incidents": count(db, "incidents")}
        set_templates(config, ROOT / "templates")
        rerun = run_cli("run", "--snapshot", base, "--no-digests", config=config)
    return folder, killed, rerun


def test_run_was_killed_between_two_drafts(draft_crash):
    _, killed, _ = draft_crash
    assert (killed["first"], killed["drafts"], killed["incidents"] > 1) == (True, 1, True)


def test_rerun_after_draft_crash_exits_zero(draft_crash):
    _, _, rerun = draft_crash
    assert rerun.returncode == 0, rerun.stderr


def test_database_intact_after_draft_crash(draft_crash):
    folder, _, _ = draft_crash
    assert scalar(folder / "monitor.db", "PRAGMA integrity_check") == "ok"


def test_every_incident_has_one_draft_after_rerun(draft_crash, reference):
    folder, _, _ = draft_crash
    db = folder / "monitor.db"
    assert scalar(db, "SELECT COUNT(DISTINCT incident_id) FROM drafts") == count(
        db, "drafts") == reference["drafts"]


def test_no_duplicate_incidents_after_draft_crash(draft_crash, reference):
    folder, _, _ = draft_crash
    assert count(folder / "monitor.db", "incidents") == reference["incidents"]


def test_one_file_per_draft_after_rerun(draft_crash):
    folder, _, _ = draft_crash
    files = sorted(p.name for p in (folder / "drafts").iterdir())
    rows = sorted(Path(r[0]).name for r in query(folder / "monitor.db", "SELECT path FROM drafts"))
    assert files == rows


def test_every_draft_file_is_complete(draft_crash):
    """Each file is exactly what was generated (no torn or half-written draft)."""
    folder, _, _ = draft_crash
    rows = query(folder / "monitor.db", "SELECT path, generated_hash FROM drafts")
    torn = [p for p, digest in rows
            if hashlib.sha256(Path(p).read_bytes()).hexdigest() != digest]
    assert rows and torn == []


def test_first_draft_was_kept_not_flagged_as_edited(draft_crash):
    folder, _, _ = draft_crash
    assert scalar(folder / "monitor.db", "SELECT COUNT(*) FROM drafts WHERE flags LIKE '%edit%'") \
        == 0
