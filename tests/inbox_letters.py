"""Fictional feedback letters in an inbox, stored through ``inbox.store.receive``, for the inbox
listing and page tests.

``seed_inbox(db, who, patient_id)`` stores, in this order of arrival:

- ``filed``: an old confirmation, already overgenomen in HIS by ``who``;
- ``linked``: a confirmation with the signal's reference, an S/MIME signature checked
  (geverifieerd) and a real one-page PDF (made here with reportlab);
- ``advice``: an advice letter nobody linked yet, HTML that points at a remote image;
- ``escalation``: an urgent escalation with a program attached (never opened) and a text file;
- ``quarantined``: a file the intake could not read safely.

Every name and text is made up.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from gpdesk.db import Database
from gpdesk.inbox.store import Incoming, IncomingPart, Quarantine, file_letter, receive
from gpdesk.models import LetterSource
from gpdesk.security.accounts import SignedIn
from gpdesk.signals.store import submit
from tests.store_support import consented, request

TEAM_ADDRESS = "nieuwland@wijkteam.example"
QUARANTINE_REASON = "Het bericht is te diep genest (meer dan 20 lagen); gpdesk opent het niet."
EXE_PROBLEM = "een programma (.exe); gpdesk opent dit nooit"


def letter_pdf(lines: list[str]) -> bytes:
    """A real, plain one-page PDF with ``lines`` of text (no scripts, no encryption)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.setFont("Helvetica-Bold", 15)
    page.drawString(72, 770, "Wijkteam Nieuwland")
    page.setFont("Helvetica", 11)
    y = 730
    for line in lines:
        page.drawString(72, y, line)
        y -= 18
    page.showPage()
    page.save()
    return out.getvalue()


def _part(name: str, kind: str, data: bytes, *, safe: bool, problem: str | None = None,
          content_type: str = "application/octet-stream") -> IncomingPart:  # fmt: skip
    return IncomingPart(
        filename=name, content_type=content_type, data=data,
        sha256=hashlib.sha256(data).hexdigest(), part_kind=kind, safe_to_open=safe,
        problem=problem,
    )  # fmt: skip


def _mail(number: int, subject: str, body: str, **changes: Any) -> Incoming:
    raw = (
        f"From: Wijkteam Nieuwland <{TEAM_ADDRESS}>\r\nSubject: {subject}\r\n"
        f"Message-ID: <brief-{number}@wijkteam.example>\r\n\r\n{body}\r\n"
    ).encode()
    base = Incoming(
        source=LetterSource.IMAP, raw=raw, file_type="e-mail",
        message_id=f"<brief-{number}@wijkteam.example>", sender_address=TEAM_ADDRESS,
        sender_name="Wijkteam Nieuwland", subject=subject, body_text=body,
    )  # fmt: skip
    return replace(base, **changes)


@dataclass(frozen=True)
class SeededInbox:
    """The letter ids, by what they show, and the signal's reference."""

    reference: str
    filed: int
    linked: int
    advice: int
    escalation: int
    quarantined: int


def seed_inbox(db: Database, who: SignedIn, patient_id: int, now: datetime) -> SeededInbox:
    """Five letters arriving an hour apart before ``now`` (see the module note)."""
    consented(db, who, patient_id, at=now - timedelta(days=10))
    with db.session() as session:
        reference = submit(
            session, who.vault, who.actor, request(patient_id), now=now - timedelta(days=9)
        ).reference
    pdf = letter_pdf(
        [
            "Geachte dokter Bakker,",
            "",
            f"Betreft: uw aanmelding {reference}.",
            "Wij hebben mevrouw op 3 december thuis gesproken. Zij krijgt hulp bij haar",
            "schulden van onze schuldhulpmaatje; over zes weken bellen wij u terug.",
            "",
            "Met vriendelijke groet,",
            "A. Visser, wijkteam Nieuwland",
        ]
    )
    letters = [
        _mail(
            1,
            f"Afgerond: {reference}",
            "De hulp is afgerond.",
            references=(reference,),
            kind="afsluiting",
        ),
        _mail(
            2,
            f"Terugkoppeling {reference}",
            "Zie de brief in de bijlage.",
            references=(reference,),
            kind="bevestiging",
            signature="geverifieerd",
            parts=(
                _part("brief wijkteam.pdf", "pdf", pdf, safe=True, content_type="application/pdf"),
            ),
        ),
        _mail(
            3,
            "Advies over uw patiënt",
            "Wij adviseren een verwijzing naar de GGZ.",
            kind="advies",
            body_html=(
                "<p>Wij <b>adviseren</b> een verwijzing naar de GGZ.</p>"
                "<p><img src='https://volg.example/pixel.png'> "
                "<a href='https://phish.example/'>Lees meer</a></p>"
            ),
        ),
        _mail(
            4,
            "Zorgen: crisis in het gezin",
            "Er is sprake van een crisis; wij belden Veilig Thuis.",
            kind="escalatie",
            urgent=True,
            parts=(
                _part(
                    "factuur.exe",
                    "executable",
                    b"MZ\x90\x00 niet uitvoeren",
                    safe=False,
                    problem=EXE_PROBLEM,
                ),
                _part(
                    "notitie.txt",
                    "text",
                    b"Gesprek op 4 december.\n",
                    safe=True,
                    content_type="text/plain",
                ),
            ),
        ),
        _mail(5, "", "", quarantine=Quarantine(reason=QUARANTINE_REASON, code="mime_depth")),
    ]
    ids: list[int] = []
    for hours, incoming in zip((5, 4, 3, 2, 1), letters, strict=True):
        with db.session() as session:
            got = receive(session, who.vault, who.actor, incoming, now=now - timedelta(hours=hours))
            ids.append(got.letter_id)
    with db.session() as session:
        file_letter(session, who.vault, who.actor, ids[0], now=now - timedelta(minutes=30))
    return SeededInbox(reference, *ids)
