"""Migration 0007 and the rebind, on SQLite and PostgreSQL.

The database is made as the gpdesk before 0007 left it: a demo practice with patients, a
consent with a representative and a withdrawal reason, and a decision without consent, at
schema 0006, every sealed value in the old format (0x01, associated data the column name only,
as ``Vault.seal(purpose, value)`` made it). Upgrading marks the practice; the first sign-in
re-seals every value for its place in one transaction, audited once with a baseline state of
every record; afterwards everything reads, checks clean, and an old value copied in is refused.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import Connection, inspect, select, text, update

from gpdesk.db import Database, _alembic_config, current_revision
from gpdesk.errors import TAMPERED, TamperedError
from gpdesk.models import AuditEntry, Patient, Practice
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import demo_patients
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn
from gpdesk.security.crypto import FORMAT_V1, FORMAT_V2, NONCE_BYTES, Vault
from gpdesk.security.integrity import check_record_states, check_sealed_values
from gpdesk.security.rebind import rebind_if_needed
from gpdesk.security.sealed import SEALED_TABLES, SealedTable
from gpdesk.signals.consent import (
    ConsentDraft,
    ConsentMethod,
    DataItem,
    NoConsentGround,
    NoConsentRequest,
    OrganisationRef,
    Purpose,
    Representative,
    consents_of,
    record_consent,
    record_without_consent,
    withdraw_consent,
)
from tests.security_support import make_demo, signed


def _unbound(vault: Vault, purpose: str, value: str) -> bytes:
    """A value as the gpdesk before 0007 sealed it: its column name as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    return FORMAT_V1 + nonce + vault._aead.encrypt(nonce, value.encode(), purpose.encode())


def _at_this_schema(conn: Connection) -> list[SealedTable]:
    """The registered tables the database has now (the signal tables came after 0007)."""
    present = set(inspect(conn).get_table_names())
    return [table for table in SEALED_TABLES if table.name in present]


def _as_main_made_it(db: Database) -> tuple[SignedIn, int]:
    """A demo practice with consents at schema 0006, sealed the old way; a GP, a patient id."""
    from alembic import command

    vault = make_demo(db).vault
    gp = signed(db, "bakker")
    index = vault.blind_index("bsn", demo_patients()[0].bsn)
    with db.session() as session:
        patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
    assert patient_id is not None
    draft = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL}),
        organisations=(OrganisationRef(name="Wijkteam Noord"),),
        items=frozenset({DataItem.NAME}),
        method=ConsentMethod.REPRESENTATIVE,
        representative=Representative(name="P. de Vries", relation="moeder"),
        patient_incapable=True,
    )
    with db.session() as session:
        consent = record_consent(session, vault, gp.actor, patient_id, draft).scope.consent_id
    assert consent is not None
    with db.session() as session:
        withdraw_consent(session, vault, gp.actor, consent, reason="Verhuisd naar Utrecht.")
    request = NoConsentRequest(
        ground=NoConsentGround.VITAL_INTEREST,
        reason="Acuut gevaar voor de patiënt; toestemming vragen kan nu niet, zie dossier.",
        organisation=OrganisationRef(name="Veilig Thuis"),
        items=frozenset({DataItem.NAME}),
    )
    with db.session() as session:
        record_without_consent(session, vault, gp.actor, patient_id, request)
    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0006")
    # Every value back to the old format, as that gpdesk wrote it.
    with db.engine.begin() as conn:
        for table in _at_this_schema(conn):
            t = table.table
            columns = [t.c[c.name] for c in table.sealed]
            for row in conn.execute(select(t.c.id, *columns)).all():
                values = {
                    c.name: _unbound(
                        vault, c.unbound_purpose, vault.open(table.name, c.name, row.id, blob)
                    )
                    for c, blob in zip(table.sealed, row[1:], strict=True)
                    if blob is not None
                }
                if values:
                    conn.execute(update(t).where(t.c.id == row.id).values(**values))
    assert current_revision(db.engine) == "0006"
    return gp, patient_id


def _upgrade(db: Database) -> None:
    from alembic import command

    with db.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def _formats(db: Database) -> set[bytes]:
    seen: set[bytes] = set()
    with db.engine.connect() as conn:
        for table in _at_this_schema(conn):
            t = table.table
            for row in conn.execute(select(*(t.c[c.name] for c in table.sealed))).all():
                seen |= {bytes(v[:1]) for v in row if v is not None}
    return seen


