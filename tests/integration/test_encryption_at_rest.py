"""Encryption at rest: no patient plaintext in the database files, a dump or a backup.

The demo is made, a GP opens one more patient through the HIS, and then the raw bytes that a
thief of the disk, the server or the backup medium would get are searched for every patient's
name, BSN, phone number and birth date in several spellings and encodings. (Surnames and
postcodes on their own are not searched: the sociale kaart, public data, holds both.)
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from gpdesk.db import Database, open_database
from gpdesk.errors import TAMPERED, TamperedError
from gpdesk.models import AuditEntry, Patient
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.security.crypto import DecryptionError
from gpdesk.security.users import recover_access
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.pg_server import PostgresServer
from tests.security_support import (
    EXTRA_PATIENT,
    all_patients,
    dbname_of,
    make_demo,
    signed,
)


def spellings(patient: PatientContext) -> list[str]:
    """Every way a patient's identifying data could show up as text."""
    bsn = patient.bsn
    born = patient.birth_date
    values = [
        patient.name,
        bsn,
        f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}",
        f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}",
        f"{bsn[:3]}-{bsn[3:6]}-{bsn[6:]}",
        f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}",
        born.isoformat(),
        born.strftime("%d-%m-%Y"),
        born.strftime("%d/%m/%Y"),
        born.strftime("%Y%m%d"),
    ]
    if patient.phone:
        phone = patient.phone
        values += [phone, f"{phone[:2]}-{phone[2:]}", f"+31{phone[1:]}", f"+31 {phone[1:]}"]
    return values


def needles(patients: list[PatientContext]) -> list[tuple[str, bytes]]:
    """(description, bytes) for UTF-8 and UTF-16-LE of every spelling."""
    found = []
    for patient in patients:
        for value in spellings(patient):
            for encoding in ("utf-8", "utf-16-le"):
                found.append((f"{value!r} as {encoding}", value.encode(encoding)))
    return found


def leaks(raw: bytes, patients: list[PatientContext]) -> list[str]:
    """The spellings present in ``raw`` (case-insensitive for UTF-8 text)."""
    lowered = raw.lower()
    return [
        what for what, needle in needles(patients) if needle in raw or needle.lower() in lowered
    ]


def test_the_search_finds_plaintext_when_it_is_there() -> None:
    """Positive control: the scan is not vacuous."""
    patient = EXTRA_PATIENT
    samples = [
        patient.name.encode("utf-16-le"),
        b"xx" + patient.bsn[:4].encode() + b"." + patient.bsn[4:6].encode() + b"." + b"333",
        b"\x00" + patient.birth_date.strftime("%d-%m-%Y").encode() + b"\x00",
        b"bel " + (patient.phone or "").encode("utf-16-le"),
        b"K. VERHOEVEN-SMITS",
    ]
    for sample in samples:
        assert leaks(sample, [patient]), sample
    assert leaks(b"\x00" * 100, all_patients()) == []


def _open_extra_as_gp(db: Database) -> None:
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    with db.session() as session:
        for patient in all_patients():
            assert find_patient(session, gp.vault, patient.bsn, actor=gp.actor) == patient


def _sqlite_files(directory: Path) -> bytes:
    files = sorted(directory.glob("gpdesk.sqlite3*"))
    assert files
    return b"".join(path.read_bytes() for path in files)


def test_sqlite_files_hold_no_patient_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "gpdesk.sqlite3"
    db = open_database(f"sqlite:///{path}")
    try:
        make_demo(db)
        _open_extra_as_gp(db)
        # While the engine is open the latest pages may live only in the WAL file.
        wal = tmp_path / "gpdesk.sqlite3-wal"
        assert wal.exists()
        assert wal.stat().st_size > 0
        raw_open = _sqlite_files(tmp_path)
        assert leaks(raw_open, all_patients()) == []
    finally:
        db.dispose()
    raw_closed = _sqlite_files(tmp_path)
    assert len(raw_closed) > 10_000
    assert leaks(raw_closed, all_patients()) == []
    # The files do hold the practice: the scan looked at real data.
    assert b"Huisartsenpraktijk De Singel" in raw_closed


@pytest.mark.postgres
def test_postgresql_dump_holds_no_patient_plaintext(
    postgres_server: PostgresServer, postgresql_url: str
) -> None:
    db = open_database(postgresql_url)
    try:
        make_demo(db)
        _open_extra_as_gp(db)
    finally:
        db.dispose()
    dump = postgres_server.dump(dbname_of(postgresql_url))
    assert b"COPY public.patient" in dump
    assert b"Huisartsenpraktijk De Singel" in dump
    assert leaks(dump, all_patients()) == []


def test_backup_file_holds_no_patient_plaintext(db: Database, tmp_path: Path) -> None:
    from gpdesk.security.backup import create_backup

    make_demo(db)
    _open_extra_as_gp(db)
    target = tmp_path / "praktijk.gpbak"
    info = create_backup(db, signed(db, "smit"), target)
    raw = target.read_bytes()
    assert info.rows > 0
    assert len(raw) > 1000
    assert leaks(raw, all_patients()) == []


