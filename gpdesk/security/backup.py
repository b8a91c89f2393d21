"""Backup and restore: one encrypted file holding the whole database, checked before it is used.

File layout::

    MAGIC | header length (4 bytes) | header JSON | chunk* (length (4 bytes) | AES-GCM chunk)

The header (manifest) holds no patient data: practice name, schema revision, row counts, the
SHA-256 of the plaintext payload, and the practice data key *wrapped* per user and under the
recovery key — so a backup can be opened with a password or the recovery key even when the
original database is gone. The payload (JSON lines, one row each; patient fields stay the
ciphertext they are in the database) is encrypted in chunks under a key derived from the practice
data key; every chunk's associated data binds it to the header, its position and whether it is
the last, so a truncated, reordered or foreign file is refused.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sqlite3
import struct
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Engine, MetaData, create_engine, insert, select, text, update

from gpdesk import __version__
from gpdesk.db import Database, current_revision, open_database
from gpdesk.errors import AuthError, GpdeskError
from gpdesk.models import Base, Practice, User, utcnow
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn, normalise_username
from gpdesk.security.crypto import (
    DecryptionError,
    KdfParams,
    Vault,
    parse_recovery_key,
    recovery_kek,
    unwrap_key,
    verify_password,
)
from gpdesk.security.permissions import Permission, require

MAGIC = b"GPDESK-BACKUP\n"
FORMAT = 1
CHUNK = 1 << 20


class BackupError(GpdeskError):
    """A backup cannot be made or used; nothing half-written is left behind."""


@dataclass(frozen=True)
class BackupInfo:
    """What a finished backup or restore reports."""

    path: Path
    created_at: str
    practice: str
    schema_revision: str
    rows: int
    bytes: int


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | memoryview):
        return {"$b": _b64(bytes(value))}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, time):
        return {"$tm": value.isoformat()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if "$b" in value:
            return _unb64(value["$b"])
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$tm" in value:
            return time.fromisoformat(value["$tm"])
    return value


def _backup_key(vault: Vault) -> bytes:
    return vault.derive_key(b"gpdesk backup v1")


def _chunk_aad(header_digest: bytes, index: int, last: bool) -> bytes:
    return header_digest + struct.pack(">IB", index, 1 if last else 0)


def _tables() -> list[Any]:
    return [t for t in Base.metadata.sorted_tables]


def _rows(engine: Engine) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every row of every gpdesk table, parents before children, from one consistent snapshot."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
        for table in _tables():
            order = list(table.primary_key.columns)
            for row in conn.execute(select(table).order_by(*order)).mappings():
                yield table.name, {k: _encode(v) for k, v in row.items()}


def _snapshot_engine(db: Database, workdir: Path) -> tuple[Engine, Path | None]:
    """SQLite: a consistent online copy through the backup API; PostgreSQL: the live database."""
    if not db.is_sqlite:
        return db.engine, None
    source = db.engine.url.database
    assert source is not None
    copy = workdir / "snapshot.sqlite3"
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        # Writing the copy next to the target failed (a full disk, as a rule): like any write.
        raise OSError(f"snapshot: {type(exc).__name__}") from exc
    return create_engine(f"sqlite:///{copy}"), copy


def create_backup(db: Database, signed: SignedIn, target: Path) -> BackupInfo:
    """Write an encrypted backup to ``target`` (via ``target.part``, renamed only when complete)."""
    require(signed.actor.permissions, Permission.BACKUP)
    target = target.expanduser().resolve()
    if target.exists():
        raise BackupError(
            "Dit back-upbestand bestaat al.",
            hint="Kies een nieuwe bestandsnaam; er is niets overschreven.",
        )
    partial = target.with_name(target.name + ".part")
    try:
        with tempfile.TemporaryDirectory(prefix="gpdesk-backup-", dir=target.parent) as tmp:
            engine, snapshot = _snapshot_engine(db, Path(tmp))
            try:
                info = _write(db, engine, signed, partial, target)
            finally:
                if snapshot is not None:
                    engine.dispose()
        partial.replace(target)
    except OSError:
        partial.unlink(missing_ok=True)
        raise BackupError(
            "De back-up kon niet worden geschreven (is de schijf vol of de map alleen-lezen?).",
            hint="Er is geen half bestand achtergebleven. "
            "Kies een andere plek of maak ruimte vrij.",
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    with db.session() as session:
        session.execute(update(Practice).values(last_backup_at=utcnow()))
        audit.record(
            session, event="backup.create", action=audit.Action.EXPORT, actor=signed.actor,
            object_type="backup", detail=f"{info.rows} regels",
        )  # fmt: skip
    return info


def _write(
    db: Database, engine: Engine, signed: SignedIn, partial: Path, target: Path
) -> BackupInfo:
    with db.session() as session:
        practice = session.scalars(select(Practice)).one()
        users = session.scalars(select(User)).all()
        keys = [
            {
                "username": u.username,
                "salt": _b64(u.kdf_salt),
                "memory_kib": u.kdf_memory_kib,
                "iterations": u.kdf_iterations,
                "lanes": u.kdf_lanes,
                "verifier": _b64(u.password_verifier),
                "wrapped_key": _b64(u.wrapped_key),
            }
            for u in users
            if u.active
        ]
        practice_name, recovery = practice.name, _b64(practice.recovery_wrapped_key)
    # First pass to a plaintext spool inside the temp dir: rows are already ciphertext where they
    # hold patient data; the spool lets the manifest carry the checksum and row counts.
    spool_path = partial.with_name(partial.name + ".rows")
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    total = 0
    try:
        with spool_path.open("wb") as spool:
            for table, row in _rows(engine):
                line = json.dumps({"t": table, "r": row}, separators=(",", ":")).encode() + b"\n"
                spool.write(line)
                digest.update(line)
                counts[table] = counts.get(table, 0) + 1
                total += len(line)
        nonce_prefix = os.urandom(8)
        created_at = utcnow().isoformat(timespec="seconds")
        header: dict[str, Any] = {
            "format": FORMAT,
            "gpdesk_version": __version__,
            "created_at": created_at,
            "practice": practice_name,
            "schema_revision": current_revision(engine),
            "database_kind": engine.dialect.name,
            "tables": counts,
            "payload_sha256": digest.hexdigest(),
            "payload_bytes": total,
            "chunk_size": CHUNK,
            "nonce_prefix": _b64(nonce_prefix),
            "keys": keys,
            "recovery_wrapped_key": recovery,
        }
        header_bytes = json.dumps(header, sort_keys=True).encode()
        header_digest = hashlib.sha256(header_bytes).digest()
        aead = AESGCM(_backup_key(signed.vault))
        prefix = nonce_prefix
        with partial.open("wb") as out, spool_path.open("rb") as spool:
            out.write(MAGIC + struct.pack(">I", len(header_bytes)) + header_bytes)
            index = 0
            block = spool.read(CHUNK)
            while True:
                following = spool.read(CHUNK)
                last = not following
                nonce = prefix + struct.pack(">I", index)
                sealed = aead.encrypt(nonce, block, _chunk_aad(header_digest, index, last))
                out.write(struct.pack(">I", len(sealed)) + sealed)
                if last:
                    break
                block, index = following, index + 1
            out.flush()
            os.fsync(out.fileno())
    finally:
        spool_path.unlink(missing_ok=True)
    return BackupInfo(
        path=target, created_at=created_at, practice=practice_name,
        schema_revision=str(header["schema_revision"]), rows=sum(counts.values()), bytes=total,
    )  # fmt: skip


def read_header(source: IO[bytes]) -> tuple[dict[str, Any], bytes]:
    """The manifest, or a Dutch refusal for anything that is not a gpdesk backup."""
    foreign = BackupError(
        "Dit bestand is geen gpdesk-back-up of is beschadigd.",
        hint="Kies het juiste bestand; er is niets gewijzigd.",
    )
    if source.read(len(MAGIC)) != MAGIC:
        raise foreign
    raw_len = source.read(4)
    if len(raw_len) != 4:
        raise foreign
    (length,) = struct.unpack(">I", raw_len)
    if length > 10_000_000:
        raise foreign
    header_bytes = source.read(length)
    try:
        header = json.loads(header_bytes)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise foreign from None
    if not _well_formed(header):
        raise foreign
    return header, header_bytes


MAX_KDF_MEMORY_KIB = 4 * 1024 * 1024
"""A header asking for more Argon2 memory than this is damaged, not a real account."""


def _is_b64(value: Any, length: int | None = None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        raw = base64.b64decode(value.encode(), validate=True)
    except ValueError:
        return False
    return length is None or len(raw) == length


def _well_formed(header: Any) -> bool:
    """Every manifest field restore relies on is there, of the right type and within bounds.

    The header is read before anything can be authenticated; a changed byte must give the Dutch
    refusal, never a KeyError halfway through unlocking.
    """
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        return False
    texts = ("created_at", "practice", "schema_revision", "payload_sha256")
    if not all(isinstance(header.get(name), str) for name in texts):
        return False
    if type(header.get("payload_bytes")) is not int:
        return False
    if not _is_b64(header.get("nonce_prefix"), 8) or not _is_b64(
        header.get("recovery_wrapped_key")
    ):
        return False
    keys = header.get("keys")
    if not isinstance(keys, list):
        return False
    for entry in keys:
        if not isinstance(entry, dict) or not isinstance(entry.get("username"), str):
            return False
        if not all(_is_b64(entry.get(name)) for name in ("salt", "verifier", "wrapped_key")):
            return False
        memory, iterations, lanes = (entry.get(n) for n in ("memory_kib", "iterations", "lanes"))
        if not (type(memory) is int and type(iterations) is int and type(lanes) is int):
            return False
        if not (1 <= lanes <= 64 and 1 <= iterations <= 64):
            return False
        if not 8 * lanes <= memory <= MAX_KDF_MEMORY_KIB:
            return False
    return True


def unlock_backup(
    header: dict[str, Any], *, username: str | None, password: str | None, recovery_key: str | None
) -> Vault:
    """Open the backup's practice key with a user's password or the recovery key."""
    if recovery_key:
        raw = parse_recovery_key(recovery_key)
        return Vault(unwrap_key(_unb64(header["recovery_wrapped_key"]), recovery_kek(raw)))
    name = normalise_username(username or "")
    entry = next((k for k in header["keys"] if k["username"] == name), None)
    if entry is None or password is None:
        raise AuthError(
            "Onbekende gebruikersnaam of onjuist wachtwoord voor deze back-up.",
            hint="Gebruik een account dat bestond toen de back-up werd gemaakt, "
            "of de herstelsleutel.",
        )
    params = KdfParams(entry["memory_kib"], entry["iterations"], entry["lanes"])
    kek = verify_password(password, _unb64(entry["salt"]), params, _unb64(entry["verifier"]))
    return Vault(unwrap_key(_unb64(entry["wrapped_key"]), kek))


def _decrypt_payload(
    source: IO[bytes], header: dict[str, Any], header_bytes: bytes, vault: Vault, spool: IO[bytes]
) -> None:
    damaged = BackupError(
        "De back-up is beschadigd of onvolledig (controle mislukt).",
        hint="Gebruik een andere back-up; er is niets gewijzigd.",
    )
    aead = AESGCM(_backup_key(vault))
    header_digest = hashlib.sha256(header_bytes).digest()
    prefix = _unb64(header["nonce_prefix"])
    digest = hashlib.sha256()
    index = 0
    while True:
        raw_len = source.read(4)
        if len(raw_len) != 4:
            raise damaged  # ended before a chunk marked as the last one
        (length,) = struct.unpack(">I", raw_len)
        if length > CHUNK + 64:
            raise damaged  # checked before reading, so a changed length cannot fill the memory
        sealed = source.read(length)
        if len(sealed) != length:
            raise damaged
        nonce = prefix + struct.pack(">I", index)
        for last in (False, True):
            try:
                block = aead.decrypt(nonce, sealed, _chunk_aad(header_digest, index, last))
            except InvalidTag:
                continue
            break
        else:
            raise damaged
        digest.update(block)
        spool.write(block)
        if last:
            break
        index += 1
    if source.read(1):
        raise damaged
    if digest.hexdigest() != header["payload_sha256"]:
        raise damaged


def _self_references(table: Any) -> list[str]:
    """Columns pointing at the same table (e.g. a contact's deputy): filled in after the rows."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _insert_batch(conn: Any, table: Any, rows: list[dict[str, Any]]) -> None:
    later = _self_references(table)
    if not later:
        conn.execute(insert(table), rows)
        return
    conn.execute(insert(table), [row | dict.fromkeys(later) for row in rows])
    pk = next(iter(table.primary_key.columns))
    for row in rows:
        values = {col: row[col] for col in later if row.get(col) is not None}
        if values:
            conn.execute(update(table).where(pk == row[pk.name]).values(**values))


def _restore_rows(engine: Engine, spool: IO[bytes]) -> int:
    metadata: MetaData = Base.metadata
    tables = {t.name: t for t in metadata.sorted_tables}
    count = 0
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_head"))
        batch: list[dict[str, Any]] = []
        current: str | None = None
        for line in spool:
            item = json.loads(line)
            if item["t"] != current:
                if batch and current is not None:
                    _insert_batch(conn, tables[current], batch)
                batch, current = [], item["t"]
            if current not in tables:
                raise BackupError(
                    "De back-up bevat onderdelen die deze versie van gpdesk niet kent.",
                    hint="Installeer de versie van gpdesk waarmee de back-up is gemaakt.",
                )
            batch.append({k: _decode(v) for k, v in item["r"].items()})
            count += 1
        if batch and current is not None:
            _insert_batch(conn, tables[current], batch)
        if conn.dialect.name == "postgresql":
            # Rows came in with their ids: move each serial sequence past them (NULL = no serial).
            for table in metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if len(pk) == 1 and pk[0].type.python_type is int:
                    name, column = table.name, pk[0].name
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                            f"COALESCE((SELECT max({column}) FROM {name}), 1))"
                        )
                    )
    return count


