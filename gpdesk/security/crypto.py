r"""Encryption at rest: one practice data key, wrapped per user and under a recovery key.

Field ciphertext format: ``b"\x02" + nonce(12) + AES-256-GCM(ciphertext || tag)``. The associated
data names the value's place: table, column and the record's primary key
(``gpdesk/2\0patient\0name\012``), so a ciphertext moved to another column, another table *or
another row* does not open (``Vault.seal``/``Vault.open`` take the place, so no caller can leave
it out). Values written before places were bound start with ``b"\x01"`` and name only their
column; only ``gpdesk.security.rebind`` reads those (``Vault.open_unbound``), once, at the first
sign-in after the upgrade. Exact-match lookups use an HMAC-SHA256 blind index under a key derived
from the data key, so the database never needs the plaintext to find a BSN.

A user's wrap of the data key (``b"\x02"`` format) has the user name and the Argon2id parameters
as associated data (``wrap_context``): a colleague's salt, verifier and wrap copied into another
account's row, or parameters changed in the file, no longer unwrap. Wraps made before that
(``b"\x01"``, a fixed associated data) still open and are replaced at the user's next sign-in.

The key cost has a floor, ``KDF_FLOOR``: 64 MiB and 2 iterations of Argon2id (one lane or more),
a quarter of ``DEFAULT_KDF``'s memory. Below it an offline guess costs too little (at 8 KiB and 1
iteration some 36,000 guesses per second per core, against about 2 at the default), so an
account whose stored parameters are lower is refused at sign-in, and every new wrap (a new
account, a reset, a new password, recovery) uses ``DEFAULT_KDF``, never what is stored. Both are
read when used (``crypto.DEFAULT_KDF``), so a throwaway practice of the test suite, a benchmark
or the screenshot tool can lower them in its own process (``tests/conftest.py`` says how and
why); gpdesk itself never does.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gpdesk.errors import AuthError, GpdeskError, TamperedError

KEY_BYTES = 32
NONCE_BYTES = 12
FORMAT_V1 = b"\x01"
FORMAT_V2 = b"\x02"
"""Field values bound to table, column and record; ``FORMAT_V1`` only names the column."""
_V2 = FORMAT_V2[0]
_BODY_AT = 1 + NONCE_BYTES
_MIN_SEALED = _BODY_AT + 16
_WRAP_AAD = b"gpdesk practice data key v1"
_PLACE_AAD = b"gpdesk/2\x00"

log = logging.getLogger(__name__)
BOUND_WRAP = b"\x02"
"""A user's wrap whose associated data names the user and the parameters (``wrap_context``)."""
_WRAP_AAD_V2 = b"gpdesk practice data key v2\x00"


class DecryptionError(GpdeskError):
    """A stored value failed its integrity check: it was changed, or belongs to another key."""


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost, stored per user so it can be raised later without locking anyone out."""

    memory_kib: int
    iterations: int
    lanes: int


DEFAULT_KDF = KdfParams(memory_kib=256 * 1024, iterations=3, lanes=4)
"""Chosen so that unlocking takes roughly half a second on a practice workstation."""

KDF_FLOOR = KdfParams(memory_kib=64 * 1024, iterations=2, lanes=1)
"""The least key cost gpdesk accepts for a stored account (see the module docstring)."""

DUMMY_SALT = hashlib.sha256(b"gpdesk: no such user").digest()[:16]
"""The salt of the key derivation made for a name without an account (no name oracle)."""


def below_floor(params: KdfParams) -> bool:
    """Whether stored parameters cost less than ``KDF_FLOOR`` (read now, not at import)."""
    floor = KDF_FLOOR
    return (
        params.memory_kib < floor.memory_kib
        or params.iterations < floor.iterations
        or params.lanes < floor.lanes
    )


def wrap_context(username: str, params: KdfParams) -> bytes:
    """What a user's wrap of the data key is bound to: whose it is and at which key cost."""
    return f"{username}\x00{params.memory_kib}\x00{params.iterations}\x00{params.lanes}".encode()


def _hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(key)


