"""Incoming S/MIME: open an envelope with the practice key; say honestly what a signature proves.

A team encrypts its letter to the practice's certificate (the one it signs signals with,
``transport_settings.signing_certificate``) and usually signs it first, as gpdesk does itself
(RFC 8551: sign, then encrypt). So the inbox first opens the envelope (``open_envelope``) and
then checks the signature of what was inside (``check_signature``).

A signature's state is never claimed without checking it:

- ``geverifieerd``: the signature was verified over the content, and the signer's certificate
  leads to a certificate the practice trusts (a CA, or the team's own certificate) and is valid
  at ``now``;
- ``niet geverifieerd``: nothing contradicts the content, but something could not be checked
  (no trusted certificates given, an unknown signer, a method gpdesk does not verify, no
  signature at all) — the reason says which;
- ``ongeldig``: the signature does not match the content (changed after signing) or is broken.

Not checked: revocation (CRL/OCSP; a revoked certificate verifies until it expires) and the
signing time (the certificate must be valid at ``now``: check at receipt and store the result).

An envelope (AES-CBC) has no integrity check of its own: damage in the middle of the ciphertext
decrypts to garbage rather than an error. The signature inside is what detects it, so a letter
that was only encrypted, never signed, is at best "niet geverifieerd".

``cryptography`` decrypts CMS but has no CMS verification, so the SignedData structure is read
with ``asn1crypto`` (a well-kept ASN.1/CMS parser, pure Python) and every check is done with
``cryptography``'s primitives: the message digest, the signature over the signed attributes
(RFC 5652 5.4) and the certificate path (``cryptography.x509.verification``).

Messages are Dutch and name no patient and no content: they become quarantine reasons and may
reach a log.
"""

from __future__ import annotations

import email
import email.policy
import hmac
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from enum import StrEnum
from typing import Any, Final, Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from gpdesk.errors import GpdeskError

__all__ = [
    "DamagedEnvelopeError",
    "EnvelopeError",
    "NoPracticeKeyError",
    "NotForPracticeError",
    "SignatureCheck",
    "SignatureState",
    "SmimeKind",
    "Unwrapped",
    "check_signature",
    "open_envelope",
    "smime_kind",
    "unwrap",
]

_ASK_ADMIN = "Vraag de beheerder van de praktijk om het certificaat en de sleutel te controleren."
_ASK_SENDER = "Vraag de afzender de brief opnieuw te sturen."


class EnvelopeError(GpdeskError):
    """An encrypted letter could not be opened; it is kept (quarantine), never dropped."""


class NoPracticeKeyError(EnvelopeError):
    """The practice has no usable key: none set, not RSA, or not the one of its certificate."""

    def __init__(self, message: str) -> None:
        super().__init__(message, hint=_ASK_ADMIN)


class NotForPracticeError(EnvelopeError):
    """The letter is encrypted for someone else (or for an older practice certificate)."""

    def __init__(self) -> None:
        super().__init__(
            "Deze versleutelde brief is niet voor het certificaat van de praktijk bestemd. "
            "De brief is bewaard, maar kan niet worden geopend.",
            hint="Is het certificaat van de praktijk kort geleden vernieuwd? Vraag de afzender "
            "dan de brief opnieuw te sturen naar het nieuwe certificaat.",
        )


class DamagedEnvelopeError(EnvelopeError):
    """The envelope is not readable CMS, or decrypting it failed."""

    def __init__(self, message: str = "") -> None:
        super().__init__(
            message
            or "De versleutelde brief is beschadigd en kan niet worden geopend. "
            "De brief is bewaard.",
            hint=_ASK_SENDER,
        )


class SmimeKind(StrEnum):
    """What S/MIME wrapping a message has, so the inbox knows which step comes first."""

    ENVELOPED = "enveloped"
    """application/pkcs7-mime; smime-type=enveloped-data: open with ``open_envelope``."""
    SIGNED = "signed"
    """multipart/signed (detached) or opaque signed-data: check with ``check_signature``."""
    NONE = "none"


SignatureState = Literal["geverifieerd", "niet geverifieerd", "ongeldig"]

VERIFIED: Final[SignatureState] = "geverifieerd"
NOT_VERIFIED: Final[SignatureState] = "niet geverifieerd"
INVALID: Final[SignatureState] = "ongeldig"


