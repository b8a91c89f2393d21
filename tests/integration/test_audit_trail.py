"""The NEN 7513 audit trail on SQLite and a real PostgreSQL: content, atomicity, append-only,
tamper detection with ``gpdesk audit verify``, and concurrent writers keeping one chain."""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from gpdesk.db import Database
from gpdesk.errors import DatabaseError
from gpdesk.models import AuditEntry, AuditHead, Patient, utcnow
from gpdesk.patients.records import find_patient, open_from_his, patient_ref, save_patient
from gpdesk.security import audit
from tests.cli_support import gpdesk
from tests.security_support import (
    EXTRA_PATIENT,
    all_patients,
    assert_one_dutch_line,
    db_args,
    drop_audit_triggers,
    make_demo,
    signed,
)


def _entries(db: Database) -> list[AuditEntry]:
    with db.session() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def _head(db: Database) -> tuple[int, str]:
    with db.session() as session:
        head = session.get(AuditHead, 1)
        assert head is not None
        return head.seq, head.hash


def _verify(db: Database) -> audit.Verification:
    with db.session() as session:
        return audit.verify(session)


# -- what an entry holds --------------------------------------------------------------------


def test_sign_in_store_open_and_read_are_logged_with_nen7513_fields(db: Database) -> None:
    make_demo(db)
    start = utcnow()
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    with db.session() as session:
        assert find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor)
    entries = [e for e in _entries(db) if e.at >= start]
    assert [(e.event, e.action) for e in entries] == [
        ("login", "R"),
        ("patient.store", "C"),
        ("patient.open", "R"),
        ("patient.read", "R"),
    ]
    ref = patient_ref(gp.vault, EXTRA_PATIENT.bsn)
    assert re.fullmatch(r"[0-9a-f]{64}", ref)
    assert EXTRA_PATIENT.bsn not in ref
    for entry in entries:
        assert entry.username == "bakker"
        assert entry.role == "gp"
        assert entry.user_id == gp.actor.user_id
        assert entry.workstation == audit.WORKSTATION
        assert entry.at.utcoffset() == timedelta(0)
        assert start - timedelta(seconds=1) <= entry.at <= utcnow()
        checks = json.loads(entry.checks)
        assert set(checks) == {"authorisation", "treatment_relationship", "consent", "emergency"}
        assert checks["authorisation"] is True
    for entry in entries[1:]:
        assert entry.patient_ref == ref
        assert entry.object_type == "patient"
    assert json.loads(entries[2].checks)["treatment_relationship"] is True
    assert entries[0].patient_ref is None
    # ISO 8601 in UTC in exports.
    row = next(audit.export_rows([audit._to_record(entries[0])]))
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["at"])
    assert row["at"].startswith(entries[0].at.astimezone(UTC).date().isoformat())


def test_demo_patients_stored_by_the_system(db: Database) -> None:
    make_demo(db)
    stores = [e for e in _entries(db) if e.event == "patient.store"]
    assert len(stores) == len(all_patients()) - 1
    assert {e.username for e in stores} == {"systeem"}
    assert {e.action for e in stores} == {"C"}
    assert _entries(db)[0].event == "practice.init"


def test_storing_changed_data_is_an_update_and_unchanged_data_is_not_logged(db: Database) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    open_from_his(db, gp, EXTRA_PATIENT)
    moved = EXTRA_PATIENT.__class__(
        bsn=EXTRA_PATIENT.bsn, name=EXTRA_PATIENT.name, birth_date=EXTRA_PATIENT.birth_date,
        postcode="3119AA", phone=EXTRA_PATIENT.phone,
    )  # fmt: skip
    open_from_his(db, gp, moved)
    events = [(e.event, e.action) for e in _entries(db) if e.username == "bakker"]
    assert events == [
        ("login", "R"),
        ("patient.store", "C"),
        ("patient.open", "R"),
        ("patient.open", "R"),
        ("patient.store", "U"),
        ("patient.open", "R"),
    ]


# -- same transaction as the action ----------------------------------------------------------


