"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, on a free port.

It records what it accepted (parsed), can answer DATA with a scripted failure ("451 ..."),
can require AUTH, STARTTLS or implicit TLS with a self-signed certificate for 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.policy
import ipaddress
import itertools
import os
import socket
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

PORTS_PER_WORKER = 400
FIRST_WORKER_PORT = 20000  # below Linux's ephemeral range (32768-60999): the kernel hands none
_handed_out = itertools.count()


def free_port() -> int:
    """A loopback port nobody listens on (now): for "server down" and for starting later.

    The SMTP servers must be told their port before they bind it, so a port is chosen, closed
    and used later. Under pytest-xdist each worker (`PYTEST_XDIST_WORKER` = gw0, gw1, ...) picks
    from its own range, so two workers cannot be handed the same port in that gap.
    """
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]
    first = FIRST_WORKER_PORT + int(worker[2:]) * PORTS_PER_WORKER
    for _ in range(PORTS_PER_WORKER):
        port = first + next(_handed_out) % PORTS_PER_WORKER
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (by something outside the tests): the next one
            return port
    raise RuntimeError(f"no free loopback port in {first}-{first + PORTS_PER_WORKER - 1}")


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class Recorder:
    """aiosmtpd handler: accepts and records, or answers with the scripted `replies` first."""

    received: list[Received] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)
    rcpt_replies: list[str] = field(default_factory=list)
    attempts: int = 0

    async def handle_RCPT(self, server, session, envelope, address,  # noqa: N802
                          rcpt_options) -> str:
        if self.rcpt_replies:
            return self.rcpt_replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        self.attempts += 1
        if self.replies:
            return self.replies.pop(0)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.original_content or envelope.content))
        return "250 2.0.0 Message accepted for delivery"


class SmtpServer:
    """Start with `with SmtpServer(...) as server:`; `server.port`, `server.received`."""

    def __init__(self, port: int | None = None, *, replies: list[str] | None = None,
                 rcpt_replies: list[str] | None = None,
                 users: dict[str, str] | None = None, tls: tuple[Path, Path] | None = None,
                 implicit_tls: bool = False) -> None:
        self.port = port or free_port()
        self.handler = Recorder(replies=list(replies or []),
                                rcpt_replies=list(rcpt_replies or []))
        kwargs: dict = {}
        if users is not None:
            # implicit TLS is encrypted from the first byte, but aiosmtpd only counts STARTTLS
            kwargs.update(authenticator=_authenticator(users),
                          auth_require_tls=tls is not None and not implicit_tls)
        if tls:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            if implicit_tls:
                kwargs["ssl_context"] = context
            else:
                kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     server_hostname="127.0.0.1", ready_timeout=10, **kwargs)

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()


def _authenticator(users: dict[str, str]):
    def check(server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            user = auth_data.login.decode()
            if users.get(user) == auth_data.password.decode():
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    return check


@contextlib.contextmanager
def silent_server():
    """Accepts TCP connections but never says a word: the client must time out."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.listen(5)
        yield listener.getsockname()[1]


def self_signed_cert(folder: Path) -> tuple[Path, Path]:
    """A certificate for IP 127.0.0.1 (also the CA file the client must trust)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path
