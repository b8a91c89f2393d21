"""What every command shares: Dutch argument errors, home/database options, sign-in, output."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


# argparse's own texts (Python 3.11 to 3.13), in the words a beheerder reads at the terminal.
ARGPARSE_DUTCH = {
    "usage: ": "gebruik: ",
    "positional arguments": "argumenten",
    "options": "opties",
    "optional arguments": "opties",
    "subcommands": "opdrachten",
    "show this help message and exit": "deze hulp tonen en stoppen",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "dit ontbreekt nog: %s",
    "one of the arguments %s is required": "kies een van %s",
    "not allowed with argument %s": "kan niet samen met %s",
    "unrecognized arguments: %s": "niet herkend: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "kies uit %(choices)s, niet %(value)r",
    "invalid choice: %(value)r, choose from %(choices)s": "kies uit %(choices)s, niet %(value)r",
    "invalid %(type)s value: %(value)r": "%(value)r is geen geldige waarde",
    "expected one argument": "hier hoort een waarde bij",
    "expected at most one argument": "hier hoort hooguit één waarde bij",
    "expected at least one argument": "hier hoort minstens één waarde bij",
    "ignored explicit argument %r": "%r hoort hier niet bij",
    "ambiguous option: %(option)s could match %(matches)s": (
        "%(option)s is niet duidelijk: bedoelt u %(matches)s?"
    ),
    "unexpected option string: %s": "onverwachte optie: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "onbekende opdracht %(parser_name)r (kies uit %(choices)s)"
    ),
}
ARGPARSE_DUTCH_PLURAL = {
    "expected %s argument": ("hier hoort %s waarde bij", "hier horen %s waarden bij")
}


def _argparse_dutch(message: str) -> str:
    return ARGPARSE_DUTCH.get(message, message)


def _argparse_dutch_plural(singular: str, plural: str, n: int) -> str:
    forms = ARGPARSE_DUTCH_PLURAL.get(singular, (singular, plural))
    return forms[0] if n == 1 else forms[1]


@contextmanager
def _dutch_argparse() -> Iterator[None]:
    """Swap argparse's texts to Dutch while one of our parsers works.

    argparse looks its texts up through its module's ``_`` and ``ngettext``, which are gettext's
    default domain (shared with the whole process, so no catalogue can target argparse alone).
    """
    names = vars(argparse)
    saved = names["_"], names["ngettext"]
    names["_"], names["ngettext"] = _argparse_dutch, _argparse_dutch_plural
    try:
        yield
    finally:
        names["_"], names["ngettext"] = saved


class DutchParser(argparse.ArgumentParser):
    """argparse in Dutch (help, usage and errors) with gpdesk's exit code for bad input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        with _dutch_argparse():
            super().__init__(*args, **kwargs)

    def add_argument(self, *args: Any, **kwargs: Any) -> argparse.Action:
        """``--version`` gets a Dutch help text too (argparse's is not translatable)."""
        if kwargs.get("action") == "version":
            kwargs.setdefault("help", "versienummer tonen en stoppen")
        return super().add_argument(*args, **kwargs)

    def add_subparsers(self, **kwargs: Any) -> Any:
        """Commands show as OPDRACHT in usage lines and errors, not as an English field name."""
        kwargs.setdefault("metavar", "OPDRACHT")
        with _dutch_argparse():
            return super().add_subparsers(**kwargs)

    # The texts argparse looks up while it parses, formats or reports are swapped to Dutch
    # for the duration of each of these calls (see _dutch_argparse).

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:
        """Parse; argparse's messages (errors, help) come out in Dutch."""
        with _dutch_argparse():
            return super().parse_known_args(*args, **kwargs)

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:
        """Parse; "niet herkend: ..." too (argparse reports that after parse_known_args)."""
        with _dutch_argparse():
            return super().parse_args(*args, **kwargs)

    def format_usage(self) -> str:
        """The usage line, starting with "gebruik:"."""
        with _dutch_argparse():
            return super().format_usage()

    def format_help(self) -> str:
        """The help text with Dutch headings."""
        with _dutch_argparse():
            return super().format_help()

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
    """The home directory for this command, created and checked (set-up, restore, the window)."""
    return resolve_home(args.home).ensure()


def practice_home(args: argparse.Namespace) -> Home:
    """The home of a command on an existing practice: checked, but a missing one stays missing."""
    return resolve_home(args.home).check()


def practice_db(args: argparse.Namespace) -> Database:
    """The practice's database, opened and migrated.

    With no practice there (a typo in --home, an empty database) this says so before anyone
    signs in, and creates nothing: no folder, no database file, no tables.
    """
    from gpdesk.practice.setup import open_practice

    home = practice_home(args)
    return open_practice(home, resolve_database_url(home, args.database_url))


def new_practice_db(args: argparse.Namespace, home: Home) -> Database:
    """The database a new practice goes in (``init``, ``demo``), created when needed.

    Refused when the home shows a practice whose database is lost: a new one is not set up
    over it.
    """
    from gpdesk.db import open_database
    from gpdesk.practice.setup import PracticePresence, find_practice, missing_practice

    url = resolve_database_url(home, args.database_url)
    presence = find_practice(home, url)
    if presence is PracticePresence.LOST:
        raise missing_practice(home, url, presence)
    return open_database(url)


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
        "--user",
        required=True,
        metavar="NAAM",
        help="uw gebruikersnaam (wachtwoord: vraag of GPDESK_PASSWORD)",
    )


def signed_in(args: argparse.Namespace, db: Database) -> SignedIn:
    """Sign in as ``--user`` the same way for every command; a forced change comes first."""
    from gpdesk.errors import AuthError
    from gpdesk.security.accounts import sign_in
    from gpdesk.security.anchor import note_sealed_tip

    signed = sign_in(db, args.user, read_password())
    note_sealed_tip(db, practice_home(args).path, signed.vault)
    if signed.actor.must_change_password:
        raise AuthError(
            "U moet eerst uw wachtwoord wijzigen.",
            hint=f"Gebruik: gpdesk user passwd --user {signed.actor.username}",
        )
    return signed