def test_audit_trail_names_patients_only_by_reference(db: Database) -> None:
    make_demo(db)
    _open_extra_as_gp(db)
    with db.session() as session:
        rows = session.scalars(select(AuditEntry)).all()
    text_of_trail = "\n".join(
        " ".join(str(getattr(row, c.key)) for c in AuditEntry.__table__.columns) for row in rows
    ).encode()
    assert leaks(text_of_trail, all_patients()) == []
    refs = {row.patient_ref for row in rows if row.patient_ref}
    assert len(refs) == len(all_patients())
    assert all(len(ref) == 64 for ref in refs)


# -- tampering and keys ---------------------------------------------------------------------


def _flip_stored_name(db: Database, bsn_index: bytes) -> None:
    with db.engine.begin() as conn:
        row = conn.execute(
            text("SELECT id, name FROM patient WHERE bsn_index = :i"), {"i": bsn_index}
        ).one()
        blob = bytearray(row.name)
        blob[len(blob) // 2] ^= 0x01
        conn.execute(
            text("UPDATE patient SET name = :b WHERE id = :id"), {"b": bytes(blob), "id": row.id}
        )


def test_tampered_ciphertext_is_refused_in_dutch(db: Database) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    victim = all_patients()[1]
    _flip_stored_name(db, gp.vault.blind_index("bsn", victim.bsn))
    with db.session() as session, pytest.raises(TamperedError) as info:
        find_patient(session, gp.vault, victim.bsn, actor=gp.actor)
    assert info.value.user_text() == TAMPERED
    # Other patients are still readable.
    with db.session() as session:
        other = all_patients()[0]
        assert find_patient(session, gp.vault, other.bsn, actor=gp.actor) == other


def test_ciphertext_moved_to_another_column_is_refused(db: Database) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    victim = all_patients()[0]
    index = gp.vault.blind_index("bsn", victim.bsn)
    with db.session() as session:
        row = session.scalars(select(Patient).where(Patient.bsn_index == index)).one()
        session.execute(update(Patient).where(Patient.id == row.id).values(name=row.bsn))
    with db.session() as session, pytest.raises(TamperedError):
        find_patient(session, gp.vault, victim.bsn, actor=gp.actor)


def test_recovery_key_restores_access(db: Database) -> None:
    created = make_demo(db)
    recover_access(db, "bakker", created.recovery_key, "nieuw-wachtwoord-1", FAST_KDF)
    gp = signed(db, "bakker", "nieuw-wachtwoord-1")
    assert not gp.actor.must_change_password
    with db.session() as session:
        patient = all_patients()[0]
        assert find_patient(session, gp.vault, patient.bsn, actor=gp.actor) == patient
        events = session.scalars(select(AuditEntry.event)).all()
    assert "user.recover" in events


def test_recovery_key_from_init_is_accepted_as_typed_from_paper(db: Database) -> None:
    from gpdesk.practice.setup import init_practice

    created = init_practice(
        db, practice_name="De Linde", username="smit", display_name="R. Smit",
        password=PASSPHRASE, kdf=FAST_KDF,
    )  # fmt: skip
    sloppy = created.recovery_key.lower().replace("-", " ")
    recover_access(db, "smit", sloppy, "nieuw-wachtwoord-2", FAST_KDF)
    again = signed(db, "smit", "nieuw-wachtwoord-2")
    # The same practice key as at set-up: what was sealed then opens now.
    sealed = created.vault.seal("patient", "name", 1, EXTRA_PATIENT.name)
    assert again.vault.open("patient", "name", 1, sealed) == EXTRA_PATIENT.name


def test_recovery_also_re_enables_a_disabled_account(db: Database) -> None:
    from gpdesk.security.users import set_active

    created = make_demo(db)
    set_active(db, signed(db, "smit"), "visser", active=False)
    recover_access(db, "visser", created.recovery_key, "nieuw-wachtwoord-3", FAST_KDF)
    assert signed(db, "visser", "nieuw-wachtwoord-3").actor.username == "visser"


def test_wrong_recovery_key_is_refused(db: Database) -> None:
    from gpdesk.security.crypto import format_recovery_key, new_recovery_key

    make_demo(db)
    for key in (format_recovery_key(new_recovery_key()), "ABCD-EFGH"):
        with pytest.raises(DecryptionError) as info:
            recover_access(db, "bakker", key, "nieuw-wachtwoord-1", FAST_KDF)
        assert "sleutel" in info.value.message
    # Nothing changed: the old password still works, no recovery was logged.
    assert signed(db, "bakker").actor.username == "bakker"
    with db.session() as session:
        assert "user.recover" not in session.scalars(select(AuditEntry.event)).all()
