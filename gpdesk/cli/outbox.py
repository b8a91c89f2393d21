"""The outbox from the terminal: ``outbox list`` and ``outbox flush`` (send what is due, wait).

A list names references, channels and states, never a patient. ``flush`` runs the same worker
as the window (``gpdesk.signals.outbox.flush``) and exits 1 when a message did not go.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gpdesk.cli.common import (
    EXIT_ERROR,
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
    from gpdesk.signals.outbox import OutboxEntry, Outcome

_STATE_WORDS = {
    "wachtend": "wacht op verzenden",
    "bezig": "wordt verzonden",
}


def register(sub: Subparsers) -> None:
    """Add ``outbox list`` and ``outbox flush``."""
    p_outbox = sub.add_parser("outbox", help="postvak uit: wat verstuurd wordt of niet ging")
    outbox_sub = p_outbox.add_subparsers(dest="outbox_command", parser_class=DutchParser)
    p_outbox.set_defaults(
        func=lambda _args: fail("kies een opdracht: gpdesk outbox list of flush", EXIT_USAGE)
    )
    p_list = outbox_sub.add_parser("list", help="alle berichten in het postvak uit")
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_outbox_list)
    p_flush = outbox_sub.add_parser(
        "flush",
        help="verstuur nu wat klaarstaat en wacht op de uitkomst",
        description=(
            "Verstuurt elk bericht dat nu aan de beurt is en toont per bericht of het is "
            "verzonden, en zo niet, waarom. Uitkomst 0: alles ging; 1: iets is niet verzonden."
        ),
    )
    add_user_option(p_flush)
    add_common(p_flush)
    add_json(p_flush)
    p_flush.set_defaults(func=cmd_outbox_flush)
    p_retry = outbox_sub.add_parser(
        "retry",
        help="'Opnieuw': een bericht dat niet verzonden is, weer klaarzetten",
        description="ID staat vooraan in 'gpdesk outbox list'. Daarna: gpdesk outbox flush.",
    )
    p_retry.add_argument("outbox_id", type=int, metavar="ID")
    add_user_option(p_retry)
    add_common(p_retry)
    add_json(p_retry)
    p_retry.set_defaults(func=cmd_outbox_retry)


def _state_word(state: str) -> str:
    return _STATE_WORDS.get(state, state)


def _via(kind: str, channel: str) -> str:
    from gpdesk.models.signal import Channel  # loaded by the command already

    return f"{kind} via {Channel(channel).label}"


def _entry_line(entry: OutboxEntry) -> str:
    line = (
        f"{entry.id:>5}  {entry.reference}  {_via(entry.kind.value, entry.channel.value)}: "
        f"{_state_word(entry.state.value)} (pogingen: {entry.attempts})"
    )
    if entry.last_error and entry.state.value != "verzonden":
        line += f" — {entry.last_error}"
    return line


def cmd_outbox_list(args: argparse.Namespace) -> int:
    """Every outbox message, newest first."""
    from gpdesk.security.permissions import Permission, require
    from gpdesk.signals.outbox import entries

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        require(signed.actor.permissions, Permission.PATIENT_OPEN)
        with db.session() as session:
            found = entries(session)
    finally:
        db.dispose()
    text = "\n".join(_entry_line(e) for e in found) or "Het postvak uit is leeg."
    emit(args, [e.as_json() for e in found], text)
    return EXIT_OK


def _outcome_line(outcome: Outcome) -> str:
    what = f"{outcome.reference} ({_via(outcome.kind.value, outcome.channel.value)})"
    state = outcome.state.value
    if state == "verzonden":
        return f"{what}: verzonden"
    if state == "wachtend":
        return f"{what}: niet verzonden, wordt later opnieuw geprobeerd — {outcome.error or ''}"
    if state == "gestopt":
        return f"{what}: niet verzonden (gestopt) — {outcome.error or ''}"
    return f"{what}: niet verzonden — {outcome.error or ''}"


def cmd_outbox_flush(args: argparse.Namespace) -> int:
    """Send what is due now and wait; exit 1 when a message did not go (retried or failed)."""
    from gpdesk.security.permissions import Permission, require
    from gpdesk.signals.outbox import flush

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        require(signed.actor.permissions, Permission.PATIENT_OPEN)
        report = flush(db, signed.vault)
    finally:
        db.dispose()
    lines = [_outcome_line(o) for o in report.outcomes] or ["Er stond niets klaar om te verzenden."]
    if report.outcomes:
        lines.append(
            f"Verzonden: {report.sent}; later opnieuw: {report.retrying}; "
            f"niet verzonden: {report.failed}; gestopt: {report.stopped}."
        )
    data = {
        "sent": report.sent,
        "retrying": report.retrying,
        "failed": report.failed,
        "stopped": report.stopped,
        "outcomes": [
            {
                "id": o.outbox_id,
                "reference": o.reference,
                "kind": o.kind.value,
                "channel": o.channel.value,
                "state": o.state.value,
                "error": o.error,
            }
            for o in report.outcomes
        ],
    }
    emit(args, data, "\n".join(lines))
    return EXIT_ERROR if report.retrying or report.failed else EXIT_OK


def cmd_outbox_retry(args: argparse.Namespace) -> int:
    """Put a message that did not go back in line, with a fresh count of tries."""
    from gpdesk.signals.outbox import entries, retry_now

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            retry_now(session, signed.actor, args.outbox_id)
            session.flush()
            entry = next(e for e in entries(session) if e.id == args.outbox_id)
    finally:
        db.dispose()
    emit(
        args,
        entry.as_json(),
        f"{entry.reference} ({_via(entry.kind.value, entry.channel.value)}) staat weer klaar. "
        f"Versturen: gpdesk outbox flush --user {args.user}",
    )
    return EXIT_OK
