"""`monitor drafts list|show|approve|reject|reopen|diff|history|…` and `monitor publish`.

Thin shells over `monitor.review` and `monitor.publish`: the rules live there.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from monitor import draft_files, review
from monitor.cli.common import CommandError, Context


def _friendly(func: Callable[..., Any]) -> Callable[..., Any]:
    """Review errors become the command's one-line error (exit status 2)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except review.ReviewError as exc:
            raise CommandError(str(exc)) from None

    return wrapper


reviewer_option = click.option(
    "--as", "reviewer", metavar="NAME", envvar="MONITOR_REVIEWER",
    default=lambda: os.environ.get("MONITOR_REVIEWER") or os.environ.get("USER") or "",
    help="Who is deciding (default: $MONITOR_REVIEWER, then $USER).")
note_option = click.option("--note", "-m", metavar="TEXT", help="A note for the audit trail.")


@click.group()
def drafts() -> None:
    """Review drafts: list, read, approve, reject, compare versions."""


@drafts.command("list")
@click.option("--status", type=click.Choice(review.STATES), help="Only drafts in this state.")
@click.option("--type", "incident_type", metavar="TYPE", help="Only this incident type.")
@click.pass_obj
@_friendly
def list_command(obj: Context, status: str | None, incident_type: str | None) -> None:
    """Drafts, pending first."""
    rows = review.list_drafts(obj.db(), status=status, incident_type=incident_type)
    if not rows:
        click.echo("no drafts")
    for row in rows:
        flags = f"  [{'; '.join(row['flags'])}]" if row["flags"] else ""
        click.echo(f"{row['id']:>4}  {row['status']:<8}  v{row['version']:<3} "
                   f"{(row.get('incident_type') or '-'):<20} {row['title']}{flags}")
        click.echo(f"      {row['path']}")


@drafts.command()
@click.argument("draft_id", type=int)
@click.option("--meta", is_flag=True, help="Only the review information, not the text.")
@click.pass_obj
@_friendly
def show(obj: Context, draft_id: int, meta: bool) -> None:
    """A draft: its state, privacy-guard decisions, flags and text."""
    draft = review.get_draft(obj.db(), draft_id)
    click.echo(f"draft {draft['id']} (incident {draft['incident_id']}): {draft['title']}")
    click.echo(f"  status:  {draft['status']}, version {draft['version']}")
    if draft.get("reviewer"):
        click.echo(f"  review:  {draft['reviewer']} at {draft['reviewed_at']}"
                   + (f": {draft['note']}" if draft.get("note") else ""))
    click.echo(f"  file:    {draft['path']}" + (" (missing)" if draft["file_missing"] else ""))
    for flag in draft["flags"]:
        click.echo(f"  flag:    {flag}")
    if draft.get("update_path") and draft.get("update_text") is not None:
        click.echo(f"  update:  {draft['update_path']} (see `monitor drafts diff "
                   f"{draft_id} --update`)")
    for decision in draft["privacy"]:
        click.echo(f"  privacy: {decision['action']} ({decision['reason']}) in "
                   f"{decision.get('where', '?')}: {decision['excerpt']}")
    for source in draft["sources"]:
        click.echo(f"  [{source['number']}] {source['outlet']}: {source['title']} "
                   f"<{source['url']}>")
    if not meta:
        click.echo("")
        click.echo(draft["text"], nl=False)


@drafts.command()
@click.argument("draft_id", type=int)
@reviewer_option
@note_option
@click.option("--version", type=int, help="Refuse if the draft is no longer at this version.")
@click.pass_obj
@_friendly
def approve(obj: Context, draft_id: int, reviewer: str, note: str | None,
            version: int | None) -> None:
    """Approve a pending draft (only approved drafts can be published)."""
    row = review.approve(obj.db(), draft_id, reviewer=reviewer, note=note, version=version)
    click.echo(f"draft {draft_id} approved by {row['reviewer']} (version {row['version']})")


@drafts.command()
@click.argument("draft_id", type=int)
@reviewer_option
@note_option
@click.option("--version", type=int, help="Refuse if the draft is no longer at this version.")
@click.pass_obj
@_friendly
def reject(obj: Context, draft_id: int, reviewer: str, note: str | None,
           version: int | None) -> None:
    """Reject a draft, or withdraw an approval."""
    row = review.reject(obj.db(), draft_id, reviewer=reviewer, note=note, version=version)
    click.echo(f"draft {draft_id} rejected by {row['reviewer']}")


