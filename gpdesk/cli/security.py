"""Accounts and the audit trail: ``gpdesk user …`` and ``gpdesk audit …``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TextIO

from gpdesk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    DutchParser,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    fail,
    practice_db,
    practice_home,
    read_password,
    signed_in,
)
from gpdesk.errors import ValidationError
from gpdesk.roles import Role

ENV_NEW_PASSWORD = "GPDESK_NEW_PASSWORD"  # noqa: S105 - variable name
ENV_RECOVERY_KEY = "GPDESK_RECOVERY_KEY"


def register(sub: Subparsers) -> None:
    """Add ``user`` and ``audit`` commands."""
    p_user = sub.add_parser("user", help="gebruikers beheren")
    users = p_user.add_subparsers(dest="user_command", parser_class=DutchParser)
    p_user.set_defaults(func=lambda _a: fail("kies een opdracht: gpdesk user add|disable|…", 2))

    p_add = users.add_parser("add", help="gebruiker toevoegen (eenmalig wachtwoord)")
    p_add.add_argument("name", metavar="GEBRUIKERSNAAM")
    p_add.add_argument(
        "--role",
        required=True,
        metavar="ROL",
        help="huisarts, doktersassistent, POH-GGZ of praktijkmanager",
    )
    p_add.add_argument("--naam", help="volledige naam, bijv. 'H. Bakker'")
    p_add.set_defaults(func=cmd_user_add)
    for name, text, func in (
        ("disable", "gebruiker uitschakelen", cmd_user_disable),
        ("enable", "gebruiker weer inschakelen", cmd_user_enable),
        ("reset", "nieuw eenmalig wachtwoord geven", cmd_user_reset),
    ):
        p = users.add_parser(name, help=text)
        p.add_argument("name", metavar="GEBRUIKERSNAAM")
        p.set_defaults(func=func)
        add_user_option(p)
        add_common(p)
        add_json(p)
    add_user_option(p_add)
    add_common(p_add)
    add_json(p_add)

    p_list = users.add_parser("list", help="gebruikers tonen")
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_user_list)

    p_passwd = users.add_parser(
        "passwd", help=f"eigen wachtwoord wijzigen (nieuw: vraag of {ENV_NEW_PASSWORD})"
    )
    add_user_option(p_passwd)
    add_common(p_passwd)
    p_passwd.set_defaults(func=cmd_user_passwd)

    p_recover = users.add_parser(
        "recover", help=f"toegang herstellen met de herstelsleutel ({ENV_RECOVERY_KEY})"
    )
    p_recover.add_argument("name", metavar="GEBRUIKERSNAAM")
    add_common(p_recover)
    p_recover.set_defaults(func=cmd_user_recover)

    p_audit = sub.add_parser("audit", help="logboek (NEN 7513)")
    audits = p_audit.add_subparsers(dest="audit_command", parser_class=DutchParser)
    p_audit.set_defaults(func=lambda _a: fail("kies een opdracht: gpdesk audit verify|export", 2))
    p_verify = audits.add_parser("verify", help="controleer of het logboek ongeschonden is")
    p_verify.add_argument(
        "--user",
        metavar="NAAM",
        help="aanmelden om ook het zegel te controleren (wachtwoord: vraag of GPDESK_PASSWORD)",
    )
    add_common(p_verify)
    add_json(p_verify)
    p_verify.set_defaults(func=cmd_audit_verify)
    p_export = audits.add_parser("export", help="logboek exporteren")
    p_export.add_argument("--from", dest="since", metavar="DATUM", help="vanaf (JJJJ-MM-DD)")
    p_export.add_argument("--to", dest="until", metavar="DATUM", help="tot en met (JJJJ-MM-DD)")
    p_export.add_argument("--format", choices=("csv", "json"), default="csv")
    p_export.add_argument("--output", metavar="BESTAND", help="bestand (standaard: scherm)")
    add_user_option(p_export)
    add_common(p_export)
    p_export.set_defaults(func=cmd_audit_export)


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError:
        raise ValidationError(
            {"rol": "Onbekende rol. Kies huisarts, doktersassistent, POH-GGZ of praktijkmanager."}
        ) from None


def cmd_user_add(args: argparse.Namespace) -> int:
    """Add an account; the one-time password is shown once, to hand over in person."""
    from gpdesk.security.users import add_user

    role = _role(args.role)
    db = practice_db(args)
    try:
        actor, password = add_user(
            db,
            signed_in(args, db),
            username=args.name,
            display_name=args.naam or args.name,
            role=role,
        )
    finally:
        db.dispose()
    emit(
        args,
        {"user": actor.username, "role": actor.role.value, "one_time_password": password},
        f"Gebruiker '{actor.username}' ({actor.role.label}) is toegevoegd.\n"
        f"Eenmalig wachtwoord: {password}\n"
        "Geef dit persoonlijk door; bij de eerste aanmelding kiest de gebruiker een eigen "
        "wachtwoord.",
    )
    return EXIT_OK


def _set_active(args: argparse.Namespace, *, active: bool) -> int:
    from gpdesk.security.users import set_active

    db = practice_db(args)
    try:
        set_active(db, signed_in(args, db), args.name, active=active)
    finally:
        db.dispose()
    state = "ingeschakeld" if active else "uitgeschakeld"
    emit(args, {"user": args.name, "active": active}, f"Gebruiker '{args.name}' is {state}.")
    return EXIT_OK


def cmd_user_disable(args: argparse.Namespace) -> int:
    """Disable an account (kept for the audit trail, cannot sign in)."""
    return _set_active(args, active=False)


def cmd_user_enable(args: argparse.Namespace) -> int:
    """Re-enable an account."""
    return _set_active(args, active=True)


def cmd_user_reset(args: argparse.Namespace) -> int:
    """Give a user a new one-time password."""
    from gpdesk.security.users import reset_password

    db = practice_db(args)
    try:
        password = reset_password(db, signed_in(args, db), args.name)
    finally:
        db.dispose()
    emit(
        args,
        {"user": args.name, "one_time_password": password},
        f"Nieuw eenmalig wachtwoord voor '{args.name}': {password}",
    )
    return EXIT_OK


def cmd_user_list(args: argparse.Namespace) -> int:
    """List accounts (needs the right to manage users)."""
    from gpdesk.security.permissions import Permission, require
    from gpdesk.security.users import list_users

    db = practice_db(args)
    try:
        require(signed_in(args, db).actor.permissions, Permission.USERS_MANAGE)
        with db.session() as session:
            rows = list_users(session)
    finally:
        db.dispose()
    data = [
        {"user": r.username, "name": r.display_name, "role": r.role.value, "active": r.active}
        for r in rows
    ]
    text = "\n".join(
        f"{r.username:<12} {r.display_name:<24} {r.role.label:<17} "
        f"{'actief' if r.active else 'uitgeschakeld'}"
        for r in rows
    )
    emit(args, data, text)
    return EXIT_OK


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Change your own password (also after a one-time password)."""
    from gpdesk.security.accounts import change_password

    old = read_password(prompt="Huidig wachtwoord: ")
    new = read_password(confirm=True, variable=ENV_NEW_PASSWORD, prompt="Nieuw wachtwoord: ")
    db = practice_db(args)
    try:
        change_password(db, args.user, old, new)
    finally:
        db.dispose()
    sys.stdout.write("Uw wachtwoord is gewijzigd.\n")
    return EXIT_OK


