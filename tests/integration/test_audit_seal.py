"""The seal and the anchor on SQLite and a real PostgreSQL: what someone holding the database
file does to the audit trail after reading the code, and how ``gpdesk audit verify`` catches it.

Each attack is the careful one: triggers dropped, the chain re-hashed from the changed entry
on, the head (and the seal's hash) moved along. Only the practice key (a sign-in) or an anchor
outside the database can tell such a log from the real one, and they do.
"""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path

from sqlalchemy import insert, select, text

from gpdesk.db import Database, _alembic_config
from gpdesk.models import AuditEntry, AuditHead
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import DEMO_PASSWORD
from gpdesk.security import anchor, audit
from gpdesk.security.crypto import Vault
from tests.cli_support import gpdesk
from tests.security_support import (
    EXTRA_PATIENT,
    db_args,
    drop_audit_triggers,
    make_demo,
    signed,
)


def _entries(db: Database) -> list[audit.AuditRecord]:
    with db.session() as session:
        return list(audit.iter_records(session))


def _head(db: Database) -> audit.HeadState:
    with db.session() as session:
        head = audit.read_head(session)
    assert head is not None
    return head


def _busy_trail(db: Database) -> Vault:
    """A demo practice with a day's work: sign-ins, a patient stored, opened and looked up."""
    created = make_demo(db)
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    with db.session() as session:
        find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor)
    signed(db, "visser")
    return created.vault


def _verify(db: Database, home: Path, *, user: str | None = None) -> tuple[int, str]:
    """``gpdesk audit verify`` as a beheerder runs it; stdout, checked for a clean exit."""
    extra = ["--user", user] if user else []
    result = gpdesk(
        "audit", "verify", *extra, *db_args(db.url, home),
        password=DEMO_PASSWORD if user else None,
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.stdout


def _rewrite_from(db: Database, seq: int, *, move_seal: bool = True) -> None:
    """Change entry ``seq``, re-hash every entry after it, move the head (and seal hash) along."""
    drop_audit_triggers(db.engine)
    records = _entries(db)
    head = _head(db)
    prev = records[seq - 2].hash if seq > 1 else audit.GENESIS
    new: dict[int, audit.AuditRecord] = {}
    for rec in records[seq - 1 :]:
        changed = replace(rec, prev_hash=prev)
        if rec.seq == seq:
            changed = replace(changed, detail="niets bijzonders", username="smit")
        changed = replace(changed, hash=audit.entry_hash(changed.hash_fields()))
        new[rec.seq] = changed
        prev = changed.hash
    with db.engine.begin() as conn:
        for rec in new.values():
            conn.execute(
                text(
                    "UPDATE audit_entry SET prev_hash = :p, hash = :h, detail = :d, "
                    "username = :u WHERE seq = :s"
                ),
                {"p": rec.prev_hash, "h": rec.hash, "d": rec.detail, "u": rec.username,
                 "s": rec.seq},
            )  # fmt: skip
        conn.execute(text("UPDATE audit_head SET hash = :h"), {"h": prev})
        if move_seal and head.sealed_seq in new:
            conn.execute(
                text("UPDATE audit_head SET sealed_hash = :h"), {"h": new[head.sealed_seq].hash}
            )


def _truncate_entries_and_head(db: Database) -> None:
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("DROP TRIGGER audit_entry_no_truncate ON audit_entry"))
            conn.execute(text("TRUNCATE audit_entry, audit_head"))
        else:
            conn.execute(text("DELETE FROM audit_entry"))
            conn.execute(text("DELETE FROM audit_head"))


# -- what gpdesk writes ---------------------------------------------------------------------


def test_a_sign_in_seals_everything_before_it(db: Database) -> None:
    created = make_demo(db)
    first = _head(db)
    assert first.seq > 1  # the set-up, then the demo's patients: all with the key
    assert (first.sealed_seq, first.pre_seal_entries) == (first.seq, None)
    with db.session() as session:
        audit.record(session, event="login.failed", action=audit.Action.READ, username="x")
    assert _head(db).sealed_seq == first.seq  # nobody unlocked: chained, not yet sealed
    signed(db, "bakker")
    head = _head(db)
    assert (head.sealed_seq, head.sealed_hash) == (head.seq, head.hash)
    with db.session() as session:
        assert _entries(db)[head.seq - 1].event == "login"
        result = audit.verify(session, vault=created.vault)
    assert result.ok, result
    assert result.key == f"in orde (verzegeld t/m regel {head.seq})"


def test_entries_without_the_key_wait_for_the_next_seal(db: Database) -> None:
    vault = _busy_trail(db)
    sealed = _head(db).sealed_seq
    with db.session() as session:
        audit.record(session, event="lock", action=audit.Action.READ, username="visser")
    head = _head(db)
    assert (head.seq, head.sealed_seq) == (sealed + 1, sealed)  # type: ignore[operator]
    with db.session() as session:
        result = audit.verify(session, vault=vault)
    assert result.ok
    assert result.key == f"in orde (verzegeld t/m regel {sealed}; 1 nieuwere regels nog niet)"