def derive_password_keys(password: str, salt: bytes, params: KdfParams) -> tuple[bytes, bytes]:
    """Argon2id once, split into (verifier, key-encryption key) so unlock costs one derivation."""
    master = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    ).derive(password.encode("utf-8"))
    verifier = hashlib.sha256(_hkdf(master, b"gpdesk password verifier")).digest()
    kek = _hkdf(master, b"gpdesk key encryption key")
    return verifier, kek


def verify_password(password: str, salt: bytes, params: KdfParams, verifier: bytes) -> bytes:
    """Return the key-encryption key when the password is right; constant-time comparison."""
    candidate, kek = derive_password_keys(password, salt, params)
    if not hmac.compare_digest(candidate, verifier):
        raise AuthError(
            "Onbekende gebruikersnaam of onjuist wachtwoord.",
            hint="Controleer de gegevens en probeer het opnieuw.",
        )
    return kek


def new_salt() -> bytes:
    """A fresh random salt for Argon2id."""
    return os.urandom(16)


def wrap_key(data_key: bytes, kek: bytes, context: bytes | None = None) -> bytes:
    """Encrypt the practice data key under a key-encryption key.

    A user's wrap passes ``wrap_context``; the recovery wrap, which belongs to nobody, passes
    nothing.
    """
    nonce = os.urandom(NONCE_BYTES)
    if context is None:
        return FORMAT_V1 + nonce + AESGCM(kek).encrypt(nonce, data_key, _WRAP_AAD)
    return BOUND_WRAP + nonce + AESGCM(kek).encrypt(nonce, data_key, _WRAP_AAD_V2 + context)


def is_bound_wrap(wrapped: bytes) -> bool:
    """Whether a wrap names its user and parameters (made since ``wrap_context`` exists)."""
    return wrapped.startswith(BOUND_WRAP)


def unwrap_key(wrapped: bytes, kek: bytes, context: bytes | None = None) -> bytes:
    """Decrypt the practice data key; a wrong key or another context fails the GCM tag."""
    if len(wrapped) < 1 + NONCE_BYTES + 16 or wrapped[:1] not in (FORMAT_V1, BOUND_WRAP):
        raise DecryptionError("De opgeslagen sleutel heeft een onbekend formaat.")
    if wrapped.startswith(FORMAT_V1):
        aad = _WRAP_AAD
    elif context is None:
        raise DecryptionError("De opgeslagen sleutel hoort bij een gebruiker.")
    else:
        aad = _WRAP_AAD_V2 + context
    nonce, body = wrapped[1 : 1 + NONCE_BYTES], wrapped[1 + NONCE_BYTES :]
    try:
        return AESGCM(kek).decrypt(nonce, body, aad)
    except InvalidTag:
        raise DecryptionError(
            "De sleutel past niet.",
            hint="Controleer het wachtwoord of de herstelsleutel.",
        ) from None


