"""Triage (issue #11 item 6): assign, forward to the referrer, confirm the kind, link, archive.

Every function works in the caller's session and commits nothing; each writes a step
(``letter_event``, its note sealed) and one audit entry with the states of what it wrote. A
change of ``patient_id`` or ``signal_id`` changes the letter's own record state (both are
bound, ``gpdesk.security.sealed``): ``link`` and ``unlink`` first refuse a letter that is not as
gpdesk last wrote it, then record its new state.

**Two people at once.** Each change is a conditional UPDATE: it only applies while the letter's
triage columns (state, assignee, kind, links, filed/archived) are still as this session read
them. Two assistants assigning the same letter at the same moment: the first wins, the second
finds the row changed (PostgreSQL re-checks the condition once the first commits) and is told
what the letter is now, instead of silently overwriting it.

Permissions: triage (assign, kind, link, archive) needs ``LETTER_FILE``; forwarding to the GP
who signalled needs ``LETTER_FORWARD`` (the feedback contact: POH-GGZ by default, GP too);
archiving a quarantined file is the beheerder's (``SETTINGS_MANAGE``), after reading its reason.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import CursorResult, and_, case, func, not_, or_, select, update
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError, TamperedError, ValidationError
from gpdesk.inbox.kinds import LetterKind
from gpdesk.inbox.store.reading import letter_row, patient_ref_of, summary
from gpdesk.inbox.store.routing import DEFAULT_FEEDBACK_CONTACT
from gpdesk.inbox.store.shapes import LetterSummary
from gpdesk.models import (
    AuditEntry,
    Letter,
    LetterEvent,
    LetterState,
    Patient,
    Signal,
    User,
    utcnow,
)
from gpdesk.roles import Role
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, PermissionDeniedError, require
from gpdesk.security.sealed import parse_state, refusing_tampered, state_of
from gpdesk.signals.agreement import expected_by
from gpdesk.signals.consent import dutch_date, local_date
from gpdesk.signals.store.shapes import record_states

__all__ = [
    "ADVICE_WORKING_DAYS",
    "DEFAULT_FEEDBACK_CONTACT",
    "InboxCounts",
    "advice_due_on",
    "archive",
    "assign",
    "confirm_kind",
    "counts",
    "forward_to_referrer",
    "link",
    "refuse_unless_letter_current",
    "unlink",
]

ADVICE_WORKING_DAYS: Final = 5
"""An advice letter is a task for the GP (often a referral to second-line care): it is due this
many working days after it came in (``gpdesk.signals.agreement``: Monday to Friday, without the
public holidays offices close on). A week is what practices give a task that is not urgent; an
urgent matter comes as an escalation, which is flagged at once instead."""


MAX_NOTE_LENGTH: Final = 2000

ASSIGNED_STEP: Final = "toegewezen"
FORWARDED_STEP: Final = "doorgestuurd"
LINKED_STEP: Final = "gekoppeld"
UNLINKED_STEP: Final = "ontkoppeld"
ARCHIVED_STEP: Final = "gearchiveerd"
KIND_STEP_PREFIX: Final = "soort: "
"""The step of a confirmed kind: ``soort: advies`` (fits the 32 characters of a step)."""

# Problem keys, for a form to put each message next to its field.
ASSIGNEE_FIELD: Final = "toewijzen"
NOTE_FIELD: Final = "notitie"
KIND_FIELD: Final = "soort"
SIGNAL_FIELD: Final = "signaal"
PATIENT_FIELD: Final = "patient"

_OPEN: Final = (LetterState.NEW, LetterState.ASSIGNED)
_FOR_THE_GP: Final = (LetterKind.ADVICE, LetterKind.ESCALATION)
_READS: Final = frozenset({"letter.list", "letter.copy", "letter.match"})
_LETTER_WRITES: Final = tuple(
    e for e in audit.EVENT_LABELS if e.startswith("letter.") and e not in _READS
)
"""Audit events that may record a letter's state: every ``letter.*`` write gpdesk knows."""


@dataclass(frozen=True)
class InboxCounts:
    """The navigation badge: counted from plain columns, nothing opened, nothing audited.

    All but ``quarantined`` count open letters (nieuw or toegewezen) that are not in quarantine.
    ``mine``: assigned to this user, or to this user's role and no one in it yet.
    """

    new: int
    mine: int
    unassigned: int
    unmatched: int
    advice_or_escalation: int
    quarantined: int


# -- shared: the state check, the step, the claim ------------------------------------------------