def test_a_change_since_the_last_seal_is_never_sealed_over(db: Database) -> None:
    vault = _busy_trail(db)
    with db.session() as session:
        seq = audit.record(session, event="lock", action=audit.Action.READ, username="visser")
    before = _head(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = 'weg' WHERE seq = :s"), {"s": seq})
    signed(db, "bakker")  # the sign-in works; the seal stays where it was
    after = _head(db)
    assert after.seq == before.seq + 1
    assert (after.sealed_seq, after.seal) == (before.sealed_seq, before.seal)
    with db.session() as session:
        result = audit.verify(session, vault=vault)
    assert not result.ok
    assert (result.broken_seq, result.reason) == (seq, "de inhoud is gewijzigd")


def test_concurrent_sealing_writers_keep_one_valid_seal(db: Database) -> None:
    vault = make_demo(db).vault
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def work(name: str) -> None:
        try:
            barrier.wait()
            for i in range(25):
                with db.session() as session:
                    audit.record(
                        session, event="patient.open", action=audit.Action.READ,
                        username=name, object_id=i, vault=vault if i % 2 else None,
                    )  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in ("bakker", "visser")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with db.session() as session:
        result = audit.verify(session, vault=vault)
    assert result.ok, result
    assert result.key.startswith("in orde (verzegeld t/m regel")


# -- gpdesk audit verify: an untouched log, and each way of rewriting it ---------------------


def test_an_untouched_log_passes_and_leaves_an_anchor(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    home = tmp_path / "werkplek"
    code, out = _verify(db, home, user="smit")
    assert code == 0, out
    total = len(_entries(db))  # the sign-in of the check itself included
    lines = out.splitlines()
    assert lines[0] == f"Logboek in orde: {total} regels gecontroleerd."
    # The sign-in noted its sealed tip as this workstation's anchor before the check ran.
    assert lines[1].startswith(
        f"ketting: in orde; sleutel: in orde (verzegeld t/m regel {total}); "
        f"anker: in orde (regel {total}, genoteerd op "
    )
    assert lines[2] == f"Anker: {total} regels, laatste hash {_head(db).hash}"
    noted = anchor.load(home, db.url)
    assert noted is not None
    assert (noted.seq, noted.hash) == (total, _head(db).hash)
    # The next check compares with that anchor; without a sign-in it says the key was not used.
    code, out = _verify(db, home)
    assert code == 0, out
    assert out.splitlines()[1].startswith(
        "ketting: in orde; sleutel: niet gecontroleerd (geen aanmelding); "
        f"anker: in orde (regel {total}, genoteerd op "
    )
    result = gpdesk("audit", "verify", "--json", *db_args(db.url, home))
    data = json.loads(result.stdout)
    assert data == {
        "ok": True, "entries": total, "chain": "in orde",
        "key": "niet gecontroleerd (geen aanmelding)", "anchor": data["anchor"],
        "tip": {"entries": total, "hash": _head(db).hash},
    }  # fmt: skip
    assert data["anchor"].startswith(f"in orde (regel {total}")


def test_a_rewritten_chain_is_caught_by_the_key(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    _rewrite_from(db, 9)
    code, out = _verify(db, tmp_path / "nieuwe-werkplek", user="smit")
    assert code == 1
    assert out.splitlines()[0] == (
        "Logboek NIET in orde: het zegel is niet met de sleutel van deze praktijk gezet; "
        "het logboek is buiten gpdesk om gewijzigd."
    )
    assert "ketting: in orde; sleutel: NIET in orde; anker: geen anker bekend" in out


def test_a_rewritten_chain_is_caught_by_the_anchor(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    home = tmp_path / "werkplek"
    assert _verify(db, home)[0] == 0  # notes the anchor
    tip = _head(db).seq
    _rewrite_from(db, 9)
    code, out = _verify(db, home)
    assert code == 1
    assert f"Logboek NIET in orde: regel {tip}: deze regel wijkt af van het anker (genoteerd" in out
    assert "anker: NIET in orde" in out
    noted = anchor.load(home, db.url)
    assert noted is not None
    assert noted.seq == tip  # kept as evidence


def test_a_rewrite_that_forgets_the_seal_is_caught_without_a_key(
    db: Database, tmp_path: Path
) -> None:
    _busy_trail(db)
    _rewrite_from(db, 9, move_seal=False)
    code, out = _verify(db, tmp_path / "h")
    assert code == 1
    assert f"regel {_head(db).sealed_seq}: het zegel past niet meer bij deze regel." in out


def test_a_deleted_head_is_caught(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
    code, out = _verify(db, tmp_path / "h")
    assert code == 1
    assert "Logboek NIET in orde: de kop van het logboek (audit_head) ontbreekt." in out


def test_an_emptied_table_and_head_are_caught(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    _truncate_entries_and_head(db)
    code, out = _verify(db, tmp_path / "h")
    assert code == 1
    assert "Logboek NIET in orde: de kop van het logboek (audit_head) ontbreekt." in out
    # A fresh head does not make an empty log of a practice believable.
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :g)"),
                     {"g": audit.GENESIS})  # fmt: skip
    code, out = _verify(db, tmp_path / "h")
    assert code == 1
    assert "Logboek NIET in orde: het logboek is leeg, maar de praktijk bestaat al." in out


def test_a_log_missing_its_first_entries_is_caught(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    drop_audit_triggers(db.engine)
    records = _entries(db)[3:]
    prev = audit.GENESIS
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry"))
        for number, rec in enumerate(records, start=1):
            moved = replace(rec, seq=number, prev_hash=prev)
            moved = replace(moved, hash=audit.entry_hash(moved.hash_fields()))
            conn.execute(insert(AuditEntry).values(**moved.__dict__))
            prev = moved.hash
        conn.execute(
            text("UPDATE audit_head SET seq = :n, hash = :h, sealed_seq = :n, sealed_hash = :h"),
            {"n": len(records), "h": prev},
        )
    code, out = _verify(db, tmp_path / "h")
    assert code == 1
    assert "Logboek NIET in orde: regel 1: de eerste regels ontbreken" in out


def test_an_older_copy_passed_off_as_an_upgrade_is_caught_by_the_anchor(
    db: Database, tmp_path: Path
) -> None:
    """The one thing the key cannot see: a log cut back and marked as from before seals.

    The next sign-in even seals it (trust on first use of an upgraded database); the anchor a
    workstation noted before still shows the entries that are gone.
    """
    _busy_trail(db)
    home = tmp_path / "werkplek"
    assert _verify(db, home, user="bakker")[0] == 0
    kept = _entries(db)[:10]
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE seq > 10"))
        conn.execute(
            text(
                "UPDATE audit_head SET seq = 10, hash = :h, seal = NULL, sealed_seq = NULL, "
                "sealed_hash = NULL, sealed_at = NULL, pre_seal_entries = 10"
            ),
            {"h": kept[-1].hash},
        )
    code, out = _verify(db, home, user="smit")
    assert code == 1
    assert "Logboek NIET in orde: het logboek is korter dan het anker (genoteerd op" in out
    assert "sleutel: in orde (verzegeld t/m regel 11; 10 regels van voor de verzegeling)" in out


def test_verify_with_a_wrong_password_changes_nothing(db: Database, tmp_path: Path) -> None:
    _busy_trail(db)
    result = gpdesk(
        "audit", "verify", "--user", "smit", *db_args(db.url, tmp_path / "h"), password="fout-fout"
    )
    assert result.returncode == 1
    assert "Onbekende gebruikersnaam of onjuist wachtwoord, of te veel pogingen" in result.stderr
    assert not anchor.anchor_path(tmp_path / "h").exists()


# -- a database from before seals (schema 0003) ---------------------------------------------


def _as_if_from_before_seals(db: Database) -> None:
    """Take the database back to schema 0003 and up again, as an upgrade from that version."""
    from alembic import command

    with db.engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0003")
    with db.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")


def test_an_upgraded_database_is_sealed_at_the_next_sign_in(db: Database) -> None:
    vault = _busy_trail(db)
    count = len(_entries(db))
    _as_if_from_before_seals(db)
    head = _head(db)
    assert (head.pre_seal_entries, head.seal) == (count, None)
    with db.session() as session:
        before = audit.verify(session, vault=vault)
    assert before.ok, before
    assert before.key == f"nog niet verzegeld ({count} regels van voor de verzegeling)"
    signed(db, "bakker")
    assert _head(db).sealed_seq == count + 1
    with db.session() as session:
        after = audit.verify(session, vault=vault)
    assert after.ok, after
    assert after.key == (
        f"in orde (verzegeld t/m regel {count + 1}; {count} regels van voor de verzegeling)"
    )


def test_an_upgraded_database_with_a_broken_chain_is_not_sealed(db: Database) -> None:
    vault = _busy_trail(db)
    _as_if_from_before_seals(db)
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = 'weg' WHERE seq = 4"))
    signed(db, "bakker")
    assert _head(db).seal is None
    with db.session() as session:
        result = audit.verify(session, vault=vault)
    assert (result.ok, result.broken_seq) == (False, 4)


def test_an_empty_upgraded_practice_database_is_marked(database_url: str) -> None:
    """Set up before the audit trail existed: a practice, no entries; not refused as emptied."""
    from gpdesk.db import open_database

    db = open_database(database_url)
    try:
        vault = make_demo(db).vault
        _truncate_entries_and_head(db)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :g)"),
                         {"g": audit.GENESIS})  # fmt: skip
        _as_if_from_before_seals(db)
        assert _head(db).pre_seal_entries == 0
        with db.session() as session:
            assert audit.verify(session).ok
        signed(db, "smit")
        with db.session() as session:
            result = audit.verify(session, vault=vault)
            assert session.scalar(select(AuditHead.sealed_seq)) == 1
        assert result.ok, result
    finally:
        db.dispose()
