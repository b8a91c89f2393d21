"""S/MIME as the team's mail client sees it: openssl opens and verifies what gpdesk builds."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from gpdesk.transport import message as mail
from gpdesk.transport.errors import CertificateError
from gpdesk.transport.smime import SigningIdentity, check_recipient, load_certificate
from tests.transport_support import Pki, issue, make_pki, openssl, run_openssl

PDF = b"%PDF-1.7\n" + bytes(range(256)) + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def plain() -> EmailMessage:
    return mail.build_message(
        sender="praktijk@example.org",
        recipients=["wijkteam@example.org"],
        subject="Signaal SIG-2026-000007",
        message_id=mail.make_message_id("SIG-2026-000007", "example.org"),
        body="Zie de bijlage.\n",
        attachments=[mail.Attachment("signaal.pdf", PDF, "application/pdf")],
    )


def _parse(data: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_enveloped_only_opens_with_the_team_key(pki: Pki, tmp_path: Path):
    prepared = mail.prepare(plain(), recipient_certificate=pki.team.certificate)
    assert b"Zie de bijlage" not in prepared.data
    path = tmp_path / "out.eml"
    path.write_bytes(prepared.data)
    opened = run_openssl(
        "cms", "-decrypt", "-in", path, "-recip", pki.team.cert_pem, "-inkey", pki.team.key_pem
    ).stdout
    inner = _parse(opened)
    assert inner.get_content_type() == "multipart/mixed"
    [attachment] = list(inner.iter_attachments())
    assert isinstance(attachment, EmailMessage)
    assert attachment.get_content() == PDF


def test_someone_else_cannot_open_it(pki: Pki):
    prepared = mail.prepare(plain(), recipient_certificate=pki.team.certificate)
    with pytest.raises(ValueError):
        pkcs7.pkcs7_decrypt_smime(prepared.data, pki.practice.certificate, pki.practice.key, [])


def test_signed_only_verifies_and_keeps_the_routing_headers_outside(pki: Pki, tmp_path: Path):
    signer = SigningIdentity(pki.practice.certificate, pki.practice.key)
    prepared = mail.prepare(plain(), signer=signer)
    outer = _parse(prepared.data)
    assert outer.get_content_type() == "multipart/signed"
    assert outer["Message-ID"] == "<SIG-2026-000007@example.org>"
    path = tmp_path / "signed.eml"
    path.write_bytes(prepared.data)
    run_openssl("cms", "-verify", "-in", path, "-CAfile", pki.ca.cert_pem, "-purpose", "any")


def test_a_changed_signed_message_does_not_verify(pki: Pki, tmp_path: Path):
    signer = SigningIdentity(pki.practice.certificate, pki.practice.key)
    prepared = mail.prepare(plain(), signer=signer)
    assert b"Zie de bijlage" in prepared.data
    path = tmp_path / "tampered.eml"
    path.write_bytes(prepared.data.replace(b"Zie de bijlage", b"Zie de bijlagE"))
    result = subprocess.run(
        [openssl(), "cms", "-verify", "-in", str(path), "-CAfile", str(pki.ca.cert_pem)],
        capture_output=True,
        check=False,
    )
    assert result.returncode != 0


def test_expired_team_certificate_stops_before_anything_is_built(pki: Pki, tmp_path: Path):
    now = datetime.now(UTC)
    expired = issue(
        tmp_path,
        "oud-team",
        issuer=pki.ca,
        email="wijkteam@example.org",
        valid_from=now - timedelta(days=400),
        valid_until=now - timedelta(days=2),
    )
    with pytest.raises(CertificateError) as caught:
        mail.prepare(plain(), recipient_certificate=expired.certificate)
    assert "het team is verlopen op" in caught.value.message
    assert not caught.value.temporary


def test_team_certificate_not_yet_valid_is_refused(pki: Pki, tmp_path: Path):
    now = datetime.now(UTC)
    future = issue(
        tmp_path,
        "nieuw-team",
        issuer=pki.ca,
        email="wijkteam@example.org",
        valid_from=now + timedelta(days=3),
        valid_until=now + timedelta(days=400),
    )
    with pytest.raises(CertificateError, match="pas geldig vanaf"):
        check_recipient(future.certificate)


def test_expired_practice_certificate_is_refused_for_signing(pki: Pki):
    later = pki.practice.certificate.not_valid_after_utc + timedelta(days=1)
    signer = SigningIdentity(pki.practice.certificate, pki.practice.key)
    with pytest.raises(CertificateError, match="de praktijk is verlopen"):
        mail.prepare(plain(), signer=signer, now=later)


def test_a_key_that_does_not_belong_to_the_certificate_is_a_clear_error(pki: Pki):
    mismatched = SigningIdentity(pki.practice.certificate, ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(CertificateError, match="hoort niet bij haar certificaat"):
        mail.prepare(plain(), signer=mismatched)


def test_certificates_load_from_pem_and_der_and_garbage_is_refused(pki: Pki):
    pem = pki.team.certificate.public_bytes(serialization.Encoding.PEM)
    der = pki.team.certificate.public_bytes(serialization.Encoding.DER)
    assert load_certificate(pem) == load_certificate(der) == pki.team.certificate
    with pytest.raises(CertificateError, match="geen leesbaar certificaat"):
        load_certificate(b"dit is geen certificaat")
