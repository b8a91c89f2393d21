"""Practice commands: ``init``, ``demo``, ``letterhead``, ``info``."""

from __future__ import annotations

import argparse

from gpdesk import __version__
from gpdesk.cli.common import (
    EXIT_OK,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    home_of,
    new_practice_db,
    practice_db,
    practice_home,
    read_password,
    signed_in,
)
from gpdesk.config import resolve_database_url
from gpdesk.errors import PracticeError


def register(sub: Subparsers) -> None:
    """Add the practice commands."""
    p_init = sub.add_parser("init", help="nieuwe praktijk opzetten met een praktijkmanager")
    add_common(p_init)
    p_init.add_argument(
        "--user", required=True, metavar="NAAM", help="gebruikersnaam van de praktijkmanager"
    )
    p_init.add_argument("--naam", help="naam van de praktijkmanager (standaard: gebruikersnaam)")
    p_init.add_argument("--praktijk", default="Huisartsenpraktijk", help="naam van de praktijk")
    add_json(p_init)
    p_init.set_defaults(func=cmd_init)

    p_demo = sub.add_parser("demo", help="demopraktijk aanmaken (fictieve gegevens)")
    add_common(p_demo)
    add_json(p_demo)
    p_demo.set_defaults(func=cmd_demo)

    p_head = sub.add_parser(
        "letterhead",
        help="adres en telefoon van de praktijk op signalen en folders (zonder opties: tonen)",
    )
    add_common(p_head)
    add_user_option(p_head)
    p_head.add_argument(
        "--address",
        action="append",
        metavar="REGEL",
        help="een regel van het adres; herhaal voor elke regel (straat, postcode en plaats)",
    )
    p_head.add_argument("--phone", help="telefoonnummer van de praktijk")
    p_head.add_argument("--agb", help="AGB-code van de praktijk (8 cijfers; leeg: weghalen)")
    add_json(p_head)
    p_head.set_defaults(func=cmd_letterhead)

    p_info = sub.add_parser("info", help="waar gpdesk zijn gegevens bewaart")
    add_common(p_info)
    add_json(p_info)
    p_info.set_defaults(func=cmd_info)