def cmd_user_recover(args: argparse.Namespace) -> int:
    """Recovery key → new password for one user, when every password is lost."""
    from gpdesk.security.users import recover_access

    key = read_password(variable=ENV_RECOVERY_KEY, prompt="Herstelsleutel: ")
    new = read_password(confirm=True, variable=ENV_NEW_PASSWORD, prompt="Nieuw wachtwoord: ")
    db = practice_db(args)
    try:
        recover_access(db, args.name, key, new)
    finally:
        db.dispose()
    sys.stdout.write(f"'{args.name}' kan weer aanmelden met het nieuwe wachtwoord.\n")
    return EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the trail is intact, 1 naming what is wrong; says which checks it did.

    Without ``--user`` the chain, its beginning, its seal's place and this home's anchor are
    checked; with it (a sign-in) also the seal itself, which needs the practice key. A trail in
    order moves this home's anchor up to its tip.
    """
    from gpdesk.security import anchor
    from gpdesk.security.audit import verify

    home = practice_home(args)
    db = practice_db(args)
    try:
        vault = signed_in(args, db).vault if args.user else None
        known = anchor.load(home.path, db.url)
        with db.session() as session:
            result = verify(session, vault=vault, anchor=known)
        if result.ok:
            # An unwritable home does not change the outcome of the check.
            with suppress(OSError):
                anchor.remember(home.path, db.url, result.tip_seq, result.tip_hash)
    finally:
        db.dispose()
    data: dict[str, object] = {
        "ok": result.ok,
        "entries": result.checked,
        "chain": result.chain,
        "key": result.key,
        "anchor": result.anchor,
        "tip": {"entries": result.tip_seq, "hash": result.tip_hash},
    }
    lines = [result.headline(), result.checks_line()]
    if result.ok:
        lines.append(result.tip_line())
    else:
        data |= {"broken_seq": result.broken_seq, "reason": result.reason}
    emit(args, data, "\n".join(lines))
    return EXIT_OK if result.ok else EXIT_ERROR


def _day(text: str | None, field: str, *, end: bool) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: "Gebruik een datum als JJJJ-MM-DD."}) from None
    return datetime.combine(day, time.max if end else time.min, tzinfo=UTC)


@contextmanager
def _output(path: str | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    target = Path(path)
    partial = target.with_name(target.name + ".part")
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def cmd_audit_export(args: argparse.Namespace) -> int:
    """Export a period of the audit trail; the export itself is logged."""
    from gpdesk.security import audit
    from gpdesk.security.permissions import Permission, require

    since = _day(args.since, "van", end=False)
    until = _day(args.until, "tot", end=True)
    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        require(signed.actor.permissions, Permission.AUDIT_READ)
        with db.session() as session:
            audit.record(
                session, event="audit.export", action=audit.Action.EXPORT, actor=signed.actor,
                detail=f"{args.since or 'begin'} t/m {args.until or 'nu'} ({args.format})",
                vault=signed.vault,
            )  # fmt: skip
        with db.session() as session, _output(args.output) as out:
            rows = audit.export_rows(audit.iter_records(session, since=since, until=until))
            if args.format == "csv":
                for chunk in audit.to_csv(rows):
                    out.write(chunk)
            else:
                out.write("[\n")
                for i, row in enumerate(rows):
                    out.write(("," if i else "") + json.dumps(row, ensure_ascii=False) + "\n")
                out.write("]\n")
    except OSError:
        return fail(
            "fout: het exportbestand kan niet worden geschreven. Controleer map en schijfruimte."
        )
    finally:
        db.dispose()
    return EXIT_OK
