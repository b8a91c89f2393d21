"""The one entry point: ``gpdesk`` starts the program, ``gpdesk <command>`` works headless.

Start-up speed matters (the GP waits for the window), so heavy modules such as SQLAlchemy and
QtWidgets are imported inside the commands that need them, never at the top of this file.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gpdesk import __version__
from gpdesk.config import Home, resolve_database_url, resolve_home
from gpdesk.errors import GpdeskError, PracticeError, ValidationError

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.patients.context import PatientContext

ENV_PASSWORD = "GPDESK_PASSWORD"  # noqa: S105 - the name of the variable, not a secret

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class _DutchParser(argparse.ArgumentParser):
    """argparse with Dutch usage errors and gpdesk's exit code for bad input."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"gpdesk: ongeldige invoer: {message}\n")


def _add_common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument(
        "--home", metavar="MAP", default=default, help="gpdesk-map (standaard: GPDESK_HOME)"
    )
    parser.add_argument(
        "--database-url",
        metavar="URL",
        default=default,
        help="database, bijv. postgresql+psycopg://gebruiker@server/gpdesk",
    )


def build_parser() -> argparse.ArgumentParser:
    """All commands and options; the Dutch help is what a beheerder reads."""
    parser = _DutchParser(
        prog="gpdesk",
        description="gpdesk: signaleren aan het wijkteam, sociale kaart en terugkoppeling.",
    )
    parser.add_argument("--version", action="version", version=f"gpdesk {__version__}")
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=_DutchParser)

    p_init = sub.add_parser("init", help="nieuwe praktijk opzetten met een praktijkmanager")
    _add_common(p_init, top=False)
    p_init.add_argument("--user", required=True, help="gebruikersnaam van de praktijkmanager")
    p_init.add_argument("--naam", help="naam van de praktijkmanager (standaard: gebruikersnaam)")
    p_init.add_argument("--praktijk", default="Huisartsenpraktijk", help="naam van de praktijk")
    p_init.add_argument("--json", action="store_true", help="uitvoer als JSON")

    p_demo = sub.add_parser("demo", help="demopraktijk aanmaken (fictieve gegevens)")
    _add_common(p_demo, top=False)
    p_demo.add_argument("--json", action="store_true", help="uitvoer als JSON")

    p_info = sub.add_parser("info", help="waar gpdesk zijn gegevens bewaart")
    _add_common(p_info, top=False)
    p_info.add_argument("--json", action="store_true", help="uitvoer als JSON")

    p_patient = sub.add_parser("patient", help="patiëntcontext vanuit het HIS")
    patient_sub = p_patient.add_subparsers(dest="patient_command", parser_class=_DutchParser)
    p_open = patient_sub.add_parser("open", help="open een patiënt in het gpdesk-venster")
    _add_common(p_open, top=False)
    p_open.add_argument("--bsn", required=True)
    p_open.add_argument("--naam", required=True)
    p_open.add_argument("--geboortedatum", required=True, help="bijv. 1970-02-01 of 01-02-1970")
    p_open.add_argument("--postcode", required=True)
    p_open.add_argument("--telefoon")
    return parser


def _fail(message: str, code: int = EXIT_ERROR) -> int:
    sys.stderr.write(f"gpdesk: {message}\n")
    return code


def _home(args: argparse.Namespace) -> Home:
    return resolve_home(args.home).ensure()


def _open_db(args: argparse.Namespace, home: Home) -> Database:
    from gpdesk.db import open_database

    return open_database(resolve_database_url(home, args.database_url))


def _password(confirm: bool) -> str:
    """From GPDESK_PASSWORD (scripted installs, tests) or asked at the terminal."""
    if os.environ.get(ENV_PASSWORD):
        return os.environ[ENV_PASSWORD]
    if not sys.stdin.isatty():
        raise ValidationError(
            {"wachtwoord": f"Geen wachtwoord: typ het in een terminal of zet {ENV_PASSWORD}."}
        )
    first = getpass.getpass("Wachtwoord: ")
    if confirm and getpass.getpass("Nogmaals: ") != first:
        raise ValidationError({"wachtwoord": "De twee wachtwoorden zijn niet gelijk."})
    return first


def _emit(args: argparse.Namespace, data: dict[str, Any], text: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text + "\n")


