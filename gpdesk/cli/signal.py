"""Signals from the terminal: ``signal themes|send|list|show|status``.

``send`` stores the signal in the outbox (patient saved, consent recorded, signal numbered,
all in one transaction); ``gpdesk outbox flush`` sends it. Output names references, teams and
states; a patient's details appear only in ``show``'s text view (the question as sent), and the
privénotitie only there, for a user who may open the patient, never in ``--json``.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
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
from gpdesk.errors import ValidationError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gpdesk.models import SignalStatus
    from gpdesk.signals.store import SignalRecord, SignalSummary


def register(sub: Subparsers) -> None:
    """Add the ``signal`` commands."""
    p_signal = sub.add_parser("signal", help="signalen aan het wijkteam")
    signal_sub = p_signal.add_subparsers(dest="signal_command", parser_class=DutchParser)
    p_signal.set_defaults(
        func=lambda _args: fail(
            "kies een opdracht: gpdesk signal themes, send, list, show of status", EXIT_USAGE
        )
    )
    p_themes = signal_sub.add_parser("themes", help="de thema's (codes voor een verzoek)")
    add_common(p_themes)
    add_json(p_themes)
    p_themes.set_defaults(func=cmd_themes)

    p_send = signal_sub.add_parser(
        "send",
        help="signaal klaarzetten vanuit een JSON-verzoek (daarna: gpdesk outbox flush)",
        description=(
            "Leest een verzoek (JSON, zie README) en zet het signaal in het postvak uit, met de "
            "toestemming erbij, in één keer of helemaal niet. 'gpdesk outbox flush' verstuurt "
            "het. Zonder geldige toestemming wordt niets opgeslagen."
        ),
    )
    p_send.add_argument("request", type=Path, metavar="VERZOEK.json", help="het verzoek; - = stdin")
    add_user_option(p_send)
    add_common(p_send)
    add_json(p_send)
    p_send.set_defaults(func=cmd_send)

    p_list = signal_sub.add_parser("list", help="signalen, nieuwste eerst")
    p_list.add_argument("--open", action="store_true", help="alleen signalen die nog lopen")
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_list)

    p_show = signal_sub.add_parser("show", help="één signaal met zijn tijdlijn")
    p_show.add_argument("reference", metavar="KENMERK", help="bijv. SIG-2026-000123")
    add_user_option(p_show)
    add_common(p_show)
    add_json(p_show)
    p_show.set_defaults(func=cmd_show)

    p_status = signal_sub.add_parser(
        "status",
        help="status van een signaal wijzigen",
        description=(
            "STATUS is een van: ontvangen, 'in behandeling', afgerond, geweigerd, geannuleerd, "
            "'niet bereikt', 'niet verschenen'. Heropenen en annuleren vragen een --reason."
        ),
    )
    p_status.add_argument("reference", metavar="KENMERK")
    p_status.add_argument("status", type=_status, metavar="STATUS")
    p_status.add_argument("--reason", default="", metavar="TEKST", help="waarom (verplicht bij "
                          "heropenen en annuleren)")  # fmt: skip
    add_user_option(p_status)
    add_common(p_status)
    add_json(p_status)
    p_status.set_defaults(func=cmd_status)


def _status(text: str) -> SignalStatus:
    """A status in Dutch words; ``in_behandeling`` and ``in-behandeling`` are accepted too."""
    from gpdesk.models import SignalStatus

    words = " ".join(text.replace("_", " ").replace("-", " ").lower().split())
    try:
        return SignalStatus(words)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"onbekende status; kies uit {', '.join(s.value for s in SignalStatus)}"
        ) from None


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _local(moment: datetime | None) -> str:
    from gpdesk.signals.consent import LOCAL

    return "—" if moment is None else moment.astimezone(LOCAL).strftime("%d-%m-%Y %H:%M")


def _day(day: date | None) -> str:
    return "—" if day is None else day.strftime("%d-%m-%Y")


# -- themes -------------------------------------------------------------------------------------


def cmd_themes(args: argparse.Namespace) -> int:
    """The theme codes a request may use; no sign-in, no database."""
    from gpdesk.signals.outgoing import THEMES

    data = [{"code": t.code, "label": t.label} for t in THEMES]
    width = max(len(t.code) for t in THEMES) + 2
    emit(args, data, "\n".join(f"{t.code:<{width}}{t.label}" for t in THEMES))
    return EXIT_OK


# -- send ---------------------------------------------------------------------------------------


def _consent_id(session: Session, reference: str) -> tuple[int | None, int | None]:
    from sqlalchemy import select

    from gpdesk.models import Signal

    row = session.execute(
        select(Signal.consent_id, Signal.no_consent_id).where(Signal.reference == reference)
    ).one_or_none()
    return (None, None) if row is None else (row[0], row[1])


def cmd_send(args: argparse.Namespace) -> int:
    """Find or save the patient, record the consent, store the signal: one transaction."""
    from gpdesk.cli.signal_request import read_request, rekeyed
    from gpdesk.patients.records import save_patient
    from gpdesk.security.permissions import Permission, require
    from gpdesk.signals.store import SignalRequest, submit
    from gpdesk.signals.team import choose_for, team_option

    wanted = read_request(args.request)  # bad input fails before anyone signs in
    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        require(signed.actor.permissions, Permission.PATIENT_OPEN)
        with db.session() as session:
            patient_id = save_patient(session, signed.vault, wanted.patient, actor=signed.actor)
            try:
                if wanted.team_id:
                    option = team_option(session, wanted.team_id, wanted.patient, wanted.themes)
                else:
                    option = choose_for(session, wanted.patient, wanted.themes).chosen
                organisation = option.team.organisation
                request = SignalRequest(
                    patient_id=patient_id,
                    themes=wanted.themes,
                    question=wanted.question,
                    route=wanted.route,
                    team_id=option.team.id,
                    urgent=wanted.urgent,
                    items=wanted.items,
                    private_note=wanted.private_note,
                    on_behalf_of=wanted.on_behalf_of,
                    consent=None if wanted.consent is None else wanted.consent.draft(organisation),
                    without_consent=wanted.no_consent(organisation),
                )
                record = submit(session, signed.vault, signed.actor, request)
            except ValidationError as error:
                raise rekeyed(error) from None
            consent_id, no_consent_id = _consent_id(session, record.reference)
    finally:
        db.dispose()
    data = {
        "reference": record.reference,
        "status": record.status.value,
        "team": record.team_id,
        "team_name": record.team_name,
        "consent_id": consent_id,
        "no_consent_id": no_consent_id,
        "outbox": [{"channel": c.channel.value, "state": c.state.value} for c in record.outbox],
    }
    text = (
        f"Signaal {record.reference} voor {record.team_name} staat in het postvak uit "
        f"(status: {record.status.value}). Versturen: gpdesk outbox flush --user {args.user}"
    )
    emit(args, data, text)
    return EXIT_OK


# -- list and show ------------------------------------------------------------------------------


def _not_sent(session: Session) -> set[str]:
    """References with a message that did not go and is no longer retried ("niet verzonden")."""
    from sqlalchemy import select

    from gpdesk.models import OutboxMessage, OutboxState, Signal

    query = (
        select(Signal.reference)
        .join(OutboxMessage, OutboxMessage.signal_id == Signal.id)
        .where(OutboxMessage.state == OutboxState.FAILED)
    )
    return set(session.scalars(query))


def _summary_json(s: SignalSummary, not_sent: bool) -> dict[str, Any]:
    return {
        "reference": s.reference,
        "status": s.status.value,
        "team": s.team_id,
        "team_name": s.team_name,
        "created_at": _iso(s.created_at),
        "sent_at": _iso(s.sent_at),
        "expected_by": _iso(s.expected_by),
        "overdue": s.overdue,
        "not_sent": not_sent,
        "urgent": s.urgent,
        "themes": list(s.themes),
    }


def _summary_line(s: SignalSummary, not_sent: bool) -> str:
    flags = (" [VERLOPEN]" if s.overdue else "") + (" [urgent]" if s.urgent else "")
    sent = "nog niet verzonden" if s.sent_at is None else f"verzonden {_local(s.sent_at)}"
    if not_sent:
        sent = "NIET VERZONDEN (waarom: gpdesk signal show)"
    answer = "" if s.expected_by is None else f"  antwoord voor {_day(s.expected_by)}"
    return f"{s.reference}  {s.status.value:<15} {s.team_name}  {sent}{answer}{flags}"


def cmd_list(args: argparse.Namespace) -> int:
    """Signals newest first, from plain columns: no patient data."""
    from gpdesk.signals.store import list_signals

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            found = list_signals(session, signed.vault, signed.actor, open_only=args.open)
            failed = _not_sent(session)
    finally:
        db.dispose()
    lines = [_summary_line(s, s.reference in failed) for s in found]
    text = "\n".join(lines) or "Er zijn nog geen signalen."
    emit(args, [_summary_json(s, s.reference in failed) for s in found], text)
    return EXIT_OK


def _record_json(record: SignalRecord, consent_id: int | None) -> dict[str, Any]:
    """The detail for scripts: status, timeline, outbox; never the privénotitie."""
    return {
        "reference": record.reference,
        "status": record.status.value,
        "team": record.team_id,
        "team_name": record.team_name,
        "created_at": _iso(record.created_at),
        "sent_at": _iso(record.sent_at),
        "expected_by": _iso(record.expected_by),
        "closed_at": _iso(record.closed_at),
        "overdue": record.overdue,
        "consent_id": consent_id,
        "themes": [t.code for t in record.signal.themes],
        "route": record.signal.route.value,
        "urgent": record.signal.urgent,
        "timeline": [
            {"status": e.status.value, "at": _iso(e.at), "who": e.who, "reason": e.reason}
            for e in record.timeline
        ],
        "outbox": [
            {
                "kind": c.kind.value,
                "channel": c.channel.value,
                "state": c.state.value,
                "attempts": c.attempts,
                "sent_at": _iso(c.sent_at),
                "error": c.last_error,
            }
            for c in record.outbox
        ],
    }


def _record_text(record: SignalRecord, consent_id: int | None) -> str:
    out = record.signal
    status = record.status.value + (" — VERLOPEN: geen antwoord op tijd" if record.overdue else "")
    lines = [
        f"Signaal {record.reference} aan {record.team_name}",
        f"  Status:          {status}",
        f"  Thema's:         {', '.join(t.label for t in out.themes)}",
        f"  Route:           {out.route.label}" + ("  (URGENT)" if out.urgent else ""),
        f"  Verzonden:       {_local(record.sent_at)}",
        f"  Antwoord voor:   {_day(record.expected_by)}",
        f"  Toestemming:     {'zonder toestemming' if consent_id is None else f'nr. {consent_id}'}",
        f"  Hulpvraag:       {out.question}",
    ]
    if record.private_note:
        lines.append(f"  Privénotitie (blijft in de praktijk): {record.private_note}")
    lines.append("Tijdlijn:")
    for entry in record.timeline:
        reason = f" — {entry.reason}" if entry.reason else ""
        lines.append(f"  {_local(entry.at)}  {entry.status.value:<15} {entry.who}{reason}")
    lines.append("Postvak uit:")
    for channel in record.outbox:
        error = f" — {channel.last_error}" if channel.last_error else ""
        lines.append(
            f"  {channel.kind.value} via {channel.channel.label}: {channel.state.value}{error}"
        )
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    """One signal with its timeline (audited as a read)."""
    from gpdesk.signals.store import signal_detail

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            record = signal_detail(session, signed.vault, signed.actor, args.reference)
            consent_id, _ = _consent_id(session, record.reference)
    finally:
        db.dispose()
    emit(args, _record_json(record, consent_id), _record_text(record, consent_id))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Move a signal along its timeline (audited); cancelling queues a notice to the team."""
    from gpdesk.signals.store import change_status

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            record = change_status(
                session, signed.vault, signed.actor, args.reference, args.status,
                reason=args.reason,
            )  # fmt: skip
            consent_id, _ = _consent_id(session, record.reference)
    finally:
        db.dispose()
    text = f"Signaal {record.reference} heeft nu status '{record.status.value}'."
    if any(c.kind.value != "signaal" and c.state.value == "wachtend" for c in record.outbox):
        text += f" Het team krijgt bericht bij gpdesk outbox flush --user {args.user}."
    emit(args, _record_json(record, consent_id), text)
    return EXIT_OK
