"""Field encryption, blind index, key wrapping and the recovery key."""

from __future__ import annotations

import pytest

from gpdesk.errors import AuthError
from gpdesk.security.crypto import (
    DecryptionError,
    Vault,
    derive_password_keys,
    format_recovery_key,
    new_recovery_key,
    new_salt,
    parse_recovery_key,
    recovery_kek,
    unwrap_key,
    verify_password,
)
from tests.conftest import FAST_KDF


def test_seal_and_open_round_trip() -> None:
    vault = Vault.create()
    blob = vault.seal("patient.name", "J. de Vries")
    assert b"Vries" not in blob
    assert vault.open("patient.name", blob) == "J. de Vries"


def test_same_value_encrypts_differently_each_time() -> None:
    vault = Vault.create()
    assert vault.seal("patient.bsn", "111222333") != vault.seal("patient.bsn", "111222333")


def test_tampered_ciphertext_is_refused() -> None:
    vault = Vault.create()
    blob = bytearray(vault.seal("patient.name", "J. de Vries"))
    blob[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        vault.open("patient.name", bytes(blob))


@pytest.mark.parametrize(
    "blob", [b"", b"\x01", b"\x01" + bytes(27), b"\x02" + bytes(40), b"J. de Vries"]
)
def test_unknown_format_is_refused(blob: bytes) -> None:
    with pytest.raises(DecryptionError) as info:
        Vault.create().open("patient.name", blob)
    assert "onbekend formaat" in info.value.message


def test_ciphertext_is_bound_to_its_column() -> None:
    vault = Vault.create()
    blob = vault.seal("patient.name", "J. de Vries")
    with pytest.raises(DecryptionError):
        vault.open("patient.phone", blob)


def test_other_practice_key_cannot_open() -> None:
    blob = Vault.create().seal("patient.name", "x")
    with pytest.raises(DecryptionError):
        Vault.create().open("patient.name", blob)


def test_blind_index_is_deterministic_and_keyed() -> None:
    vault = Vault.create()
    assert vault.blind_index("bsn", "111222333") == vault.blind_index("bsn", "111222333")
    assert vault.blind_index("bsn", "111222333") != vault.blind_index("postcode", "111222333")
    assert vault.blind_index("bsn", "111222333") != Vault.create().blind_index("bsn", "111222333")


def test_password_wrap_and_unwrap() -> None:
    vault = Vault.create()
    salt = new_salt()
    verifier, kek = derive_password_keys("correct horse", salt, FAST_KDF)
    wrapped = vault.wrap_for(kek)
    assert verify_password("correct horse", salt, FAST_KDF, verifier) == kek
    again = Vault(unwrap_key(wrapped, kek))
    assert again.open("x", vault.seal("x", "geheim")) == "geheim"


def test_wrong_password_is_refused() -> None:
    salt = new_salt()
    verifier, _ = derive_password_keys("correct horse", salt, FAST_KDF)
    with pytest.raises(AuthError):
        verify_password("wrong horse", salt, FAST_KDF, verifier)


def test_recovery_key_round_trip_with_sloppy_typing() -> None:
    raw = new_recovery_key()
    printed = format_recovery_key(raw)
    assert printed.count("-") >= 10
    assert parse_recovery_key(printed.lower().replace("-", " ")) == raw
    vault = Vault.create()
    wrapped = vault.wrap_for(recovery_kek(raw))
    assert len(unwrap_key(wrapped, recovery_kek(parse_recovery_key(printed)))) == 32


@pytest.mark.parametrize("text", ["", "ABCD-EFGH", "!!!!", "A" * 80])
def test_bad_recovery_key_is_refused(text: str) -> None:
    with pytest.raises(DecryptionError):
        parse_recovery_key(text)