def _verify_spooled_audit(spool: IO[bytes]) -> None:
    records: list[audit.AuditRecord] = []
    head: tuple[int, str] | None = None
    for line in spool:
        item = json.loads(line)
        if item["t"] == "audit_entry":
            row = {k: _decode(v) for k, v in item["r"].items()}
            records.append(audit.AuditRecord(**row))
        elif item["t"] == "audit_head":
            head = (item["r"]["seq"], item["r"]["hash"])
    result = audit.verify_records(records, head)
    if not result.ok:
        raise BackupError(
            "Het logboek in de back-up is niet in orde "
            f"(regel {result.broken_seq}: {result.reason}).",
            hint="Deze back-up is na het maken gewijzigd; gebruik een andere.",
        )


def restore_backup(
    source_path: Path,
    database_url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
    workdir: Path,
) -> BackupInfo:
    """Restore into an empty database after checking key, checksum and audit chain."""
    try:
        handle = source_path.open("rb")
    except OSError:
        raise BackupError(
            "Het back-upbestand kan niet worden geopend.", hint="Controleer het pad."
        ) from None
    with handle, tempfile.TemporaryFile(dir=workdir) as spool:
        header, header_bytes = read_header(handle)
        try:
            vault = unlock_backup(
                header, username=username, password=password, recovery_key=recovery_key
            )
        except DecryptionError:
            raise AuthError(
                "De herstelsleutel of het wachtwoord past niet bij deze back-up.",
                hint="Controleer de sleutel; er is niets gewijzigd.",
            ) from None
        _decrypt_payload(handle, header, header_bytes, vault, spool)
        spool.seek(0)
        _verify_spooled_audit(spool)

        db = open_database(database_url, migrate_schema=False)
        try:
            with db.engine.connect() as conn:
                from sqlalchemy import inspect

                if (
                    "practice" in inspect(conn).get_table_names()
                    and conn.execute(text("SELECT count(*) FROM practice")).scalar()
                ):
                    raise BackupError(
                        "Terugzetten kan alleen in een lege gpdesk-map of lege database.",
                        hint="Kies een nieuwe map met --home; "
                        "de bestaande gegevens zijn niet aangeraakt.",
                    )
            _migrate_to(db, header["schema_revision"])
            spool.seek(0)
            rows = _restore_rows(db.engine, spool)
            from gpdesk.db import migrate

            migrate(db.engine, db.url)
            with db.session() as session:
                audit.record(
                    session, event="backup.restore", action=audit.Action.CREATE,
                    username=username or "herstelsleutel", object_type="backup",
                    detail=f"gemaakt op {header['created_at']}",
                )  # fmt: skip
        finally:
            db.dispose()
    return BackupInfo(
        path=source_path, created_at=header["created_at"], practice=header["practice"],
        schema_revision=header["schema_revision"], rows=rows, bytes=header["payload_bytes"],
    )  # fmt: skip


def _migrate_to(db: Database, revision: str) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    from gpdesk.db import _alembic_config

    script = ScriptDirectory.from_config(_alembic_config())
    if revision not in {r.revision for r in script.walk_revisions()}:
        raise BackupError(
            "Deze back-up is gemaakt met een nieuwere versie van gpdesk.",
            hint="Installeer de nieuwste versie van gpdesk en probeer het opnieuw.",
        )
    with db.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), revision)