def reference_of(session: Session, signal_id: int | None) -> str | None:
    """The reference of the letter's signal, if any."""
    if signal_id is None:
        return None
    return session.scalar(select(Signal.reference).where(Signal.id == signal_id))


def refuse_unless_letter_current(session: Session, vault: Vault, letter_id: int) -> None:
    """Refuse (``TamperedError``) a letter that is not as gpdesk last wrote it.

    ``gpdesk.security.sealed.refuse_unless_current`` finds the last state through the patient's
    entries; a letter may have no patient (niet gekoppeld) or have changed patient, so the last
    state is looked up by the letter itself: the newest ``letter.*`` write about it that
    recorded one. (A letter is never in the rebind baseline: that ran before letters existed.)
    """
    now = next(d for t, i, d in parse_state(state_of(session, vault, "letter", letter_id)))
    query = (
        select(AuditEntry.state)
        .where(
            AuditEntry.event.in_(_LETTER_WRITES),
            AuditEntry.object_type == "letter",
            AuditEntry.object_id == str(letter_id),
            AuditEntry.state.is_not(None),
        )
        .order_by(AuditEntry.seq.desc())
    )
    for text in session.scalars(query):
        last = next((d for t, i, d in parse_state(text) if (t, i) == ("letter", letter_id)), None)
        if last is not None:
            if hmac.compare_digest(last, now):
                return
            break
    raise TamperedError("letter", letter_id)


def add_step(
    session: Session,
    vault: Vault,
    letter_id: int,
    step: str,
    *,
    actor: Actor,
    at: datetime,
    to_user_id: int | None = None,
    note: str = "",
) -> LetterEvent:
    """A step on the letter's timeline; its note sealed in its place."""
    row = LetterEvent(
        letter_id=letter_id, step=step, at=at, actor_id=actor.user_id, to_user_id=to_user_id
    )
    session.add(row)
    session.flush()
    if note:
        row.note = vault.seal("letter_event", "note", row.id, note)
        session.flush()
    return row


def clean_note(note: str) -> str:
    """A note as kept: trimmed; too long is refused (the form shows it at the field)."""
    text = note.strip()
    if len(text) > MAX_NOTE_LENGTH:
        raise ValidationError(
            {NOTE_FIELD: f"De notitie is te lang (meer dan {MAX_NOTE_LENGTH} tekens). Kort die in."}
        )
    return text


