"""Backup and restore: round trips between SQLite and PostgreSQL, and every way a file goes bad.

A restore either yields a working practice (same key, same users, an intact audit trail) or
refuses in Dutch and leaves the target exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import secrets
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, select, text

from gpdesk.config import Home
from gpdesk.db import Database, open_database
from gpdesk.errors import AuthError, GpdeskError
from gpdesk.models import AuditEntry, Base, Practice, Role, User
from gpdesk.patients.records import find_patient, open_from_his
from gpdesk.practice.demo import DEMO_PASSWORD, DEMO_PRACTICE_NAME, DEMO_USERS
from gpdesk.practice.setup import load_practice
from gpdesk.security import account_seal, audit
from gpdesk.security import backup as backup_module
from gpdesk.security.backup import (
    MAGIC,
    BackupError,
    BackupInfo,
    create_backup,
    read_header,
    restore_backup,
    unlock_backup,
)
from gpdesk.security.crypto import (
    DecryptionError,
    Vault,
    format_recovery_key,
    new_recovery_key,
)
from gpdesk.security.users import add_user
from tests.cli_support import gpdesk
from tests.conftest import FAST_KDF
from tests.pg_server import PostgresServer
from tests.security_support import (
    EXTRA_PATIENT,
    all_patients,
    assert_one_dutch_line,
    drop_audit_triggers,
    make_demo,
    signed,
)

DUTCH_REFUSALS = (
    "Dit bestand is geen gpdesk-back-up of is beschadigd.",
    "De back-up is beschadigd of onvolledig (controle mislukt).",
    "Het back-upbestand kan niet worden geopend.",
    "De herstelsleutel of het wachtwoord past niet bij deze back-up.",
    "Onbekende gebruikersnaam of onjuist wachtwoord voor deze back-up.",
    # A changed salt or verifier in the header looks like a wrong password.
    "Onbekende gebruikersnaam of onjuist wachtwoord.",
)


# -- fixtures -------------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def target_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty place to restore into: a new gpdesk home, or a new PostgreSQL database."""
    if request.param == "sqlite":
        home = Home(tmp_path / "teruggezet").ensure()
        yield f"sqlite:///{home.database_file}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"t_{secrets.token_hex(8)}"
    url = server.create_database(name)
    try:
        yield url
    finally:
        server.drop_database(name)


@dataclass(frozen=True)
class Made:
    """A backup of the demo practice (SQLite), and the key material that opens it."""

    path: Path
    raw: bytes
    header_end: int
    recovery_key: str


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    where = tmp_path_factory.mktemp("bron")
    db = open_database(f"sqlite:///{where / 'gpdesk.sqlite3'}")
    try:
        created = make_demo(db)
        open_from_his(db, signed(db, "bakker"), EXTRA_PATIENT)
        path = where / "praktijk.gpbak"
        create_backup(db, signed(db, "smit"), path)
    finally:
        db.dispose()
    raw = path.read_bytes()
    (length,) = struct.unpack(">I", raw[len(MAGIC) : len(MAGIC) + 4])
    return Made(path, raw, len(MAGIC) + 4 + length, created.recovery_key)


# -- helpers --------------------------------------------------------------------------------


def _is_empty(url: str) -> bool:
    """Nothing was written: no SQLite file, or a PostgreSQL database without tables."""
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return not path.exists() or path.stat().st_size == 0
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def _fingerprint(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every gpdesk table, to show a refused restore changed nothing."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def _restore(
    source: Path,
    url: str,
    workdir: Path,
    *,
    username: str | None = "smit",
    password: str | None = DEMO_PASSWORD,
    recovery_key: str | None = None,
) -> object:
    workdir.mkdir(parents=True, exist_ok=True)
    return restore_backup(
        source, url, username=username, password=password, recovery_key=recovery_key,
        workdir=workdir,
    )  # fmt: skip


