"""Consent from the terminal: ``consent list --bsn`` (to find an id) and ``consent withdraw``.

A withdrawal runs the signal store's hook in the same transaction: what has not left is
stopped, and where the team had the signal a withdrawal notice waits in the outbox.
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
    from gpdesk.signals.consent import ConsentRecord


def register(sub: Subparsers) -> None:
    """Add ``consent list`` and ``consent withdraw``."""
    p_consent = sub.add_parser("consent", help="toestemming van een patiënt")
    consent_sub = p_consent.add_subparsers(dest="consent_command", parser_class=DutchParser)
    p_consent.set_defaults(
        func=lambda _args: fail("kies een opdracht: gpdesk consent list of withdraw", EXIT_USAGE)
    )
    p_list = consent_sub.add_parser("list", help="de toestemmingen van één patiënt (met id)")
    p_list.add_argument("--bsn", required=True, help="BSN van de patiënt")
    add_user_option(p_list)
    add_common(p_list)
    add_json(p_list)
    p_list.set_defaults(func=cmd_consent_list)

    p_withdraw = consent_sub.add_parser(
        "withdraw",
        help="toestemming intrekken (stopt wat nog niet verzonden is, meldt het aan het team)",
        description=(
            "CONSENT_ID staat bij 'gpdesk signal show' en 'gpdesk consent list --bsn'. Wat "
            "nog niet verzonden is, wordt gestopt; een team dat het signaal al had, krijgt "
            "een korte melding bij de volgende 'gpdesk outbox flush'."
        ),
    )
    p_withdraw.add_argument("consent_id", type=int, metavar="CONSENT_ID")
    p_withdraw.add_argument("--reason", default="", metavar="TEKST", help="reden (niet verplicht)")
    add_user_option(p_withdraw)
    add_common(p_withdraw)
    add_json(p_withdraw)
    p_withdraw.set_defaults(func=cmd_consent_withdraw)


def _record_json(record: ConsentRecord, state: str) -> dict[str, Any]:
    scope = record.scope
    return {
        "id": record.id,
        "state": state,
        "given_on": scope.given_on.isoformat(),
        "valid_until": scope.valid_until.isoformat(),
        "withdrawn_at": (
            None if scope.withdrawn_at is None else scope.withdrawn_at.isoformat(timespec="seconds")
        ),
        "purposes": sorted(p.value for p in scope.purposes),
        "organisations": [o.name for o in scope.organisations],
        "items": sorted(i.value for i in scope.items),
        "method": record.method.value,
    }


def cmd_consent_list(args: argparse.Namespace) -> int:
    """A patient's consents, newest first (audited as a read)."""
    from sqlalchemy import select

    from gpdesk.models import Patient, utcnow
    from gpdesk.patients.validation import validate_bsn
    from gpdesk.signals.consent import consents_of

    bsn = validate_bsn(args.bsn)
    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            index = signed.vault.blind_index("bsn", bsn)
            patient_id = session.scalar(select(Patient.id).where(Patient.bsn_index == index))
            if patient_id is None:
                return fail("deze patiënt staat niet in gpdesk. Open de patiënt vanuit het HIS.")
            records = consents_of(session, signed.vault, patient_id, actor=signed.actor)
    finally:
        db.dispose()
    now = utcnow()
    data = [_record_json(r, r.scope.state(now).value) for r in records]
    lines = [
        f"{d['id']:>5}  {d['state']:<12} gegeven {d['given_on']}, geldig tot {d['valid_until']}; "
        f"{', '.join(d['organisations'])}; {', '.join(d['items'])}"
        for d in data
    ]
    emit(args, data, "\n".join(lines) or "Deze patiënt heeft geen toestemming vastgelegd.")
    return EXIT_OK


def cmd_consent_withdraw(args: argparse.Namespace) -> int:
    """Withdraw a consent; say what happened to each signal resting on it."""
    from gpdesk.signals.consent import withdraw_consent
    from gpdesk.signals.store import withdrawal_hook_for

    db = practice_db(args)
    try:
        signed = signed_in(args, db)
        with db.session() as session:
            withdrawal = withdraw_consent(
                session, signed.vault, signed.actor, args.consent_id, reason=args.reason,
                hooks=(withdrawal_hook_for(signed.vault),),
            )  # fmt: skip
    finally:
        db.dispose()
    lines = [f"Toestemming {args.consent_id} is ingetrokken."]
    lines += [f"  {a.reference}: {a.outcome}" for a in withdrawal.affected]
    if not withdrawal.affected:
        lines.append("  Er rustte geen signaal op deze toestemming.")
    if any("gemeld" in a.outcome for a in withdrawal.affected):
        lines.append(f"Het team krijgt de melding bij gpdesk outbox flush --user {args.user}.")
    data = {
        "consent_id": args.consent_id,
        "withdrawn_at": withdrawal.consent.withdrawn_at.isoformat(timespec="seconds"),
        "signals": [{"reference": a.reference, "outcome": a.outcome} for a in withdrawal.affected],
    }
    emit(args, data, "\n".join(lines))
    return EXIT_OK
