"""A backup's payload is encrypted, and no changed byte anywhere in the file goes unnoticed.

Patient fields are already ciphertext in the database, so their absence from the backup (which
test_encryption_at_rest also checks, in UTF-8 and UTF-16-LE) would hold even for a backup that
was not encrypted at all: kaart text (in the clear in the database) must be absent too, and
found again once the payload is decrypted with the practice key. The patient data is looked for
in more forms a payload could hold (JSON-escaped, UTF-16/32 either way round, Latin-1, base64),
each first shown to find a patient in a payload that was *not* encrypted.
"""

from __future__ import annotations

import base64
import json
import struct
import tempfile
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gpdesk.db import open_database
from gpdesk.errors import AuthError, GpdeskError
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import open_from_his
from gpdesk.patients.validation import normalise_phone
from gpdesk.practice.demo import DEMO_PASSWORD, demo_patients
from gpdesk.security import backup as backup_module
from gpdesk.security.backup import MAGIC, BackupError, create_backup, read_header, unlock_backup
from gpdesk.security.crypto import DecryptionError
from tests.integration.test_backup import DUTCH_REFUSALS
from tests.integration.test_encryption_at_rest import spellings
from tests.security_support import EXTRA_PATIENT, make_demo, signed

DAMAGED = "De back-up is beschadigd of onvolledig (controle mislukt)."
SMALL_CHUNK = 32 * 1024
"""Chunks this small give the demo backup several, so chunk boundaries are flipped too."""

KAART_TEXT = ("Fatma Kaya", "Wijkteam Nieuwland", "Nieuwlandplein 12")
"""Stored in the clear in the database: only the backup's own encryption hides these."""


@dataclass(frozen=True)
class Backup:
    """The demo practice's backup in several chunks, and where its header and chunks lie."""

    raw: bytes
    header_end: int
    chunk_starts: tuple[int, ...]
    """Offset of each chunk's 4-byte length."""


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Backup:
    where = tmp_path_factory.mktemp("geheim")
    db = open_database(f"sqlite:///{where / 'gpdesk.sqlite3'}")
    try:
        make_demo(db)
        open_from_his(db, signed(db, "bakker"), EXTRA_PATIENT)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(backup_module, "CHUNK", SMALL_CHUNK)
            create_backup(db, signed(db, "smit"), where / "praktijk.gpbak")
    finally:
        db.dispose()
    raw = (where / "praktijk.gpbak").read_bytes()
    (length,) = struct.unpack(">I", raw[len(MAGIC) : len(MAGIC) + 4])
    header_end = len(MAGIC) + 4 + length
    starts, at = [], header_end
    while at < len(raw):
        starts.append(at)
        (sealed,) = struct.unpack(">I", raw[at : at + 4])
        at += 4 + sealed
    assert at == len(raw)
    return Backup(raw, header_end, tuple(starts))


def _patients() -> list[PatientContext]:
    """Taken from the demo data source itself, plus the patient opened through the HIS."""
    return [*demo_patients(), EXTRA_PATIENT]


def _texts(patient: PatientContext, *, family_name: bool = True) -> set[str]:
    """BSN, name, phone and birth date as a person, a form or a program could write them.

    The spellings of the encryption-at-rest tests, plus the family name and postcode on their
    own, which the kaart (public, in the clear in the database) may also hold.
    """
    texts = set(spellings(patient))
    if patient.phone:
        texts.add(normalise_phone(patient.phone))
    if family_name:
        texts |= {patient.name.split()[-1], patient.postcode}
    return texts


