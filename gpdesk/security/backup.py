"""Backup and restore: one encrypted file holding the whole database, checked before it is used.

File layout::

    MAGIC | header length (4 bytes) | header JSON | chunk* (length (4 bytes) | AES-GCM chunk)

The header (manifest) holds no patient data: practice name, schema revision, row counts, the
SHA-256 of the plaintext payload, the audit trail's anchor (how many entries, the last one's
hash, and whether the trail was in order when the backup was made), and the practice data key
*wrapped* per user and under the recovery key — so a backup can be opened with a password or
the recovery key even when the original database is gone. The payload (JSON lines, one row
each; patient fields stay the ciphertext they are in the database) is encrypted in chunks under
a key derived from the practice data key; every chunk's associated data binds it to the header,
its position and whether it is the last, so a truncated, reordered or foreign file is refused
(and the header, anchor included, cannot be changed without the practice key).

A backup is made even when the audit trail does not verify (keeping the data matters more); it
then says so, in its output and in the manifest. Restore checks the trail in the backup against
its manifest's anchor and the seal; a trail that was already broken when the backup was made is
restored with that warning, anything else that does not match is refused.
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
from sqlalchemy import Engine, MetaData, create_engine, insert, inspect, select, text, update
from sqlalchemy.orm import Session

from gpdesk import __version__
from gpdesk.db import Database, current_revision, open_database
from gpdesk.errors import AuthError, GpdeskError
from gpdesk.models import AuditEntry, Base, Practice, User, utcnow
from gpdesk.security import audit
from gpdesk.security.accounts import SignedIn, normalise_username
from gpdesk.security.check import check_session
from gpdesk.security.crypto import (
    DecryptionError,
    KdfParams,
    Vault,
    parse_recovery_key,
    recovery_kek,
    unwrap_key,
    verify_password,
    wrap_context,
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
    warnings: tuple[str, ...] = ()
    """Dutch sentences the user must see (e.g. the audit trail was not in order)."""
    audit_entries: int = 0
    audit_hash: str = audit.GENESIS
    """The anchor: entries in the audit trail and the last one's hash (in the manifest)."""
    check: str = ""
    """What ``gpdesk check`` found when the backup was made (one Dutch line; "" before it)."""


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
            object_type="backup", detail=f"{info.rows} regels", vault=signed.vault,
        )  # fmt: skip
    return info


def _trail_warning(problem: str) -> str:
    return (
        f"Het logboek is niet in orde ({problem}). De back-up is toch gemaakt, zodat er geen "
        "gegevens verloren gaan; het manifest vermeldt het. Meld dit bij de praktijkmanager."
    )


def _check_warning(problems: int) -> str:
    word = "probleem" if problems == 1 else "problemen"
    return (
        f"De controle van de database vond {problems} {word} buiten het logboek (gegevens, "
        "accounts of rechten die buiten gpdesk om zijn gewijzigd). De back-up is toch gemaakt; "
        "het manifest vermeldt het. Bekijk de details met 'gpdesk check' en meld dit bij de "
        "praktijkmanager."
    )


def checked_when_made(header: dict[str, Any]) -> str:
    """The manifest's check outcome as one Dutch line (older backups carry none)."""
    made = header.get("check")
    if made is None:
        return ""
    if made["ok"]:
        return "Bij het maken van deze back-up was de database in orde."
    word = "probleem" if made["problems"] == 1 else "problemen"
    return (
        f"Bij het maken van deze back-up was de database NIET in orde ({made['problems']} {word})."
    )


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
        with spool_path.open("rb") as spool:
            trail = _spooled_trail(spool, key=audit.seal_key(signed.vault))
        with Session(engine) as session:
            report = check_session(session, signed.vault)
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
            "audit": trail.manifest(),
            "check": report.manifest(),
        }
        _encrypt_to(partial, header, spool_path, signed.vault)
    finally:
        spool_path.unlink(missing_ok=True)
    warnings = [] if trail.result.ok else [_trail_warning(trail.problem)]
    beyond_trail = sum(len(s.findings) for s in report.sections if s.key != "logboek")
    if beyond_trail:
        warnings.append(_check_warning(beyond_trail))
    return BackupInfo(
        path=target, created_at=created_at, practice=practice_name,
        schema_revision=str(header["schema_revision"]), rows=sum(counts.values()), bytes=total,
        warnings=tuple(warnings), audit_entries=trail.entries, audit_hash=trail.last_hash,
        check=report.headline(),
    )  # fmt: skip