@drafts.command()
@click.argument("draft_id", type=int)
@reviewer_option
@note_option
@click.pass_obj
@_friendly
def reopen(obj: Context, draft_id: int, reviewer: str, note: str | None) -> None:
    """Take an approved or rejected draft back to pending review."""
    review.reopen(obj.db(), draft_id, reviewer=reviewer, note=note)
    click.echo(f"draft {draft_id} is pending review again")


@drafts.command()
@click.argument("draft_id", type=int)
@click.option("--from", "from_version", type=int, help="Older version (default: previous).")
@click.option("--to", "to_version", type=int, help="Newer version (default: current).")
@click.option("--update", is_flag=True,
              help="Compare the edited draft with the regenerated text waiting beside it.")
@click.pass_obj
@_friendly
def diff(obj: Context, draft_id: int, from_version: int | None, to_version: int | None,
         update: bool) -> None:
    """Show what changed between two versions of a draft."""
    db = obj.db()
    draft_files.sync_file(db, draft_id)
    text = (review.update_diff(db, draft_id) if update
            else review.diff(db, draft_id, from_version, to_version))
    click.echo(text or "no differences", nl=not text)


@drafts.command()
@click.argument("draft_id", type=int)
@click.pass_obj
@_friendly
def history(obj: Context, draft_id: int) -> None:
    """Versions and the audit trail of a draft."""
    db = obj.db()
    draft_files.sync_file(db, draft_id)
    for entry in review.history(db, draft_id):
        click.echo(f"v{entry['version']:<3} {entry['created_at']}  {entry['kind']:<12} "
                   f"{entry['actor']}" + (f": {entry['note']}" if entry.get("note") else ""))
    click.echo("")
    for event in review.events(db, draft_id):
        click.echo(f"{event['at']}  {event['action']:<18} {event['actor']}"
                   + (f": {event['note']}" if event.get("note") else ""))


@drafts.command("dismiss-update")
@click.argument("draft_id", type=int)
@reviewer_option
@note_option
@click.pass_obj
@_friendly
def dismiss_update(obj: Context, draft_id: int, reviewer: str, note: str | None) -> None:
    """Keep an edited draft as it is: clear the flag, remove the update file."""
    review.dismiss_update(obj.db(), draft_id, actor=reviewer, note=note)
    click.echo(f"draft {draft_id}: update dismissed")


@drafts.command("adopt-update")
@click.argument("draft_id", type=int)
@reviewer_option
@note_option
@click.option("--version", "base_version", type=int, required=True,
              help="The version you reviewed (refused if the draft changed since).")
@click.pass_obj
@_friendly
def adopt_update(obj: Context, draft_id: int, reviewer: str, note: str | None,
                 base_version: int) -> None:
    """Replace an edited draft by the regenerated text (the edit stays in the history)."""
    version = review.adopt_update(obj.db(), obj.config, draft_id, base_version=base_version,
                                  actor=reviewer, note=note)
    click.echo(f"draft {draft_id}: regenerated text adopted as version {version}")


@click.command()
@click.option("--target", "targets", multiple=True, type=click.Choice(["folder", "wordpress"]),
              help="Publish only to this target (repeatable; default: every configured one).")
@click.option("--draft", "draft_ids", multiple=True, type=int, metavar="ID",
              help="Only this draft (repeatable).")
@click.option("--dry-run", is_flag=True, help="Say what would be published; change nothing.")
@click.pass_obj
@_friendly
def publish(obj: Context, targets: tuple[str, ...], draft_ids: tuple[int, ...],
            dry_run: bool) -> None:
    """Export approved drafts to the blog folder and/or WordPress (as WordPress drafts)."""
    from monitor import publish as publishing

    report = publishing.publish(obj.db(), obj.config, targets=list(targets) or None,
                                draft_ids=list(draft_ids) or None, dry_run=dry_run)
    for path in report.exported:
        click.echo(f"  exported {path}")
    for line in report.posted:
        click.echo(f"  posted {line}")
    for line in report.skipped:
        click.echo(f"  skipped {line}")
    for line in report.errors:
        click.echo(f"monitor: error: {line}", err=True)
    click.echo(f"{len(report.exported)} exported, {len(report.posted)} posted, "
               f"{len(report.errors)} failed")
    if report.errors:
        raise click.exceptions.Exit(1)


COMMANDS = [drafts, publish]
