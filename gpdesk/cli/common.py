"""What every command shares: Dutch argument errors, home/database options, sign-in, output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from gpdesk.config import Home, resolve_database_url, resolve_home
from gpdesk.errors import ValidationError

if TYPE_CHECKING:
    from gpdesk.db import Database
    from gpdesk.security.accounts import SignedIn

ENV_PASSWORD = "GPDESK_PASSWORD"  # noqa: S105 - the name of the variable, not a secret

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    Subparsers = argparse._SubParsersAction


class DutchParser(argparse.ArgumentParser):
    """argparse with Dutch usage errors and gpdesk's exit code for bad input."""

    def error(self, message: str) -> Any:
        """Print usage and a Dutch one-liner; exit 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"gpdesk: ongeldige invoer: {message}\n")


def add_common(parser: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--home`` and ``--database-url``, accepted before and after the command name."""
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


def add_json(parser: argparse.ArgumentParser) -> None:
    """``--json``: machine-readable output for scripts."""
    parser.add_argument("--json", action="store_true", help="uitvoer als JSON")


def fail(message: str, code: int = EXIT_ERROR) -> int:
    """One line on stderr and the exit code; never a traceback."""
    sys.stderr.write(f"gpdesk: {message}\n")
    return code


def home_of(args: argparse.Namespace) -> Home:
    """The home directory for this command, created and checked."""
    return resolve_home(args.home).ensure()


def open_db(args: argparse.Namespace, home: Home) -> Database:
    """Open and migrate the database this command works on."""
    from gpdesk.db import open_database

    return open_database(resolve_database_url(home, args.database_url))


def read_password(
    *, confirm: bool = False, variable: str = ENV_PASSWORD, prompt: str = "Wachtwoord: "
) -> str:
    """From an environment variable (scripted installs, tests) or asked at the terminal."""
    if os.environ.get(variable):
        return os.environ[variable]
    if not sys.stdin.isatty():
        raise ValidationError(
            {"wachtwoord": f"Geen wachtwoord: typ het in een terminal of zet {variable}."}
        )
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Nogmaals: ") != first:
        raise ValidationError({"wachtwoord": "De twee wachtwoorden zijn niet gelijk."})
    return first


def emit(args: argparse.Namespace, data: Any, text: str) -> None:
    """Print ``data`` as JSON with ``--json``, else the Dutch text."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text + "\n")


def add_user_option(parser: argparse.ArgumentParser) -> None:
    """``--user``: who signs in for a command that touches patient data or settings."""
    parser.add_argument(
        "--user", required=True, help="uw gebruikersnaam (wachtwoord: vraag of GPDESK_PASSWORD)"
    )


def signed_in(args: argparse.Namespace, db: Database) -> SignedIn:
    """Sign in as ``--user`` the same way for every command; a forced change comes first."""
    from gpdesk.errors import AuthError
    from gpdesk.security.accounts import sign_in

    signed = sign_in(db, args.user, read_password())
    if signed.actor.must_change_password:
        raise AuthError(
            "U moet eerst uw wachtwoord wijzigen.",
            hint=f"Gebruik: gpdesk user passwd --user {signed.actor.username}",
        )
    return signed
