"""Shared set-up for tests that store signals: a demo practice ready to send, and requests.

``ready_practice(db)`` makes the demo practice (kaart included) with a letterhead, a from-address
and a delivery address (mail and export folder) for Wijkteam Nieuwland, whose area holds
``EXTRA_PATIENT``'s postcode. ``consented(db, who, patient_id)`` records the consent a plain
signal needs; ``request(patient_id, ...)`` is a ``SignalRequest`` with a question and one theme.
Everything is written through the ORM directly where gpdesk's own setters belong to another
part (transport settings, team delivery); the tests of those parts test the setters.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gpdesk.db import Database
from gpdesk.models import EventSource, Practice, Signal, SignalStatus, TeamDelivery
from gpdesk.patients.context import PatientContext
from gpdesk.patients.records import open_from_his
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.consent import (
    ConsentDraft,
    ConsentMethod,
    ConsentRecord,
    OrganisationRef,
    Purpose,
    Representative,
    record_consent,
)
from gpdesk.signals.outgoing import DEFAULT_ITEMS
from gpdesk.signals.store import SignalRequest, add_event, submit
from gpdesk.transport import config
from tests.security_support import EXTRA_PATIENT, make_demo, signed

__all__ = [
    "CHILD",
    "DESK",
    "EXTRA_PATIENT",
    "FROM_ADDRESS",
    "MOTHER",
    "NIEUWLAND",
    "NOW",
    "PRIVATE_NOTE",
    "QUESTION",
    "WIJKTEAMS",
    "consent_draft",
    "consented",
    "deliver_to",
    "open_patient",
    "ready_practice",
    "request",
    "sent_signal",
    "signed",
]

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
"""The moment every store test acts at (a Monday morning in the practice)."""
NIEUWLAND = "d027d32e-b9d9-5323-950f-83e78ac3169c"
"""Wijkteam Nieuwland in the demo kaart: postcodes 3118 and 3119."""
DESK = "4d3be760-a9fe-56ba-a129-6a0627c918bb"
"""Sociale Plein (Wmo-loket), the demo kaart's central desk."""
WIJKTEAMS = OrganisationRef("Stichting Wijkteams Schiedam", "7d935b3c-88d4-5d44-9b5a-46a247252a7f")
FROM_ADDRESS = "praktijk@desingel.example"
QUESTION = "Mevrouw heeft schulden en slaapt slecht van de zorgen. Graag meekijken."
PRIVATE_NOTE = "Vermoeden van drankgebruik partner; niet met het team bespreken."
CHILD = PatientContext(
    bsn="121547280",
    name="T. Öztürk",
    birth_date=date(2016, 3, 22),
    postcode="3119BC",
    phone="0687654321",
)
"""Ten years old on ``NOW``: the parents consent (Wgbo)."""
MOTHER = Representative("Ayşe Öztürk-Yılmaz", "moeder")


def deliver_to(
    db: Database,
    team_id: str,
    *,
    email: str | None = "wijkteam@voorbeeld-schiedam.nl",
    folder: Path | None = None,
) -> None:
    """Give a team a delivery address (as ``gpdesk team delivery`` would)."""
    with db.session() as session:
        session.merge(
            TeamDelivery(
                team_id=team_id,
                email=email,
                export_folder=None if folder is None else str(folder),
            )
        )


def ready_practice(db: Database, folder: Path | None = None) -> None:
    """The demo practice with letterhead, from-address and a delivery address for Nieuwland."""
    make_demo(db)
    with db.session() as session:
        practice = session.query(Practice).one()
        practice.address = "Singel 12\n3112 GS Schiedam"
        practice.phone = "010 123 45 67"
        practice.agb_code = "01012345"
    manager = signed(db, "smit")
    with db.session() as session:
        config.save_transport(
            session, manager.vault, manager.actor,
            config.TransportRequest(
                host="127.0.0.1", port=587, security="starttls", from_address=FROM_ADDRESS
            ),
        )  # fmt: skip
    deliver_to(db, NIEUWLAND, folder=folder)


def open_patient(db: Database, who: SignedIn, ctx: PatientContext = EXTRA_PATIENT) -> int:
    """The patient handed over by the HIS, as the banner does; its id."""
    return open_from_his(db, who, ctx)


def consent_draft(**changes: Any) -> ConsentDraft:
    """An oral consent for the wijkteams, covering the default items; ``changes`` replace."""
    base = ConsentDraft(
        purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
        organisations=(WIJKTEAMS,),
        items=DEFAULT_ITEMS,
        method=ConsentMethod.ORAL,
    )
    return replace(base, **changes)


def consented(
    db: Database, who: SignedIn, patient_id: int, *, at: datetime = NOW, **changes: Any
) -> ConsentRecord:
    """Record (and commit) a consent for ``patient_id``."""
    with db.session() as session:
        return record_consent(
            session, who.vault, who.actor, patient_id, consent_draft(**changes), now=at
        )


def request(patient_id: int, **changes: Any) -> SignalRequest:
    """A request with one theme, the question and a private note; ``changes`` replace."""
    base = SignalRequest(
        patient_id=patient_id,
        themes=("wonen_werk_inkomen_schulden",),
        question=QUESTION,
        private_note=PRIVATE_NOTE,
    )
    return replace(base, **changes)


def sent_signal(db: Database, who: SignedIn) -> str:
    """A signal the team has (status verzonden), requested by ``who``; its reference.

    For the inbox tests: what a team's letter answers. Marked sent as the outbox does when a
    channel delivered, without a mail server.
    """
    patient_id = open_patient(db, who)
    consented(db, who, patient_id)
    with db.session() as session:
        record = submit(session, who.vault, who.actor, request(patient_id), now=NOW)
    with db.session() as session:
        row = session.scalars(select(Signal).where(Signal.reference == record.reference)).one()
        row.sent_at = NOW
        add_event(
            session, who.vault, row, SignalStatus.SENT, source=EventSource.SYSTEM, at=NOW,
            actor_label="gpdesk",
        )  # fmt: skip
    return record.reference
