"""digest: send what is due, or write a preview."""

from __future__ import annotations

from pathlib import Path

import click

from monitor import digest as digesting
from monitor import mail
from monitor.cli.common import CommandError, Context
from monitor.config import Recipient


def preview_digest(obj: Context, path: Path) -> Path:
    """Write the digest the first recipient would get (or a generic one) as a .eml file."""
    config = obj.config
    recipient = config.recipients[0] if config.recipients else Recipient(email="preview@localhost")
    built = digesting.build_digest(obj.db(), recipient)
    subject, text, html = digesting.render(built, config)
    message = mail.build_message(sender=config.smtp.sender, to=recipient.email,
                                 subject=subject, text=text, html=html)
    return mail.write_preview(message, path)


@click.command()
@click.option("--preview", "preview_path", type=click.Path(dir_okay=False), metavar="FILE",
              help="Write the email to FILE instead of sending it.")
@click.pass_obj
def digest(obj: Context, preview_path: str | None) -> None:
    """Send the digest emails that are due (or preview one with --preview)."""
    if preview_path:
        path = preview_digest(obj, Path(preview_path))
        click.echo(f"digest preview written to {path}")
        return
    config = obj.config
    db = obj.db()
    if not config.recipients:
        raise CommandError("no [[recipients]] in the config file")
    failures = 0
    for recipient in config.recipients:
        built = digesting.build_digest(db, recipient)
        if built.empty:
            click.echo(f"{recipient.email}: nothing new")
            continue
        subject, text, html = digesting.render(built, config)
        message = mail.build_message(sender=config.smtp.sender, to=recipient.email,
                                     subject=subject, text=text, html=html)
        from monitor.storage import digests as digest_store

        try:
            mail.send(message, config.smtp)
        except mail.DeliveryError as exc:
            failures += 1
            digest_store.record_digest(db, recipient.email, subject, built.items,
                                       status="failed", error=str(exc))
            click.echo(f"{recipient.email}: not sent, kept for the next run: {exc}", err=True)
            continue
        digest_store.record_digest(db, recipient.email, subject, built.items, status="sent",
                                   message_id=message["Message-ID"])
        click.echo(f"{recipient.email}: sent ({subject})")
    if failures:
        raise CommandError(f"{failures} digest(s) could not be delivered")


COMMANDS = [digest]