def _refused(
    data: bytes, url: str, tmp_path: Path, name: str, **credentials: str | None
) -> GpdeskError:
    path = tmp_path / f"{name}.gpbak"
    path.write_bytes(data)
    with pytest.raises((BackupError, AuthError, DecryptionError)) as info:
        _restore(path, url, tmp_path / "werk", **credentials)
    assert info.value.message in DUTCH_REFUSALS, (name, info.value.message)
    assert isinstance(info.value, GpdeskError)
    if url.startswith("sqlite"):
        assert _is_empty(url), name  # cheap here; PostgreSQL targets are checked per test
    return info.value


# -- round trips ----------------------------------------------------------------------------


def test_backup_and_restore_round_trip(db: Database, target_url: str, tmp_path: Path) -> None:
    make_demo(db)
    gp = signed(db, "bakker")
    open_from_his(db, gp, EXTRA_PATIENT)
    manager = signed(db, "smit")
    with db.session() as session:
        assert session.scalar(select(Practice.last_backup_at)) is None
        entries_before = len(session.scalars(select(AuditEntry)).all())

    path = tmp_path / "praktijk.gpbak"
    info = create_backup(db, manager, path)
    assert info.practice == DEMO_PRACTICE_NAME
    assert info.warnings == ()
    assert info.check.startswith("Database in orde")  # ``gpdesk check`` ran on what was copied
    assert info.audit_entries == entries_before  # the anchor: the trail as it was copied
    assert not path.with_name(path.name + ".part").exists()
    with db.session() as session:
        assert session.scalar(select(Practice.last_backup_at)) is not None
        assert "backup.create" in session.scalars(select(AuditEntry.event)).all()

    restored = _restore(path, target_url, tmp_path / "werk")
    assert isinstance(restored, BackupInfo)
    assert restored.practice == DEMO_PRACTICE_NAME
    assert restored.check == "Bij het maken van deze back-up was de database in orde."

    copy = open_database(target_url)
    try:
        practice = load_practice(copy)
        assert practice is not None
        assert (practice.name, practice.is_demo) == (DEMO_PRACTICE_NAME, True)
        for user in DEMO_USERS:
            assert signed(copy, user.username).actor.role is user.role
        with copy.session() as session:
            # The very same practice key: the source's vault reads the restored patients.
            for patient in all_patients():
                assert find_patient(session, gp.vault, patient.bsn, actor=gp.actor) == patient
        with copy.session() as session:
            result = audit.verify(session, vault=gp.vault)  # the seal came along, and moved on
            assert result.ok, result
            assert result.key.startswith("in orde (verzegeld t/m regel")
            events = session.scalars(select(AuditEntry.event).order_by(AuditEntry.seq)).all()
        # Everything up to the backup, then the restore itself, then the sign-ins above.
        assert events[entries_before] == "backup.restore"
        assert events[0] == "practice.init"

        # The restored practice keeps working: new rows get new ids, the chain continues.
        manager = signed(copy, "smit")
        add_user(
            copy, manager, username="nieuw", display_name="N. Nieuw", role=Role.GP, kdf=FAST_KDF
        )
        other = EXTRA_PATIENT.__class__(
            bsn="123456782", name="L. Nieuwkomer", birth_date=EXTRA_PATIENT.birth_date,
            postcode="3118AB", phone=None,
        )  # fmt: skip
        open_from_his(copy, signed(copy, "visser"), other)
        with copy.session() as session:
            assert audit.verify(session).ok
    finally:
        copy.dispose()


def test_restore_with_the_recovery_key(made: Made, target_url: str, tmp_path: Path) -> None:
    _restore(
        made.path, target_url, tmp_path / "werk", username=None, password=None,
        recovery_key=made.recovery_key,
    )  # fmt: skip
    copy = open_database(target_url)
    try:
        gp = signed(copy, "bakker")
        with copy.session() as session:
            assert find_patient(session, gp.vault, EXTRA_PATIENT.bsn, actor=gp.actor)
            restore = session.scalars(
                select(AuditEntry).where(AuditEntry.event == "backup.restore")
            ).one()
        assert restore.username == "herstelsleutel"
    finally:
        copy.dispose()