def _forms(text: str) -> set[bytes]:
    """The bytes ``text`` takes in UTF-8/16/32, JSON (escaped or not), Latin-1 and base64."""
    variants = {text, text.lower(), text.upper(), unicodedata.normalize("NFD", text)}
    variants |= {json.dumps(v)[1:-1] for v in set(variants)}  # "\u00d6zt\u00fcrk"
    forms: set[bytes] = set()
    for variant in variants:
        for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            forms.add(variant.encode(encoding))
        if all(ord(c) < 256 for c in variant):
            forms.add(variant.encode("latin-1"))
    utf8 = text.encode()
    if len(utf8) >= 6:  # a base64 field starting with the value: its first whole groups
        forms.add(base64.b64encode(utf8[: len(utf8) // 3 * 3]))
    return forms


def _leaks(data: bytes, patient: PatientContext, *, family_name: bool = True) -> list[str]:
    """Which of the patient's data can be read in ``data``."""
    texts = _texts(patient, family_name=family_name)
    return sorted(text for text in texts if any(f in data for f in _forms(text)))


def _decrypted(raw: bytes, tmp_path: Path) -> bytes:
    source = tmp_path / "open.gpbak"
    source.write_bytes(raw)
    with source.open("rb") as handle, tempfile.TemporaryFile(dir=tmp_path) as spool:
        header, header_bytes = read_header(handle)
        vault = unlock_backup(header, username="smit", password=DEMO_PASSWORD, recovery_key=None)
        backup_module._decrypt_payload(handle, header, header_bytes, vault, spool)
        spool.seek(0)
        return spool.read()


def test_the_search_finds_a_patient_written_in_the_clear() -> None:
    """The check below can fail: every patient is found in a payload left unencrypted."""
    for patient in _patients():
        row = {"bsn": patient.bsn, "name": patient.name, "phone": patient.phone}
        for ensure_ascii in (True, False):
            line = json.dumps({"t": "patient", "r": row}, ensure_ascii=ensure_ascii)
            for encoding in ("utf-8", "utf-16-le"):
                found = _leaks(line.encode(encoding), patient)
                assert patient.bsn in found and patient.name in found, (patient.bsn, encoding)
                assert patient.phone is None or patient.phone in found


def test_no_bsn_name_or_phone_in_the_backup_file(backup: Backup, tmp_path: Path) -> None:
    # The backup's own encryption, not only the database's: kaart text is not readable...
    for text in KAART_TEXT:
        assert not any(form in backup.raw for form in _forms(text)), text
    patients = _patients()
    assert len(patients) == 7
    for patient in patients:
        assert _leaks(backup.raw, patient) == [], "patient data readable in the backup"
    # ...and is there once the payload is opened with the practice key, with every patient row
    # (as the ciphertext it is in the database, so still no patient data; a family name alone
    # is not looked for here: the kaart has a wijkcoach Youssef Amrani).
    payload = _decrypted(backup.raw, tmp_path)
    for text in KAART_TEXT:
        assert text.encode() in payload, text
    rows = [json.loads(line) for line in payload.splitlines()]
    assert sum(1 for row in rows if row["t"] == "patient") == len(patients)
    for patient in patients:
        assert _leaks(payload, patient, family_name=False) == []


def _refusal(data: bytes, tmp_path: Path, name: str) -> GpdeskError:
    path = tmp_path / f"{name}.gpbak"
    path.write_bytes(data)
    target = tmp_path / f"{name}.sqlite3"
    with pytest.raises((BackupError, AuthError, DecryptionError)) as info:
        backup_module.restore_backup(
            path, f"sqlite:///{target}", username="smit", password=DEMO_PASSWORD,
            workdir=tmp_path,
        )  # fmt: skip
    assert not target.exists() or target.stat().st_size == 0, name  # nothing written
    path.unlink()
    return info.value


def _flip_positions(backup: Backup) -> Iterator[int]:
    """Every 1009th byte (a prime: it drifts through the chunks' layout), every 97th of the
    header, and the places where a mistake is most likely to hide. ~400 restores, a few seconds.
    """
    yield from range(0, len(backup.raw), 1009)
    yield from range(0, backup.header_end, 97)
    for start in backup.chunk_starts:
        yield from (start, start + 3, start + 4, start + 5)  # its length, its first bytes
    yield from (s - 1 for s in backup.chunk_starts[1:])  # the tag of every chunk but the last
    yield from (backup.header_end - 1, len(backup.raw) - 1)


def test_a_byte_flipped_anywhere_is_refused_in_dutch(backup: Backup, tmp_path: Path) -> None:
    assert len(backup.chunk_starts) >= 4  # header, first, middle and last chunk all hit
    positions = sorted(set(_flip_positions(backup)))
    assert len(positions) > len(backup.raw) // 1009
    payload_refusals = 0
    for position in positions:
        data = bytearray(backup.raw)
        data[position] ^= 0x01
        error = _refusal(bytes(data), tmp_path, f"bit-{position}")
        if position >= backup.header_end:
            # The header is intact, so the key opens: the payload itself is what is refused.
            assert isinstance(error, BackupError) and error.message == DAMAGED, position
            payload_refusals += 1
        else:
            assert error.message in DUTCH_REFUSALS, (position, error.message)
    assert payload_refusals > 300
    # The untouched file restores, so the refusals above are the flipped byte's doing.
    whole = tmp_path / "heel.gpbak"
    whole.write_bytes(backup.raw)
    info = backup_module.restore_backup(
        whole, f"sqlite:///{tmp_path / 'heel.sqlite3'}", username="smit",
        password=DEMO_PASSWORD, workdir=tmp_path,
    )  # fmt: skip
    assert info.rows > 0