def _encrypt_to(partial: Path, header: dict[str, Any], spool_path: Path, vault: Vault) -> None:
    """Write the file: header, then the spooled rows in chunks bound to it (see the docstring)."""
    header_bytes = json.dumps(header, sort_keys=True).encode()
    header_digest = hashlib.sha256(header_bytes).digest()
    aead = AESGCM(_backup_key(vault))
    prefix = _unb64(header["nonce_prefix"])
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
    optional = (("audit", _audit_manifest_well_formed), ("check", _check_manifest_well_formed))
    if any(name in header and not well_formed(header[name]) for name, well_formed in optional):
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


def _audit_manifest_well_formed(manifest: Any) -> bool:
    """The anchor of a backup made since seals exist (older backups have none)."""
    if not isinstance(manifest, dict):
        return False
    entries, digest = manifest.get("entries"), manifest.get("hash")
    if type(entries) is not int or entries < 0:
        return False
    if not isinstance(digest, str) or len(digest) != 64:
        return False
    return isinstance(manifest.get("ok"), bool) and isinstance(manifest.get("problem"), str)


def _check_manifest_well_formed(manifest: Any) -> bool:
    """The check's outcome, in backups made since ``gpdesk check`` exists."""
    if not isinstance(manifest, dict) or not isinstance(manifest.get("ok"), bool):
        return False
    problems = manifest.get("problems")
    return type(problems) is int and problems >= 0 and isinstance(manifest.get("sections"), dict)


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
    return Vault(unwrap_key(_unb64(entry["wrapped_key"]), kek, wrap_context(name, params)))


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
            # An older backup's schema lacks the newer tables; they are made empty later.
            present = set(inspect(conn).get_table_names())
            for table in metadata.sorted_tables:
                pk = list(table.primary_key.columns)
                if table.name in present and len(pk) == 1 and pk[0].type.python_type is int:
                    name, column = table.name, pk[0].name
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "
                            f"COALESCE((SELECT max({column}) FROM {name}), 1))"
                        )
                    )
    return count


@dataclass(frozen=True)
class SpooledTrail:
    """The audit trail found in a backup's rows: the full check, and its anchor."""

    result: audit.Verification
    entries: int
    last_hash: str

    @property
    def problem(self) -> str:
        """What is wrong, in Dutch ("regel 3: de inhoud is gewijzigd"); empty when in order."""
        if self.result.ok:
            return ""
        where = f"regel {self.result.broken_seq}: " if self.result.broken_seq is not None else ""
        return f"{where}{self.result.reason}"

    def manifest(self) -> dict[str, Any]:
        """The anchor as the manifest carries it."""
        return {
            "entries": self.entries,
            "hash": self.last_hash,
            "ok": self.result.ok,
            "problem": self.problem,
        }


_ROW_PREFIX = b'{"t":"'


def _table_of(line: bytes) -> bytes:
    """The table name of one spooled row, without parsing the whole line."""
    return line[len(_ROW_PREFIX) : line.index(b'"', len(_ROW_PREFIX))]


def _spooled_head(row: dict[str, Any]) -> audit.HeadState:
    fields = {k: _decode(v) for k, v in row.items() if k != "id"}
    if "pre_seal_entries" not in fields:
        # A backup from before seals: migrating it marks its entries as such.
        fields["pre_seal_entries"] = fields["seq"]
    return audit.HeadState(**fields)


def _spooled_trail(
    spool: IO[bytes], *, key: bytes | None, anchor: audit.Anchor | None = None
) -> SpooledTrail:
    """Check the audit trail among spooled rows, streaming: years of entries stay on disk."""
    spool.seek(0)
    head: audit.HeadState | None = None
    has_practice = False
    for line in spool:
        table = _table_of(line)
        if table == b"audit_head":
            head = _spooled_head(json.loads(line)["r"])
        elif table in (b"practice", b"user_account"):
            has_practice = True
    rows = _TrailRows(spool)
    entries = iter(rows)
    result = audit.check_trail(entries, head, practice_exists=has_practice, key=key, anchor=anchor)
    for _rest in entries:  # a broken chain ends the check early; the anchor counts every row
        pass
    return SpooledTrail(result, entries=rows.count, last_hash=rows.last_hash)


