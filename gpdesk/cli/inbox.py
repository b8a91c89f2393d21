"""The inbox from the terminal: ``inbox list`` and ``inbox file`` (overgenomen in HIS).

A list line names the number, state, kind, where it came from and the signal reference; the
subject only on request of a signed-in user with the right to read letters (it may name the
patient). Quarantined files show gpdesk's reason, never their content.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from gpdesk.cli.common import (
    EXIT_OK,
    EXIT_USAGE,
    DutchParser,
    Subparsers,
    add_common,
    add_json,
    add_user_option,
    emit,
    fail,
    practice_db,
    signed_in,
)

if TYPE_CHECKING:
    from gpdesk.inbox.store import LetterSummary


def register(sub: Subparsers) -> None:
    """Add ``inbox list`` and ``inbox file``."""
    p_inbox = sub.add_parser("inbox", help="terugkoppeling: brieven van het wijkteam")
    inbox_sub = p_inbox.add_subparsers(dest="inbox_command", parser_class=DutchParser)
    p_inbox.set_defaults(
        func=lambda _args: fail("kies een opdracht: gpdesk inbox list of file", EXIT_USAGE)
    )
    p_list = inbox_sub.add_parser("list", help="alle terugkoppelingen, nieuwste eerst")
    p_list.add_argument(
        "--state",
        choices=["nieuw", "toegewezen", "overgenomen", "gearchiveerd"],
        help="alleen terugkoppelingen in deze stand",
    )
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_inbox_list)
    p_file = inbox_sub.add_parser(
        "file",
        help="vastleggen dat een terugkoppeling is overgenomen in het HIS",
        description="ID staat vooraan in 'gpdesk inbox list'.",
    )
    p_file.add_argument("letter_id", type=int, metavar="ID")
    add_user_option(p_file)
    add_common(p_file)
    add_json(p_file)
    p_file.set_defaults(func=cmd_inbox_file)


def as_json(row: LetterSummary) -> dict[str, Any]:
    """A letter as ``--json`` prints it (the fields issue #11 names, and a few more)."""
    return {
        "id": row.id,
        "state": row.state.value,
        "kind": row.kind,
        "source": row.source.value,
        "received_at": row.received_at.isoformat(),
        "subject": row.subject,
        "sender": row.sender,
        "signal_reference": row.signal_reference,
        "patient_matched": row.patient_matched,
        "quarantine_reason": row.quarantine_reason,
        "urgent": row.urgent,
        "filed_at": None if row.filed_at is None else row.filed_at.isoformat(),
        "filed_by": row.filed_by,
    }


def _line(row: LetterSummary) -> str:
    when = row.received_at.astimezone().strftime("%d-%m-%Y %H:%M")
    what = row.kind or "soort onbekend"
    matched = "patiënt gekoppeld" if row.patient_matched else "niet gekoppeld"
    link = row.signal_reference or matched
    line = f"{row.id:>5}  {when}  {row.state.value}  {what}  {row.source.value}  {link}"
    if row.quarantine_reason:
        line += f" — quarantaine: {row.quarantine_reason}"
    return line


_STATES = {"overgenomen": "overgenomen in HIS"}


def cmd_inbox_list(args: argparse.Namespace) -> int:
    """Every letter, newest first (or those in one state)."""
    from gpdesk.inbox.store import list_letters
    from gpdesk.models import LetterState

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        state = None if args.state is None else LetterState(_STATES.get(args.state, args.state))
        with db.session() as session:
            rows = list_letters(session, signed.vault, signed.actor, state=state)
    finally:
        db.dispose()
    text = "\n".join(_line(r) for r in rows) or "Er is geen terugkoppeling."
    emit(args, [as_json(r) for r in rows], text)
    return EXIT_OK


def cmd_inbox_file(args: argparse.Namespace) -> int:
    """Mark one letter as copied into the HIS (once; a second time says by whom)."""
    from gpdesk.inbox.store import file_letter

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            row = file_letter(session, signed.vault, signed.actor, args.letter_id)
    finally:
        db.dispose()
    emit(args, as_json(row), f"Terugkoppeling {row.id} is overgenomen in het HIS.")
    return EXIT_OK