class Vault:
    """The unwrapped practice data key in memory, for one signed-in user; dropped on lock."""

    def __init__(self, data_key: bytes) -> None:
        if len(data_key) != KEY_BYTES:
            raise ValueError("data key must be 32 bytes")
        self._data_key = data_key
        self._aead = AESGCM(data_key)
        self._index_key = _hkdf(data_key, b"gpdesk blind index v1")
        self._places: dict[str, dict[str, bytes]] = {}
        self._derived: dict[bytes, bytes] = {}

    @classmethod
    def create(cls) -> Vault:
        """A new practice data key, made once at ``gpdesk init``."""
        return cls(AESGCM.generate_key(bit_length=256))

    def derive_key(self, purpose: bytes) -> bytes:
        """A separate key for another use (e.g. backups), so the data key itself never leaves.

        Kept per purpose while the vault lives: the audit seal and record states ask per entry.
        """
        derived = self._derived.get(purpose)
        if derived is None:
            derived = self._derived[purpose] = _hkdf(self._data_key, purpose)
        return derived

    def wrap_for(self, kek: bytes, context: bytes | None = None) -> bytes:
        """The data key wrapped for a user (``wrap_context``) or the recovery key (None)."""
        return wrap_key(self._data_key, kek, context)

    def seal(self, table: str, column: str, record_id: int, value: str) -> bytes:
        """Encrypt one field for its place: it opens only in this table, column and record."""
        return self.seal_bytes(table, column, record_id, value.encode("utf-8"))

    def seal_bytes(self, table: str, column: str, record_id: int, value: bytes) -> bytes:
        """``seal`` for bytes as they are (a received letter, a PDF): no text encoding between."""
        nonce = os.urandom(NONCE_BYTES)
        aad = self._place(table, column) + b"%d" % record_id
        return FORMAT_V2 + nonce + self._aead.encrypt(nonce, value, aad)

    def open(self, table: str, column: str, record_id: int, blob: bytes) -> str:
        """Decrypt one field in its place; anything changed, moved or put back is refused.

        The hot path of every list of patients: the place's prefix is encoded once per vault,
        only the record id per call (``benchmarks/security.py`` holds this within twice the bare
        AES-GCM cost). A refusal is logged with table, column and record id, never the value.
        """
        try:
            place = self._places[table][column]
        except KeyError:
            place = self._place(table, column)
        try:
            if blob[0] == _V2:
                nonce, body = blob[1:_BODY_AT], blob[_BODY_AT:]
                return self._aead.decrypt(nonce, body, place + b"%d" % record_id).decode("utf-8")
        except (InvalidTag, IndexError, ValueError):  # ValueError: a short nonce, bad UTF-8
            pass
        raise self._refused(table, column, record_id)

    def open_bytes(self, table: str, column: str, record_id: int, blob: bytes) -> bytes:
        """``open`` for a value sealed with ``seal_bytes``."""
        try:
            if blob[0] == _V2:
                aad = self._place(table, column) + b"%d" % record_id
                return self._aead.decrypt(blob[1:_BODY_AT], blob[_BODY_AT:], aad)
        except (InvalidTag, IndexError, ValueError):
            pass
        raise self._refused(table, column, record_id)

    def open_unbound(self, purpose: str, blob: bytes) -> str:
        """Decrypt a value from before places were bound (``FORMAT_V1``, its column only).

        Only for ``gpdesk.security.rebind``, which seals each such value again for its place at
        the first sign-in after the upgrade; nothing else may accept an unbound value, or a
        copy from an old backup could be put into any row.
        """
        if len(blob) < _MIN_SEALED or blob[0] != FORMAT_V1[0]:
            raise DecryptionError("Een opgeslagen gegeven heeft een onbekend formaat.")
        try:
            return self._aead.decrypt(blob[1:_BODY_AT], blob[_BODY_AT:], purpose.encode()).decode(
                "utf-8"
            )
        except InvalidTag:
            raise DecryptionError(
                "Een opgeslagen gegeven is beschadigd of gewijzigd buiten gpdesk om."
            ) from None

    def _place(self, table: str, column: str) -> bytes:
        """The associated data up to the record id, encoded once per place."""
        prefix = _PLACE_AAD + f"{table}\x00{column}\x00".encode()
        self._places.setdefault(table, {})[column] = prefix
        return prefix

    @staticmethod
    def _refused(table: str, column: str, record_id: int) -> TamperedError:
        # No value, no patient: where only.
        log.warning("sealed value refused: %s.%s of record %s", table, column, record_id)
        return TamperedError(table, record_id)

    def blind_index(self, purpose: str, value: str) -> bytes:
        """Keyed hash for exact-match lookups; the same value gives the same index per purpose."""
        return hmac.new(self._index_key, f"{purpose}\x00{value}".encode(), hashlib.sha256).digest()


RECOVERY_GROUPS = 13


def new_recovery_key() -> bytes:
    """Random recovery key material, shown once at set-up for the practice to print."""
    return os.urandom(KEY_BYTES)


def format_recovery_key(raw: bytes) -> str:
    """Human-typable form: base32 in groups of four, e.g. ``ABCD-EFGH-…``."""
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    """Accept the printed form with any spacing, dashes or case."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    padded = cleaned + "=" * (-len(cleaned) % 8)
    try:
        raw = base64.b32decode(padded)
    except ValueError:
        raw = b""
    if len(raw) != KEY_BYTES:
        raise DecryptionError(
            "Dit is geen geldige herstelsleutel.",
            hint="Typ de sleutel over zoals hij op het geprinte blad staat.",
        )
    return raw


def recovery_kek(raw: bytes) -> bytes:
    """The key-encryption key for the recovery wrap (the raw key is already high-entropy)."""
    return _hkdf(raw, b"gpdesk recovery key")