def cmd_init(args: argparse.Namespace) -> int:
    """Set up an empty practice and show the recovery key once."""
    from gpdesk.practice.setup import init_practice
    from gpdesk.security.accounts import check_password_strength, normalise_username

    home = _home(args)
    username = normalise_username(args.user)
    password = _password(confirm=True)
    check_password_strength(password)
    db = _open_db(args, home)
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
    _emit(
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

    home = _home(args)
    db = _open_db(args, home)
    try:
        existing = load_practice(db)
        if existing is not None and not existing.is_demo:
            raise PracticeError(
                "Hier staat al een echte praktijk; de demo wordt daar niet overheen gezet.",
                hint="Kies een lege map met --home.",
            )
        if existing is None:
            create_demo(db)
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
    _emit(
        args,
        {"home": str(home.path), "status": status, "password": DEMO_PASSWORD, "users": users},
        "\n".join(lines),
    )
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    """Where gpdesk keeps things, for support calls; never prints patient data or passwords."""
    from gpdesk.config import redact_url
    from gpdesk.db import current_revision, head_revision
    from gpdesk.practice.setup import load_practice

    home = _home(args)
    url = resolve_database_url(home, args.database_url)
    db = _open_db(args, home)
    try:
        practice = load_practice(db)
        revision = current_revision(db.engine)
    finally:
        db.dispose()
    data = {
        "version": __version__,
        "home": str(home.path),
        "database": redact_url(url),
        "schema": revision,
        "schema_head": head_revision(),
        "practice": None if practice is None else practice.name,
    }
    _emit(args, data, "\n".join(f"{k}: {v}" for k, v in data.items()))
    return EXIT_OK


def _hand_over_or_start(args: argparse.Namespace, ctx: PatientContext) -> int:
    from gpdesk.handover import HandoverError, send_patient

    home = _home(args)
    try:
        if send_patient(home, ctx):
            return EXIT_OK
    except HandoverError as exc:
        return _fail(str(exc))
    return _start_gui(args, home, ctx)


def cmd_patient_open(args: argparse.Namespace) -> int:
    """Validate the HIS's patient and show it in the (running or new) gpdesk window."""
    from gpdesk.patients.context import PatientContext

    ctx = PatientContext.from_fields(
        {
            "bsn": args.bsn,
            "naam": args.naam,
            "geboortedatum": args.geboortedatum,
            "postcode": args.postcode,
            "telefoon": args.telefoon,
        }
    )
    return _hand_over_or_start(args, ctx)


def cmd_url(args: argparse.Namespace, url: str) -> int:
    """``gpdesk gpdesk://patient?...``: the URL form the HIS or the desktop hands us."""
    from gpdesk.patients.context import parse_patient_url

    return _hand_over_or_start(args, parse_patient_url(url))


def _start_gui(args: argparse.Namespace, home: Home, ctx: PatientContext | None = None) -> int:
    from gpdesk.ui.app import run_gui

    return run_gui(home, database_url=args.database_url, initial_patient=ctx)


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the window, or bring the running one forward."""
    from gpdesk.handover import send_activate

    home = _home(args)
    if send_activate(home):
        return EXIT_OK
    return _start_gui(args, home)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; user errors become one Dutch line and a non-zero exit, never a traceback."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    url = next((a for a in arguments if a.lower().startswith("gpdesk:")), None)
    if url is not None:
        arguments.remove(url)
    args = build_parser().parse_args(arguments)
    commands: dict[str | None, Callable[[argparse.Namespace], int]] = {
        "init": cmd_init,
        "demo": cmd_demo,
        "info": cmd_info,
        None: cmd_gui,
    }
    try:
        if url is not None:
            return cmd_url(args, url)
        if args.command == "patient":
            if args.patient_command != "open":
                return _fail("kies een opdracht: gpdesk patient open …", EXIT_USAGE)
            return cmd_patient_open(args)
        return commands[args.command](args)
    except ValidationError as exc:
        return _fail(f"ongeldige invoer: {exc.user_text()}", EXIT_USAGE)
    except GpdeskError as exc:
        return _fail(f"fout: {exc.user_text()}")
    except KeyboardInterrupt:
        return _fail("afgebroken.", 130)
    except Exception as exc:
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    from gpdesk.crash import write_crash_log

    try:
        crash_dir = resolve_home(args.home).crash_dir
    except GpdeskError:
        crash_dir = None
    path = (
        None if crash_dir is None else write_crash_log(crash_dir, type(exc), exc, exc.__traceback__)
    )
    where = f" Foutrapport (zonder patiëntgegevens): {path}" if path else ""
    return _fail(
        "onverwachte fout; er is niets verloren gegaan. Probeer het opnieuw of neem contact op "
        f"met de beheerder.{where}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
