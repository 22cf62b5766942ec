"""Build and deliver digest emails with smtplib; a digest counts as sent only once accepted.

Every failure (connection refused, TLS or login refused, a 4xx/5xx reply, a timeout) becomes a
DeliveryError with a one-line reason; the caller keeps the digest's items pending.
"""

from __future__ import annotations

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid
from pathlib import Path

from monitor.config import Smtp

__all__ = ["DeliveryError", "EmailMessage", "build_message", "new_message_id", "send",
           "write_preview"]


class DeliveryError(Exception):
    """The SMTP server did not accept the message; nothing is marked as sent.

    `kind` is one of: connect, timeout, tls, auth, temporary (4xx), permanent (5xx), config.
    """

    def __init__(self, reason: str, kind: str = "connect") -> None:
        super().__init__(reason)
        self.kind = kind


def header_safe(value: str) -> str:
    """No CR/LF (or other line breaks) may ever reach a header."""
    return " ".join(str(value).split())


def _domain(sender: str) -> str:
    domain = header_safe(sender).rpartition("@")[2].strip("<> ")
    return domain or "localhost"


def new_message_id(sender: str) -> str:
    """A Message-ID under the sender's domain (no DNS lookup of the local host name)."""
    return make_msgid(domain=_domain(sender))


def build_message(*, sender: str, to: str, subject: str, text: str, html: str,
                  now: datetime | None = None, message_id: str | None = None,
                  to_name: str = "") -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML second."""
    message = EmailMessage()
    message["From"] = formataddr(("Immigration monitor", header_safe(sender)))
    message["To"] = formataddr((header_safe(to_name), header_safe(to)))
    message["Subject"] = header_safe(subject)
    message["Date"] = format_datetime((now or datetime.now(UTC)).astimezone(UTC))
    message["Message-ID"] = header_safe(message_id or new_message_id(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def write_preview(message: EmailMessage, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(message))
    return path


def _reply(exc: smtplib.SMTPResponseException) -> str:
    detail = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
        else str(exc.smtp_error)
    return f"{exc.smtp_code} {header_safe(detail)}"


def _connect(smtp: Smtp) -> smtplib.SMTP:
    helo = _domain(smtp.sender)
    if smtp.security == "ssl":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, local_hostname=helo,
                                timeout=smtp.timeout, context=ssl.create_default_context())
    return smtplib.SMTP(smtp.host, smtp.port, local_hostname=helo, timeout=smtp.timeout)


def send(message: EmailMessage, smtp: Smtp) -> None:
    """Deliver or raise DeliveryError with a one-line reason.

    Returns only once the server accepted the message after DATA. A failure after that point
    (say, the connection drops during QUIT) is ignored: the message was accepted.
    """
    where = f"{smtp.host}:{smtp.port}"
    if smtp.username and smtp.password is None:
        raise DeliveryError(f"SMTP password variable {smtp.password_env or '(password_env unset)'}"
                            " is not set in the environment", "config")
    client: smtplib.SMTP | None = None
    try:
        client = _connect(smtp)
        if smtp.security == "starttls":
            client.ehlo()
            if not client.has_extn("starttls"):
                raise DeliveryError(f"SMTP server {where} does not offer STARTTLS", "tls")
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if smtp.username:
            client.login(smtp.username, smtp.password or "")
        refused = client.send_message(message)
        if refused:
            raise DeliveryError(f"SMTP server {where} refused "
                                f"{', '.join(sorted(refused))}", "permanent")
    except DeliveryError:
        _close(client)
        raise
    except smtplib.SMTPAuthenticationError as exc:
        _close(client)
        raise DeliveryError(f"SMTP login as {smtp.username} refused by {where}: {_reply(exc)}",
                            "auth") from None
    except smtplib.SMTPRecipientsRefused as exc:
        _close(client)
        replies = "; ".join(f"{rcpt}: {code} {header_safe(msg.decode(errors='replace'))}"
                            for rcpt, (code, msg) in exc.recipients.items())
        kind = "temporary" if all(400 <= c < 500 for c, _ in exc.recipients.values()) \
            else "permanent"
        raise DeliveryError(f"SMTP server {where} refused the recipient: {replies}",
                            kind) from None
    except smtplib.SMTPResponseException as exc:
        _close(client)
        kind = "temporary" if 400 <= exc.smtp_code < 500 else "permanent"
        raise DeliveryError(f"SMTP server {where} answered {_reply(exc)}", kind) from None
    except TimeoutError:
        _close(client)
        raise DeliveryError(f"SMTP server {where} did not answer within {smtp.timeout:g}s",
                            "timeout") from None
    except ssl.SSLError as exc:
        _close(client)
        raise DeliveryError(f"TLS with SMTP server {where} failed: {exc.reason or exc}",
                            "tls") from None
    except (smtplib.SMTPException, OSError) as exc:
        _close(client)
        if isinstance(exc.__context__, TimeoutError):  # smtplib wraps a read timeout
            raise DeliveryError(f"SMTP server {where} did not answer within {smtp.timeout:g}s",
                                "timeout") from None
        reason = header_safe(str(exc)) or type(exc).__name__
        raise DeliveryError(f"cannot deliver via {where}: {reason}", "connect") from None
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _close(client: smtplib.SMTP | None) -> None:
    if client is not None:
        try:
            client.close()
        except OSError:
            pass
