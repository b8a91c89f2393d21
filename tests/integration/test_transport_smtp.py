"""Sending through a real aiosmtpd server with TLS, a test CA and AUTH; never in plain text."""

from __future__ import annotations

import base64
import socket
from collections.abc import Callable, Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.serialization import pkcs7

from gpdesk.errors import TransportError
from gpdesk.transport import message as mail
from gpdesk.transport.errors import (
    LoginRefusedError,
    MessageRefusedError,
    NoTlsError,
    ServerCertificateError,
    ServerUnreachableError,
    TlsHandshakeError,
)
from gpdesk.transport.smime import SigningIdentity
from gpdesk.transport.smtp import TransportSettings, send
from tests.transport_support import (
    SMTP_PASSWORD,
    SMTP_USER,
    Inbox,
    MailServer,
    Pki,
    make_pki,
    run_openssl,
    start_server,
)

PDF = b"%PDF-1.7\n% test letter\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
JSON = b'{"resourceType": "Bundle", "type": "collection"}'
TEAM_ADDRESS = "wijkteam@example.org"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def mail_server() -> Iterator[Callable[..., MailServer]]:
    """Start a test server with the given aiosmtpd options; stopped after the test."""
    running: list[Any] = []

    def start(**options: Any) -> MailServer:
        inbox = Inbox()
        if options.pop("with_auth", True):
            options.setdefault("authenticator", inbox.authenticate)
            options.setdefault("auth_required", True)
        controller = start_server(inbox, **options)
        running.append(controller)
        return MailServer(port=controller.port, inbox=inbox)

    yield start
    for controller in running:
        controller.stop()


@pytest.fixture
def gateway(pki: Pki, mail_server: Callable[..., MailServer]) -> MailServer:
    """The practice's gateway: STARTTLS required, AUTH only after TLS."""
    return mail_server(
        tls_context=pki.server_context(), require_starttls=True, auth_require_tls=True
    )


def settings(pki: Pki, port: int, **changes: Any) -> TransportSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "starttls",
        "from_address": "praktijk@example.org",
        "username": SMTP_USER,
        "password": SMTP_PASSWORD,
        "ca_file": pki.ca.cert_pem,
        "timeout": 10.0,
    }
    values.update(changes)
    return TransportSettings(**values)


def signal_message(reference: str = "SIG-2026-000123") -> EmailMessage:
    return mail.build_message(
        sender="Huisartsenpraktijk De Linde <praktijk@example.org>",
        recipients=[TEAM_ADDRESS],
        subject=f"Signaal {reference}",
        message_id=mail.make_message_id(reference, "praktijk.example.org"),
        body="Beste wijkteam,\n\nIn de bijlage staat een signaal.\n",
        attachments=[
            mail.Attachment("signaal.pdf", PDF, "application/pdf"),
            mail.Attachment("signaal.json", JSON, "application/json"),
        ],
    )


