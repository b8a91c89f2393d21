"""The reading pass's database side: PDFs stored unchecked, taken out and written back checked.

A fetch stores its letters first and leaves each PDF unchecked (``letter_part.check_pending``,
not safe to open, its problem saying it is still being checked): the PDF check is most of the
cost of reading a letter. The pass (``gpdesk.inbox.checking``) then takes the marked parts in
small batches (``pending_parts``, a short read), has the parsing process check each one, and
writes the verdicts back in one short transaction per batch (``write_checked``).

Writing back is what the letter would have got had its PDF been read at once: safe to open and
its text, or the problem that keeps it closed (a bare PDF that fails quarantines its letter);
and then what the text tells. A letter that is not linked yet (and not confirmed by a user) is
linked to the signal whose reference the PDF names, and routed to the team's feedback contact
as receiving does; a kind not confirmed by a user is suggested again from the whole text. Each
letter gets one audit entry (``letter.check``) with the new states of what changed:
``safe_to_open`` is a bound column.

Two workstations running the pass at once: the write takes the audit chain's lock first and
then looks again at the marker, so a part the other one wrote meanwhile is left alone, and a
letter is linked and audited once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpdesk.inbox.kinds import LetterKind, suggest_kind
from gpdesk.inbox.references import find_references
from gpdesk.inbox.store.reading import patient_ref_of
from gpdesk.inbox.store.receiving import QUARANTINED_STEP, signal_for, to_feedback_contact
from gpdesk.inbox.store.triage import LINKED_STEP
from gpdesk.models import Letter, LetterEvent, LetterPart, LetterState, Signal, utcnow
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.signals.store.shapes import record_states

__all__ = [
    "CHECK_EVENT_DETAIL",
    "CheckedPart",
    "LetterChecked",
    "PendingPart",
    "pending_count",
    "pending_parts",
    "write_checked",
]

CHECK_EVENT_DETAIL: Final = "PDF gecontroleerd"
BARE_PDF: Final = "pdf"
"""``Letter.file_type`` of a bare PDF (``intake.FILE_TYPES``): the file itself is the letter."""
LINK_NOTE: Final = "kenmerk gevonden in de PDF"


@dataclass(frozen=True, repr=False)
class PendingPart:
    """A PDF awaiting its check: its bytes opened, to be handed to the parsing process."""

    id: int
    letter_id: int
    data: bytes

    def __repr__(self) -> str:
        return f"PendingPart(id={self.id}, letter_id={self.letter_id}, size={len(self.data)})"


@dataclass(frozen=True, repr=False)
class CheckedPart:
    """The verdict on one PDF: safe to open with its text, or the problem that keeps it closed."""

    id: int
    letter_id: int
    problem: str | None
    text: str = ""
    code: str | None = None
    """Stable and English, with a problem: what a bare PDF's quarantine is filed under."""

    def __post_init__(self) -> None:
        if self.problem is not None and self.text:
            raise ValueError("a PDF that is not safe to open has no text")

    def __repr__(self) -> str:
        return f"CheckedPart(id={self.id}, safe_to_open={self.problem is None})"


@dataclass(frozen=True)
class LetterChecked:
    """What writing back did to one letter."""

    letter_id: int
    parts: int
    """Parts written by this pass (0: another workstation had done them all)."""
    problems: int
    signal_reference: str | None = None
    """Set when the PDF's text linked the letter to this signal now."""
    kind: str | None = None
    """Set when the suggested kind changed."""
    quarantined: bool = False
    """A bare PDF (the file was the letter) failed its check: the letter is quarantined now."""


def pending_count(session: Session) -> int:
    """How many parts await the check (a plain, indexed count)."""
    counted = session.scalar(
        select(func.count()).select_from(LetterPart).where(LetterPart.check_pending)
    )
    return counted or 0


