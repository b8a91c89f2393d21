"""One letter opened for reading: its facts, text, sanitised HTML, attachments and steps.

Opening a letter is a read of what may be patient data, so it is audited (``letter.read``), and a
sealed value that was moved or changed outside gpdesk, or a letter whose bound columns (who sent
it, whose it is) no longer match its last audited state, is refused and audited
(``refusing_tampered``, ``refuse_unless_letter_current``). A quarantined letter opens nothing:
only its reason. An attachment's bytes are opened one at a time (``letter_part_data``), and only
when the parser judged it safe to open: a program or a macro document is kept but never handed
out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.inbox.store.involvement import InvolvementInfo, ending_for_letter
from gpdesk.inbox.store.reading import (
    FORGOTTEN_SUBJECT,
    QUARANTINE_SUBJECT,
    letter_row,
    patient_ref_of,
    role_words,
)
from gpdesk.inbox.store.triage import refuse_unless_letter_current
from gpdesk.models import (
    LetterEvent,
    LetterPart,
    LetterSource,
    LetterState,
    Signal,
    SignalStatus,
    User,
)
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, require
from gpdesk.security.sealed import refusing_tampered


@dataclass(frozen=True)
class AttachmentInfo:
    """An attachment as the reading pane lists it; its bytes come separately."""

    id: int
    position: int
    filename: str
    content_type: str
    size: int
    part_kind: str
    """pdf, text, html, image, executable, macro_document, archive, other."""
    safe_to_open: bool
    problem: str | None
    check_pending: bool = False
    """A PDF stored before its check: "wordt nog gecontroleerd", not a danger, not yet open."""


@dataclass(frozen=True)
class LetterStep:
    """One step of the letter's way: received, assigned, filed…, by whom."""

    step: str
    at: datetime
    by: str | None
    to: str | None
    note: str | None


@dataclass(frozen=True)
class LetterDetail:
    """A letter as the reading pane shows it; plain values, free of the session."""

    id: int
    received_at: datetime
    sent_at: datetime | None
    source: LetterSource
    file_type: str
    sender: str | None
    sender_address: str | None
    team_name: str | None
    state: LetterState
    kind: str | None
    kind_confirmed: bool
    urgent: bool
    signature: str | None
    """S/MIME: geverifieerd, niet geverifieerd, ongeldig; None for a letter that was not signed."""
    quarantine_reason: str | None
    signal_reference: str | None
    signal_status: SignalStatus | None
    patient_matched: bool
    due_on: date | None
    assignee: str | None
    filed_at: datetime | None
    filed_by: str | None
    forgotten: bool
    subject: str
    body_text: str
    body_html: str | None
    attachments: tuple[AttachmentInfo, ...]
    steps: tuple[LetterStep, ...]
    ending: InvolvementInfo | None = None
    """A closing letter: the patient's open registration with its team, which it may end."""

    @property
    def quarantined(self) -> bool:
        """Kept, never opened."""
        return self.quarantine_reason is not None


@dataclass(frozen=True)
class AttachmentData:
    """One attachment's bytes, for a preview or to save for the HIS."""

    letter_id: int
    part_id: int
    filename: str
    content_type: str
    part_kind: str
    data: bytes


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return None if user is None else user.display_name


