"""digest: send the digests that are due, or write one to a file instead."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from monitor import digest as digesting
from monitor import mail
from monitor.cli.common import CommandError, Context
from monitor.config import Recipient


def parse_now(value: str | None) -> datetime:
    """--now as ISO 8601 (UTC when no offset is given); default: the real clock."""
    if not value:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--now {value!r} is not an ISO 8601 time "
                           "(e.g. 2026-11-24T07:00:00+00:00)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def pick_recipient(obj: Context, email: str | None) -> Recipient:
    recipients = obj.config.recipients
    if email:
        for recipient in recipients:
            if recipient.email.lower() == email.lower():
                return recipient
        raise CommandError(f"--to {email}: no such [[recipients]] entry in {obj.config.path}")
    return recipients[0] if recipients else Recipient(email="preview@localhost")


def preview_digest(obj: Context, path: Path, to: str | None = None,
                   now: datetime | None = None) -> Path:
    """Write the digest one recipient would get now (schedule aside) as a .eml; records nothing."""
    config = obj.config
    now = now or datetime.now(UTC)
    recipient = pick_recipient(obj, to)
    built = digesting.build_digest(obj.db(), recipient, config, now)
    message = digesting.message_for(built, config, now)
    try:
        return mail.write_preview(message, path)
    except OSError as exc:
        raise CommandError(f"cannot write the preview to {path}: {exc.strerror or exc}") from None


@click.command()
@click.option("--preview", "preview_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the email to FILE instead of sending it (nothing is marked sent).")
@click.option("--to", "to", metavar="EMAIL",
              help="Only this recipient (with --preview: whose digest to write; default first).")
@click.option("--now", "now_text", metavar="ISO-TIME",
              help="Act as if it were this time (schedules, dates); default: now.")
@click.pass_obj
def digest(obj: Context, preview_path: str | None, to: str | None, now_text: str | None) -> None:
    """Send the digest emails that are due (or write one with --preview).

    Exit status 1 when a digest could not be delivered; its items stay pending for the next run.
    """
    now = parse_now(now_text)
    if preview_path:
        path = preview_digest(obj, Path(preview_path), to, now)
        click.echo(f"digest preview written to {path}")
        return
    config = obj.config
    if not config.recipients:
        raise CommandError(f"no [[recipients]] in {config.path}")
    if to:
        pick_recipient(obj, to)
    obj.setup_logging()
    outcomes = digesting.send_due_digests(obj.db(), config, now, only=to)
    for outcome in outcomes:
        if outcome.status == "sent":
            click.echo(f"{outcome.recipient}: sent ({outcome.subject})")
        elif outcome.status == "not-due":
            due = f"{outcome.next_due:%Y-%m-%d %H:%M} UTC" if outcome.next_due else "now"
            click.echo(f"{outcome.recipient}: not due until {due}")
        elif outcome.status == "nothing-new":
            click.echo(f"{outcome.recipient}: nothing new")
        elif outcome.status == "busy":
            click.echo(f"{outcome.recipient}: another run is sending this digest")
        else:
            click.echo(f"{outcome.recipient}: NOT SENT, kept for the next run: {outcome.detail}")
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        click.echo(f"monitor: {len(failed)} digest(s) not delivered; their items stay pending "
                   "for the next run", err=True)
        raise SystemExit(1)


COMMANDS = [digest]
