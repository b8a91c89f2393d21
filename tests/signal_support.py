"""A sample outgoing signal for the signal tests: a BSN, a private note, Dutch names."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from gpdesk.models.consent import ConsentMethod, DataItem, NoConsentGround, Purpose
from gpdesk.patients.context import PatientContext
from gpdesk.signals.consent import OrganisationRef
from gpdesk.signals.outgoing import (
    DEFAULT_ITEMS,
    ConsentGiven,
    OutgoingSignal,
    Practice,
    Requester,
    Route,
    SharedWithoutConsent,
    Team,
    WalkInSlot,
    build,
)

REFERENCE = "SIG-2026-000123"
CREATED = datetime(2026, 12, 7, 9, 41, 12, 345678, tzinfo=UTC)
BSN = "111222333"
"""Passes the elfproef; must never appear in anything that leaves."""
BIRTH_DATE = date(1984, 3, 9)
PRIVATE_NOTE = "Vermoeden van drankgebruik partner; niet met het team bespreken."
PATIENT = PatientContext(
    bsn=BSN,
    name="Ayşe Łukasiewicz-Çelik",
    birth_date=BIRTH_DATE,
    postcode="3118AB",
    phone="0612345678",
)
WIJKTEAMS = OrganisationRef("Stichting Wijkteams Schiedam", "org-wijk")
PRACTICE = Practice(
    name="Huisartsenpraktijk De Singel",
    address_lines=("Singel 12", "3112 GS Schiedam"),
    phone="010 123 45 67",
    reply_email="praktijk@desingel.example",
    agb_code="01012345",
)
TEAM = Team(
    id="team-nieuwland",
    name="Wijkteam Nieuwland",
    organisation=WIJKTEAMS,
    contact="Fatma Öztürk",
    deputy="Joël van Dijk",
    phone="0102468100",
    visit_address="Vlaardingerdijk 50, Schiedam",
)
CONSENT = ConsentGiven(
    method=ConsentMethod.ORAL,
    given_on=date(2026, 12, 7),
    valid_until=date(2027, 12, 7),
    purposes=frozenset({Purpose.REFERRAL, Purpose.FEEDBACK}),
    items=frozenset(DataItem),
    organisations=(WIJKTEAMS,),
)
NO_CONSENT = SharedWithoutConsent(
    ground=NoConsentGround.LEGAL_DUTY,
    reason="Signalen van kindermishandeling; de meldcode vraagt om overleg met het team.",
    items=frozenset({DataItem.NAME, DataItem.PHONE, DataItem.POSTCODE, DataItem.QUESTION}),
    decided_by="dr. H. Bakker (huisarts)",
)
WALK_IN = WalkInSlot(
    start=datetime(2026, 12, 10, 8, 0, tzinfo=UTC),
    end=datetime(2026, 12, 10, 10, 0, tzinfo=UTC),
    label="donderdag 10 december 09:00–11:00",
    place="Sociale Plein",
    in_practice=True,
)
QUESTION = (
    "Mevrouw heeft sinds de scheiding schulden (huur, energie) en slaapt slecht door de zorgen.\n"
    "Zij wil hulp bij het op orde brengen van haar geldzaken – ‘liefst snel’."
)


def make_signal(**changes: Any) -> OutgoingSignal:
    """``build`` with the sample input; keyword arguments replace any of it."""
    arguments: dict[str, Any] = {
        "reference": REFERENCE,
        "created_at": CREATED,
        "practice": PRACTICE,
        "requester": Requester("dr. H. Bakker"),
        "team": TEAM,
        "patient": PATIENT,
        "items": DEFAULT_ITEMS,
        "themes": ["wonen_werk_inkomen_schulden"],
        "question": QUESTION,
        "route": Route.APPOINTMENT,
        "consent": CONSENT,
        "private_note": PRIVATE_NOTE,
    }
    arguments.update(changes)
    return build(**arguments)
