"""``gpdesk selftest``: check this installation offscreen in a throwaway home (0 good, 1 not)."""

from __future__ import annotations

import argparse

from gpdesk.cli.common import Subparsers


def register(sub: Subparsers) -> None:
    """Add ``selftest``."""
    p_selftest = sub.add_parser(
        "selftest",
        help="controleer of deze installatie compleet is (zonder beeldscherm)",
        description=(
            "Maakt een tijdelijke demopraktijk, werkt de database bij, maakt een signaalbrief, "
            "leest een demobrief in een apart proces en tekent de schermen onzichtbaar. "
            "Uitkomst 0: alles in orde; 1: er ontbreekt iets (de regel zegt wat). Uw eigen "
            "praktijk wordt niet gebruikt of gewijzigd."
        ),
    )
    p_selftest.set_defaults(func=cmd_selftest)


def cmd_selftest(_args: argparse.Namespace) -> int:
    """Run the self-test; its lines go to stdout."""
    from gpdesk.tools.selftest import run_selftest

    return run_selftest()