def cmd_init(args: argparse.Namespace) -> int:
    """Set up an empty practice and show the recovery key once."""
    from gpdesk.practice.setup import init_practice
    from gpdesk.security.accounts import check_password_strength, normalise_username
    from gpdesk.security.passwords import own_words

    home = home_of(args)
    username = normalise_username(args.user)
    password = read_password(confirm=True)
    words = own_words(username=username, display_name=args.naam or "", practice_name=args.praktijk)
    check_password_strength(password, words)  # before anything is created on disk
    db = new_practice_db(args, home)
    try:
        created = init_practice(
            db,
            practice_name=args.praktijk,
            username=username,
            display_name=args.naam or username,
            password=password,
        )
    finally:
        db.dispose()
    emit(
        args,
        {
            "practice": created.practice.name,
            "user": created.manager.username,
            "role": created.manager.role.value,
            "recovery_key": created.recovery_key,
        },
        f"Praktijk '{created.practice.name}' is aangemaakt met praktijkmanager "
        f"'{created.manager.username}'.\n\n"
        f"HERSTELSLEUTEL (wordt maar één keer getoond):\n\n    {created.recovery_key}\n\n"
        "Print deze sleutel en bewaar hem op een veilige plek, gescheiden van deze computer.\n"
        "Zonder wachtwoord of herstelsleutel zijn de patiëntgegevens niet meer te lezen.",
    )
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Create the demo practice; running it again on a demo home is harmless."""
    from gpdesk.practice.demo import DEMO_PASSWORD, DEMO_USERS, create_demo
    from gpdesk.practice.setup import load_practice

    home = home_of(args)
    db = new_practice_db(args, home)
    try:
        existing = load_practice(db)
        if existing is not None and not existing.is_demo:
            raise PracticeError(
                "Hier staat al een echte praktijk; de demo wordt daar niet overheen gezet.",
                hint="Kies een lege map met --home.",
            )
        if existing is None:
            create_demo(db, home=home.path)
            status = "aangemaakt"
        else:
            status = "bestond al"
    finally:
        db.dispose()
    users = [
        {"username": u.username, "name": u.display_name, "role": u.role.label} for u in DEMO_USERS
    ]
    lines = [
        f"Demopraktijk {status} in {home.path}.",
        f"Aanmelden met (wachtwoord voor allen: {DEMO_PASSWORD}):",
    ]
    lines += [f"  {u['username']:<8} {u['name']} ({u['role']})" for u in users]
    emit(
        args,
        {"home": str(home.path), "status": status, "password": DEMO_PASSWORD, "users": users},
        "\n".join(lines),
    )
    return EXIT_OK


def cmd_letterhead(args: argparse.Namespace) -> int:
    """Show or set the letterhead; a signal cannot go out before it has address and phone."""
    from gpdesk.practice.letterhead import letterhead, set_letterhead

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            if args.address is None and args.phone is None and args.agb is None:
                head = letterhead(session)
            else:
                head = set_letterhead(
                    session,
                    signed.actor,
                    address_lines=args.address,
                    phone=args.phone,
                    agb_code=args.agb,
                )
    finally:
        db.dispose()
    lines = [head.name, *head.address_lines]
    lines.append(f"Telefoon: {head.phone or '(niet ingevuld)'}")
    if head.agb_code:
        lines.append(f"AGB-code: {head.agb_code}")
    if not head.complete:
        lines.append("Vul adres en telefoon in; zonder die gaat er geen signaal weg.")
    emit(args, head.as_json(), "\n".join(lines))
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Where gpdesk keeps things, for support calls; never prints patient data or passwords.

    Looks without creating: on a folder or database without a practice it says so.
    """
    from gpdesk.config import redact_url
    from gpdesk.db import current_revision, head_revision, open_database
    from gpdesk.practice.setup import PracticePresence, find_practice, load_practice

    home = practice_home(args)
    url = resolve_database_url(home, args.database_url)
    presence = find_practice(home, url)
    practice = revision = None
    if presence is PracticePresence.FOUND:
        db = open_database(url)
        try:
            found = load_practice(db)
            practice = None if found is None else found.name
            revision = current_revision(db.engine)
        finally:
            db.dispose()
    data: dict[str, str | None] = {
        "version": __version__,
        "home": str(home.path),
        "database": redact_url(url),
        "schema": revision,
        "schema_head": head_revision(),
        "practice": practice,
        "practice_state": presence.value,
    }
    emit(args, data, info_text(data))
    return EXIT_OK


def _no_practice_text(state: str | None) -> str:
    if state == "lost":
        return (
            "kwijt: de database ontbreekt of is leeg, terwijl hier wel een praktijk werd "
            "gebruikt (zet een back-up terug: gpdesk backup restore --help)"
        )
    return "nog geen (maak er een met gpdesk init of gpdesk demo)"


def info_text(data: dict[str, str | None]) -> str:
    """``gpdesk info`` for people: Dutch labels; the ``--json`` keys stay as they are (an API)."""
    schema, head = data["schema"] or "onbekend", data["schema_head"]
    rows = (
        ("Versie", f"gpdesk {data['version']}"),
        ("Gegevensmap", data["home"]),
        ("Database", data["database"]),
        (
            "Databaseschema",
            f"{schema} (nieuwste)" if schema == head else f"{schema} (nieuwste: {head})",
        ),
        ("Praktijk", data["practice"] or _no_practice_text(data.get("practice_state"))),
    )
    width = max(len(label) for label, _ in rows) + 2
    return "\n".join(f"{label + ':':<{width}}{value}" for label, value in rows)
