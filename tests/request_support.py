"""A team's information request (informatieverzoek) in a ready practice (#11 item 9).

``request_letter`` sends a signal to Wijkteam Nieuwland (marked long delivered) and receives the
team's request about it, linked by the signal's reference (so to patient and team); with
``medical_consent`` the patient also consents to medical information for the team's
organisation. Fictional throughout.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from gpdesk.db import Database
from gpdesk.inbox.store import Incoming, receive
from gpdesk.models import DataItem, LetterSource, OutboxMessage, OutboxState
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.outgoing import DEFAULT_ITEMS
from tests.store_support import EXTRA_PATIENT, NOW, consented, open_patient, sent_signal

__all__ = ["REQUEST", "TEAM_MESSAGE_ID", "request_letter"]

REQUEST = (
    "Geachte huisarts,\n\nVoor de Wmo-aanvraag van mevrouw vragen wij medische informatie: "
    "welke aandoeningen beperken haar bij het traplopen? En vindt u dat zij in aanmerking komt "
    "voor een traplift?"
)
TEAM_MESSAGE_ID = "verzoek-1@wijkteam.example"


def request_letter(db: Database, gp: SignedIn, *, medical_consent: bool) -> int:
    """A signal to Nieuwland, then the team's information request about it; the letter's id."""
    reference = sent_signal(db, gp)
    with db.session() as session:  # the signal itself went long ago
        session.execute(update(OutboxMessage).values(state=OutboxState.SENT, sent_at=NOW))
    if medical_consent:
        patient_id = open_patient(db, gp, EXTRA_PATIENT)
        consented(db, gp, patient_id, items=DEFAULT_ITEMS | {DataItem.MEDICAL})
    incoming = Incoming(
        source=LetterSource.IMAP,
        raw=b"Subject: Informatieverzoek\r\n\r\n" + REQUEST.encode(),
        file_type="e-mail",
        message_id=f"<{TEAM_MESSAGE_ID}>",
        sender_address="nieuwland@wijkteam.example",
        sender_name="Wijkteam Nieuwland",
        sent_at=NOW,
        subject=f"Informatieverzoek {reference}",
        body_text=REQUEST,
        kind="informatieverzoek",
        references=(reference,),
    )
    with db.session() as session:
        return receive(
            session, gp.vault, gp.actor, incoming, now=NOW + timedelta(hours=1)
        ).letter_id