@dataclass(frozen=True)
class SignatureCheck:
    """The honest outcome of a signature check.

    ``content`` is the signed MIME entity (or, unsigned, the message itself) to parse next;
    ``signer`` the name in the signer's certificate (an organisation or a team member, never a
    patient); ``reason`` one Dutch sentence or two for the reading pane and the audit.
    """

    state: SignatureState
    signer: str | None
    reason: str
    content: bytes = field(repr=False)


# -- what kind of message -----------------------------------------------------------------------

_PKCS7_MIME = frozenset({"application/pkcs7-mime", "application/x-pkcs7-mime"})
_PKCS7_SIGNATURE = frozenset({"application/pkcs7-signature", "application/x-pkcs7-signature"})
_ENVELOPED_OID = "enveloped_data"
# What asn1crypto raises on damaged or hostile DER.
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, RecursionError)
_SIGNED_OID = "signed_data"


def _parse(raw: bytes) -> Message:
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def _content_info(der: bytes) -> Any:
    """asn1crypto's ContentInfo with every part parsed now, so damage shows here."""
    from asn1crypto import cms

    info = cms.ContentInfo.load(der)
    _ = info.native  # parses the whole structure now, so damage raises here
    return info


def _der_of(raw: bytes) -> bytes | None:
    """The CMS bytes of an application/pkcs7-mime message, a .p7m file (DER) or PEM."""
    stripped = raw.lstrip()
    if stripped[:1] == b"\x30":
        return stripped
    if stripped.startswith(b"-----BEGIN"):
        import base64

        lines = [
            line for line in stripped.splitlines() if line.strip() and not line.startswith(b"-----")
        ]
        try:
            return base64.b64decode(b"".join(lines), validate=False)
        except ValueError:
            return None
    message = _parse(raw)
    if message.get_content_type() not in _PKCS7_MIME:
        return None
    payload = message.get_payload(decode=True)
    return payload if isinstance(payload, bytes) and payload else None


def smime_kind(raw: bytes) -> SmimeKind:
    """Tell an envelope from a signed message from a plain one, by headers first, then content."""
    message = _parse(raw)
    content_type = message.get_content_type()
    if content_type == "multipart/signed":
        return SmimeKind.SIGNED
    if content_type in _PKCS7_MIME:
        smime_type = str(message.get_param("smime-type", "") or "").lower()
        if smime_type == "enveloped-data":
            return SmimeKind.ENVELOPED
        if smime_type == "signed-data":
            return SmimeKind.SIGNED
    der = _der_of(raw)
    if der is None:
        return SmimeKind.NONE
    try:
        kind = _content_info(der)["content_type"].native
    except _ASN1_ERRORS:
        return SmimeKind.NONE
    if kind == _ENVELOPED_OID:
        return SmimeKind.ENVELOPED
    if kind == _SIGNED_OID:
        return SmimeKind.SIGNED
    return SmimeKind.NONE


# -- opening an envelope ------------------------------------------------------------------------

_SPKI = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _key_fits(key: rsa.RSAPrivateKey, certificate: x509.Certificate) -> bool:
    return bool(
        key.public_key().public_bytes(*_SPKI) == certificate.public_key().public_bytes(*_SPKI)
    )


def _subject_key_id(certificate: x509.Certificate) -> bytes:
    try:
        return certificate.extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier
        ).value.digest
    except x509.ExtensionNotFound:
        return x509.SubjectKeyIdentifier.from_public_key(certificate.public_key()).digest


def _is_recipient(recipient: Any, certificate: x509.Certificate) -> bool:
    """Whether one RecipientInfo names ``certificate`` (by issuer and serial, or by key id)."""
    if recipient.name != "ktri":
        return False
    rid = recipient.chosen["rid"]
    if rid.name == "issuer_and_serial_number":
        issuer: bytes = rid.chosen["issuer"].dump()
        serial: int = rid.chosen["serial_number"].native
        return issuer == certificate.issuer.public_bytes() and serial == certificate.serial_number
    key_id: bytes = rid.chosen.native
    return key_id == _subject_key_id(certificate)


