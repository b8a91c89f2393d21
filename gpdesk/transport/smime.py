"""S/MIME: sign with the practice certificate, then envelope with AES-256 to the team's one.

Sign first, then encrypt, so only the team can see who signed and what; the team's mail client
decrypts and then checks the signature (RFC 8551 order). Certificates are checked before
anything is built, so an expired team certificate stops the message here, before any network
call, with a message the practice can act on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.ciphers import algorithms
from cryptography.hazmat.primitives.serialization import pkcs7

from gpdesk.transport.errors import CertificateError

_TEAM_HINT = (
    "Vraag het team om een geldig certificaat en stel dat in bij de bezorging van het team."
)
_PRACTICE_HINT = (
    "Vraag de beheerder om het certificaat en de sleutel van de praktijk te vernieuwen."
)


@dataclass(frozen=True)
class SigningIdentity:
    """The practice's certificate and private key; the key never leaves this object."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate from PEM or DER bytes, as a practice saves it from a mail or a website."""
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as error:
        raise CertificateError(
            "Het bestand is geen leesbaar certificaat (PEM of DER).",
            hint="Kies het certificaatbestand dat het team heeft gestuurd (.pem, .crt of .cer).",
        ) from error


def _dutch_date(moment: datetime) -> str:
    return moment.strftime("%d-%m-%Y")


def check_validity(certificate: x509.Certificate, *, now: datetime, whose: str, hint: str) -> None:
    """Refuse a certificate outside its validity period; ``whose`` names it in the message."""
    if now < certificate.not_valid_before_utc:
        raise CertificateError(
            f"Het certificaat van {whose} is pas geldig vanaf "
            f"{_dutch_date(certificate.not_valid_before_utc)}. Er is niets verzonden.",
            hint=hint,
        )
    if now > certificate.not_valid_after_utc:
        raise CertificateError(
            f"Het certificaat van {whose} is verlopen op "
            f"{_dutch_date(certificate.not_valid_after_utc)}. Er is niets verzonden.",
            hint=hint,
        )


def check_recipient(certificate: x509.Certificate, *, now: datetime | None = None) -> None:
    """The team's certificate must be valid now and hold an RSA key (what CMS envelopes use)."""
    check_validity(certificate, now=now or datetime.now(UTC), whose="het team", hint=_TEAM_HINT)
    if not isinstance(certificate.public_key(), rsa.RSAPublicKey):
        raise CertificateError(
            "Het certificaat van het team heeft geen RSA-sleutel; daarmee kan gpdesk niet "
            "versleutelen. Er is niets verzonden.",
            hint=_TEAM_HINT,
        )


def _belong_together(signer: SigningIdentity) -> bool:
    """Cryptography signs with any key; a signature nobody can verify must not leave."""
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return bool(
        signer.key.public_key().public_bytes(*spki)
        == signer.certificate.public_key().public_bytes(*spki)
    )


def sign(entity: bytes, signer: SigningIdentity, *, now: datetime | None = None) -> bytes:
    """A multipart/signed MIME entity (detached signature, SHA-256) around ``entity``."""
    check_validity(
        signer.certificate,
        now=now or datetime.now(UTC),
        whose="de praktijk",
        hint=_PRACTICE_HINT,
    )
    if not _belong_together(signer):
        raise CertificateError(
            "De sleutel van de praktijk hoort niet bij haar certificaat. Er is niets verzonden.",
            hint=_PRACTICE_HINT,
        )
    try:
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(entity)
            .add_signer(signer.certificate, signer.key, hashes.SHA256())
            .sign(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.DetachedSignature])
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise CertificateError(
            "Met het certificaat en de sleutel van de praktijk kan niet worden ondertekend. "
            "Er is niets verzonden.",
            hint=_PRACTICE_HINT,
        ) from error


def envelope(entity: bytes, recipient: x509.Certificate, *, now: datetime | None = None) -> bytes:
    """An application/pkcs7-mime entity: ``entity`` encrypted with AES-256 for ``recipient``.

    Binary: the entity is already canonical MIME (CRLF), so it is encrypted byte for byte and a
    signature inside it stays valid. The base64 output gets CRLF line ends for the wire.
    """
    check_recipient(recipient, now=now)
    enveloped = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(entity)
        .add_recipient(recipient)
        .set_content_encryption_algorithm(algorithms.AES256)
        .encrypt(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.Binary])
    )
    return enveloped.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