def _seen(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def _claim(session: Session, row: Letter, values: dict[str, Any]) -> None:
    """Write ``values`` only while the letter's triage is as this session read it."""
    conditions = [
        Letter.id == row.id,
        _seen(Letter.state, row.state),
        _seen(Letter.assignee_id, row.assignee_id),
        _seen(Letter.assignee_role, row.assignee_role),
        _seen(Letter.kind, row.kind),
        Letter.kind_confirmed == row.kind_confirmed,
        _seen(Letter.signal_id, row.signal_id),
        _seen(Letter.patient_id, row.patient_id),
        Letter.match_confirmed == row.match_confirmed,
    ]
    for column, value in (
        (Letter.filed_at, row.filed_at),
        (Letter.archived_at, row.archived_at),
        (Letter.forgotten_at, row.forgotten_at),
        (Letter.quarantine_reason, row.quarantine_reason),
    ):
        conditions.append(column.is_(None) if value is None else column.is_not(None))
    result = session.execute(
        update(Letter)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    if not (isinstance(result, CursorResult) and result.rowcount == 1):
        raise GpdeskError(
            f"Iemand anders heeft deze terugkoppeling net gewijzigd: {_now_is(session, row)}.",
            hint="Bekijk de terugkoppeling opnieuw en kies dan wat u wilt doen.",
        )


def _name(session: Session, user_id: int | None) -> str:
    user = None if user_id is None else session.get(User, user_id)
    return "iemand anders" if user is None else user.display_name


def _now_is(session: Session, row: Letter) -> str:
    """What the letter is now, in words (for a refusal)."""
    if row.state is LetterState.ARCHIVED:
        return "hij is gearchiveerd"
    if row.filed_at is not None:
        when = dutch_date(local_date(row.filed_at))
        return f"hij is overgenomen in het HIS door {_name(session, row.filed_by_id)} op {when}"
    if row.assignee_id is not None:
        return f"hij is toegewezen aan {_name(session, row.assignee_id)}"
    if row.assignee_role is not None:
        return f"hij is toegewezen aan de {Role(row.assignee_role).label}"
    return "hij is in de tussentijd aangepast"


def refuse_closed(session: Session, row: Letter, doing: str, *, filed_too: bool) -> None:
    """Refuse plainly a letter that cannot be ``doing`` (e.g. "toegewezen") in its state."""
    if row.quarantine_reason is not None:
        raise GpdeskError(
            f"Dit bericht staat in quarantaine en is niet geopend; het kan niet worden {doing}.",
            hint="Vraag de beheerder het bericht te bekijken.",
        )
    if row.forgotten_at is not None:
        raise GpdeskError(
            "De inhoud van deze terugkoppeling is al verwijderd na de bewaartermijn.",
            hint="Er is niets meer mee te doen; het logboek bewaart wat ermee gebeurde.",
        )
    if row.state is LetterState.ARCHIVED:
        raise GpdeskError(
            f"Deze terugkoppeling is al gearchiveerd en kan niet meer worden {doing}.",
            hint="U hoeft niets meer te doen.",
        )
    if filed_too and row.filed_at is not None:
        raise GpdeskError(
            f"Deze terugkoppeling is al overgenomen in het HIS ({_now_is(session, row)}); "
            f"hij hoeft niet meer te worden {doing}.",
            hint="U hoeft niets meer te doen.",
        )


def _result(session: Session, vault: Vault, actor: Actor, row: Letter) -> LetterSummary:
    with refusing_tampered(session, actor=actor, vault=vault):
        return summary(
            vault,
            row,
            reference_of(session, row.signal_id),
            None if row.filed_by_id is None else _name(session, row.filed_by_id),
        )


def _reads_letters(session: Session, vault: Vault, role: Role) -> bool:
    from gpdesk.security.users import permission_table

    return Permission.LETTER_READ in permission_table(session, vault)[role]


# -- assigning -----------------------------------------------------------------------------------


def assign(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    user_id: int | None = None,
    role: Role | None = None,
    note: str = "",
    now: datetime | None = None,
) -> LetterSummary:
    """Assign the letter to one user or to a role (nieuw or toegewezen → toegewezen); audited.

    Refused for a letter in quarantine, filed, archived or forgotten, and for someone who may
    not read letters. Commits nothing.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    if (user_id is None) == (role is None):
        raise ValidationError(
            {ASSIGNEE_FIELD: "Kies aan wie u de terugkoppeling toewijst: één persoon of één rol."}
        )
    text = clean_note(note)
    target_user: User | None = None
    if user_id is not None:
        target_user = session.get(User, user_id)
        if target_user is None or not target_user.active:
            raise ValidationError(
                {ASSIGNEE_FIELD: "Deze gebruiker bestaat niet of kan niet meer aanmelden. "
                 "Kies iemand anders."}
            )  # fmt: skip
        if not _reads_letters(session, vault, target_user.role):
            raise ValidationError(
                {ASSIGNEE_FIELD: f"{target_user.display_name} mag geen terugkoppelingen lezen. "
                 "Kies iemand anders."}
            )  # fmt: skip
    elif role is not None and not _reads_letters(session, vault, Role(role)):
        raise ValidationError(
            {ASSIGNEE_FIELD: f"De rol {Role(role).label} mag geen terugkoppelingen lezen. "
             "Kies een andere rol."}
        )  # fmt: skip
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "toegewezen", filed_too=True)
    role_value = None if role is None else Role(role).value
    if (row.state, row.assignee_id, row.assignee_role) == (
        LetterState.ASSIGNED,
        user_id,
        role_value,
    ) and not text:
        return _result(session, vault, actor, row)  # already so: nothing to record
    _claim(
        session, row,
        {"state": LetterState.ASSIGNED, "assignee_id": user_id, "assignee_role": role_value},
    )  # fmt: skip
    step = add_step(
        session, vault, row.id, ASSIGNED_STEP, actor=actor, at=moment, to_user_id=user_id,
        note=text,
    )  # fmt: skip
    whom = f"rol {Role(role).label}" if role is not None else _username(session, user_id or 0)
    audit.record(
        session, event="letter.assign", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref_of(session, row.patient_id), object_type="letter",
        object_id=row.id, detail=f"terugkoppeling {row.id} toegewezen aan {whom}", vault=vault,
        state=record_states(session, vault, [("letter_event", step.id)]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


def forward_to_referrer(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    note: str,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """The feedback contact passes the letter to the GP who sent its signal, with a note.

    The letter is then assigned to that GP (``Signal.requester_id``); the step "doorgestuurd"
    carries the note, sealed. Refused for a letter without a signal: gpdesk cannot know the GP.
    """
    require(actor.permissions, Permission.LETTER_FORWARD)
    moment = now or utcnow()
    text = clean_note(note)
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "doorgestuurd", filed_too=True)
    signal = None if row.signal_id is None else session.get(Signal, row.signal_id)
    if signal is None:
        raise GpdeskError(
            "Deze terugkoppeling hoort nog niet bij een signaal, dus gpdesk weet niet welke "
            "huisarts het signaal stuurde.",
            hint="Koppel de terugkoppeling eerst aan een signaal of wijs hem toe aan een huisarts.",
        )
    gp = session.get(User, signal.requester_id)
    if gp is None or not gp.active:
        raise GpdeskError(
            f"De huisarts die signaal {signal.reference} stuurde, kan niet meer aanmelden.",
            hint="Wijs de terugkoppeling toe aan een andere huisarts.",
        )
    _claim(
        session, row,
        {"state": LetterState.ASSIGNED, "assignee_id": gp.id, "assignee_role": None},
    )  # fmt: skip
    step = add_step(
        session, vault, row.id, FORWARDED_STEP, actor=actor, at=moment, to_user_id=gp.id,
        note=text,
    )  # fmt: skip
    audit.record(
        session, event="letter.forward", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref_of(session, row.patient_id), object_type="letter",
        object_id=row.id, vault=vault,
        detail=f"terugkoppeling {row.id} bij {signal.reference} doorgestuurd naar {gp.username}",
        state=record_states(session, vault, [("letter_event", step.id)]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


# -- the kind ------------------------------------------------------------------------------------


def advice_due_on(received_at: datetime) -> date:
    """The day the GP should have decided on an advice letter received at ``received_at``."""
    return expected_by(local_date(received_at), ADVICE_WORKING_DAYS)


def confirm_kind(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    kind: LetterKind | str,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """The user confirms (or corrects) the kind; audited, commits nothing.

    advies: due ``ADVICE_WORKING_DAYS`` working days after receipt and, while open, assigned to
    the GP who sent the signal. escalatie: urgent, and assigned to that GP at once. Without a
    signal (or when that GP can no longer sign in) an unassigned letter goes to the role huisarts.
    Any other kind clears the due day and the urgency.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    try:
        confirmed = LetterKind(kind)
    except ValueError:
        raise ValidationError({KIND_FIELD: "Kies een soort brief uit de lijst."}) from None
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "aangepast", filed_too=False)
    values: dict[str, Any] = {
        "kind": confirmed.value,
        "kind_confirmed": True,
        "urgent": confirmed is LetterKind.ESCALATION,
        "due_on": advice_due_on(row.received_at) if confirmed is LetterKind.ADVICE else None,
    }
    to_user: int | None = None
    if confirmed in _FOR_THE_GP and row.state in _OPEN:
        gp = _requesting_gp(session, row)
        if gp is not None and row.assignee_id != gp:
            to_user = gp
            values.update(state=LetterState.ASSIGNED, assignee_id=gp, assignee_role=None)
        elif gp is None and row.assignee_id is None and row.assignee_role is None:
            values.update(state=LetterState.ASSIGNED, assignee_role=Role.GP.value)
    _claim(session, row, values)
    steps = [add_step(session, vault, row.id, KIND_STEP_PREFIX + confirmed.value,
                      actor=actor, at=moment)]  # fmt: skip
    if "state" in values:
        steps.append(
            add_step(session, vault, row.id, ASSIGNED_STEP, actor=actor, at=moment,
                     to_user_id=to_user)
        )  # fmt: skip
    detail = f"terugkoppeling {row.id}: soort {confirmed.value}"
    if "state" in values:
        detail += "; toegewezen aan " + (
            _username(session, to_user) if to_user is not None else f"rol {Role.GP.label}"
        )
    audit.record(
        session, event="letter.kind", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref_of(session, row.patient_id), object_type="letter",
        object_id=row.id, detail=detail, vault=vault,
        state=record_states(session, vault, [("letter_event", s.id) for s in steps]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


def _username(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return "?" if user is None else user.username


def _requesting_gp(session: Session, row: Letter) -> int | None:
    """The GP who sent the letter's signal, when there is one and they can still sign in."""
    if row.signal_id is None:
        return None
    requester = session.scalar(select(Signal.requester_id).where(Signal.id == row.signal_id))
    user = None if requester is None else session.get(User, requester)
    return None if user is None or not user.active else user.id


# -- linking -------------------------------------------------------------------------------------


def link(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    signal_reference: str | None = None,
    patient_id: int | None = None,
    now: datetime | None = None,
) -> LetterSummary:
    """The user confirms whose letter this is: a signal (and so its patient and team) or a patient.

    A confirmed link (``match_confirmed``). Linking to a patient other than the signal's drops
    the signal. The letter's new state is recorded (``patient_id`` and ``signal_id`` are bound);
    a letter not as gpdesk last wrote it is refused first. Moving a letter from one patient to
    another is audited for both patients.
    """
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    wanted = (signal_reference or "").strip()
    if not wanted and patient_id is None:
        raise ValidationError(
            {SIGNAL_FIELD: "Kies het signaal of de patiënt waar deze terugkoppeling bij hoort."}
        )
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "gekoppeld", filed_too=False)
    signal = None
    if wanted:
        signal = session.scalar(select(Signal).where(Signal.reference == wanted.upper()))
        if signal is None:
            raise ValidationError(
                {SIGNAL_FIELD: f"Er is geen signaal met kenmerk {wanted[:40]}. Controleer het "
                 "kenmerk, bijvoorbeeld SIG-2026-000123."}
            )  # fmt: skip
        if patient_id is not None and patient_id != signal.patient_id:
            raise ValidationError(
                {PATIENT_FIELD: "Dit signaal hoort bij een andere patiënt. Kies het signaal of "
                 "de patiënt opnieuw."}
            )  # fmt: skip
    target = signal.patient_id if signal is not None else patient_id
    if target is None or session.get(Patient, target) is None:
        raise ValidationError(
            {PATIENT_FIELD: "Deze patiënt is niet bekend in gpdesk. Open de patiënt eerst "
             "vanuit het HIS."}
        )  # fmt: skip
    old_patient = row.patient_id
    old_ref = patient_ref_of(session, old_patient)
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=old_ref):
        refuse_unless_letter_current(session, vault, row.id)
    values: dict[str, Any] = {"patient_id": target, "match_confirmed": True}
    if signal is not None:
        values.update(signal_id=signal.id, team_id=signal.team_id, team_name=signal.team_name)
    elif row.signal_id is not None and old_patient != target:
        values.update(signal_id=None, **_team_without_signal(session, row))
    if all(getattr(row, name) == value for name, value in values.items()):
        return _result(session, vault, actor, row)  # confirmed as it was: nothing to record
    _claim(session, row, values)
    step = add_step(session, vault, row.id, LINKED_STEP, actor=actor, at=moment)
    new_ref = patient_ref_of(session, target)
    if old_ref is not None and old_ref != new_ref:
        audit.record(
            session, event="letter.unlink", action=audit.Action.UPDATE, actor=actor,
            patient_ref=old_ref, object_type="letter", object_id=row.id, vault=vault,
            detail=f"terugkoppeling {row.id} losgekoppeld: hoort bij een andere patiënt",
        )  # fmt: skip
    where = f"bij {signal.reference}" if signal is not None else "bij een patiënt"
    audit.record(
        session, event="letter.link", action=audit.Action.UPDATE, actor=actor,
        patient_ref=new_ref, object_type="letter", object_id=row.id, vault=vault,
        detail=f"terugkoppeling {row.id} gekoppeld {where}",
        state=record_states(session, vault, [("letter", row.id), ("letter_event", step.id)]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


def _team_without_signal(session: Session, row: Letter) -> dict[str, Any]:
    """The team came with the signal: it goes with it (a team named otherwise stays)."""
    old = session.get(Signal, row.signal_id) if row.signal_id is not None else None
    if old is not None and row.team_id == old.team_id:
        return {"team_id": None, "team_name": None}
    return {}


def unlink(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """Undo a wrong link: no signal, no patient; the letter waits in "Niet gekoppeld" again."""
    require(actor.permissions, Permission.LETTER_FILE)
    moment = now or utcnow()
    row = letter_row(session, letter_id)
    refuse_closed(session, row, "ontkoppeld", filed_too=False)
    if row.signal_id is None and row.patient_id is None:
        raise GpdeskError(
            "Deze terugkoppeling is niet gekoppeld aan een signaal of patiënt.",
            hint="U hoeft niets te doen.",
        )
    old_ref = patient_ref_of(session, row.patient_id)
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=old_ref):
        refuse_unless_letter_current(session, vault, row.id)
    values: dict[str, Any] = {"signal_id": None, "patient_id": None, "match_confirmed": False}
    values.update(_team_without_signal(session, row))
    _claim(session, row, values)
    step = add_step(session, vault, row.id, UNLINKED_STEP, actor=actor, at=moment)
    audit.record(
        session, event="letter.unlink", action=audit.Action.UPDATE, actor=actor,
        patient_ref=old_ref, object_type="letter", object_id=row.id, vault=vault,
        detail=f"terugkoppeling {row.id} losgekoppeld",
        state=record_states(session, vault, [("letter", row.id), ("letter_event", step.id)]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


# -- archiving -----------------------------------------------------------------------------------


def archive(
    session: Session,
    vault: Vault,
    actor: Actor,
    letter_id: int,
    *,
    now: datetime | None = None,
) -> LetterSummary:
    """Overgenomen in HIS → gearchiveerd; or a quarantined file put away by the beheerder.

    A quarantined file is archived only by someone with ``SETTINGS_MANAGE``, once the screen has
    shown its reason; it stays kept (never opened), out of the inbox. Commits nothing.
    """
    moment = now or utcnow()
    row = letter_row(session, letter_id)
    if row.state is LetterState.ARCHIVED:
        raise GpdeskError("Deze terugkoppeling is al gearchiveerd.", hint="U hoeft niets te doen.")
    quarantined = row.quarantine_reason is not None
    if quarantined:
        require(actor.permissions, Permission.SETTINGS_MANAGE)
    else:
        require(actor.permissions, Permission.LETTER_FILE)
        if row.filed_at is None:
            raise GpdeskError(
                "Deze terugkoppeling is nog niet overgenomen in het HIS en kan dus nog niet "
                "worden gearchiveerd.",
                hint="Neem hem eerst over in het HIS (of laat dat doen); daarna kunt u hem "
                "archiveren.",
            )
    _claim(session, row, {"state": LetterState.ARCHIVED, "archived_at": moment})
    step = add_step(session, vault, row.id, ARCHIVED_STEP, actor=actor, at=moment)
    detail = f"terugkoppeling {row.id} gearchiveerd"
    if quarantined:
        detail += f" (in quarantaine: {row.quarantine_code})"
    audit.record(
        session, event="letter.archive", action=audit.Action.UPDATE, actor=actor,
        patient_ref=patient_ref_of(session, row.patient_id), object_type="letter",
        object_id=row.id, detail=detail, vault=vault,
        state=record_states(session, vault, [("letter_event", step.id)]),
    )  # fmt: skip
    return _result(session, vault, actor, row)


# -- the navigation badge ------------------------------------------------------------------------


def counts(session: Session, actor: Actor) -> InboxCounts:
    """How many letters wait, per filter: one aggregate query over plain columns.

    Someone who reads no letters but manages the practice (the beheerder) sees only the
    quarantine count; anyone else without ``LETTER_READ`` is refused.
    """
    reads = actor.may(Permission.LETTER_READ)
    if not reads and not actor.may(Permission.SETTINGS_MANAGE):
        raise PermissionDeniedError(
            f"U hebt geen toestemming voor: {Permission.LETTER_READ.label}.",
            hint="Vraag de praktijkmanager om dit recht als u het nodig hebt.",
        )
    clean = Letter.quarantine_reason.is_(None)
    nobody = and_(Letter.assignee_id.is_(None), Letter.assignee_role.is_(None))
    mine = or_(
        Letter.assignee_id == actor.user_id,
        and_(Letter.assignee_id.is_(None), Letter.assignee_role == actor.role.value),
    )
    unmatched = or_(Letter.patient_id.is_(None), not_(Letter.match_confirmed))
    for_gp = Letter.kind.in_([k.value for k in _FOR_THE_GP])

    def number(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = session.execute(
        select(
            number(and_(clean, Letter.state == LetterState.NEW)),
            number(and_(clean, mine)),
            number(and_(clean, nobody)),
            number(and_(clean, unmatched)),
            number(and_(clean, for_gp)),
            number(not_(clean)),
        ).where(Letter.state.in_(_OPEN))
    ).one()
    new, own, free, loose, gp, quarantined = (int(n) for n in row)
    if not reads:
        return InboxCounts(0, 0, 0, 0, 0, quarantined)
    return InboxCounts(new, own, free, loose, gp, quarantined)
