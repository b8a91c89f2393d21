"""``gpdesk backup create FILE`` and ``gpdesk backup restore FILE``."""

from __future__ import annotations

import argparse
import os
from contextlib import suppress
from pathlib import Path

from gpdesk.cli.common import (
    ENV_PASSWORD,
    EXIT_OK,
    DutchParser,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    fail,
    home_of,
    practice_db,
    practice_home,
    read_password,
    signed_in,
)
from gpdesk.cli.security import ENV_RECOVERY_KEY
from gpdesk.config import resolve_database_url


def register(sub: Subparsers) -> None:
    """Add the backup commands."""
    p_backup = sub.add_parser("backup", help="back-up maken en terugzetten")
    backups = p_backup.add_subparsers(dest="backup_command", parser_class=DutchParser)
    p_backup.set_defaults(
        func=lambda _a: fail("kies een opdracht: gpdesk backup create|restore", 2)
    )
    p_create = backups.add_parser("create", help="versleutelde back-up maken")
    p_create.add_argument("file", metavar="BESTAND")
    add_user_option(p_create)
    add_common(p_create)
    add_json(p_create)
    p_create.set_defaults(func=cmd_backup_create)
    p_restore = backups.add_parser(
        "restore",
        help="back-up terugzetten in een lege gpdesk-map "
        f"(aanmelden met --user en {ENV_PASSWORD}, of met {ENV_RECOVERY_KEY})",
    )
    p_restore.add_argument("file", metavar="BESTAND")
    p_restore.add_argument("--user", metavar="NAAM", help="gebruiker uit de back-up")
    add_common(p_restore)
    add_json(p_restore)
    p_restore.set_defaults(func=cmd_backup_restore)


def _report(args: argparse.Namespace, verb: str, info: object) -> None:
    from gpdesk.security.backup import BackupInfo

    assert isinstance(info, BackupInfo)
    text = (
        f"Back-up {verb}: {info.path}\n"
        f"Praktijk: {info.practice} · gemaakt op {info.created_at} · {info.rows} regels.\n"
        f"Logboek: {info.audit_entries} regels, laatste hash {info.audit_hash}"
    )
    if info.check:
        text += f"\n{info.check}"
    for warning in info.warnings:
        text += f"\nLet op: {warning}"
    emit(
        args,
        {
            "file": str(info.path),
            "practice": info.practice,
            "created_at": info.created_at,
            "schema": info.schema_revision,
            "rows": info.rows,
            "audit": {"entries": info.audit_entries, "hash": info.audit_hash},
            "check": info.check,
            "warnings": list(info.warnings),
        },
        text,
    )


def cmd_backup_create(args: argparse.Namespace) -> int:
    """A consistent, encrypted copy of everything, with manifest, checksum and the trail's anchor.

    Made even when the audit trail does not verify (the data matters more); it then warns.
    """
    from gpdesk.security.anchor import note_sealed_tip
    from gpdesk.security.backup import create_backup

    home = practice_home(args)
    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        info = create_backup(db, signed, Path(args.file))
        note_sealed_tip(db, home.path, signed.vault)
    finally:
        db.dispose()
    _report(args, "gemaakt", info)
    return EXIT_OK


def cmd_backup_restore(args: argparse.Namespace) -> int:
    """Restore into an empty home after checking key, checksum and audit trail.

    The restored trail is compared with the backup's anchor (refused when it does not match)
    and with this home's anchor (reported: an older backup lacks what came after it).
    """
    from gpdesk.security import anchor
    from gpdesk.security.backup import restore_backup

    home = home_of(args)
    recovery = os.environ.get(ENV_RECOVERY_KEY)
    if not recovery and not args.user:
        return fail(f"ongeldige invoer: geef --user (met wachtwoord) of zet {ENV_RECOVERY_KEY}.", 2)
    password = None if recovery else read_password()
    url = resolve_database_url(home, args.database_url)
    info = restore_backup(
        Path(args.file),
        url,
        username=args.user,
        password=password,
        recovery_key=recovery,
        workdir=home.path,
        anchor=anchor.load(home.path, url),
    )
    with suppress(OSError):  # the restore stands; the next sign-in notes the anchor
        anchor.remember(home.path, url, info.audit_entries, info.audit_hash, replace=True)
    _report(args, "teruggezet", info)
    return EXIT_OK