def test_a_failing_action_leaves_no_entry(db: Database) -> None:
    make_demo(db)
    before = _head(db)
    count = len(_entries(db))
    with pytest.raises(RuntimeError), db.session() as session:
        audit.record(session, event="patient.open", action=audit.Action.READ, username="bakker")
        raise RuntimeError("de actie mislukt na het loggen")
    assert _head(db) == before
    assert len(_entries(db)) == count
    assert _verify(db).ok


def test_a_failing_store_leaves_neither_patient_nor_entry(db: Database) -> None:
    created = make_demo(db)
    before = _head(db)
    with pytest.raises(RuntimeError), db.session() as session:
        save_patient(session, created.vault, EXTRA_PATIENT)
        raise RuntimeError("stroom uitgevallen")
    with db.session() as session:
        index = created.vault.blind_index("bsn", EXTRA_PATIENT.bsn)
        assert session.scalar(select(Patient).where(Patient.bsn_index == index)) is None
    assert _head(db) == before


def test_sequence_numbers_are_not_used_up_by_rolled_back_work(db: Database) -> None:
    make_demo(db)
    with pytest.raises(RuntimeError), db.session() as session:
        audit.record(session, event="lock", action=audit.Action.READ, username="bakker")
        raise RuntimeError
    signed(db, "bakker")
    seqs = [e.seq for e in _entries(db)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert _verify(db).ok


# -- append-only in the database ------------------------------------------------------------


def test_triggers_refuse_update_and_delete(db: Database) -> None:
    make_demo(db)
    before = [(e.seq, e.hash, e.detail, e.username) for e in _entries(db)]
    for statement in (
        "UPDATE audit_entry SET detail = 'weg' WHERE seq = 1",
        "UPDATE audit_entry SET username = 'iemand'",
        "DELETE FROM audit_entry WHERE seq = 1",
        "DELETE FROM audit_entry",
    ):
        with pytest.raises(DBAPIError) as info, db.engine.begin() as conn:
            conn.execute(text(statement))
        assert "append-only" in str(info.value)
        # Through a gpdesk session the refusal is a Dutch DatabaseError.
        with pytest.raises(DatabaseError), db.session() as session:
            session.execute(text(statement))
    assert [(e.seq, e.hash, e.detail, e.username) for e in _entries(db)] == before
    assert _verify(db).ok


@pytest.mark.postgres
def test_truncate_is_refused_on_postgresql(postgresql_url: str) -> None:
    from gpdesk.db import open_database

    db = open_database(postgresql_url)
    try:
        make_demo(db)
        with pytest.raises(DBAPIError), db.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_entry"))
        assert len(_entries(db)) > 0
    finally:
        db.dispose()


# -- tampering, detected by `gpdesk audit verify` -------------------------------------------


def _cli_verify(db: Database, tmp_path: Path) -> tuple[int, str]:
    result = gpdesk("audit", "verify", *db_args(db.url, tmp_path / "cli-home"))
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


def _busy_trail(db: Database) -> int:
    make_demo(db)
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    with db.session() as session:
        find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor)
    signed(db, "visser")
    return len(_entries(db))


def test_verify_passes_an_intact_trail(db: Database, tmp_path: Path) -> None:
    total = _busy_trail(db)
    code, out = _cli_verify(db, tmp_path)
    assert code == 0, out
    assert f"{total} regels" in out
    result = gpdesk("audit", "verify", "--json", *db_args(db.url, tmp_path / "h"))
    data = json.loads(result.stdout)
    assert (data["ok"], data["entries"], data["chain"]) == (True, total, "in orde")
    assert data["tip"] == {"entries": total, "hash": _head(db)[1]}