def pending_parts(
    session: Session,
    vault: Vault,
    *,
    after_id: int = 0,
    limit: int = 20,
) -> list[PendingPart]:
    """The next marked parts after ``after_id``, oldest first, their bytes opened.

    About ``limit`` parts, and whole letters: the last letter's other marked parts come along,
    so each letter is written (and audited) once. A read only: the caller closes this session
    before the parsing process reads them, so no transaction stays open meanwhile.
    """
    query = select(LetterPart.id, LetterPart.letter_id, LetterPart.data).where(
        LetterPart.check_pending, LetterPart.id > after_id
    )
    rows = list(session.execute(query.order_by(LetterPart.id).limit(limit)).all())
    if len(rows) == limit:
        have = {row[0] for row in rows}
        rest = session.execute(
            select(LetterPart.id, LetterPart.letter_id, LetterPart.data)
            .where(LetterPart.check_pending, LetterPart.letter_id == rows[-1][1])
            .order_by(LetterPart.id)
        ).all()
        rows.extend(row for row in rest if row[0] not in have)
    return [
        PendingPart(
            id=part_id,
            letter_id=letter_id,
            data=b""
            if data is None
            else vault.open_bytes("letter_part", "data", part_id, bytes(data)),
        )
        for part_id, letter_id, data in rows
    ]


def write_checked(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    checked: Sequence[CheckedPart],
    *,
    now: datetime | None = None,
) -> list[LetterChecked]:
    """Write the verdicts, letter by letter, with one audit entry each; commits nothing.

    Takes the audit chain's lock first; a part no longer marked (another workstation wrote it
    meanwhile) is skipped, and a letter with none left gets no entry.
    """
    moment = now or utcnow()
    audit.lock_chain(session)
    by_letter: dict[int, list[CheckedPart]] = {}
    for item in checked:
        by_letter.setdefault(item.letter_id, []).append(item)
    return [
        done
        for letter_id, items in by_letter.items()
        if (done := _write_letter(session, vault, actor, letter_id, items, at=moment)) is not None
    ]


def _write_letter(
    session: Session,
    vault: Vault,
    actor: Actor | None,
    letter_id: int,
    items: list[CheckedPart],
    *,
    at: datetime,
) -> LetterChecked | None:
    verdicts = {item.id: item for item in items}
    parts = session.scalars(
        select(LetterPart)
        .where(LetterPart.id.in_(verdicts), LetterPart.check_pending)
        .order_by(LetterPart.position)
        .execution_options(populate_existing=True)
    ).all()
    if not parts:
        return None  # done by another workstation, or the letter was forgotten meanwhile
    letter = session.get(Letter, letter_id, populate_existing=True)
    assert letter is not None
    new_text: list[str] = []
    records: list[tuple[str, int]] = []
    for part in parts:
        verdict = verdicts[part.id]
        part.check_pending = False
        part.safe_to_open = verdict.problem is None
        part.problem = verdict.problem
        if verdict.text:
            part.text = vault.seal("letter_part", "text", part.id, verdict.text)
            new_text.append(verdict.text)
        records.append(("letter_part", part.id))
    session.flush()
    quarantine = _quarantine_bare_pdf(session, vault, letter, parts, verdicts, at=at)
    if quarantine is not None:
        records.append(("letter_event", quarantine))
    signal, role = None, None
    if new_text and _unlinked(letter):
        signal = signal_for(session, find_references(*new_text))
        if signal is not None:
            steps, role = _link(session, vault, letter, signal, at)
            records.extend(steps)
    kind = _suggest_again(session, vault, letter) if new_text else None
    problems = sum(1 for part in parts if part.problem is not None)
    detail = f"terugkoppeling {letter.id}: {len(parts)} {CHECK_EVENT_DETAIL}"
    if problems:
        detail += f", {problems} niet te openen"
    if quarantine is not None:
        detail += f"; quarantaine: {letter.quarantine_code}"
    if signal is not None:
        detail += f"; gekoppeld bij {signal.reference} ({LINK_NOTE})"
        if role is not None:
            detail += f"; toegewezen aan rol {role.label}"
    audit.record(
        session, event="letter.check", action=audit.Action.UPDATE, actor=actor,
        username=None if actor is not None else "systeem",
        patient_ref=patient_ref_of(session, letter.patient_id), object_type="letter",
        object_id=letter.id, detail=detail, vault=vault,
        state=record_states(session, vault, [("letter", letter.id), *records]),
    )  # fmt: skip
    return LetterChecked(
        letter_id=letter.id,
        parts=len(parts),
        problems=problems,
        signal_reference=None if signal is None else signal.reference,
        kind=kind,
        quarantined=quarantine is not None,
    )