def _attachments(parsed: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in parsed.iter_attachments():
        assert isinstance(part, EmailMessage)
        found[str(part.get_filename())] = part.get_content()
    return found


def test_delivered_through_starttls_with_login_arrives_intact(pki: Pki, gateway: MailServer):
    prepared = mail.prepare(signal_message())
    send(settings(pki, gateway.port), prepared)

    [received] = gateway.inbox.messages
    assert received.mail_from == "praktijk@example.org"
    assert received.rcpt_tos == [TEAM_ADDRESS]
    assert gateway.inbox.logins == 1
    parsed = BytesParser(policy=policy.default).parsebytes(received.data)
    assert isinstance(parsed, EmailMessage)
    assert parsed["Message-ID"] == "<SIG-2026-000123@praktijk.example.org>"
    assert parsed["Subject"] == "Signaal SIG-2026-000123"
    body = parsed.get_body()
    assert body is not None
    assert "In de bijlage staat een signaal." in body.get_content()
    assert _attachments(parsed) == {"signaal.pdf": PDF, "signaal.json": JSON}


def test_smime_message_decrypts_with_the_team_key_and_its_signature_verifies(
    pki: Pki, gateway: MailServer, tmp_path: Path
):
    prepared = mail.prepare(
        signal_message(),
        recipient_certificate=pki.team.certificate,
        signer=SigningIdentity(pki.practice.certificate, pki.practice.key),
    )
    send(settings(pki, gateway.port), prepared)
    [received] = gateway.inbox.messages
    # An attachment travels base64-encoded, so the raw PDF bytes are never in a message: look
    # for its first base64 line, which a plain message does carry.
    pdf_line = base64.b64encode(PDF[:57])
    assert pdf_line in mail.prepare(signal_message()).data
    assert pdf_line not in received.data
    assert b"signaal" not in received.data.split(b"\r\n\r\n", 1)[1]

    outer = BytesParser(policy=policy.default).parsebytes(received.data)
    assert outer.get_content_type() == "application/pkcs7-mime"
    assert outer["Subject"] == "Signaal SIG-2026-000123"

    # The team's key opens it, with cryptography and with openssl.
    decrypted = pkcs7.pkcs7_decrypt_smime(received.data, pki.team.certificate, pki.team.key, [])
    received_file = tmp_path / "received.eml"
    received_file.write_bytes(received.data)
    opened = run_openssl(
        "cms", "-decrypt", "-in", received_file,
        "-recip", pki.team.cert_pem, "-inkey", pki.team.key_pem,
    ).stdout  # fmt: skip
    assert opened.replace(b"\r\n", b"\n") == decrypted.replace(b"\r\n", b"\n")
    algorithm = run_openssl("cms", "-cmsout", "-print", "-in", received_file).stdout
    assert b"aes-256-cbc" in algorithm

    # Inside: the practice's signature, which verifies against the CA, over the whole content.
    signed_file = tmp_path / "signed.eml"
    signed_file.write_bytes(decrypted)
    content = run_openssl(
        "cms", "-verify", "-in", signed_file, "-CAfile", pki.ca.cert_pem, "-purpose", "any"
    ).stdout
    inner = BytesParser(policy=policy.default).parsebytes(content)
    assert isinstance(inner, EmailMessage)
    assert _attachments(inner) == {"signaal.pdf": PDF, "signaal.json": JSON}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_implicit_tls_delivers(pki: Pki, mail_server: Callable[..., MailServer]):
    # aiosmtpd counts only STARTTLS as TLS for its auth_require_tls; this port is TLS throughout.
    server = mail_server(ssl_context=pki.server_context(), auth_require_tls=False)
    send(settings(pki, server.port, security="tls"), mail.prepare(signal_message()))
    assert len(server.inbox.messages) == 1
    assert server.inbox.logins == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_server_without_starttls_gets_nothing_not_even_the_login(
    pki: Pki, mail_server: Callable[..., MailServer]
):
    # A server that would even take the password in plain text: it must not get it.
    server = mail_server(auth_require_tls=False)
    with pytest.raises(NoTlsError) as caught:
        send(settings(pki, server.port), mail.prepare(signal_message()))
    assert not caught.value.temporary
    assert "nooit onbeveiligd" in caught.value.user_text()
    assert server.inbox.messages == []
    assert server.inbox.logins == 0


def test_certificate_from_an_unknown_ca_is_refused(
    pki: Pki, mail_server: Callable[..., MailServer]
):
    server = mail_server(tls_context=pki.server_context(pki.stranger_server), require_starttls=True)
    with pytest.raises(ServerCertificateError) as caught:
        send(settings(pki, server.port), mail.prepare(signal_message()))
    assert "niet te vertrouwen" in caught.value.message
    assert not caught.value.temporary
    assert server.inbox.messages == []
    assert server.inbox.logins == 0


def test_certificate_for_another_host_name_is_refused(
    pki: Pki, mail_server: Callable[..., MailServer]
):
    server = mail_server(tls_context=pki.server_context(pki.wrong_name), require_starttls=True)
    with pytest.raises(ServerCertificateError):
        send(settings(pki, server.port), mail.prepare(signal_message()))
    assert server.inbox.messages == []


def test_without_the_practice_ca_file_the_gateway_is_not_trusted(pki: Pki, gateway: MailServer):
    # The system store does not know the test CA: verification is on, not skipped.
    with pytest.raises(ServerCertificateError):
        send(settings(pki, gateway.port, ca_file=None), mail.prepare(signal_message()))
    assert gateway.inbox.messages == []


def test_wrong_password_is_refused_and_nothing_is_sent(pki: Pki, gateway: MailServer):
    with pytest.raises(LoginRefusedError) as caught:
        send(
            settings(pki, gateway.port, password="fout wachtwoord"),
            mail.prepare(signal_message()),
        )
    assert not caught.value.temporary
    assert "fout wachtwoord" not in caught.value.user_text()
    assert gateway.inbox.messages == []


def test_missing_login_on_a_server_that_requires_it_is_refused(pki: Pki, gateway: MailServer):
    with pytest.raises(MessageRefusedError) as caught:
        send(settings(pki, gateway.port, username="", password=""), mail.prepare(signal_message()))
    assert not caught.value.temporary
    assert gateway.inbox.messages == []


def test_tls_spoken_to_a_starttls_port_fails_without_plain_text(pki: Pki, gateway: MailServer):
    with pytest.raises(TlsHandshakeError) as caught:
        send(settings(pki, gateway.port, security="tls"), mail.prepare(signal_message()))
    assert "587" in caught.value.hint
    assert gateway.inbox.messages == []


def test_an_unreadable_ca_file_is_refused_before_connecting(pki: Pki, gateway: MailServer):
    bad = pki.folder / "kapot-ca.pem"
    bad.write_text("geen certificaat")
    with pytest.raises(ServerCertificateError, match="CA-bestand"):
        send(settings(pki, gateway.port, ca_file=bad), mail.prepare(signal_message()))
    assert gateway.inbox.messages == []


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_server_down_is_a_temporary_failure(pki: Pki):
    with pytest.raises(ServerUnreachableError) as caught:
        send(settings(pki, _unused_port()), mail.prepare(signal_message()))
    assert caught.value.temporary
    assert isinstance(caught.value, TransportError)
    assert "later opnieuw" in caught.value.hint


def test_a_server_that_never_answers_times_out_as_temporary(pki: Pki):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection in the backlog, never says hello
        port = silent.getsockname()[1]
        with pytest.raises(ServerUnreachableError) as caught:
            send(settings(pki, port, timeout=0.5), mail.prepare(signal_message()))
    assert caught.value.temporary
    assert "niet op tijd" in caught.value.message


def test_the_same_message_sent_twice_keeps_its_message_id(pki: Pki, gateway: MailServer):
    """A retry after a crash is the same message: the team's mail system can see it is a copy."""
    prepared = mail.prepare(signal_message())
    send(settings(pki, gateway.port), prepared)
    send(settings(pki, gateway.port), mail.prepare(signal_message()))
    ids = [
        BytesParser(policy=policy.default).parsebytes(m.data)["Message-ID"]
        for m in gateway.inbox.messages
    ]
    assert ids == [prepared.message_id, prepared.message_id]