def test_verify_catches_a_changed_column(db: Database, tmp_path: Path) -> None:
    total = _busy_trail(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET username = 'smit' WHERE seq = 9"))
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert "Logboek NIET in orde: regel 9: de inhoud is gewijzigd." in out
    assert total > 9


def test_verify_catches_a_deleted_middle_row(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert "regel 5:" in out
    assert "ontbreekt" in out


def _forge(after: AuditEntry, **changes: object) -> dict[str, object]:
    """A well-formed entry chained onto ``after``, as someone who read the code would make."""
    record = audit.AuditRecord(
        seq=after.seq + 1, at=after.at + timedelta(seconds=1), event="patient.open",
        action="R", user_id=after.user_id, username="smit", role="practice_manager",
        on_behalf_of=None, workstation="elders", patient_ref=after.patient_ref,
        object_type="patient", object_id="1", checks=audit.Checks().to_json(), detail=None,
        prev_hash=after.hash, hash="",
    )  # fmt: skip
    values = record.__dict__ | changes
    forged = audit.AuditRecord(**values)
    return forged.__dict__ | {"hash": audit.entry_hash(forged.hash_fields())}


def test_verify_catches_a_row_added_at_the_end(db: Database, tmp_path: Path) -> None:
    total = _busy_trail(db)
    last = _entries(db)[-1]
    with db.engine.begin() as conn:  # no trigger needed: only the tip row is not updated
        conn.execute(insert(AuditEntry).values(**_forge(last)))
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert f"regel {total + 1}: er is een regel toegevoegd" in out


def test_verify_catches_a_row_inserted_in_the_middle(db: Database, tmp_path: Path) -> None:
    total = _busy_trail(db)
    drop_audit_triggers(db.engine)
    entries = _entries(db)
    with db.engine.begin() as conn:
        # Make room after entry 6, then slip a well-formed entry in.
        conn.execute(text("UPDATE audit_entry SET seq = seq + 1000 WHERE seq > 6"))
        conn.execute(text("UPDATE audit_entry SET seq = seq - 999 WHERE seq > 1000"))
        conn.execute(text("UPDATE audit_head SET seq = seq + 1"))
        conn.execute(insert(AuditEntry).values(**_forge(entries[5])))
    assert len(_entries(db)) == total + 1
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert "regel 8: de keten is onderbroken" in out


def test_verify_catches_deleted_last_rows(db: Database, tmp_path: Path) -> None:
    total = _busy_trail(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq > :n"), {"n": total - 2})
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert f"regel {total - 1}: de laatste regels ontbreken" in out


def test_verify_catches_an_emptied_trail(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
    code, out = _cli_verify(db, tmp_path)
    assert code == 1
    assert "regel 1:" in out


# -- concurrent workstations ----------------------------------------------------------------


def test_concurrent_writers_keep_one_chain(db: Database) -> None:
    make_demo(db)
    start = len(_entries(db))
    per_thread = 50
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with db.session() as session:
                    audit.record(
                        session, event="patient.open", action=audit.Action.READ,
                        username=name, object_id=i,
                    )  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("bakker", "visser")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    entries = _entries(db)
    assert [e.seq for e in entries] == list(range(1, start + 2 * per_thread + 1))
    assert sum(1 for e in entries if e.username == "bakker") == per_thread
    assert sum(1 for e in entries if e.username == "visser") == per_thread
    with db.session() as session:
        assert session.scalar(select(func.max(AuditEntry.seq))) == _head(db)[0]
    result = _verify(db)
    assert result.ok, result
    assert result.checked == start + 2 * per_thread


def test_cli_verify_without_a_practice_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'leeg.sqlite3'}"
    result = gpdesk("audit", "verify", *db_args(url, tmp_path / "h"))
    assert result.returncode == 1
    assert "Er staat geen praktijk in" in result.stderr  # not "in orde: 0 regels"
    assert list(tmp_path.iterdir()) == []


def test_cli_verify_refuses_an_unreachable_database(tmp_path: Path) -> None:
    result = gpdesk(
        "audit", "verify", "--home", str(tmp_path / "h"),
        "--database-url", "postgresql+psycopg://gp:geheim@127.0.0.1:9/gpdesk",
    )  # fmt: skip
    assert_one_dutch_line(result)
    assert "geheim" not in result.stderr