def _quarantine_bare_pdf(
    session: Session,
    vault: Vault,
    letter: Letter,
    parts: Sequence[LetterPart],
    verdicts: dict[int, CheckedPart],
    *,
    at: datetime,
) -> int | None:
    """A bare PDF that fails its check quarantines its letter; the step's id, or None.

    The file is the letter, so reading it at once would have quarantined it too
    (``parsing.dispatch``): the beheerder sees the reason in the quarantine list, and nothing
    of it is opened.
    """
    if letter.file_type != BARE_PDF or letter.quarantine_reason is not None or len(parts) != 1:
        return None
    verdict = verdicts[parts[0].id]
    if verdict.problem is None or not _unlinked(letter) or letter.state is not LetterState.NEW:
        return None
    letter.quarantine_reason = verdict.problem
    letter.quarantine_code = (verdict.code or "pdf")[:64]
    letter.kind = None
    letter.urgent = False
    step = LetterEvent(
        letter_id=letter.id, step=QUARANTINED_STEP, at=at, actor_id=None, actor_label="gpdesk"
    )
    session.add(step)
    session.flush()
    return step.id


def _unlinked(letter: Letter) -> bool:
    """Not linked by receiving nor by a user, not in quarantine, not filed or forgotten."""
    return (
        letter.signal_id is None
        and letter.patient_id is None
        and not letter.match_confirmed
        and letter.quarantine_reason is None
        and letter.forgotten_at is None
        and letter.state in (LetterState.NEW, LetterState.ASSIGNED)
    )


def _link(
    session: Session, vault: Vault, letter: Letter, signal: Signal, at: datetime
) -> tuple[list[tuple[str, int]], Role | None]:
    """Link as receiving links a reference found at receipt, as gpdesk's own step.

    Then, when nobody took the letter yet, route it to the team's feedback contact.
    """
    letter.signal_id = signal.id
    letter.patient_id = signal.patient_id
    letter.team_id = signal.team_id
    letter.team_name = signal.team_name
    letter.match_confirmed = True
    step = LetterEvent(
        letter_id=letter.id, step=LINKED_STEP, at=at, actor_id=None, actor_label="gpdesk"
    )
    session.add(step)
    session.flush()
    step.note = vault.seal("letter_event", "note", step.id, LINK_NOTE)
    records = [("letter_event", step.id)]
    role = None
    if letter.state is LetterState.NEW and letter.assignee_id is None and not letter.assignee_role:
        contact = to_feedback_contact(session, vault, letter, signal, at=at)
        if contact is not None:
            role = contact[0]
            records.append(("letter_event", contact[1]))
    session.flush()
    return records, role


def _suggest_again(session: Session, vault: Vault, letter: Letter) -> str | None:
    """A kind not confirmed by a user, suggested again from the whole text; the new kind or None.

    A suggestion of "overig" keeps what receiving suggested (e.g. a one-click answer's kind).
    """
    if letter.kind_confirmed or letter.quarantine_reason is not None:
        return None
    subject = ""
    if letter.subject is not None:
        subject = vault.open("letter", "subject", letter.id, bytes(letter.subject))
    pieces: list[str] = []
    if letter.body_text is not None:
        pieces.append(vault.open("letter", "body_text", letter.id, bytes(letter.body_text)))
    for part_id, text in session.execute(
        select(LetterPart.id, LetterPart.text)
        .where(LetterPart.letter_id == letter.id, LetterPart.safe_to_open)
        .order_by(LetterPart.position)
    ):
        if text is not None:
            pieces.append(vault.open("letter_part", "text", part_id, bytes(text)))
    suggestion = suggest_kind(subject, "\n".join(pieces))
    urgent = letter.urgent or suggestion.urgent
    if suggestion.kind is LetterKind.OTHER and letter.kind is not None:
        changed = urgent != letter.urgent
        letter.urgent = urgent
        return letter.kind if changed else None
    if suggestion.kind.value == letter.kind and urgent == letter.urgent:
        return None
    letter.kind = suggestion.kind.value
    letter.urgent = urgent
    return letter.kind
