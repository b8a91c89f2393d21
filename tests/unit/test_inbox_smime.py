"""Incoming S/MIME: envelopes opened with the practice key, signatures checked honestly."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs7

from gpdesk.inbox.smime import (
    DamagedEnvelopeError,
    NoPracticeKeyError,
    NotForPracticeError,
    SmimeKind,
    check_signature,
    open_envelope,
    smime_kind,
    unwrap,
)
from gpdesk.transport import smime as sending
from tests.transport_support import Issued, issue, run_openssl

LETTER = (
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Geachte huisarts,\r\n"
    b"Wij hebben het signaal SIG-2026-000123 ontvangen en nemen contact op.\r\n"
)


@dataclass(frozen=True)
class Parties:
    ca: Issued
    team: Issued
    practice: Issued
    stranger_ca: Issued
    stranger: Issued
    folder: Path


@pytest.fixture(scope="module")
def parties(tmp_path_factory: pytest.TempPathFactory) -> Parties:
    folder = tmp_path_factory.mktemp("pki")
    ca = issue(folder, "zorg-ca", ca=True)
    stranger_ca = issue(folder, "vreemde-ca", ca=True)
    return Parties(
        ca=ca,
        team=issue(folder, "Wijkteam Noord", issuer=ca, email="noord@wijkteam.example"),
        practice=issue(folder, "Huisartsenpraktijk De Linde", issuer=ca, email="linde@example"),
        stranger_ca=stranger_ca,
        stranger=issue(folder, "Onbekend team", issuer=stranger_ca, email="x@vreemd.example"),
        folder=folder,
    )


def _signed(entity: bytes, signer: Issued, *, detached: bool = True) -> bytes:
    options = [pkcs7.PKCS7Options.DetachedSignature] if detached else []
    encoding = serialization.Encoding.SMIME
    return (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(entity)
        .add_signer(signer.certificate, signer.key, hashes.SHA256())
        .sign(encoding, options)
    )


def _enveloped(entity: bytes, recipient: Issued) -> bytes:
    return (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(entity)
        .add_recipient(recipient.certificate)
        .encrypt(serialization.Encoding.SMIME, [pkcs7.PKCS7Options.Binary])
    )


def _garble_line(wire: bytes, index: int) -> bytes:
    """Replace one base64 line of the body with other valid base64."""
    head, body = wire.replace(b"\r\n", b"\n").split(b"\n\n", 1)
    lines = [line for line in body.split(b"\n") if line]
    lines[index] = b"A" * len(lines[index])
    return head + b"\n\n" + b"\n".join(lines) + b"\n"


def _tamper(message: bytes, old: bytes, new: bytes) -> bytes:
    assert message.count(old) == 1
    return message.replace(old, new)


# -- envelopes ----------------------------------------------------------------------------------


def test_a_letter_signed_and_encrypted_as_gpdesk_sends_opens_and_verifies(parties: Parties) -> None:
    """The team's letter made with gpdesk's own sending code: sign, then envelope."""
    team = sending.SigningIdentity(parties.team.certificate, parties.team.key)
    wire = sending.envelope(sending.sign(LETTER, team), parties.practice.certificate)
    assert smime_kind(wire) is SmimeKind.ENVELOPED

    inner = open_envelope(wire, parties.practice.key, parties.practice.certificate)
    assert smime_kind(inner) is SmimeKind.SIGNED

    check = check_signature(inner, [parties.ca.certificate])
    assert check.state == "geverifieerd"
    assert check.signer == "Wijkteam Noord"
    assert b"SIG-2026-000123" in check.content
    assert check.content.startswith(b"Content-Type: text/plain")


def test_an_envelope_opens_from_der_and_pem_too(parties: Parties) -> None:
    der = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(LETTER)
        .add_recipient(parties.practice.certificate)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    pem = b"-----BEGIN PKCS7-----\n" + base64.encodebytes(der) + b"-----END PKCS7-----\n"
    for form in (der, pem):
        assert open_envelope(form, parties.practice.key, parties.practice.certificate) == LETTER


def test_an_envelope_for_someone_else_says_so(parties: Parties) -> None:
    wire = _enveloped(LETTER, parties.team)
    with pytest.raises(NotForPracticeError) as caught:
        open_envelope(wire, parties.practice.key, parties.practice.certificate)
    assert "niet voor het certificaat van de praktijk" in caught.value.message


def test_without_a_practice_key_the_letter_is_kept_and_the_admin_is_asked(
    parties: Parties,
) -> None:
    wire = _enveloped(LETTER, parties.practice)
    with pytest.raises(NoPracticeKeyError) as caught:
        open_envelope(wire, None, None)
    assert "geen eigen certificaat en sleutel" in caught.value.message
    assert "beheerder" in caught.value.hint


def test_a_key_that_is_not_the_certificates_is_refused(parties: Parties) -> None:
    wire = _enveloped(LETTER, parties.practice)
    with pytest.raises(NoPracticeKeyError, match="hoort niet bij"):
        open_envelope(wire, parties.team.key, parties.practice.certificate)


def test_an_ec_key_cannot_open_envelopes(parties: Parties) -> None:
    wire = _enveloped(LETTER, parties.practice)
    key = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(NoPracticeKeyError, match="geen RSA-sleutel"):
        open_envelope(wire, key, parties.practice.certificate)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda wire: wire[: len(wire) // 2], id="cut-off"),
        pytest.param(lambda wire: _garble_line(wire, 2), id="garbled-start"),
        pytest.param(lambda _wire: b"\x30\x82\xff\xff\x06", id="bad-der"),
        pytest.param(lambda _wire: b"Subject: hallo\r\n\r\nGewone brief\r\n", id="plain-mail"),
    ],
)
def test_a_damaged_envelope_is_reported_not_raised_as_a_crash(
    parties: Parties, damage: object
) -> None:
    wire = _enveloped(LETTER, parties.practice)
    assert callable(damage)
    with pytest.raises(DamagedEnvelopeError) as caught:
        open_envelope(damage(wire), parties.practice.key, parties.practice.certificate)
    assert "bewaard" in caught.value.message


def test_damage_inside_the_ciphertext_is_caught_by_the_signature_inside(
    parties: Parties,
) -> None:
    """AES-CBC has no integrity check: a garbled middle decrypts to garbage, not an error.

    The team's signature inside the envelope is what tells: never "geverifieerd".
    """
    team = sending.SigningIdentity(parties.team.certificate, parties.team.key)
    wire = sending.envelope(sending.sign(LETTER * 30, team), parties.practice.certificate)
    garbled = _garble_line(wire, -8)
    try:
        inner = open_envelope(garbled, parties.practice.key, parties.practice.certificate)
    except DamagedEnvelopeError:
        return
    assert check_signature(inner, [parties.ca.certificate]).state != "geverifieerd"


def test_flipping_a_byte_of_the_ciphertext_is_damage(parties: Parties) -> None:
    der = (
        pkcs7.PKCS7EnvelopeBuilder()
        .set_data(LETTER * 20)
        .add_recipient(parties.practice.certificate)
        .encrypt(serialization.Encoding.DER, [pkcs7.PKCS7Options.Binary])
    )
    broken = bytearray(der)
    broken[-1] ^= 0xFF  # the last block of the encrypted content: its padding breaks
    with pytest.raises(DamagedEnvelopeError):
        open_envelope(bytes(broken), parties.practice.key, parties.practice.certificate)


# -- signatures ---------------------------------------------------------------------------------


def test_a_detached_signature_chaining_to_a_trusted_ca_is_verified(parties: Parties) -> None:
    check = check_signature(_signed(LETTER, parties.team), [parties.ca.certificate])
    assert (check.state, check.signer) == ("geverifieerd", "Wijkteam Noord")
    assert "klopt" in check.reason


def test_the_teams_own_certificate_can_be_the_trusted_one(parties: Parties) -> None:
    check = check_signature(_signed(LETTER, parties.team), [parties.team.certificate])
    assert check.state == "geverifieerd"


def test_an_opaque_signature_is_verified_and_gives_the_content(parties: Parties) -> None:
    wire = _signed(LETTER, parties.team, detached=False)
    assert smime_kind(wire) is SmimeKind.SIGNED
    check = check_signature(wire, [parties.ca.certificate])
    assert check.state == "geverifieerd"
    assert b"SIG-2026-000123" in check.content


def test_without_trusted_certificates_a_matching_signature_is_not_called_verified(
    parties: Parties,
) -> None:
    nothing: tuple[list[x509.Certificate] | None, ...] = (None, [])
    for trusted in nothing:
        check = check_signature(_signed(LETTER, parties.team), trusted)
        assert check.state == "niet geverifieerd"
        assert check.signer == "Wijkteam Noord"
        assert "geen vertrouwde certificaten" in check.reason


def test_a_signer_from_an_untrusted_ca_is_not_verified(parties: Parties) -> None:
    check = check_signature(_signed(LETTER, parties.stranger), [parties.ca.certificate])
    assert check.state == "niet geverifieerd"
    assert check.signer == "Onbekend team"
    assert "niet vertrouwd" in check.reason


def test_an_expired_signer_certificate_is_not_verified(parties: Parties) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    check = check_signature(_signed(LETTER, parties.team), [parties.ca.certificate], later)
    assert check.state == "niet geverifieerd"


def test_a_certificate_for_tls_only_does_not_verify_a_letter(parties: Parties) -> None:
    tls_only = issue(parties.folder, "alleen-tls", issuer=parties.ca, dns=("mail.example",))
    check = check_signature(_signed(LETTER, tls_only), [parties.ca.certificate])
    assert check.state == "niet geverifieerd"


def test_one_changed_byte_in_the_content_makes_the_signature_invalid(parties: Parties) -> None:
    wire = _tamper(_signed(LETTER, parties.team), b"nemen contact op", b"nemen contact Op")
    check = check_signature(wire, [parties.ca.certificate])
    assert check.state == "ongeldig"
    assert "veranderd" in check.reason


def test_a_tampered_opaque_message_is_invalid(parties: Parties) -> None:
    der = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(LETTER)
        .add_signer(parties.team.certificate, parties.team.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [])
    )
    at = der.index(b"nemen contact op")
    broken = der[:at] + b"N" + der[at + 1 :]
    wire = (
        b'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(broken)
    )
    check = check_signature(wire, None)
    assert check.state == "ongeldig"


def test_a_changed_signature_value_is_invalid(parties: Parties) -> None:
    der = (
        pkcs7.PKCS7SignatureBuilder()
        .set_data(LETTER)
        .add_signer(parties.team.certificate, parties.team.key, hashes.SHA256())
        .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature])
    )
    broken = bytearray(der)
    broken[-10] ^= 0x01  # inside the RSA signature, the last field of the SignerInfo
    boundary = b"grens"
    wire = (
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        b'micalg=sha-256; boundary="grens"\r\n\r\n'
        b"--" + boundary + b"\r\n" + LETTER + b"\r\n--" + boundary + b"\r\n"
        b"Content-Type: application/pkcs7-signature\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(bytes(broken))
        + b"\r\n--"
        + boundary
        + b"--\r\n"
    )
    assert check_signature(wire, [parties.ca.certificate]).state == "ongeldig"
    intact = wire.replace(base64.encodebytes(bytes(broken)), base64.encodebytes(der))
    assert check_signature(intact, [parties.ca.certificate]).state == "geverifieerd"


def test_a_garbled_signature_part_is_invalid_not_a_crash(parties: Parties) -> None:
    wire = _signed(LETTER, parties.team)
    match = re.search(rb'filename="smime.p7s"\r?\n\r?\n', wire)
    assert match is not None
    garbled = wire[: match.end()] + b"AAAA" + wire[match.end() + 4 :]
    assert check_signature(garbled, [parties.ca.certificate]).state == "ongeldig"


def test_a_multipart_signed_without_its_signature_part_is_invalid() -> None:
    wire = (
        b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
        b'boundary="b"\r\n\r\n--b\r\n' + LETTER + b"\r\n--b--\r\n"
    )
    assert check_signature(wire, None).state == "ongeldig"


def test_an_unsigned_message_is_not_verified_and_passes_through() -> None:
    check = check_signature(LETTER, [])
    assert (check.state, check.signer, check.content) == ("niet geverifieerd", None, LETTER)
    assert "niet ondertekend" in check.reason
    assert smime_kind(LETTER) is SmimeKind.NONE


def test_line_ends_changed_to_lf_by_a_mail_store_still_verify(parties: Parties) -> None:
    wire = _signed(LETTER, parties.team).replace(b"\r\n", b"\n")
    assert check_signature(wire, [parties.ca.certificate]).state == "geverifieerd"


def test_a_signature_made_by_openssl_is_verified(parties: Parties, tmp_path: Path) -> None:
    """Another implementation than the one that checks: openssl's own S/MIME signing."""
    content = tmp_path / "brief.txt"
    content.write_bytes(LETTER)
    result = run_openssl(
        "smime", "-sign", "-in", content, "-signer", parties.team.cert_pem,
        "-inkey", parties.team.key_pem, "-md", "sha256",
    )  # fmt: skip
    assert check_signature(result.stdout, [parties.ca.certificate]).state == "geverifieerd"
    tampered = result.stdout.replace(b"nemen contact op", b"nemen geen contact op")
    assert check_signature(tampered, [parties.ca.certificate]).state == "ongeldig"