def letter_detail(session: Session, vault: Vault, actor: Actor, letter_id: int) -> LetterDetail:
    """The letter opened for ``actor``; the read is audited, a tampered value refused."""
    require(actor.permissions, Permission.LETTER_READ)
    row = letter_row(session, letter_id)
    patient_ref = patient_ref_of(session, row.patient_id)
    signal = None if row.signal_id is None else session.get(Signal, row.signal_id)
    closed = row.quarantine_reason is not None or row.forgotten_at is not None
    subject, text, html = "", "", None
    attachments: list[AttachmentInfo] = []
    steps: list[LetterStep] = []
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=patient_ref):
        refuse_unless_letter_current(session, vault, row.id)
        if row.quarantine_reason is not None:
            subject = QUARANTINE_SUBJECT
        elif row.forgotten_at is not None:
            subject = FORGOTTEN_SUBJECT
        else:
            if row.subject is not None:
                subject = vault.open("letter", "subject", row.id, bytes(row.subject))
            if row.body_text is not None:
                text = vault.open("letter", "body_text", row.id, bytes(row.body_text))
            if row.body_html is not None:
                html = vault.open("letter", "body_html", row.id, bytes(row.body_html))
        parts = session.scalars(
            select(LetterPart).where(LetterPart.letter_id == row.id).order_by(LetterPart.position)
        )
        for part in () if closed else parts:
            name = (
                "" if part.filename is None
                else vault.open("letter_part", "filename", part.id, bytes(part.filename))
            )  # fmt: skip
            attachments.append(
                AttachmentInfo(
                    id=part.id,
                    position=part.position,
                    filename=name or "(zonder naam)",
                    content_type=part.content_type,
                    size=part.size,
                    part_kind=part.part_kind,
                    safe_to_open=part.safe_to_open,
                    problem=part.problem,
                    check_pending=part.check_pending,
                )
            )
        events = session.scalars(
            select(LetterEvent).where(LetterEvent.letter_id == row.id).order_by(LetterEvent.id)
        )
        for event in events:
            note = (
                None if event.note is None
                else vault.open("letter_event", "note", event.id, bytes(event.note))
            )  # fmt: skip
            steps.append(
                LetterStep(
                    step=event.step,
                    at=event.at,
                    by=_name(session, event.actor_id) or event.actor_label,
                    to=_name(session, event.to_user_id),
                    note=note,
                )
            )
    audit.record(
        session, event="letter.read", action=audit.Action.READ, actor=actor,
        patient_ref=patient_ref, object_type="letter", object_id=row.id,
        detail=f"terugkoppeling {row.id} gelezen", vault=vault,
    )  # fmt: skip
    return LetterDetail(
        id=row.id,
        received_at=row.received_at,
        sent_at=row.sent_at,
        source=LetterSource(row.source),
        file_type=row.file_type,
        sender=row.sender_name or row.sender_address,
        sender_address=row.sender_address,
        team_name=row.team_name,
        state=LetterState(row.state),
        kind=row.kind,
        kind_confirmed=row.kind_confirmed,
        urgent=row.urgent,
        signature=row.signature,
        quarantine_reason=row.quarantine_reason,
        signal_reference=None if signal is None else signal.reference,
        signal_status=None if signal is None else SignalStatus(signal.status),
        patient_matched=row.patient_id is not None and row.match_confirmed,
        due_on=row.due_on,
        assignee=_name(session, row.assignee_id) or role_words(row.assignee_role),
        filed_at=row.filed_at,
        filed_by=_name(session, row.filed_by_id),
        forgotten=row.forgotten_at is not None,
        subject=subject,
        body_text=text,
        body_html=html,
        attachments=tuple(attachments),
        steps=tuple(steps),
        ending=ending_for_letter(session, actor, row.id),
    )


def letter_part_data(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    part_id: int,
    *,
    export: bool = False,
) -> AttachmentData:
    """One attachment's bytes, only when safe to open; audited (``export``: saved to a file)."""
    require(actor.permissions, Permission.LETTER_READ)
    row = letter_row(session, letter_id)
    part = session.get(LetterPart, part_id)
    if part is None or part.letter_id != row.id:
        raise GpdeskError(
            "Deze bijlage hoort niet (meer) bij deze terugkoppeling.",
            hint="Open de terugkoppeling opnieuw.",
        )
    if row.quarantine_reason is not None:
        raise GpdeskError(
            "Een bericht in quarantaine wordt niet geopend.",
            hint="Vraag de beheerder het bericht te bekijken.",
        )
    if part.check_pending:
        raise GpdeskError(
            "Deze PDF wordt nog gecontroleerd; gpdesk opent hem daarna.",
            hint="Even geduld: de controle volgt direct na het ophalen.",
        )
    if not part.safe_to_open:
        raise GpdeskError(
            f"Deze bijlage wordt niet geopend: {part.problem or 'het is geen veilig bestand'}.",
            hint="Vraag het wijkteam de brief als PDF te sturen.",
        )
    if part.data is None:
        raise GpdeskError(
            "De inhoud van deze bijlage is na de bewaartermijn verwijderd.",
            hint="De brief staat in het HIS, als die daar is overgenomen.",
        )
    patient_ref = patient_ref_of(session, row.patient_id)
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=patient_ref):
        refuse_unless_letter_current(session, vault, row.id)
        data = vault.open_bytes("letter_part", "data", part.id, bytes(part.data))
        name = (
            "" if part.filename is None
            else vault.open("letter_part", "filename", part.id, bytes(part.filename))
        )  # fmt: skip
    audit.record(
        session, event="letter.attachment",
        action=audit.Action.EXPORT if export else audit.Action.READ, actor=actor,
        patient_ref=patient_ref, object_type="letter_part", object_id=part.id,
        detail=f"bijlage {part.position + 1} van terugkoppeling {row.id} "
        + ("opgeslagen als bestand" if export else "bekeken"),
        vault=vault,
    )  # fmt: skip
    return AttachmentData(
        letter_id=row.id, part_id=part.id, filename=name or f"bijlage-{part.position + 1}",
        content_type=part.content_type, part_kind=part.part_kind, data=data,
    )  # fmt: skip
