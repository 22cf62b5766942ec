"""Issue 18 #1: losing the database must never cost an attorney's edit of a draft file.

Real `monitor run` passes over the demo snapshot on 127.0.0.1; the database is deleted between
them, as an operator restoring the wrong backup (or a full disk eating the file) would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor import drafting
from monitor.snapshot import serve_snapshot
from monitor.storage import drafts as draft_store
from tests.conftest import DEMO_SNAPSHOT, run_cli, small_sources
from tests.draft_fixtures import BREACH_TEXT, NOW, join_incident, make_article, make_incident, setup
from tests.opskit import query
from tests.sites import config_for

EDIT = "\n\nAttorney's note: confirmed with the client on Monday; do not publish before Friday.\n"


def edited_breach_draft(tmp_path: Path):
    """A one-source breach incident whose draft an attorney has edited on disk."""
    config, db = setup(tmp_path)
    first = make_article(db, "https://news.example.com/a", "ICE posts detainee data", BREACH_TEXT)
    incident = make_incident(db, first, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    path = Path(draft_store.draft_for_incident(db, incident)["path"])
    path.write_text(path.read_text(encoding="utf-8") + EDIT, encoding="utf-8")  # an edit
    return config, db, incident, path


@pytest.fixture(scope="module")
def lost_database(tmp_path_factory):
    """Run, edit one draft, truncate the database (and drop its WAL), run again."""
    folder = tmp_path_factory.mktemp("lostdb")
    # One source, one request at a time: both passes number the incidents in the same order,
    # so the second pass computes the very file names the first wrote (the case).
    config = config_for(folder, small_sources(folder, ("ice-breaking-news",)),
                        {"CONCURRENT_REQUESTS": 1})
    with serve_snapshot(DEMO_SNAPSHOT) as (base, _):
        first = run_cli("run", "--snapshot", base, "--no-digests", config=config)
        assert first.returncode == 0, first.stderr
        drafts = sorted((folder / "drafts").glob("*.md"))
        edited = drafts[0]
        edited_text = edited.read_text(encoding="utf-8") + EDIT
        edited.write_text(edited_text, encoding="utf-8")
        untouched = {p.name: p.read_text(encoding="utf-8") for p in drafts[1:]}
        # Truncated to nothing (SQLite then starts a new database, as after deleting it).
        (folder / "monitor.db").write_bytes(b"")
        for suffix in ("-wal", "-shm"):
            Path(f"{folder / 'monitor.db'}{suffix}").unlink(missing_ok=True)
        second = run_cli("run", "--snapshot", base, "--no-digests", config=config)
        status = run_cli("status", config=config)
    return {"folder": folder, "edited": edited, "edited_text": edited_text,
            "untouched": untouched, "second": second, "status": status,
            "before": [p.name for p in drafts]}


def test_second_run_completes(lost_database):
    assert lost_database["second"].returncode == 0, lost_database["second"].stderr


def test_edited_file_is_kept_byte_for_byte(lost_database):
    assert lost_database["edited"].read_text(encoding="utf-8") == lost_database["edited_text"]


def test_new_draft_is_written_beside_the_kept_file(lost_database):
    folder, edited = lost_database["folder"], lost_database["edited"]
    paths = [Path(r[0]) for r in query(folder / "monitor.db", "SELECT path FROM drafts")]
    assert edited not in paths
    beside = [p for p in paths if p.name.startswith(edited.stem + ".")]
    assert len(beside) == 1 and beside[0].exists(), [p.name for p in paths]


def test_unedited_files_are_taken_back_not_duplicated(lost_database):
    """Files identical to what the monitor would write (but for the stamp) are its own."""
    folder = lost_database["folder"]
    names = {Path(r[0]).name for r in query(folder / "monitor.db", "SELECT path FROM drafts")}
    assert set(lost_database["untouched"]) <= names


def test_run_summary_says_the_file_was_kept(lost_database):
    out = lost_database["second"].stdout
    assert f"kept {lost_database['edited'].name}" in out, out


def test_status_warns_about_the_kept_file(lost_database):
    status = lost_database["status"]
    warnings = [line for line in status.stdout.splitlines() if line.startswith("WARNING")]
    assert any(lost_database["edited"].name in line for line in warnings), status.stdout


def test_draft_flag_names_the_kept_file_for_the_review_page(lost_database):
    folder, edited = lost_database["folder"], lost_database["edited"]
    flags = [r[0] for r in query(folder / "monitor.db", "SELECT flags FROM drafts")]
    assert sum(edited.name in f for f in flags) == 1, flags


# --- the side file of an edited draft: the same rule ------------------------------------------


def test_a_foreign_update_file_is_kept_too(tmp_path):
    """`NAME.update.md` that the database did not write (a copy an attorney is working on) is
    kept; the regenerated text goes beside it and the draft's flags say so."""
    config, db, incident, path = edited_breach_draft(tmp_path)
    foreign = path.with_name(path.stem + ".update.md")
    foreign.write_text("my own notes, not the monitor's\n", encoding="utf-8")
    second = make_article(db, "https://other.example.com/b", "Data of 6,252 detainees posted",
                          BREACH_TEXT.replace("ICE said", "The agency said"), outlet="Other")
    join_incident(db, incident, second)
    report = drafting.generate_drafts(db, config, now=NOW)
    assert foreign.read_text(encoding="utf-8") == "my own notes, not the monitor's\n"
    row = draft_store.draft_for_incident(db, incident)
    assert Path(row["update_path"]).name == path.stem + ".update.2.md"
    assert Path(row["update_path"]).exists()
    assert any(foreign.name in flag for flag in row["flags"])
    assert report.kept == [(str(foreign), row["update_path"])]