# -- both layers --------------------------------------------------------------------------------


def test_unwrap_takes_off_envelope_and_signature(parties: Parties) -> None:
    team = sending.SigningIdentity(parties.team.certificate, parties.team.key)
    wire = sending.envelope(sending.sign(LETTER, team), parties.practice.certificate)
    result = unwrap(
        wire, parties.practice.key, parties.practice.certificate, [parties.ca.certificate]
    )
    assert result.encrypted
    assert result.signature.state == "geverifieerd"
    assert result.content.startswith(b"Content-Type: text/plain")
    assert b"SIG-2026-000123" in result.content


def test_unwrap_of_an_encrypted_but_unsigned_letter(parties: Parties) -> None:
    wire = _enveloped(LETTER, parties.practice)
    result = unwrap(wire, parties.practice.key, parties.practice.certificate, None)
    assert (result.encrypted, result.signature.state) == (True, "niet geverifieerd")
    assert result.content == LETTER


def test_unwrap_of_a_plain_and_a_signed_letter(parties: Parties) -> None:
    plain = unwrap(LETTER, None, None, None)
    assert (plain.encrypted, plain.signature.state, plain.content) == (
        False,
        "niet geverifieerd",
        LETTER,
    )
    signed = unwrap(_signed(LETTER, parties.team), None, None, [parties.ca.certificate])
    assert (signed.encrypted, signed.signature.state) == (False, "geverifieerd")


