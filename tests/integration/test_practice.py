"""Practice set-up, sign-in and encrypted patients, on SQLite and a real PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, update

from gpdesk.db import Database
from gpdesk.errors import AuthError, PracticeError, ValidationError
from gpdesk.models import Patient, Role, User
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import count_patients, find_patient, save_patient
from gpdesk.practice.demo import DEMO_PASSWORD, DEMO_USERS, create_demo, demo_patients
from gpdesk.practice.setup import init_practice, load_practice
from gpdesk.security.accounts import REFUSED, create_user, sign_in
from gpdesk.security.crypto import parse_recovery_key, recovery_kek, unwrap_key
from gpdesk.security.users import list_users
from tests.conftest import FAST_KDF, PASSPHRASE

PATIENT = PatientContext(
    bsn="111222333",
    name="J. de Vries",
    birth_date=date(1970, 2, 1),
    postcode="3118AB",
    phone="0612345678",
)


def _init(db: Database) -> object:
    return init_practice(
        db,
        practice_name="Praktijk Test",
        username="Smit",
        display_name="R. Smit",
        password=PASSPHRASE,
        kdf=FAST_KDF,
    )


def test_init_creates_practice_and_manager(db: Database) -> None:
    created = _init(db)
    assert load_practice(db) is not None
    signed = sign_in(db, "smit", PASSPHRASE)
    assert signed.actor.role is Role.PRACTICE_MANAGER
    assert signed.actor.username == "smit"
    assert created.recovery_key  # type: ignore[attr-defined]


def test_recovery_key_unwraps_the_practice_key(db: Database) -> None:
    created = _init(db)
    from gpdesk.models import Practice

    with db.session() as session:
        wrapped = session.scalar(select(Practice.recovery_wrapped_key))
    assert wrapped is not None
    key = unwrap_key(wrapped, recovery_kek(parse_recovery_key(created.recovery_key)))  # type: ignore[attr-defined]
    assert len(key) == 32


def test_init_twice_is_refused(db: Database) -> None:
    _init(db)
    with pytest.raises(PracticeError):
        _init(db)


@pytest.mark.parametrize(("user", "password"), [("smit", "fout-wachtwoord"), ("niemand", "x" * 9)])
def test_wrong_credentials_give_one_vague_message(db: Database, user: str, password: str) -> None:
    _init(db)
    with pytest.raises(AuthError) as info:
        sign_in(db, user, password)
    assert info.value.message == REFUSED


def test_disabled_user_cannot_sign_in(db: Database) -> None:
    _init(db)
    with db.session() as session:
        session.execute(update(User).values(active=False))
    with pytest.raises(AuthError) as info:
        sign_in(db, "smit", PASSPHRASE)
    assert info.value.message == REFUSED  # the same as a wrong password: see accounts.py


def test_duplicate_and_invalid_usernames(db: Database) -> None:
    created = _init(db)
    vault = created.vault  # type: ignore[attr-defined]
    with db.session() as session, pytest.raises(ValidationError):
        create_user(
            session,
            vault,
            username="SMIT",
            display_name="x",
            role=Role.GP,
            password="lang-genoeg",
            kdf=FAST_KDF,
        )
    with db.session() as session, pytest.raises(ValidationError):
        create_user(
            session,
            vault,
            username="1 bad",
            display_name="x",
            role=Role.GP,
            password="lang-genoeg",
            kdf=FAST_KDF,
        )
    with pytest.raises(ValidationError):  # the password rule guards init, not create_user
        init_practice(
            db, practice_name="x", username="kort", display_name="x", password="kort", kdf=FAST_KDF
        )


def test_every_user_unlocks_the_same_practice_key(db: Database) -> None:
    create_demo(db, kdf=FAST_KDF)
    plaintexts = set()
    for user in DEMO_USERS:
        signed = sign_in(db, user.username, DEMO_PASSWORD)
        with db.session() as session:
            index = signed.vault.blind_index("bsn", demo_patients()[0].bsn)
            row = session.scalars(select(Patient).where(Patient.bsn_index == index)).one()
        plaintexts.add(signed.vault.open("patient", "name", row.id, row.name))
    assert plaintexts == {demo_patients()[0].name}


def test_demo_has_one_user_per_role_and_patients(db: Database) -> None:
    create_demo(db, kdf=FAST_KDF)
    with db.session() as session:
        roles = {u.role for u in list_users(session)}
        assert roles == set(Role)
        assert count_patients(session) == len(demo_patients())


def test_patient_round_trip_and_upsert(db: Database) -> None:
    created = _init(db)
    vault = created.vault  # type: ignore[attr-defined]
    with db.session() as session:
        actor = create_user(
            session,
            vault,
            username="bakker",
            display_name="H. Bakker",
            role=Role.GP,
            password="lang-genoeg",
            kdf=FAST_KDF,
        )
        first = save_patient(session, vault, PATIENT)
    moved = PatientContext(
        bsn=PATIENT.bsn,
        name=PATIENT.name,
        birth_date=PATIENT.birth_date,
        postcode="3119KL",
        phone=None,
    )
    with db.session() as session:
        assert save_patient(session, vault, moved) == first
    with db.session() as session:
        assert find_patient(session, vault, PATIENT.bsn, actor=actor) == moved
        assert find_patient(session, vault, "123456782", actor=actor) is None
        assert count_patients(session) == 1


def test_patient_fields_are_not_stored_in_plaintext(db: Database) -> None:
    vault = _init(db).vault  # type: ignore[attr-defined]
    with db.session() as session:
        save_patient(session, vault, PATIENT)
    with db.session() as session:
        row = session.scalars(select(Patient)).one()
        stored = b"".join(
            [
                row.bsn,
                row.name,
                row.birth_date,
                row.postcode,
                row.phone or b"",
                row.bsn_index,
                row.postcode_index,
            ]
        )
    for secret in (b"111222333", b"Vries", b"3118AB", b"0612345678", b"1970-02-01"):
        assert secret not in stored


def test_sqlite_file_holds_no_patient_plaintext(tmp_path: Path) -> None:
    from gpdesk.db import open_database

    path = tmp_path / "g.sqlite3"
    database = open_database(f"sqlite:///{path}")
    create_demo(database, kdf=FAST_KDF)
    database.dispose()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("g.sqlite3*"))
    for patient in demo_patients():
        assert patient.bsn.encode() not in raw
        assert patient.name.encode() not in raw
        if patient.phone:
            assert patient.phone.encode() not in raw
