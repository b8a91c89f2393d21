"""Signals for the demo practice, so a newcomer sees a timeline at once (issue #10 item 11).

Everything goes through gpdesk's own functions, as a user and the outbox worker would: team
deliveries (``transport.config.set_team_delivery``, to an export folder in the demo home),
``store.submit`` with the consent in the request, ``outbox.flush`` on the folder channel (with
the clock set back, so "verzonden" lies in the past) and ``store.change_status``. The demo
practice's mail gateway is a port on this computer where nothing listens, so the one team
reached only by e-mail shows "niet verzonden" with its reason after the worker's retries.
Nothing leaves this computer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import Practice, SignalStatus, utcnow
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import save_patient
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.signals import outbox
from gpdesk.signals.consent import ConsentDraft, ConsentMethod, DataItem, Purpose
from gpdesk.signals.outgoing import DEFAULT_ITEMS, Route
from gpdesk.signals.store import SignalRequest, change_status, submit
from gpdesk.signals.team import choose_for
from gpdesk.transport.config import TransportRequest, save_transport, set_team_delivery
from gpdesk.transport.retry import RetryPolicy

EXPORT_FOLDER: Final = "demo-exportmap"
"""Inside the demo home: where the demo teams' signals land as files."""
UNREACHABLE_EMAIL: Final = "woudhoek@wijkteams-schiedam.example"
"""The one team reached only by e-mail: its signal is "niet verzonden"."""
GATEWAY: Final = TransportRequest(
    host="127.0.0.1", port=9, security="starttls", from_address="praktijk@desingel.example"
)
"""Loopback, the discard port: refused at once, and nothing goes out on the network."""
LETTERHEAD: Final = ("Singel 12\n3112 GS Schiedam", "010 123 45 67", "01012345")

Step = tuple[int, SignalStatus, str]
"""Days ago, the status, the reason ("" for none)."""


@dataclass(frozen=True)
class DemoSignal:
    """One demo signal: whose, about what, sent how many days ago, and what followed."""

    bsn: str
    themes: tuple[str, ...]
    question: str
    days_ago: int
    steps: tuple[Step, ...] = ()
    route: Route = Route.APPOINTMENT
    by_folder: bool = True


DEMO_SIGNALS: Final = (
    DemoSignal(
        "507529170", ("ouderen",),
        "Mevrouw woont alleen en redt het thuis steeds minder goed. Graag kijken wat nodig is "
        "om thuis te kunnen blijven wonen.", 40,
        ((39, SignalStatus.RECEIVED, ""), (36, SignalStatus.IN_PROGRESS, ""),
         (8, SignalStatus.COMPLETED, "Huishoudelijke hulp en dagbesteding geregeld.")),
    ),
    DemoSignal(
        "385280841", ("mantelzorg",),
        "Meneer zorgt voor zijn moeder en raakt overbelast. Vraag: ondersteuning of "
        "respijtzorg.", 14,
        ((13, SignalStatus.RECEIVED, ""), (10, SignalStatus.IN_PROGRESS, "")),
    ),
    DemoSignal(
        "252760189", ("eenzaamheid",),
        "Mevrouw is net verhuisd en kent niemand in de wijk. Graag contact met een "
        "buurtcoach.", 4,
        (), Route.TEAM_CALLS,  # "ontvangen" 3 days ago: the team's one-click answer (inbox.demo)
    ),
    DemoSignal(
        "628194821", ("wonen_werk_inkomen_schulden",),
        "Meneer heeft betalingsachterstanden en slaapt slecht van de zorgen. Graag meekijken "
        "naar de schulden.", 9,
    ),
    DemoSignal(
        "121547280", ("jeugd_opvoeding",),
        "Zorgen over schoolverzuim en somberheid. Ouders en jongere willen hulp.", 1,
        by_folder=False,
    ),
)  # fmt: skip
"""Afgerond, in behandeling, ontvangen, verzonden and overdue, and niet verzonden.

"Ontvangen" is the team's one-click answer, one of the demo letters (``gpdesk.inbox.demo``).
"""


def _consent(items: frozenset[DataItem]) -> ConsentDraft:
    return ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(),  # the team's organisation, filled in per signal
        items=items,
        method=ConsentMethod.ORAL,
    )


def _send(db: Database, vault: Vault, at: datetime) -> None:
    """Flush as the worker would, retries included, until nothing is waiting any more."""
    policy = RetryPolicy()
    for delay in (timedelta(0), *policy.delays):
        at += delay + timedelta(seconds=1)
        report = outbox.flush(db, vault, now=at, policy=policy)
        if not report.retrying:
            return


def add_demo_signals(
    db: Database,
    vault: Vault,
    *,
    manager: Actor,
    gp: Actor,
    patients: list[PatientContext],
    home: Path,
    now: datetime | None = None,
) -> list[str]:
    """Give the demo teams a delivery, then send and move the demo signals; their references."""
    moment = now or utcnow()
    folder = home / EXPORT_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    by_bsn = {p.bsn: p for p in patients}
    with db.session() as session:
        practice = session.scalars(select(Practice)).one()
        practice.address, practice.phone, practice.agb_code = LETTERHEAD
        save_transport(session, vault, manager, GATEWAY, now=moment)
        for demo in DEMO_SIGNALS:
            team = choose_for(session, by_bsn[demo.bsn], demo.themes, now=moment).chosen.team
            if demo.by_folder:
                set_team_delivery(session, manager, team.id, export_folder=folder, now=moment)
            else:
                set_team_delivery(session, manager, team.id, email=UNREACHABLE_EMAIL, now=moment)
    references = []
    for demo in DEMO_SIGNALS:
        sent_at = moment - timedelta(days=demo.days_ago)
        patient = by_bsn[demo.bsn]
        items = DEFAULT_ITEMS if patient.phone else DEFAULT_ITEMS - {DataItem.PHONE}
        with db.session() as session:
            patient_id = save_patient(session, vault, patient, actor=gp)
            team = choose_for(session, patient, demo.themes, now=sent_at).chosen.team
            consent = _consent(items)
            request = SignalRequest(
                patient_id=patient_id, themes=demo.themes, question=demo.question,
                route=demo.route, team_id=team.id, items=items,
                consent=ConsentDraft(
                    consent.purposes, (team.organisation,), consent.items, consent.method
                ),
            )  # fmt: skip
            reference = submit(session, vault, gp, request, now=sent_at).reference
        _send(db, vault, sent_at + timedelta(minutes=1))
        for days_ago, status, reason in demo.steps:
            with db.session() as session:
                at = moment - timedelta(days=days_ago)
                change_status(session, vault, gp, reference, status, reason=reason, now=at)
        references.append(reference)
    return references