def open_envelope(
    raw_smime: bytes,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None,
    certificate: x509.Certificate | None,
) -> bytes:
    """The MIME entity inside an enveloped-data message, decrypted with the practice key.

    ``raw_smime`` is the whole message (application/pkcs7-mime, as received), a saved .p7m
    (DER) or PEM. The result is what the sender encrypted, usually a multipart/signed entity:
    pass it to ``check_signature``.

    Raises:
        NoPracticeKeyError: no key or certificate set, a key that is not RSA (CMS key transport
            needs RSA), or a key that does not belong to the certificate.
        NotForPracticeError: the envelope names other recipients only.
        DamagedEnvelopeError: not an envelope, unreadable, or decryption failed.
    """
    if key is None or certificate is None:
        raise NoPracticeKeyError(
            "Er is een versleutelde brief ontvangen, maar de praktijk heeft geen eigen "
            "certificaat en sleutel ingesteld. De brief is bewaard en kan worden geopend zodra "
            "die zijn ingesteld."
        )
    if not isinstance(key, rsa.RSAPrivateKey):
        raise NoPracticeKeyError(
            "De sleutel van de praktijk is geen RSA-sleutel; daarmee kan gpdesk geen "
            "versleutelde brieven openen. De brief is bewaard."
        )
    if not _key_fits(key, certificate):
        raise NoPracticeKeyError(
            "De sleutel van de praktijk hoort niet bij haar certificaat. De brief is bewaard."
        )
    der = _der_of(raw_smime)
    if der is None:
        raise DamagedEnvelopeError(
            "Dit bericht is niet versleuteld (geen S/MIME-envelop). De brief is bewaard."
        )
    try:
        info = _content_info(der)
        enveloped = info["content_type"].native == _ENVELOPED_OID
        ours = enveloped and any(
            _is_recipient(r, certificate) for r in info["content"]["recipient_infos"]
        )
    except _ASN1_ERRORS as error:
        raise DamagedEnvelopeError() from error
    if not enveloped:
        raise DamagedEnvelopeError(
            "Dit bericht is niet versleuteld (geen S/MIME-envelop). De brief is bewaard."
        )
    if not ours:
        raise NotForPracticeError()
    try:
        return pkcs7.pkcs7_decrypt_der(der, certificate, key, [])
    except (ValueError, UnsupportedAlgorithm) as error:
        raise DamagedEnvelopeError() from error


# -- checking a signature -----------------------------------------------------------------------

_REASON_VERIFIED = (
    "De handtekening klopt bij de inhoud en het certificaat van de afzender is vertrouwd en geldig."
)
_REASON_UNSIGNED = "Het bericht is niet ondertekend; de afzender is niet gecontroleerd."
_REASON_NO_TRUST = (
    "De handtekening klopt bij de inhoud, maar gpdesk heeft geen vertrouwde certificaten om "
    "de afzender mee te controleren. Controleer de afzender voordat u op de brief vertrouwt."
)
_REASON_UNTRUSTED = (
    "De handtekening klopt bij de inhoud, maar het certificaat van de afzender is niet "
    "vertrouwd of nu niet geldig. Controleer de afzender voordat u op de brief vertrouwt."
)
_REASON_NO_SIGNER_CERT = (
    "Het certificaat van de ondertekenaar zit niet bij het bericht en is niet bekend; de "
    "handtekening is niet gecontroleerd."
)
_REASON_UNSUPPORTED = (
    "De handtekening gebruikt een methode die gpdesk niet (meer) als veilig controleert; de "
    "handtekening is niet gecontroleerd."
)
_REASON_MISMATCH = (
    "De handtekening past niet bij de inhoud: de brief is na het ondertekenen veranderd of "
    "beschadigd. Vertrouw de inhoud niet en vraag de afzender de brief opnieuw te sturen."
)
_REASON_BROKEN = (
    "De handtekening is beschadigd en kan niet worden gelezen. Vertrouw de inhoud niet en "
    "vraag de afzender de brief opnieuw te sturen."
)

# Digests gpdesk accepts for a signature; SHA-1 and MD5 are broken for signatures.
_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha3_256": hashes.SHA3_256,
    "sha3_384": hashes.SHA3_384,
    "sha3_512": hashes.SHA3_512,
}


class _UnsupportedMethodError(Exception):
    """A signature made in a way gpdesk does not verify."""


def _signer_name(certificate: x509.Certificate) -> str:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if names:
        return str(names[0].value)
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        addresses = san.value.get_values_for_type(x509.RFC822Name)
        if addresses:
            return addresses[0]
    except x509.ExtensionNotFound:
        pass
    return certificate.subject.rfc4514_string()


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    hasher = hashes.Hash(algorithm)
    hasher.update(data)
    return hasher.finalize()


