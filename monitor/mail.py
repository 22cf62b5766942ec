"""Build and deliver digest emails with smtplib; a digest counts as sent only once accepted."""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from monitor.config import Smtp


class DeliveryError(Exception):
    """The SMTP server did not accept the message; nothing is marked as sent."""


def _header_safe(value: str) -> str:
    """No CR/LF may ever reach a header."""
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def build_message(*, sender: str, to: str, subject: str, text: str, html: str,
                  now: datetime | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("Immigration monitor", _header_safe(sender)))
    message["To"] = _header_safe(to)
    message["Subject"] = _header_safe(subject)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=_header_safe(domain))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def write_preview(message: EmailMessage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(message))
    return path


def send(message: EmailMessage, smtp: Smtp) -> None:
    """Deliver or raise DeliveryError with a one-line reason."""
    try:
        if smtp.security == "ssl":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                smtp.host, smtp.port, timeout=smtp.timeout, context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        with client:
            if smtp.security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                password = smtp.password
                if password is None:
                    raise DeliveryError(
                        f"SMTP password variable {smtp.password_env or '(unset)'} is not set")
                client.login(smtp.username, password)
            refused = client.send_message(message)
            if refused:
                raise DeliveryError(f"recipients refused: {', '.join(refused)}")
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(f"SMTP login refused by {smtp.host}:{smtp.port}: {exc.smtp_code}") \
            from None
    except smtplib.SMTPResponseException as exc:
        detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        raise DeliveryError(f"SMTP server {smtp.host}:{smtp.port} answered {exc.smtp_code} "
                            f"{detail}") from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"cannot deliver via {smtp.host}:{smtp.port}: {exc}") from None
