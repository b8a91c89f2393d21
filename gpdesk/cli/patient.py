"""Patient context from the HIS, and starting the window: ``gpdesk``, ``patient open``, URLs."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from gpdesk.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    DutchParser,
    Subparsers,
    add_common,
    fail,
    home_of,
)
from gpdesk.config import Home

if TYPE_CHECKING:
    from gpdesk.patients.context import PatientContext


def register(sub: Subparsers) -> None:
    """Add ``patient open``."""
    p_patient = sub.add_parser("patient", help="patiëntcontext vanuit het HIS")
    patient_sub = p_patient.add_subparsers(dest="patient_command", parser_class=DutchParser)
    p_patient.set_defaults(func=lambda _args: fail("kies een opdracht: gpdesk patient open …", 2))
    p_open = patient_sub.add_parser("open", help="open een patiënt in het gpdesk-venster")
    add_common(p_open)
    p_open.add_argument("--bsn", required=True)
    p_open.add_argument("--naam", required=True)
    p_open.add_argument("--geboortedatum", required=True, help="bijv. 1970-02-01 of 01-02-1970")
    p_open.add_argument("--postcode", required=True)
    p_open.add_argument("--telefoon")
    p_open.set_defaults(func=cmd_patient_open)


def _window_home(args: argparse.Namespace) -> Home:
    """The home for the window; an unusable one is also said on screen when there is one.

    Started from the menu, a gpdesk:// link or the HIS, nobody sees the terminal: a home on a
    read-only disk, or a file where the folder should be, must not fail silently.
    """
    from gpdesk.errors import HomeDirError
    from gpdesk.tools.check_display import display_problem

    try:
        return home_of(args)
    except HomeDirError as exc:
        if display_problem(os.environ) is None:
            from gpdesk.ui.app import show_start_problem

            show_start_problem(exc.user_text())
        raise


def _hand_over_or_start(args: argparse.Namespace, ctx: PatientContext) -> int:
    from gpdesk.handover import HandoverError, send_patient

    home = _window_home(args)
    try:
        if send_patient(home, ctx):
            return EXIT_OK
    except HandoverError as exc:
        return fail(str(exc))
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
    """Start the window, after the running instance (which needs no display) has declined."""
    from gpdesk.tools.check_display import window_problem

    problem = window_problem(os.environ)
    if problem is not None:  # Qt would abort with a core dump; say what is wrong instead
        sys.stderr.write(problem + "\n")
        return EXIT_ERROR

    from gpdesk.ui.app import run_gui

    return run_gui(home, database_url=args.database_url, initial_patient=ctx)


def cmd_gui(args: argparse.Namespace) -> int:
    """Start the window, or bring the running one forward."""
    from gpdesk.handover import send_activate

    home = _window_home(args)
    if send_activate(home):
        return EXIT_OK
    return _start_gui(args, home)
