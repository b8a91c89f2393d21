"""#14 "Why" 1 and 2, each tried on a copy of a demo database with nothing but ``sqlite3``.

Swapping a value (BSN, name, phone, birth date, postcode) or the BSN index between two patient
rows, and putting back a row's old name and phone after a change through gpdesk: each is
refused when read, with the one Dutch message, the HIS hand-off overwrites nothing, the refusal
is logged and audited by place, and integrity (a) "every value opens in its place" or (b) "every
record is as the chain last recorded it" names the table and record. An untouched demo practice
checks clean.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from gpdesk.db import Database, open_database
from gpdesk.errors import TAMPERED, TamperedError
from gpdesk.models import AuditEntry
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import demo_patients
from gpdesk.security.accounts import SignedIn
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.signals.consent import (
    ConsentDraft,
    ConsentMethod,
    DataItem,
    OrganisationRef,
    Purpose,
    consents_of,
    record_consent,
    withdraw_consent,
)
from tests.binding_support import copy_database, findings, patient_id, raw, row_bytes, swap
from tests.security_support import make_demo, signed

A, B = demo_patients()[0], demo_patients()[1]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo practice per module; every test tampers with its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = open_database(f"sqlite:///{path}")
    make_demo(db)
    db.dispose()
    return path


@pytest.fixture
def copy(demo_file: Path, tmp_path: Path) -> Path:
    target = tmp_path / "copy.sqlite3"
    copy_database(demo_file, target)
    return target


@pytest.fixture
def db(copy: Path) -> Iterator[Database]:
    database = open_database(f"sqlite:///{copy}")
    yield database
    database.dispose()


@pytest.fixture
def gp(db: Database) -> SignedIn:
    return signed(db, "bakker")


def _refused_on_read(db: Database, gp: SignedIn, who: PatientContext) -> TamperedError:
    with db.session() as session, pytest.raises(TamperedError) as info:
        find_patient(session, gp.vault, who.bsn, actor=gp.actor)
    assert info.value.user_text() == TAMPERED
    return info.value


def _tampered_entries(db: Database) -> list[tuple[str | None, ...]]:
    with db.session() as session:
        rows = session.execute(
            select(AuditEntry.object_type, AuditEntry.object_id, AuditEntry.detail).where(
                AuditEntry.event == "data.tampered"
            )
        ).all()
    return [tuple(row) for row in rows]


def test_an_untouched_demo_practice_checks_clean(db: Database, gp: SignedIn) -> None:
    with db.session() as session:
        values = check_sealed_values(session, gp.vault)
        states = check_record_states(session, gp.vault)
    patients = len(demo_patients())
    assert (values.ok, states.ok) == (True, True), (values.findings, states.findings)
    assert values.records == states.records == patients
    assert values.values == 5 * patients - sum(p.phone is None for p in demo_patients())
    with db.session() as session:
        assert find_patient(session, gp.vault, A.bsn, actor=gp.actor) == A


@pytest.mark.parametrize("column", ["bsn", "name", "phone", "birth_date", "postcode"])
def test_a_value_swapped_between_two_patients_is_refused_and_reported(
    copy: Path, db: Database, gp: SignedIn, column: str, caplog: pytest.LogCaptureFixture
) -> None:
    a, b = patient_id(db, gp.vault, A), patient_id(db, gp.vault, B)
    swap(copy, "patient", column, a, b)
    with caplog.at_level(logging.WARNING):
        error = _refused_on_read(db, gp, A)
    assert (error.table, error.record_id) == ("patient", a)
    _refused_on_read(db, gp, B)
    # Logged and audited by place, never with patient data.
    assert f"patient {a}" in caplog.text
    for person in (A, B):
        assert person.name not in caplog.text and person.bsn not in caplog.text
    assert ("patient", str(a), f"patiënt {a}") in _tampered_entries(db)
    # The HIS hands A over again: refused, nothing overwritten.
    before = row_bytes(copy, a), row_bytes(copy, b)
    with pytest.raises(TamperedError):
        open_from_his(db, gp, replace(A, phone="0699999999"))
    assert (row_bytes(copy, a), row_bytes(copy, b)) == before
    values, states = findings(db, gp.vault)
    assert values == {("patient", a), ("patient", b)}
    assert states == {("patient", a), ("patient", b)}


def test_a_swapped_bsn_index_is_refused_and_the_hand_off_overwrites_nothing(
    copy: Path, db: Database, gp: SignedIn
) -> None:
    a, b = patient_id(db, gp.vault, A), patient_id(db, gp.vault, B)
    swap(copy, "patient", "bsn_index", a, b)
    # A lookup of A lands on B's row, which opens fine but holds B: refused, B not shown.
    error = _refused_on_read(db, gp, A)
    assert (error.table, error.record_id) == ("patient", b)
    updates_before = raw(copy, "SELECT count(*) FROM audit_entry WHERE event = 'patient.store'")
    before = row_bytes(copy, a), row_bytes(copy, b)
    with pytest.raises(TamperedError) as info:
        open_from_his(db, gp, replace(A, name="A. Anders", phone="0611111111"))
    assert info.value.user_text() == TAMPERED
    assert (row_bytes(copy, a), row_bytes(copy, b)) == before
    assert raw(copy, "SELECT count(*) FROM audit_entry WHERE event = 'patient.store'") == (
        updates_before
    )
    values, states = findings(db, gp.vault)
    assert values == {("patient", a), ("patient", b)}
    with db.session() as session:
        problems = [f.problem for f in check_sealed_values(session, gp.vault).findings]
    assert all("zoeksleutel" in p for p in problems), problems
    assert states == {("patient", a), ("patient", b)}


def test_a_row_put_back_from_an_older_copy_is_refused_and_reported(
    copy: Path, db: Database, gp: SignedIn
) -> None:
    a = patient_id(db, gp.vault, A)
    old_name, old_phone = raw(copy, "SELECT name, phone FROM patient WHERE id = ?", a)[0]
    changed = replace(A, name="J. de Vries-Smit", phone="0687878787")
    open_from_his(db, gp, changed)  # the change, through gpdesk
    with db.session() as session:
        assert find_patient(session, gp.vault, A.bsn, actor=gp.actor) == changed
    raw(copy, "UPDATE patient SET name = ?, phone = ? WHERE id = ?", old_name, old_phone, a)
    # The old values open in their place; the record's state gives them away.
    assert gp.vault.open("patient", "name", a, old_name) == A.name
    _refused_on_read(db, gp, A)
    before = row_bytes(copy, a)
    with pytest.raises(TamperedError):
        open_from_his(db, gp, changed)
    assert row_bytes(copy, a) == before
    values, states = findings(db, gp.vault)
    assert values == set()
    assert states == {("patient", a)}
    with db.session() as session:
        (finding,) = check_record_states(session, gp.vault).findings
    assert "oudere kopie" in finding.problem
    assert A.name not in finding.line() and A.bsn not in finding.line()


def test_a_withdrawal_undone_in_the_file_is_refused_and_reported(
    copy: Path, db: Database, gp: SignedIn
) -> None:
    a = patient_id(db, gp.vault, A)
    draft = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL}),
        organisations=(OrganisationRef(name="Wijkteam Noord"),),
        items=frozenset({DataItem.NAME, DataItem.PHONE}),
        method=ConsentMethod.ORAL,
    )
    with db.session() as session:
        consent_id = record_consent(session, gp.vault, gp.actor, a, draft).scope.consent_id
    assert consent_id is not None
    with db.session() as session:
        withdraw_consent(session, gp.vault, gp.actor, consent_id, reason="Wil het zelf regelen.")
    raw(copy, "UPDATE consent SET withdrawn_at = NULL, withdrawn_by_id = NULL, "
        "withdrawal_reason = NULL WHERE id = ?", consent_id)  # fmt: skip
    with db.session() as session, pytest.raises(TamperedError) as info:
        consents_of(session, gp.vault, a, actor=gp.actor)
    assert (info.value.table, info.value.record_id) == ("consent", consent_id)
    values, states = findings(db, gp.vault)
    assert values == set()
    assert states == {("consent", consent_id)}


def test_a_row_added_or_removed_in_the_file_is_reported(
    copy: Path, db: Database, gp: SignedIn
) -> None:
    a, b = patient_id(db, gp.vault, A), patient_id(db, gp.vault, B)
    raw(copy, "DELETE FROM patient WHERE id = ?", b)
    raw(copy, "INSERT INTO patient (id, bsn_index, postcode_index, bsn, name, birth_date, postcode,"
        " phone, created_at, updated_at) SELECT 999, x'00', postcode_index, bsn, name, birth_date,"
        " postcode, phone, created_at, updated_at FROM patient WHERE id = ?", a)  # fmt: skip
    values, states = findings(db, gp.vault)
    assert values == {("patient", 999)}
    assert states == {("patient", 999), ("patient", b)}