def _find_signer(sid: Any, certificates: Sequence[x509.Certificate]) -> x509.Certificate | None:
    chosen = sid.chosen
    for certificate in certificates:
        if sid.name == "issuer_and_serial_number":
            if (
                chosen["issuer"].dump() == certificate.issuer.public_bytes()
                and chosen["serial_number"].native == certificate.serial_number
            ):
                return certificate
        elif chosen.native == _subject_key_id(certificate):
            return certificate
    return None


def _verify_raw(
    certificate: x509.Certificate, signer_info: Any, data: bytes, algorithm: hashes.HashAlgorithm
) -> None:
    """Verify ``signature`` over ``data`` with the signer's public key; raises InvalidSignature."""
    signature: bytes = signer_info["signature"].native
    scheme: str = signer_info["signature_algorithm"].signature_algo
    public_key = certificate.public_key()
    if scheme == "rsassa_pkcs1v15" and isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, data, padding.PKCS1v15(), algorithm)
    elif scheme == "rsassa_pss" and isinstance(public_key, rsa.RSAPublicKey):
        params = signer_info["signature_algorithm"]["parameters"]
        pss_hash = _HASHES.get(params["hash_algorithm"]["algorithm"].native)
        mgf_hash = _HASHES.get(params["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        if pss_hash is None or mgf_hash is None:
            raise _UnsupportedMethodError
        salt: int = params["salt_length"].native
        public_key.verify(
            signature, data, padding.PSS(mgf=padding.MGF1(mgf_hash()), salt_length=salt), pss_hash()
        )
    elif scheme == "ecdsa" and isinstance(public_key, ec.EllipticCurvePublicKey):
        public_key.verify(signature, data, ec.ECDSA(algorithm))
    elif scheme == "ed25519" and isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, data)
    else:
        raise _UnsupportedMethodError


def _signature_matches(
    signer_info: Any, certificate: x509.Certificate, contents: Sequence[bytes]
) -> bytes | None:
    """The one of ``contents`` the signature covers, or None when it covers none of them.

    Raises:
        _UnsupportedMethodError: a digest or signature method gpdesk does not verify.
    """
    hash_type = _HASHES.get(signer_info["digest_algorithm"]["algorithm"].native)
    if hash_type is None:
        raise _UnsupportedMethodError
    signed_attrs = signer_info["signed_attrs"]
    for content in contents:
        if signed_attrs.native:
            # RFC 5652 5.4: with signed attributes the signature covers their DER as a SET
            # (tag 0x31, not the [0] IMPLICIT tag they carry), and the message-digest
            # attribute holds the digest of the content.
            digests = [
                attribute["values"][0].native
                for attribute in signed_attrs
                if attribute["type"].native == "message_digest"
            ]
            if len(digests) != 1:
                return None
            if not hmac.compare_digest(digests[0], _digest(hash_type(), content)):
                continue
            data = b"\x31" + signed_attrs.dump()[1:]
        else:
            data = content
        try:
            _verify_raw(certificate, signer_info, data, hash_type())
        except InvalidSignature:
            return None
        return content
    return None


def _email_protection(_policy: Policy, _certificate: x509.Certificate, usage: Any) -> None:
    """A signer's certificate, when it limits its use, must allow e-mail (S/MIME)."""
    if usage is None:
        return
    allowed = {ExtendedKeyUsageOID.EMAIL_PROTECTION, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
    if not allowed.intersection(usage):
        raise ValueError("certificate not for e-mail protection")


def _chains_to_trusted(
    signer: x509.Certificate,
    others: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    now: datetime,
) -> bool:
    """Whether ``signer`` is valid at ``now`` and leads to a trusted certificate.

    The trusted certificates may be CAs or the team's own certificate (pinned). The web PKI
    defaults of ``cryptography`` stay, except that the signer needs e-mail protection instead
    of TLS client use.
    """
    ee_policy = ExtensionPolicy.webpki_defaults_ee().may_be_present(
        x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _email_protection
    )
    verifier = (
        PolicyBuilder()
        .store(Store(list(trusted)))
        .time(now)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        verifier.verify(signer, [c for c in others if c != signer])
    except (VerificationError, ValueError):
        return False
    return True


def _certificates_in(signed_data: Any) -> list[x509.Certificate]:
    found = []
    for choice in signed_data["certificates"] or []:
        if choice.name == "certificate":
            try:
                found.append(x509.load_der_x509_certificate(choice.chosen.dump()))
            except ValueError:
                continue
    return found


def _check_signer(
    signer_info: Any,
    certificates: Sequence[x509.Certificate],
    contents: Sequence[bytes],
    trusted: Sequence[x509.Certificate] | None,
    now: datetime,
) -> SignatureCheck:
    """One SignerInfo: find its certificate, check the signature, then the certificate path."""
    content = contents[0]
    signer = _find_signer(signer_info["sid"], [*certificates, *(trusted or [])])
    if signer is None:
        return SignatureCheck(NOT_VERIFIED, None, _REASON_NO_SIGNER_CERT, content)
    name = _signer_name(signer)
    try:
        covered = _signature_matches(signer_info, signer, contents)
    except _UnsupportedMethodError:
        return SignatureCheck(NOT_VERIFIED, name, _REASON_UNSUPPORTED, content)
    except _ASN1_ERRORS:
        return SignatureCheck(INVALID, name, _REASON_BROKEN, content)
    if covered is None:
        return SignatureCheck(INVALID, name, _REASON_MISMATCH, content)
    if not trusted:
        return SignatureCheck(NOT_VERIFIED, name, _REASON_NO_TRUST, covered)
    if _chains_to_trusted(signer, certificates, trusted, now):
        return SignatureCheck(VERIFIED, name, _REASON_VERIFIED, covered)
    return SignatureCheck(NOT_VERIFIED, name, _REASON_UNTRUSTED, covered)


def _check_signed_data(
    der: bytes,
    detached: Sequence[bytes] | None,
    trusted: Sequence[x509.Certificate] | None,
    now: datetime,
) -> SignatureCheck:
    """Check a SignedData; ``detached`` holds the candidate content forms when not inside it."""
    fallback = detached[0] if detached else b""
    try:
        info = _content_info(der)
        if info["content_type"].native != _SIGNED_OID:
            return SignatureCheck(INVALID, None, _REASON_BROKEN, fallback)
        signed_data = info["content"]
        inner = signed_data["encap_content_info"]["content"].native
        certificates = _certificates_in(signed_data)
        signer_infos = list(signed_data["signer_infos"])
    except _ASN1_ERRORS:
        return SignatureCheck(INVALID, None, _REASON_BROKEN, fallback)
    contents: Sequence[bytes] = [inner] if isinstance(inner, bytes) else (detached or [])
    content = contents[0] if contents else b""
    if not contents:
        return SignatureCheck(INVALID, None, _REASON_BROKEN, b"")
    results = [
        _check_signer(signer_info, certificates, contents, trusted, now)
        for signer_info in signer_infos
    ]
    if not results:
        return SignatureCheck(INVALID, None, _REASON_BROKEN, content)
    # One signature that contradicts the content outweighs any that verifies.
    for state in (INVALID, VERIFIED, NOT_VERIFIED):
        for result in results:
            if result.state == state:
                return result
    raise AssertionError("unreachable")  # pragma: no cover


def _header_end(raw: bytes) -> int:
    """Where the body starts: after the first empty line (CRLF or LF)."""
    match = re.search(rb"\r?\n\r?\n", raw)
    return len(raw) if match is None else match.end()


# Opening delimiter, delimiter between content and signature, closing delimiter.
_SIGNED_MARKS = 3


def _signed_parts(raw: bytes, boundary: str) -> tuple[bytes, bytes] | None:
    """The exact bytes of a multipart/signed's two parts: the content and the signature part.

    The signature covers the first part byte for byte (RFC 1847), so it is cut out of the raw
    message, never re-serialised by a parser. The line break before a delimiter belongs to the
    delimiter (RFC 2046 5.1.1).
    """
    body = raw[_header_end(raw) :]
    delimiter = re.compile(rb"(?m)^--" + re.escape(boundary.encode("ascii")) + rb"(--)?[ \t]*\r?$")
    marks = list(delimiter.finditer(body))
    if len(marks) < _SIGNED_MARKS or not marks[_SIGNED_MARKS - 1].group(1):
        return None
    if any(mark.group(1) for mark in marks[: _SIGNED_MARKS - 1]):
        return None
    parts = []
    for opening, closing in itertools.pairwise(marks[:_SIGNED_MARKS]):
        start = opening.end() + 1  # past the \n ending the delimiter line
        end = closing.start()
        end -= 2 if body[end - 2 : end] == b"\r\n" else 1
        parts.append(body[start:end])
    return parts[0], parts[1]


def _canonical(entity: bytes) -> bytes:
    """CRLF line ends everywhere: the form a signature is computed over (RFC 8551 3.1.1)."""
    return re.sub(rb"\r?\n", b"\r\n", entity)


def check_signature(
    raw: bytes, trusted: Sequence[x509.Certificate] | None, now: datetime | None = None
) -> SignatureCheck:
    """Check the signature of a multipart/signed message or an opaque signed-data one.

    ``trusted`` are the certificates the practice trusts for senders: CA certificates and/or
    the teams' own certificates. None or empty: a matching signature is "niet geverifieerd",
    because who signed it cannot be known. A message without a signature comes back as "niet
    geverifieerd" with ``content`` the message itself. Never raises for hostile input.
    """
    moment = now or datetime.now(UTC)
    message = _parse(raw)
    content_type = message.get_content_type()
    if content_type == "multipart/signed":
        boundary = message.get_boundary()
        parts = _signed_parts(raw, boundary) if boundary and boundary.isascii() else None
        if parts is None:
            return SignatureCheck(INVALID, None, _REASON_BROKEN, raw)
        entity, signature_part = parts
        signature_message = _parse(signature_part)
        if signature_message.get_content_type() not in _PKCS7_SIGNATURE:
            return SignatureCheck(INVALID, None, _REASON_BROKEN, entity)
        der = signature_message.get_payload(decode=True)
        if not isinstance(der, bytes) or not der:
            return SignatureCheck(INVALID, None, _REASON_BROKEN, entity)
        candidates = [_canonical(entity)]
        if candidates[0] != entity:
            candidates.append(entity)
        return _check_signed_data(der, candidates, trusted, moment)
    # Labelled S/MIME that cannot be read is broken; bare bytes that merely start like DER
    # (a text beginning with "0") are just not signed.
    labelled = content_type in _PKCS7_MIME
    if labelled or raw.lstrip()[:1] == b"\x30":
        der = _der_of(raw)
        try:
            kind = None if der is None else _content_info(der)["content_type"].native
        except _ASN1_ERRORS:
            kind = None
        if der is not None and kind == _SIGNED_OID:
            return _check_signed_data(der, None, trusted, moment)
        if labelled and kind is None:
            return SignatureCheck(INVALID, None, _REASON_BROKEN, raw)
    return SignatureCheck(NOT_VERIFIED, None, _REASON_UNSIGNED, raw)


# -- both steps ---------------------------------------------------------------------------------

_MAX_LAYERS: Final = 4
"""Sign-then-encrypt is two layers; a few more are allowed, endless nesting is not."""


@dataclass(frozen=True)
class Unwrapped:
    """A message with its S/MIME layers taken off: the MIME entity to parse, and what they proved.

    ``signature`` is the innermost signature's check ("niet geverifieerd" when there was none);
    ``encrypted`` says whether an envelope was opened on the way.
    """

    content: bytes = field(repr=False)
    signature: SignatureCheck
    encrypted: bool


def unwrap(
    raw: bytes,
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None,
    certificate: x509.Certificate | None,
    trusted: Sequence[x509.Certificate] | None,
    now: datetime | None = None,
) -> Unwrapped:
    """Open envelopes and check signatures until plain MIME remains (RFC 8551 3.7 nesting).

    The usual letter is an envelope around a multipart/signed; a signed-only or a plain
    message passes through with its honest signature state.

    Raises:
        EnvelopeError: an envelope could not be opened (see ``open_envelope``), or the layers
            nest deeper than a real letter does.
    """
    encrypted = False
    signature: SignatureCheck | None = None
    content = raw
    for _ in range(_MAX_LAYERS):
        kind = smime_kind(content)
        if kind is SmimeKind.ENVELOPED:
            content = open_envelope(content, key, certificate)
            encrypted = True
        elif kind is SmimeKind.SIGNED:
            signature = check_signature(content, trusted, now)
            if signature.state == INVALID:  # the content cannot be trusted: stop here
                return Unwrapped(signature.content, signature, encrypted)
            content = signature.content
        else:
            unsigned = SignatureCheck(NOT_VERIFIED, None, _REASON_UNSIGNED, content)
            return Unwrapped(content, signature or unsigned, encrypted)
    raise DamagedEnvelopeError(
        "Het bericht heeft te veel lagen versleuteling of ondertekening. De brief is bewaard."
    )