def test_publishing_never_overwrites_a_post_it_did_not_write(tmp_path):
    """The blog folder gets the same rule: a post already there under the export name (the
    site's own, another draft's with the same date and slug, or one from before a lost
    database) is kept, and the draft's publish reports it."""
    from monitor import drafting, publish, review
    from tests.draft_fixtures import BREACH_TEXT, NOW, make_article, make_incident, setup

    config, db = setup(tmp_path, extra='[publish]\nfolder = "site/_posts"\n')
    article = make_article(db, "https://news.example.com/a", "ICE posts detainee data",
                           BREACH_TEXT)
    make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    review.approve(db, draft["id"], reviewer="Ana Attorney", now=NOW)
    existing = tmp_path / "site" / "_posts" / "2026-03-01-ice-posts-detainee-data.md"
    existing.parent.mkdir(parents=True)
    existing.write_text("---\ntitle: \"The firm's own post\"\n---\nHand written.\n")
    report = publish.publish(db, config, targets=["folder"], now=NOW)
    assert existing.read_text() == "---\ntitle: \"The firm's own post\"\n---\nHand written.\n"
    assert report.exported == [] and "not overwritten" in report.errors[0]


def test_the_side_file_beside_a_kept_one_is_refreshed_not_multiplied(tmp_path):
    """Later regenerations reuse the side file the draft wrote (`.update.2.md`), unchanged."""
    config, db, incident, path = edited_breach_draft(tmp_path)
    path.with_name(path.stem + ".update.md").write_text("notes\n", encoding="utf-8")
    for n, outlet in enumerate(("Other", "Third")):
        article = make_article(db, f"https://{outlet.lower()}.example.com/{n}",
                               f"Data of 6,252 detainees posted ({outlet})",
                               BREACH_TEXT.replace("ICE said", f"{outlet} said"), outlet=outlet)
        join_incident(db, incident, article)
        drafting.generate_drafts(db, config, now=NOW)
    names = sorted(p.name for p in path.parent.glob(path.stem + ".update*"))
    assert names == [path.stem + ".update.2.md", path.stem + ".update.md"], names


def test_the_review_page_names_the_kept_file(lost_database, monkeypatch):
    import re

    from monitor.configure import load_config
    from monitor.web import create_app
    from monitor.web.security import hash_password

    folder, edited = lost_database["folder"], lost_database["edited"]
    monkeypatch.setenv("MONITOR_REVIEW_PASSWORD_HASH", hash_password("pw" * 6))
    client = create_app(load_config(folder / "monitor.toml"), secret_key="k").test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"csrf_token": token, "name": "Ana", "password": "pw" * 6})
    draft_id = [r[0] for r in query(folder / "monitor.db", "SELECT id, flags FROM drafts")
                if edited.name in r[1]][0]
    page = client.get(f"/drafts/{draft_id}")
    assert page.status_code == 200 and f"kept a file the monitor did not write: {edited.name}" \
        in page.text
