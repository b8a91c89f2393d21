"""Shared set-up for the transport tests: a test PKI and a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

SMTP_USER = "praktijk"
SMTP_PASSWORD = "correct paard batterij niet"


@dataclass(frozen=True)
class Issued:
    """A certificate with its key, and both as PEM files for ssl and openssl."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey
    cert_pem: Path
    key_pem: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def issue(
    folder: Path,
    common_name: str,
    *,
    issuer: Issued | None = None,
    ca: bool = False,
    dns: tuple[str, ...] = (),
    ips: tuple[str, ...] = (),
    email: str | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
) -> Issued:
    """A certificate signed by ``issuer`` (self-signed without one), written to ``folder``."""
    now = datetime.now(UTC)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    issuer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(issuer.certificate.subject if issuer else _name(common_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid_from or now - timedelta(days=1))
        .not_valid_after(valid_until or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    names: list[x509.GeneralName] = [x509.DNSName(name) for name in dns]
    names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
    if email:
        names.append(x509.RFC822Name(email))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        ).add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.EMAIL_PROTECTION if email else ExtendedKeyUsageOID.SERVER_AUTH]
            ),
            critical=False,
        )
    certificate = builder.sign(issuer_key, hashes.SHA256())
    cert_pem = folder / f"{common_name}.crt.pem"
    key_pem = folder / f"{common_name}.key.pem"
    cert_pem.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return Issued(certificate, key, cert_pem, key_pem)


@dataclass(frozen=True)
class Pki:
    """The gateway's CA and server certificate, a stranger's, and the S/MIME parties."""

    folder: Path
    ca: Issued
    server: Issued
    wrong_name: Issued
    stranger_ca: Issued
    stranger_server: Issued
    team: Issued
    practice: Issued

    def server_context(self, issued: Issued | None = None) -> ssl.SSLContext:
        """What the test mail server presents; the gateway's own certificate by default."""
        chosen = issued or self.server
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chosen.cert_pem, chosen.key_pem)
        return context


def make_pki(folder: Path) -> Pki:
    """Everything the transport tests trust or distrust, made fresh for the session."""
    ca = issue(folder, "gateway-ca", ca=True)
    stranger_ca = issue(folder, "stranger-ca", ca=True)
    return Pki(
        folder=folder,
        ca=ca,
        server=issue(folder, "gateway", issuer=ca, dns=("localhost",), ips=("127.0.0.1",)),
        wrong_name=issue(folder, "elsewhere", issuer=ca, dns=("mail.example.org",)),
        stranger_ca=stranger_ca,
        stranger_server=issue(
            folder, "stranger", issuer=stranger_ca, dns=("localhost",), ips=("127.0.0.1",)
        ),
        team=issue(folder, "wijkteam", issuer=ca, email="wijkteam@example.org"),
        practice=issue(folder, "praktijk", issuer=ca, email="praktijk@example.org"),
    )


@dataclass
class Received:
    """One message as the server took it in."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes


@dataclass
class Inbox:
    """aiosmtpd handler: keeps what arrives, and counts login attempts."""

    messages: list[Received] = field(default_factory=list)
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
        return "250 Message accepted for delivery"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        with self.lock:
            self.logins += 1
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == SMTP_USER.encode()
            and auth_data.password == SMTP_PASSWORD.encode()
        )
        return AuthResult(success=ok, handled=False)


class LocalController(Controller):
    """aiosmtpd's Controller on a port the system picks, so parallel runs never collide.

    Controller needs the port before it pokes its own server; with port 0 we read the bound
    port from the listening socket first (the server exists by then: see Controller.start).
    """

    def _trigger_server(self) -> None:
        assert isinstance(self.server, asyncio.Server)
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


@dataclass
class MailServer:
    """A running test server: where it listens and what it received."""

    port: int
    inbox: Inbox


def start_server(inbox: Inbox, **options: Any) -> LocalController:
    """Start aiosmtpd on 127.0.0.1 with ``options`` (tls_context, ssl_context, authenticator...)."""
    controller = LocalController(inbox, hostname="127.0.0.1", port=0, **options)
    controller.start()
    return controller


def openssl() -> str:
    """The openssl binary; skips without it, except in CI where nothing may silently skip."""
    found = shutil.which("openssl")
    if found is None:
        message = "openssl is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: these tests must not skip)", pytrace=False)
        pytest.skip(message)
    return found


def run_openssl(*args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """Run openssl; a failure shows its stderr in the test output."""
    result = subprocess.run([openssl(), *map(str, args)], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    return result


class MailServers:
    """Test servers started with aiosmtpd options, all stopped by ``stop_all`` (a fixture's end).

    ``with_auth`` (default True) requires the login of ``Inbox.authenticate``.
    """

    def __init__(self) -> None:
        self.running: list[LocalController] = []

    def start(self, **options: Any) -> MailServer:
        """A server on 127.0.0.1 with ``options``; where it listens and what it receives."""
        inbox = Inbox()
        if options.pop("with_auth", True):
            options.setdefault("authenticator", inbox.authenticate)
            options.setdefault("auth_required", True)
        controller = start_server(inbox, **options)
        self.running.append(controller)
        return MailServer(port=controller.port, inbox=inbox)

    def gateway(self, pki: Pki) -> MailServer:
        """The practice's gateway: STARTTLS required, AUTH only after TLS, the test CA's cert."""
        return self.start(
            tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True
        )

    def stop_all(self) -> None:
        """Stop every server this started."""
        for controller in self.running:
            controller.stop()
        self.running.clear()