def test_unwrap_stops_at_an_invalid_signature(parties: Parties) -> None:
    wire = _tamper(_signed(LETTER, parties.team), b"nemen contact op", b"nemen contact Op")
    result = unwrap(wire, None, None, [parties.ca.certificate])
    assert result.signature.state == "ongeldig"


def test_unwrap_refuses_endless_nesting(parties: Parties) -> None:
    wire = LETTER
    for _ in range(5):
        wire = _enveloped(wire, parties.practice)
    with pytest.raises(DamagedEnvelopeError, match="te veel lagen"):
        unwrap(wire, parties.practice.key, parties.practice.certificate, None)


def test_deeply_nested_der_is_damage_not_a_crash(parties: Parties) -> None:
    nested = b"\x30\x80" * 20_000 + b"\x00\x00" * 20_000
    assert smime_kind(nested) is SmimeKind.NONE
    with pytest.raises(DamagedEnvelopeError):
        open_envelope(nested, parties.practice.key, parties.practice.certificate)
    assert check_signature(nested, None).state == "niet geverifieerd"
    labelled = (
        b"Content-Type: application/pkcs7-mime; smime-type=signed-data\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(nested[:3000])
    )
    assert check_signature(labelled, None).state == "ongeldig"


def test_a_text_that_starts_with_a_zero_is_just_unsigned() -> None:
    text = b"0612345678 belde vanochtend terug.\r\n"
    assert check_signature(text, None).state == "niet geverifieerd"
    assert smime_kind(text) is SmimeKind.NONE