def test_restore_refuses_a_practice_that_is_there_already(
    made: Made, target_url: str, tmp_path: Path
) -> None:
    existing = open_database(target_url)
    try:
        make_demo(existing)
    finally:
        existing.dispose()
    before = _fingerprint(target_url)
    raw_before = (
        Path(target_url.removeprefix("sqlite:///")).read_bytes()
        if target_url.startswith("sqlite")
        else b""
    )
    with pytest.raises(BackupError) as info:
        _restore(made.path, target_url, tmp_path / "werk")
    assert "lege" in info.value.message
    assert "niet aangeraakt" in info.value.hint
    assert _fingerprint(target_url) == before
    if target_url.startswith("sqlite"):
        assert Path(target_url.removeprefix("sqlite:///")).read_bytes() == raw_before


def test_backup_never_overwrites_a_file(db: Database, tmp_path: Path) -> None:
    make_demo(db)
    path = tmp_path / "praktijk.gpbak"
    path.write_bytes(b"iets anders")
    with pytest.raises(BackupError) as info:
        create_backup(db, signed(db, "smit"), path)
    assert "bestaat al" in info.value.message
    assert path.read_bytes() == b"iets anders"


# -- damaged, foreign and wrongly opened files ----------------------------------------------


def test_truncated_backups_are_refused(made: Made, target_url: str, tmp_path: Path) -> None:
    raw, end = made.raw, made.header_end
    offsets = [0, 5, len(MAGIC), len(MAGIC) + 2, end - 1, end, end + 3, end + 40]
    offsets += [len(raw) // 2, len(raw) - 17, len(raw) - 1]
    for offset in offsets:
        _refused(raw[:offset], target_url, tmp_path, f"kort-{offset}")
    assert _is_empty(target_url)


def test_a_flipped_payload_byte_is_refused(made: Made, target_url: str, tmp_path: Path) -> None:
    raw, end = made.raw, made.header_end
    for position in (end, end + 2, end + 4, end + 20, (end + len(raw)) // 2, len(raw) - 1):
        data = bytearray(raw)
        data[position] ^= 0x01
        error = _refused(bytes(data), target_url, tmp_path, f"bit-{position}")
        assert isinstance(error, BackupError)
    # Extra bytes after the last chunk, or the file twice over.
    _refused(raw + b"\x00", target_url, tmp_path, "langer")
    _refused(raw + raw, target_url, tmp_path, "dubbel")
    assert _is_empty(target_url)


def test_a_flipped_header_byte_is_refused(made: Made, target_url: str, tmp_path: Path) -> None:
    """Every few bytes of magic, length and manifest, opened by password and recovery key."""
    raw = made.raw
    for position in range(0, made.header_end, 3):
        data = bytearray(raw)
        data[position] ^= 0x01
        if position % 2:
            _refused(bytes(data), target_url, tmp_path, f"kop-{position}")
        else:
            _refused(
                bytes(data), target_url, tmp_path, f"kop-{position}", username=None,
                password=None, recovery_key=made.recovery_key,
            )  # fmt: skip
    assert _is_empty(target_url)


def test_foreign_files_are_refused(made: Made, target_url: str, tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(2000)
    sqlite_file = Path(str(made.path.parent / "gpdesk.sqlite3")).read_bytes()
    header_only = MAGIC + struct.pack(">I", 2) + b"{}"
    huge_header = MAGIC + struct.pack(">I", 0xFFFFFFFF) + b"{"
    for name, data in [
        ("leeg", b""),
        ("willekeurig", os.urandom(4096)),
        ("png", png),
        ("sqlite", sqlite_file),
        ("tekst", b"Dit is een brief.\n" * 50),
        ("alleen-kop", header_only),
        ("enorme-kop", huge_header),
        ("ander-formaat", made.raw.replace(b'"format": 1', b'"format": 7', 1)),
    ]:
        error = _refused(data, target_url, tmp_path, name)
        assert isinstance(error, BackupError)
    missing = tmp_path / "bestaat-niet.gpbak"
    with pytest.raises(BackupError) as info:
        _restore(missing, target_url, tmp_path / "werk")
    assert info.value.message in DUTCH_REFUSALS
    assert _is_empty(target_url)


def test_wrong_credentials_are_refused(made: Made, target_url: str, tmp_path: Path) -> None:
    raw = made.raw
    cases: list[tuple[str, dict[str, str | None]]] = [
        ("fout-wachtwoord", {"username": "smit", "password": "fout-wachtwoord"}),
        ("onbekende-gebruiker", {"username": "niemand", "password": DEMO_PASSWORD}),
        ("geen-wachtwoord", {"username": "smit", "password": None}),
        (
            "andere-herstelsleutel",
            {"username": None, "password": None,
             "recovery_key": format_recovery_key(new_recovery_key())},
        ),
        ("onzin-herstelsleutel", {"username": None, "password": None, "recovery_key": "ABCD"}),
    ]  # fmt: skip
    for name, credentials in cases:
        error = _refused(raw, target_url, tmp_path, name, **credentials)
        assert isinstance(error, AuthError), name
    assert _is_empty(target_url)


def test_a_backup_of_a_tampered_trail_is_made_with_a_warning(
    db: Database, target_url: str, tmp_path: Path
) -> None:
    """Keeping the data matters more: the backup is made, and says the trail is not in order.

    Restoring it brings the data back with the same warning; the restored trail still fails
    ``verify``, so the tampering stays visible.
    """
    created = make_demo(db)
    signed(db, "bakker")
    drop_audit_triggers(db.engine)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_entry SET detail = 'niets gebeurd' WHERE seq = 3"))
    path = tmp_path / "praktijk.gpbak"
    info = create_backup(db, signed(db, "smit"), path)
    assert path.exists()
    assert len(info.warnings) == 1
    assert info.warnings[0].startswith(
        "Het logboek is niet in orde (regel 3: de inhoud is gewijzigd). De back-up is toch gemaakt"
    )
    with path.open("rb") as handle:
        header, _ = read_header(handle)
    assert header["audit"]["ok"] is False
    assert header["audit"]["problem"] == "regel 3: de inhoud is gewijzigd"
    # The check saw the same break; it is not warned about twice.
    assert header["check"]["ok"] is False
    assert header["check"]["sections"]["logboek"]["problems"] == 1
    assert info.check == "Database NIET in orde: 1 probleem gevonden."

    restored = _restore(path, target_url, tmp_path / "werk")
    assert isinstance(restored, BackupInfo)
    assert restored.warnings == (
        "Het logboek was al niet in orde toen deze back-up werd gemaakt (regel 3: de inhoud is "
        "gewijzigd). De gegevens zijn teruggezet; meld dit bij de praktijkmanager.",
    )
    copy = open_database(target_url)
    try:
        with copy.session() as session:
            result = audit.verify(session, vault=created.vault)
        assert (result.ok, result.broken_seq) == (False, 3)
    finally:
        copy.dispose()


def test_the_manifest_carries_the_trails_anchor(
    made: Made, target_url: str, tmp_path: Path
) -> None:
    with made.path.open("rb") as handle:
        header, _ = read_header(handle)
    manifest = header["audit"]
    assert set(manifest) == {"entries", "hash", "ok", "problem"}
    assert (manifest["ok"], manifest["problem"]) == (True, "")
    _restore(made.path, target_url, tmp_path / "werk")
    copy = open_database(target_url)
    try:
        with copy.session() as session:
            entries = list(audit.iter_records(session))
    finally:
        copy.dispose()
    # Everything the backup held, then the restore's own entry.
    assert len(entries) == manifest["entries"] + 1
    assert entries[manifest["entries"] - 1].hash == manifest["hash"]
    assert entries[-1].event == "backup.restore"


def _rewritten(
    made: Made,
    tmp_path: Path,
    edit: Callable[[list[bytes], Vault], None],
    edit_header: Callable[[dict[str, object]], None] = lambda _header: None,
) -> Path:
    """The backup re-made with the practice key: rows edited, manifest kept unless edited."""
    with made.path.open("rb") as source, tempfile.TemporaryFile() as spool:
        header, header_bytes = read_header(source)
        vault = unlock_backup(header, username="smit", password=DEMO_PASSWORD, recovery_key=None)
        backup_module._decrypt_payload(source, header, header_bytes, vault, spool)
        spool.seek(0)
        lines = spool.read().splitlines(keepends=True)
    edit(lines, vault)
    payload = b"".join(lines)
    rows = tmp_path / "rows"
    rows.write_bytes(payload)
    header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    header["payload_bytes"] = len(payload)
    edit_header(header)
    path = tmp_path / "herschreven.gpbak"
    backup_module._encrypt_to(path, header, rows, vault)
    return path


def _drop_last_entry(lines: list[bytes], vault: Vault) -> None:
    """Leave the last audit entry out, and give the rest a tip and a seal that fit."""
    entries = [i for i, line in enumerate(lines) if line.startswith(b'{"t":"audit_entry"')]
    last = json.loads(lines[entries[-2]])["r"]
    del lines[entries[-1]]
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    head_at = next(i for i, line in enumerate(lines) if line.startswith(b'{"t":"audit_head"'))
    head = json.loads(lines[head_at])
    head["r"] |= {
        "seq": last["seq"], "hash": last["hash"], "sealed_seq": last["seq"],
        "sealed_hash": last["hash"], "sealed_at": {"$dt": at.isoformat()},
        "seal": audit.seal_mac(audit.seal_key(vault), last["seq"], last["hash"], at, None),
    }  # fmt: skip
    lines[head_at] = json.dumps(head, separators=(",", ":")).encode() + b"\n"


def test_a_trail_that_does_not_reach_the_manifests_anchor_is_refused(
    made: Made, target_url: str, tmp_path: Path
) -> None:
    """Chain, tip and seal all fit (made with the key); the manifest's anchor still says more."""
    path = _rewritten(made, tmp_path, _drop_last_entry)
    with pytest.raises(BackupError) as info:
        _restore(path, target_url, tmp_path / "werk")
    assert info.value.message.startswith(
        "Het logboek in de back-up is niet in orde (het logboek is korter dan het anker "
        "(back-up van "
    )
    assert _is_empty(target_url)


# What schema 0003 did not have yet: the seal (0004), the kaart fields (0005), the binding
# (0007), the practice's letterhead (0009) and its retention period for letters (0010).
_LATER_COLUMNS = {
    "audit_head": ("sealed_seq", "sealed_hash", "sealed_at", "seal", "pre_seal_entries"),
    "kaart_organization": ("former_names",),
    "kaart_service": ("wait_time", "municipal_contract", "former_names"),
    "kaart_contact": ("departed_on",),
    "practice": ("binding", "address", "phone", "agb_code", "letter_retention_days"),
    "user_account": ("seal",),
    "role_permission": ("seal",),
}


def _as_schema_0003(lines: list[bytes], _vault: Vault) -> None:
    """Rows as a gpdesk of schema 0003 wrote them: no seal or new kaart columns, no throttle."""
    for i, line in enumerate(lines):
        row = json.loads(line)
        later = _LATER_COLUMNS.get(row.get("t"), ())
        if later:
            for column in later:
                row["r"].pop(column, None)
            lines[i] = json.dumps(row, separators=(",", ":")).encode() + b"\n"
    lines[:] = [line for line in lines if not line.startswith(b'{"t":"sign_in_throttle"')]
    _chained_without_states(lines)


def _chained_without_states(lines: list[bytes]) -> None:
    """The trail as that gpdesk chained it: no record states (0007), so other hashes."""
    tip = audit.GENESIS
    for i, line in enumerate(lines):
        row = json.loads(line)
        if row["t"] == "audit_entry":
            fields = {k: backup_module._decode(v) for k, v in row["r"].items() if k != "state"}
            fields["prev_hash"] = tip
            record = audit.AuditRecord(**(fields | {"hash": ""}))
            fields["hash"] = tip = audit.entry_hash(record.hash_fields())
            row["r"] = {k: backup_module._encode(v) for k, v in fields.items()}
            lines[i] = json.dumps(row, separators=(",", ":")).encode() + b"\n"
    for i, line in enumerate(lines):
        row = json.loads(line)
        if row["t"] == "audit_head":
            row["r"]["hash"] = tip
            lines[i] = json.dumps(row, separators=(",", ":")).encode() + b"\n"


def _schema_0003(header: dict[str, object]) -> None:
    header["schema_revision"] = "0003"
    del header["audit"]


def test_a_backup_from_before_seals_is_restored_and_sealed(
    made: Made, target_url: str, tmp_path: Path
) -> None:
    path = _rewritten(made, tmp_path, _as_schema_0003, _schema_0003)
    info = _restore(path, target_url, tmp_path / "werk")
    assert isinstance(info, BackupInfo)
    assert info.warnings == ()
    copy = open_database(target_url)
    try:
        # The demo's Logboek says its accounts were sealed from the start (a real backup of
        # schema 0003 would not); their seals went with the columns above and their recorded
        # states with the entries' states, so put both back.
        with path.open("rb") as source:
            header = read_header(source)[0]
        vault = unlock_backup(header, username=None, password=None, recovery_key=made.recovery_key)
        with copy.session() as session:
            users = list(session.scalars(select(User)))
            for user in users:
                account_seal.seal_account(user, vault)
            account_seal.record_states(
                session, vault, username="systeem", users=users, detail="testopzet"
            )
        gp = signed(copy, "bakker")
        with copy.session() as session:
            result = audit.verify(session, vault=gp.vault)
            entries = len(list(audit.iter_records(session)))
    finally:
        copy.dispose()
    assert result.ok, result
    # Everything from the backup predates sealing; the restore's own entry sealed it all.
    restored_from = entries - 3  # the restore's entry, the states and the sign-in came after
    assert result.key == (
        f"in orde (verzegeld t/m regel {entries}; {restored_from} regels van voor de verzegeling)"
    )


def test_restore_reports_a_trail_behind_this_homes_anchor(
    made: Made, target_url: str, tmp_path: Path
) -> None:
    """An older backup lacks what came after it: said, not refused (it may be all there is)."""
    later = audit.Anchor(10_000, "ab" * 32)
    info = backup_module.restore_backup(
        made.path, target_url, username="smit", password=DEMO_PASSWORD,
        workdir=tmp_path, anchor=later,
    )  # fmt: skip
    assert len(info.warnings) == 1
    assert info.warnings[0].startswith(
        "Het teruggezette logboek komt niet overeen met wat deze gpdesk-map eerder zag "
        "(anker: regel 10000)."
    )


# -- the command line, and a disk that fills up ---------------------------------------------


def test_cli_backup_and_restore(demo_home: Home, tmp_path: Path) -> None:
    path = tmp_path / "praktijk.gpbak"
    made = gpdesk(
        "backup", "create", str(path), "--user", "smit", "--home", str(demo_home.path),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "Back-up gemaakt" in made.stdout
    assert re.search(r"^Logboek: \d+ regels, laatste hash [0-9a-f]{64}$", made.stdout, re.M)
    assert "Let op" not in made.stdout

    new_home = tmp_path / "nieuw"
    restored = gpdesk(
        "backup", "restore", str(path), "--user", "smit", "--home", str(new_home),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert "teruggezet" in restored.stdout
    verified = gpdesk("audit", "verify", "--home", str(new_home))
    assert verified.returncode == 0, verified.stdout
    # The restore noted its anchor in the new home; the check compares with it.
    assert "anker: in orde (regel" in verified.stdout

    again = gpdesk(
        "backup", "restore", str(path), "--user", "smit", "--home", str(new_home),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(again)
    assert "lege" in again.stderr

    broken = tmp_path / "kapot.gpbak"
    broken.write_bytes(path.read_bytes()[:-5])
    refused = gpdesk(
        "backup", "restore", str(broken), "--user", "smit", "--home", str(tmp_path / "leeg"),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert_one_dutch_line(refused)
    assert "beschadigd" in refused.stderr
    assert not (tmp_path / "leeg" / "gpdesk.sqlite3").exists()


def test_cli_backup_warns_when_the_trail_is_not_in_order(demo_home: Home, tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{demo_home.database_file}")
    try:
        drop_audit_triggers(db.engine)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entry SET detail = 'weg' WHERE seq = 2"))
    finally:
        db.dispose()
    path = tmp_path / "praktijk.gpbak"
    made = gpdesk(
        "backup", "create", str(path), "--user", "smit", "--home", str(demo_home.path),
        password=DEMO_PASSWORD,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr  # made all the same
    assert path.exists()
    assert made.stdout.splitlines()[-1] == (
        "Let op: Het logboek is niet in orde (regel 2: de inhoud is gewijzigd). De back-up is "
        "toch gemaakt, zodat er geen gegevens verloren gaan; het manifest vermeldt het. Meld "
        "dit bij de praktijkmanager."
    )
    as_json = gpdesk(
        "backup", "create", str(tmp_path / "tweede.gpbak"), "--json", "--user", "smit",
        "--home", str(demo_home.path), password=DEMO_PASSWORD,
    )  # fmt: skip
    assert json.loads(as_json.stdout)["warnings"][0].startswith("Het logboek is niet in orde")


def _limit_file_size(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _backup_on_a_full_disk(
    url: str, home: Path, target: Path, limit: int
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GPDESK_")}
    environment["GPDESK_PASSWORD"] = DEMO_PASSWORD
    environment["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [
            sys.executable, "-m", "gpdesk", "backup", "create", str(target), "--user", "smit",
            "--home", str(home), "--database-url", url,
        ],
        capture_output=True, text=True, env=environment, timeout=120,
        stdin=subprocess.DEVNULL, check=False, preexec_fn=lambda: _limit_file_size(limit),
    )  # fmt: skip


def _after_a_failed_backup(
    url: str, result: subprocess.CompletedProcess[str], folder: Path
) -> None:
    assert_one_dutch_line(result)
    assert list(folder.iterdir()) == []  # no FILE, no FILE.part, no spool or snapshot
    db = open_database(url)
    try:
        with db.session() as session:
            assert audit.verify(session).ok
            assert session.scalar(select(Practice.last_backup_at)) is None
            assert "backup.create" not in session.scalars(select(AuditEntry.event)).all()
        assert signed(db, "smit").actor.username == "smit"
    finally:
        db.dispose()


def test_a_disk_that_fills_up_during_backup(database_url: str, tmp_path: Path) -> None:
    db = open_database(database_url)
    try:
        make_demo(db)
    finally:
        db.dispose()
    folder = tmp_path / "backups"
    folder.mkdir()
    result = _backup_on_a_full_disk(
        database_url, tmp_path / "werkplek", folder / "praktijk.gpbak", 4096
    )
    if database_url.startswith("sqlite"):
        # With 4096 bytes even signing in cannot write to the SQLite file.
        assert "vrije schijfruimte" in result.stderr
    else:
        # The database lives on the server: the backup file is what runs into the full disk.
        assert "De back-up kon niet worden geschreven" in result.stderr
        assert "geen half bestand" in result.stderr
    _after_a_failed_backup(database_url, result, folder)


def test_a_disk_that_fills_up_while_copying_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'gpdesk.sqlite3'}"
    db = open_database(url)
    try:
        make_demo(db)
    finally:
        db.dispose()
    # Room for the sign-in's few pages, not for the copy of the database a backup starts with.
    limit = (tmp_path / "gpdesk.sqlite3").stat().st_size - 4096
    folder = tmp_path / "backups"
    folder.mkdir()
    result = _backup_on_a_full_disk(url, tmp_path / "werkplek", folder / "praktijk.gpbak", limit)
    assert "De back-up kon niet worden geschreven" in result.stderr
    _after_a_failed_backup(url, result, folder)