class _TrailRows:
    """The spooled audit entries in order, counting them and keeping the last hash."""

    def __init__(self, spool: IO[bytes]) -> None:
        self.spool = spool
        self.count = 0
        self.last_hash = audit.GENESIS

    def __iter__(self) -> Iterator[audit.AuditRecord]:
        self.spool.seek(0)
        for line in self.spool:
            if _table_of(line) == b"audit_entry":
                row = {k: _decode(v) for k, v in json.loads(line)["r"].items()}
                self.count += 1
                self.last_hash = row["hash"]
                yield audit.AuditRecord(**row)


def _check_spooled_audit(spool: IO[bytes], header: dict[str, Any], vault: Vault) -> list[str]:
    """The trail in the backup against the seal and the manifest's anchor; warnings to show."""
    manifest = header.get("audit")
    anchor = None
    if manifest is not None and manifest["ok"]:
        made = datetime.fromisoformat(header["created_at"])
        anchor = audit.Anchor(
            manifest["entries"], manifest["hash"], noted=f"back-up van {made:%d-%m-%Y}"
        )
    trail = _spooled_trail(spool, key=audit.seal_key(vault), anchor=anchor)
    if trail.result.ok:
        return []
    if (
        manifest is not None
        and not manifest["ok"]
        and (trail.entries, trail.last_hash) == (manifest["entries"], manifest["hash"])
    ):
        return [
            f"Het logboek was al niet in orde toen deze back-up werd gemaakt ({trail.problem}). "
            "De gegevens zijn teruggezet; meld dit bij de praktijkmanager."
        ]
    raise BackupError(
        f"Het logboek in de back-up is niet in orde ({trail.problem}).",
        hint="Deze back-up is na het maken gewijzigd; gebruik een andere.",
    )


def _compare_with_anchor(session: Session, anchor: audit.Anchor) -> str | None:
    """A warning when the restored trail does not reach what this home saw before."""
    seen = session.scalar(select(AuditEntry.hash).where(AuditEntry.seq == anchor.seq))
    if seen == anchor.hash:
        return None
    return (
        f"Het teruggezette logboek komt niet overeen met wat deze gpdesk-map eerder zag "
        f"(anker: regel {anchor.seq}). Is dit een oudere back-up, dan ontbreken de regels "
        "daarna; is dat niet zo, meld dit dan bij de praktijkmanager."
    )


def restore_backup(
    source_path: Path,
    database_url: str,
    *,
    username: str | None = None,
    password: str | None = None,
    recovery_key: str | None = None,
    workdir: Path,
    anchor: audit.Anchor | None = None,
) -> BackupInfo:
    """Restore into an empty database after checking key, checksum and audit trail.

    ``anchor`` is the last tip the target's gpdesk home noted for this database, if any: a
    restored trail that does not reach it is reported (an older backup), not refused.
    """
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
        warnings = _check_spooled_audit(spool, header, vault)

        db = open_database(database_url, migrate_schema=False)
        try:
            with db.engine.connect() as conn:
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
                if anchor is not None and (note := _compare_with_anchor(session, anchor)):
                    warnings.append(note)
                audit.record(
                    session, event="backup.restore", action=audit.Action.CREATE,
                    username=username or "herstelsleutel", object_type="backup",
                    detail=f"gemaakt op {header['created_at']}", vault=vault,
                )  # fmt: skip
                head = audit.read_head(session)
        finally:
            db.dispose()
    return BackupInfo(
        path=source_path, created_at=header["created_at"], practice=header["practice"],
        schema_revision=header["schema_revision"], rows=rows, bytes=header["payload_bytes"],
        warnings=tuple(warnings), audit_entries=0 if head is None else head.seq,
        audit_hash=audit.GENESIS if head is None else head.hash,
        check=checked_when_made(header),
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
