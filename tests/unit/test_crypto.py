"""Field encryption, blind index, key wrapping and the recovery key."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gpdesk.errors import TAMPERED, AuthError, TamperedError
from gpdesk.security.crypto import (
    FORMAT_V1,
    FORMAT_V2,
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
    blob = vault.seal("patient", "name", 7, "J. de Vries")
    assert b"Vries" not in blob
    assert blob[:1] == FORMAT_V2
    assert vault.open("patient", "name", 7, blob) == "J. de Vries"


def test_same_value_encrypts_differently_each_time() -> None:
    vault = Vault.create()
    first, second = (vault.seal("patient", "bsn", 1, "111222333") for _ in range(2))
    assert first != second


def test_tampered_ciphertext_is_refused_with_the_one_message() -> None:
    vault = Vault.create()
    blob = bytearray(vault.seal("patient", "name", 7, "J. de Vries"))
    blob[-1] ^= 0x01
    with pytest.raises(TamperedError) as info:
        vault.open("patient", "name", 7, bytes(blob))
    assert info.value.user_text() == TAMPERED
    assert (info.value.table, info.value.record_id) == ("patient", 7)


@pytest.mark.parametrize(
    "blob", [b"", b"\x01", b"\x01" + bytes(27), b"\x02", b"\x02" + bytes(5), b"\x02" + bytes(40),
             b"J. de Vries"],
)  # fmt: skip
def test_unknown_format_is_refused(blob: bytes) -> None:
    with pytest.raises(TamperedError):
        Vault.create().open("patient", "name", 1, blob)


@pytest.mark.parametrize(
    ("table", "column", "record_id"),
    [
        ("patient", "phone", 7),
        ("patient", "name", 8),
        ("consent", "name", 7),
        ("patient", "name", 71),
    ],
)
def test_ciphertext_is_bound_to_its_table_column_and_record(
    table: str, column: str, record_id: int
) -> None:
    vault = Vault.create()
    blob = vault.seal("patient", "name", 7, "J. de Vries")
    with pytest.raises(TamperedError):
        vault.open(table, column, record_id, blob)


def test_a_value_from_before_binding_opens_only_unbound() -> None:
    """What 0x01 values were: AES-GCM with the column name as associated data."""
    vault = Vault.create()
    nonce = bytes(12)
    key = vault._data_key  # the test plays the old gpdesk
    old = FORMAT_V1 + nonce + AESGCM(key).encrypt(nonce, b"J. de Vries", b"patient.name")
    with pytest.raises(TamperedError):
        vault.open("patient", "name", 1, old)
    assert vault.open_unbound("patient.name", old) == "J. de Vries"
    with pytest.raises(DecryptionError):
        vault.open_unbound("patient.phone", old)


def test_other_practice_key_cannot_open() -> None:
    blob = Vault.create().seal("patient", "name", 1, "x")
    with pytest.raises(TamperedError):
        Vault.create().open("patient", "name", 1, blob)


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
    assert again.open("x", "y", 1, vault.seal("x", "y", 1, "geheim")) == "geheim"


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
