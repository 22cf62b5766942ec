"""The review workflow over a real SQLite file and real draft files."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from monitor import draft_files, drafting, review
from tests.draft_fixtures import BREACH_TEXT, NOW, join_incident, make_article, make_incident, setup


@pytest.fixture
def drafted(tmp_path: Path):
    config, db = setup(tmp_path)
    article = make_article(db, "https://news.example.com/breach", "ICE posts detainee data",
                           BREACH_TEXT)
    incident = make_incident(db, article, title="ICE posts detainee data")
    drafting.generate_drafts(db, config, now=NOW)
    draft = review.list_drafts(db)[0]
    return config, db, incident, draft


def second_source_joins(db, config, incident) -> None:
    """Another outlet reports the incident and the drafting stage runs again."""
    second = make_article(db, "https://other.example.org/b", "Second outlet on the ICE leak",
                          "ICE removed the spreadsheet after reporters asked about it.",
                          outlet="Other Outlet")
    join_incident(db, incident, second)
    drafting.generate_drafts(db, config, now=NOW + timedelta(hours=1))


def test_new_draft_is_pending(drafted):
    _, _, _, draft = drafted
    assert draft["status"] == "pending"


def test_new_draft_has_version_one_in_history(drafted):
    _, db, _, draft = drafted
    assert [v["version"] for v in review.history(db, draft["id"])] == [1]


def test_get_draft_returns_file_text(drafted):
    _, db, _, draft = drafted
    assert review.get_draft(db, draft["id"])["text"] == Path(draft["path"]).read_text()


def test_save_edit_writes_file(drafted):
    config, db, _, draft = drafted
    review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1, actor="ana")
    assert Path(draft["path"]).read_text() == "# Edited\n"


def test_save_edit_keeps_previous_text_as_version(drafted):
    config, db, _, draft = drafted
    original = Path(draft["path"]).read_text()
    review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1, actor="ana")
    assert review.history(db, draft["id"])[0]["text"] == original


def test_save_edit_returns_next_version(drafted):
    config, db, _, draft = drafted
    assert review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1,
                            actor="ana") == 2


def test_save_over_newer_version_is_refused(drafted):
    config, db, _, draft = drafted
    review.save_edit(db, config, draft["id"], "# First\n", base_version=1, actor="ana")
    with pytest.raises(review.ConcurrentEditError):
        review.save_edit(db, config, draft["id"], "# Second\n", base_version=1, actor="ben")


def test_refused_save_loses_nothing(drafted):
    config, db, _, draft = drafted
    review.save_edit(db, config, draft["id"], "# First\n", base_version=1, actor="ana")
    with pytest.raises(review.ConcurrentEditError):
        review.save_edit(db, config, draft["id"], "# Second\n", base_version=1, actor="ben")
    assert Path(draft["path"]).read_text() == "# First\n"


def test_hand_edit_of_file_becomes_a_version(drafted):
    _, db, _, draft = drafted
    Path(draft["path"]).write_text("# By hand\n")
    assert review.get_draft(db, draft["id"])["version"] == 2


def test_save_based_on_version_before_hand_edit_is_refused(drafted):
    config, db, _, draft = drafted
    Path(draft["path"]).write_text("# By hand\n")
    with pytest.raises(review.ConcurrentEditError):
        review.save_edit(db, config, draft["id"], "# Web\n", base_version=1, actor="ana")


def test_approve_records_reviewer_time_and_note(drafted):
    _, db, _, draft = drafted
    row = review.approve(db, draft["id"], reviewer="ana", note="good", now=NOW)
    assert (row["status"], row["reviewer"], row["reviewed_at"], row["note"]) == (
        "approved", "ana", "2026-03-02T15:00:00+00:00", "good")


def test_approve_logs_audit_event(drafted):
    _, db, _, draft = drafted
    review.approve(db, draft["id"], reviewer="ana", note="good", now=NOW)
    last = review.events(db, draft["id"])[-1]
    assert (last["action"], last["actor"], last["note"]) == ("approved", "ana", "good")


def test_reject_records_note(drafted):
    _, db, _, draft = drafted
    assert review.reject(db, draft["id"], reviewer="ana", note="wrong story")["note"] == \
        "wrong story"


def test_approving_twice_is_refused(drafted):
    _, db, _, draft = drafted
    review.approve(db, draft["id"], reviewer="ana")
    with pytest.raises(review.InvalidTransition, match="already approved"):
        review.approve(db, draft["id"], reviewer="ben")


def test_approving_rejected_needs_reopen(drafted):
    _, db, _, draft = drafted
    review.reject(db, draft["id"], reviewer="ana")
    review.reopen(db, draft["id"], reviewer="ana")
    assert review.approve(db, draft["id"], reviewer="ana")["status"] == "approved"


def test_approve_of_stale_version_is_refused(drafted):
    config, db, _, draft = drafted
    review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1, actor="ben")
    with pytest.raises(review.ConcurrentEditError):
        review.approve(db, draft["id"], reviewer="ana", version=1)


def test_edit_after_approval_withdraws_it(drafted):
    config, db, _, draft = drafted
    review.approve(db, draft["id"], reviewer="ana")
    review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1, actor="ben")
    assert review.get_draft(db, draft["id"])["status"] == "pending"


def test_unknown_draft_is_a_clear_error(drafted):
    _, db, _, _ = drafted
    with pytest.raises(review.DraftNotFound, match="no draft with id 999"):
        review.get_draft(db, 999)


def test_diff_shows_edit(drafted):
    config, db, _, draft = drafted
    review.save_edit(db, config, draft["id"], "# Edited\n", base_version=1, actor="ana")
    assert "+# Edited" in review.diff(db, draft["id"])


def test_regeneration_without_edit_is_new_version(drafted):
    config, db, incident, draft = drafted
    second_source_joins(db, config, incident)
    assert review.history(db, draft["id"])[-1]["kind"] == "regenerated"


def test_regeneration_after_edit_keeps_edit(drafted):
    config, db, incident, draft = drafted
    review.save_edit(db, config, draft["id"], "# Attorney text\n", base_version=1, actor="ana")
    second_source_joins(db, config, incident)
    assert Path(draft["path"]).read_text() == "# Attorney text\n"


def test_regeneration_after_edit_flags_draft(drafted):
    config, db, incident, draft = drafted
    review.save_edit(db, config, draft["id"], "# Attorney text\n", base_version=1, actor="ana")
    second_source_joins(db, config, incident)
    assert draft_files.EDIT_FLAG in review.get_draft(db, draft["id"])["flags"]


def test_update_file_carries_new_source(drafted):
    config, db, incident, draft = drafted
    review.save_edit(db, config, draft["id"], "# Attorney text\n", base_version=1, actor="ana")
    second_source_joins(db, config, incident)
    assert "other.example.org/b" in review.get_draft(db, draft["id"])["update_text"]


def test_regeneration_with_nothing_new_adds_no_version(drafted):
    config, db, incident, draft = drafted
    from monitor.storage import incidents as incident_store
    incident_store.update_incident(db, incident, {}, now=NOW)
    drafting.generate_drafts(db, config, now=NOW + timedelta(hours=1))
    assert [v["version"] for v in review.history(db, draft["id"])] == [1]


def test_regeneration_withdraws_approval(drafted):
    config, db, incident, draft = drafted
    review.approve(db, draft["id"], reviewer="ana")
    second_source_joins(db, config, incident)
    assert review.get_draft(db, draft["id"])["status"] == "pending"


def test_adopt_update_takes_regenerated_text(drafted):
    config, db, incident, draft = drafted
    review.save_edit(db, config, draft["id"], "# Attorney text\n", base_version=1, actor="ana")
    second_source_joins(db, config, incident)
    review.adopt_update(db, config, draft["id"], base_version=2, actor="ana")
    assert "other.example.org/b" in Path(draft["path"]).read_text()


def test_dismiss_update_clears_flag(drafted):
    config, db, incident, draft = drafted
    review.save_edit(db, config, draft["id"], "# Attorney text\n", base_version=1, actor="ana")
    second_source_joins(db, config, incident)
    review.dismiss_update(db, draft["id"], actor="ana")
    assert review.get_draft(db, draft["id"])["flags"] == []


def test_save_refuses_path_outside_drafts_folder(drafted, tmp_path):
    config, db, _, draft = drafted
    from monitor.storage import drafts as draft_store
    draft_store.update_draft(db, draft["id"], {"path": str(tmp_path / "elsewhere.md")},
                             action="test")
    with pytest.raises(review.ReviewError, match="outside the drafts folder"):
        review.save_edit(db, config, draft["id"], "# x\n", base_version=1, actor="ana")


def test_list_filters_by_incident_type(drafted):
    _, db, _, _ = drafted
    assert review.list_drafts(db, incident_type="raid") == []


def test_list_rejects_unknown_status(drafted):
    _, db, _, _ = drafted
    with pytest.raises(review.ReviewError, match="unknown status"):
        review.list_drafts(db, status="published")


def test_decision_needs_reviewer_name(drafted):
    _, db, _, draft = drafted
    with pytest.raises(review.ReviewError, match="reviewer"):
        review.approve(db, draft["id"], reviewer=" ")
