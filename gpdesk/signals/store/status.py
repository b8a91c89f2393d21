"""Moving a signal along its timeline (issue #10 item 8), and what a consent's withdrawal does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import ValidationError
from gpdesk.models import (
    EventSource,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Patient,
    Signal,
    SignalEvent,
    SignalStatus,
    utcnow,
)
from gpdesk.security import audit
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission, PermissionDeniedError, require
from gpdesk.security.sealed import (
    refuse_unless_current,
    refusing_tampered,
)
from gpdesk.signals.consent import AffectedSignal, WithdrawalHook, WithdrawnConsent
from gpdesk.signals.store.shapes import (
    CLOSED,
    MAX_REASON_LENGTH,
    REASON_FIELD,
    STATUS_FIELD,
    SignalRecord,
    load_record,
    message_domain,
    outbox_row,
    record_states,
    signal_row,
)

_ENDINGS: Final = CLOSED - {SignalStatus.CANCELLED}
_AFTER_SENDING: Final = {SignalStatus.RECEIVED, SignalStatus.IN_PROGRESS} | CLOSED
TRANSITIONS: Final[dict[SignalStatus, frozenset[SignalStatus]]] = {
    SignalStatus.DRAFT: frozenset({SignalStatus.CANCELLED}),
    SignalStatus.SENT: frozenset(_AFTER_SENDING),
    SignalStatus.RECEIVED: frozenset(_AFTER_SENDING - {SignalStatus.RECEIVED}),
    SignalStatus.IN_PROGRESS: frozenset(CLOSED),
    **{ending: frozenset({SignalStatus.RECEIVED, SignalStatus.IN_PROGRESS}) for ending in _ENDINGS},
    SignalStatus.CANCELLED: frozenset(),
}
"""Which status a user may move a signal to from each status (issue #10 item 8). "Verzonden"
is set by the outbox only. From an ending, going back to ontvangen or in behandeling is a
reopening and needs a reason; so does cancelling."""


# -- moving along ------------------------------------------------------------------------------


def add_event(
    session: Session,
    vault: Vault,
    signal: Signal,
    status: SignalStatus,
    *,
    source: EventSource,
    at: datetime,
    actor: Actor | None = None,
    actor_label: str | None = None,
    reason: str | None = None,
    event: str = "signal.status",
    detail: str | None = None,
) -> SignalEvent:
    """Move ``signal`` to ``status``: a timeline step and its audit entry, with their states.

    For every writer of a status (a user here, the outbox worker when a channel delivered, the
    inbox when the team answers): the step's reason is sealed, and the audit entry records the
    signal's and the step's state, so ``gpdesk check`` knows them. ``actor`` None means gpdesk
    or the team (``actor_label`` says who, in words).
    """
    step = SignalEvent(
        signal_id=signal.id, status=status, at=at, source=source,
        actor_id=None if actor is None else actor.user_id, actor_label=actor_label,
    )  # fmt: skip
    session.add(step)
    session.flush()
    if reason:
        step.reason = vault.seal("signal_event", "reason", step.id, reason)
    if status is not signal.status:
        signal.closed_at = at if status in CLOSED else None
    signal.status = status
    patient = session.get(Patient, signal.patient_id)
    assert patient is not None
    audit.record(
        session, event=event, action=audit.Action.UPDATE, actor=actor,
        username=None if actor is not None else "systeem",
        patient_ref=patient.bsn_index.hex(), object_type="signal", object_id=signal.id,
        detail=detail or f"{signal.reference}: {status.value}", vault=vault,
        state=record_states(
            session, vault, [("signal", signal.id), ("signal_event", step.id)]
        ),
    )  # fmt: skip
    return step


_NOT_LEFT: Final = frozenset({OutboxState.PENDING, OutboxState.FAILED})
"""A signal's message in these states has not left: stopping it is enough."""
_MAY_HAVE_LEFT: Final = frozenset({OutboxState.SENT, OutboxState.SENDING})
"""In these the team has (or may have) the signal: it gets a notice on that channel."""


def _stop_or_notify(session: Session, signal: Signal, kind: MessageKind, at: datetime) -> bool:
    """Stop what has not left; queue a ``kind`` notice on each channel where it may have.

    True when a notice was queued (the team had, or may have had, the signal).
    """
    messages = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.signal_id == signal.id, OutboxMessage.kind == MessageKind.SIGNAL
            )
        )
    )
    domain = message_domain(session)
    notified = False
    for message in messages:
        if message.state in _NOT_LEFT:
            message.state = OutboxState.STOPPED
            message.next_attempt_at = None
        elif message.state in _MAY_HAVE_LEFT:
            session.add(
                outbox_row(
                    (signal.id, signal.reference), kind, message.channel, domain=domain, at=at
                )
            )
            notified = True
    session.flush()
    return notified