def test_the_first_sign_in_after_the_upgrade_binds_every_value(db: Database) -> None:
    before, patient_id = _as_main_made_it(db)
    assert _formats(db) == {FORMAT_V1}
    _upgrade(db)
    with db.session() as session:
        assert session.scalar(select(Practice.binding)) == 1
    # Before the rebind nothing opens the old values in their place.
    with db.session() as session, pytest.raises(TamperedError):
        find_patient(session, before.vault, demo_patients()[0].bsn, actor=before.actor)
    gp = signed(db, "bakker")
    assert _formats(db) == {FORMAT_V2}
    with db.session() as session:
        assert session.scalar(select(Practice.binding)) == 2
        (entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "data.rebind")
        ).all()
        assert entry.username == "systeem" and entry.state
        assert "opnieuw versleuteld" in (entry.detail or "")
        values = check_sealed_values(session, gp.vault)
        states = check_record_states(session, gp.vault)
        assert values.ok and states.ok, (values.findings, states.findings)
        assert states.records == len(demo_patients()) + 2
        assert audit.verify(session, vault=gp.vault).ok
    # Everything reads as before, and a second sign-in does nothing more.
    with db.session() as session:
        for patient in demo_patients():
            assert find_patient(session, gp.vault, patient.bsn, actor=gp.actor) == patient
        (record,) = consents_of(session, gp.vault, patient_id, actor=gp.actor)
    assert record.representative == Representative(name="P. de Vries", relation="moeder")
    assert record.withdrawal_reason == "Verhuisd naar Utrecht."
    with db.session() as session:
        assert rebind_if_needed(session, gp.vault) is None
    signed(db, "smit")
    with db.session() as session:
        rebinds = session.scalars(select(AuditEntry).where(AuditEntry.event == "data.rebind"))
        assert len(rebinds.all()) == 1


def test_an_old_value_copied_in_after_the_rebind_is_refused(db: Database) -> None:
    vault = _as_main_made_it(db)[0].vault
    first = demo_patients()[0]
    with db.engine.connect() as conn:
        old_name = conn.execute(
            text("SELECT name FROM patient WHERE bsn_index = :i"),
            {"i": vault.blind_index("bsn", first.bsn)},
        ).scalar_one()
    _upgrade(db)
    gp = signed(db, "bakker")
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE patient SET name = :n WHERE bsn_index = :i"),
            {"n": old_name, "i": vault.blind_index("bsn", first.bsn)},
        )
    with db.session() as session, pytest.raises(TamperedError) as info:
        find_patient(session, gp.vault, first.bsn, actor=gp.actor)
    assert info.value.user_text() == TAMPERED
    with pytest.raises(TamperedError):
        open_from_his(db, gp, first)
    with db.session() as session:
        assert not check_sealed_values(session, gp.vault).ok


def test_an_old_value_that_does_not_open_is_left_and_reported(db: Database) -> None:
    vault = _as_main_made_it(db)[0].vault
    first = demo_patients()[0]
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE patient SET phone = :p WHERE bsn_index = :i"),
            {"p": FORMAT_V1 + bytes(40), "i": vault.blind_index("bsn", first.bsn)},
        )
    _upgrade(db)
    gp = signed(db, "bakker")  # the sign-in itself is not refused
    with db.session() as session:
        (entry,) = session.scalars(select(AuditEntry).where(AuditEntry.event == "data.rebind"))
        assert "1 waarden konden niet worden geopend" in (entry.detail or "")
        values = check_sealed_values(session, gp.vault)
        states = check_record_states(session, gp.vault)
    (finding,) = values.findings
    assert (finding.table, finding.problem.split(" ")[0]) == ("patient", "Telefoon")
    assert states.ok


def test_a_new_practice_has_nothing_to_rebind(db: Database) -> None:
    make_demo(db)
    assert _formats(db) == {FORMAT_V2}
    signed(db, "bakker")
    with db.session() as session:
        assert session.scalar(select(Practice.binding)) == 2
        events = session.scalars(select(AuditEntry.event)).all()
    assert "data.rebind" not in events
