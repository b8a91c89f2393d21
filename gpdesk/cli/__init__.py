"""The one entry point: ``gpdesk`` starts the program, ``gpdesk <command>`` works headless.

Start-up speed matters (the GP waits for the window), so heavy modules such as SQLAlchemy and
the Qt widget modules are imported inside the commands that need them, never at module level
here. Each domain adds its commands in its own module through ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from gpdesk import __version__
from gpdesk.cli import (
    backup,
    check,
    consent,
    inbox,
    kaart,
    outbox,
    patient,
    practice,
    security,
    selftest,
    signal,
    transport,
)
from gpdesk.cli.common import EXIT_USAGE, DutchParser, add_common, fail
from gpdesk.config import resolve_home
from gpdesk.errors import AccountBlockedError, GpdeskError, ValidationError

COMMAND_MODULES = (
    practice,
    patient,
    kaart,
    security,
    backup,
    check,
    transport,
    signal,
    outbox,
    consent,
    inbox,
    selftest,
)


def build_parser() -> argparse.ArgumentParser:
    """All commands and options; the Dutch help is what a beheerder reads."""
    parser = DutchParser(
        prog="gpdesk",
        description="gpdesk: signaleren aan het wijkteam, sociale kaart en terugkoppeling.",
    )
    parser.add_argument("--version", action="version", version=f"gpdesk {__version__}")
    add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=DutchParser)
    for module in COMMAND_MODULES:
        module.register(sub)
    parser.set_defaults(func=patient.cmd_gui)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; user errors become one Dutch line and a non-zero exit, never a traceback."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    url = next((a for a in arguments if a.lower().startswith("gpdesk:")), None)
    if url is not None:
        arguments.remove(url)
    args = build_parser().parse_args(arguments)
    _quiet_technical_logs()
    try:
        if url is not None:
            return patient.cmd_url(args, url)
        code: int = args.func(args)
        return code
    except ValidationError as exc:
        return fail(f"ongeldige invoer: {exc.user_text()}", EXIT_USAGE)
    except AccountBlockedError as exc:  # a sign-in error (#14): 2, as ``gpdesk check`` will use
        return fail(f"fout: {exc.user_text()}", EXIT_USAGE)
    except GpdeskError as exc:
        return fail(f"fout: {exc.user_text()}")
    except KeyboardInterrupt:
        return fail("afgebroken.", 130)
    except Exception as exc:
        return _unexpected(args, exc)


def _quiet_technical_logs() -> None:
    """A command speaks for itself in Dutch; its technical log lines stay off the terminal.

    Without a handler, Python prints warnings (e.g. "audit anchor not written") to stderr, which
    breaks the one-line answer scripts rely on. A command creates no log folder (a folder
    without a practice must stay untouched), so its log lines have nowhere else to go.
    """
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.NullHandler())


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
    return fail(
        "onverwachte fout; er is niets verloren gegaan. Probeer het opnieuw of neem contact op "
        f"met de beheerder.{where}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
