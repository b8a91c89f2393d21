"""``gpdesk check``: the whole integrity check from the terminal (exit 0 in order, 1 problems)."""

from __future__ import annotations

import argparse

from gpdesk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    fail,
    practice_db,
    practice_home,
    signed_in,
)
from gpdesk.errors import AuthError


def register(sub: Subparsers) -> None:
    """Add ``check``."""
    p_check = sub.add_parser(
        "check",
        help="controleer of de database buiten gpdesk om is gewijzigd",
        description=(
            "Opent elk versleuteld gegeven op zijn plaats en controleert accounts, rechten, "
            "de minimale sleutelkosten en het logboek met zijn anker. Uitkomst 0: in orde; "
            "1: problemen gevonden (per probleem tabel en record); 2: verkeerd gebruik of "
            "aanmelden mislukt."
        ),
    )
    add_user_option(p_check)
    add_common(p_check)
    add_json(p_check)
    p_check.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace) -> int:
    """Sign in, check, print the report; an intact database moves this home's anchor up."""
    from gpdesk.security import anchor
    from gpdesk.security.check import check_database
    from gpdesk.security.permissions import PermissionDeniedError

    home = practice_home(args)
    db = practice_db(args)
    try:
        try:
            signed = signed_in(args, db)
        except (AuthError, PermissionDeniedError) as exc:
            return fail(exc.user_text(), EXIT_USAGE)
        known = anchor.load(home.path, db.url)
        try:
            report = check_database(db, signed, anchor=known)
        except PermissionDeniedError as exc:
            return fail(exc.user_text(), EXIT_USAGE)
        if report.ok:
            anchor.note_sealed_tip(db, home.path, signed.vault)
    finally:
        db.dispose()
    emit(args, report.to_json(), report.text())
    return EXIT_OK if report.ok else EXIT_ERROR