def change_status(
    session: Session,
    vault: Vault,
    actor: Actor,
    reference: str,
    status: SignalStatus,
    *,
    reason: str = "",
    now: datetime | None = None,
) -> SignalRecord:
    """Move a signal along its timeline as a user (issue #10 item 8); audited, commits nothing.

    Reopening an ended signal and cancelling need a reason. Cancelling stops what has not been
    sent and queues a cancellation to the team on each channel that already sent it.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    if not (actor.may(Permission.SIGNAL_SEND) or actor.may(Permission.SIGNAL_SEND_ON_BEHALF)):
        raise PermissionDeniedError(
            f"U hebt geen toestemming voor: {Permission.SIGNAL_SEND.label}.",
            hint="Vraag de praktijkmanager om dit recht als u het nodig hebt.",
        )
    moment = now or utcnow()
    row = signal_row(session, reference)
    patient = session.get(Patient, row.patient_id)
    assert patient is not None
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=patient.bsn_index.hex()):
        refuse_unless_current(session, vault, "signal", row.id, patient.bsn_index.hex())
    current = row.status
    target = SignalStatus(status)
    if target not in TRANSITIONS[current]:
        raise ValidationError({STATUS_FIELD: _refusal(current, target)})
    text = " ".join(reason.split())
    reopening = current in CLOSED and target not in CLOSED
    if (reopening or target is SignalStatus.CANCELLED) and not text:
        what = "heropenen" if reopening else "annuleren"
        raise ValidationError({REASON_FIELD: f"Schrijf op waarom u het signaal wilt {what}."})
    if len(text) > MAX_REASON_LENGTH:
        raise ValidationError({REASON_FIELD: "De reden is te lang. Kort die in."})
    detail = f"{row.reference}: {current.value} -> {target.value}"
    if target is SignalStatus.CANCELLED:
        if _stop_or_notify(session, row, MessageKind.CANCELLATION, moment):
            detail += "; annulering gemeld aan het team"
        else:
            detail += "; verzenden gestopt"
    elif reopening:
        detail += "; heropend"
    add_event(
        session, vault, row, target, source=EventSource.USER, at=moment, actor=actor,
        reason=text or None, detail=detail,
    )  # fmt: skip
    return load_record(session, vault, actor, row, at=moment)


def _refusal(current: SignalStatus, target: SignalStatus) -> str:
    if current is SignalStatus.CANCELLED:
        return "Dit signaal is geannuleerd en kan niet meer veranderen. Maak zo nodig een nieuw."
    if target is SignalStatus.SENT:
        return "'Verzonden' zet gpdesk zelf zodra het signaal is afgeleverd."
    if current is SignalStatus.DRAFT:
        return "Dit signaal is nog niet verzonden. U kunt het alleen annuleren."
    return f"Een signaal met status '{current.value}' kan niet naar '{target.value}'."


# -- withdrawal -------------------------------------------------------------------------------

STOPPED_OUTCOME: Final = "verzenden gestopt"
NOTIFIED_OUTCOME: Final = "intrekking gemeld aan het team"


def _resting_on(session: Session, consent_id: int) -> Sequence[Signal]:
    """The signals a withdrawal of this consent touches: every one on it not cancelled."""
    return list(
        session.scalars(
            select(Signal)
            .where(Signal.consent_id == consent_id)
            .where(Signal.status != SignalStatus.CANCELLED)
            .order_by(Signal.id)
        )
    )


def _withdraw(session: Session, withdrawn: WithdrawnConsent) -> list[tuple[Signal, bool]]:
    """Stop or notify every signal resting on the withdrawn consent; (signal, notified)."""
    rows = _resting_on(session, withdrawn.consent_id)
    return [
        (row, _stop_or_notify(session, row, MessageKind.WITHDRAWAL, withdrawn.withdrawn_at))
        for row in rows
    ]


def _outcome(notified: bool) -> str:
    return NOTIFIED_OUTCOME if notified else STOPPED_OUTCOME


def withdrawal_hook(session: Session, withdrawn: WithdrawnConsent) -> Iterable[AffectedSignal]:
    """A ``consent.WithdrawalHook``: what the withdrawal of a consent does to its signals.

    Every signal resting on the consent that is not cancelled: sends that have not left are
    stopped; where the team had the signal, a withdrawal notice is queued on that channel.
    The timeline is left as it is (writing a step needs the key: ``withdrawal_hook_for``);
    the outbox rows say what happened, and the withdrawal's audit entry counts the signals.
    """
    return [
        AffectedSignal(row.reference, _outcome(notified))
        for row, notified in _withdraw(session, withdrawn)
    ]


def withdrawal_hook_for(vault: Vault) -> WithdrawalHook:
    """``withdrawal_hook``, and each signal's timeline says so; use it when the key is at hand.

    A signal that never left is cancelled (geannuleerd, reason: consent withdrawn); one the
    team had keeps its status and gets a step saying the withdrawal was reported. Each step is
    audited with its state, as every status change is.
    """

    def hook(session: Session, withdrawn: WithdrawnConsent) -> Iterable[AffectedSignal]:
        affected = []
        for row, notified in _withdraw(session, withdrawn):
            outcome = _outcome(notified)
            never_left = not notified and row.status is SignalStatus.DRAFT
            add_event(
                session, vault, row,
                SignalStatus.CANCELLED if never_left else row.status,
                source=EventSource.USER, at=withdrawn.withdrawn_at, actor=withdrawn.withdrawn_by,
                reason=f"Toestemming ingetrokken: {outcome}.",
                detail=f"{row.reference}: toestemming ingetrokken; {outcome}",
            )  # fmt: skip
            affected.append(AffectedSignal(row.reference, outcome))
        return affected

    return hook


@dataclass(frozen=True)
class WithdrawalEffect:
    """What withdrawing a consent would do to one signal resting on it, before it is done."""

    reference: str
    team_name: str
    notifies: bool
    """True: the team has (or may have) the signal and gets a withdrawal notice. False: what
    has not left is stopped, and the team hears nothing (it never had it)."""

    @property
    def outcome(self) -> str:
        """The same words the withdrawal reports afterwards (``AffectedSignal.outcome``)."""
        return _outcome(self.notifies)


def withdrawal_effects(
    session: Session, actor: Actor, consent_id: int
) -> tuple[WithdrawalEffect, ...]:
    """What ``withdrawal_hook`` would do to each signal on the consent; changes nothing.

    For the confirmation the user reads before withdrawing: which sends stop, which teams get
    a notice. Plain columns only (reference, team name), nothing decrypted. A message may leave
    between this look and the withdrawal: the withdrawal's own report says what was done.
    """
    require(actor.permissions, Permission.PATIENT_OPEN)
    effects = []
    for row in _resting_on(session, consent_id):
        states = set(
            session.scalars(
                select(OutboxMessage.state).where(
                    OutboxMessage.signal_id == row.id, OutboxMessage.kind == MessageKind.SIGNAL
                )
            )
        )
        effects.append(
            WithdrawalEffect(row.reference, row.team_name, bool(states & _MAY_HAVE_LEFT))
        )
    return tuple(effects)
