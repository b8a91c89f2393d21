"""What a signal is to its callers (request, record, summary), and what the store's parts share.

The shared helpers: who in words, the Message-ID domain, a new outbox row, the merged record
states of an audit entry, and loading one signal decrypted (checked against its last state).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpdesk.errors import GpdeskError
from gpdesk.models import (
    Channel,
    DataItem,
    MessageKind,
    OutboxMessage,
    OutboxState,
    Patient,
    Signal,
    SignalEvent,
    SignalStatus,
    TeamDelivery,
    TransportSettings,
    User,
    utcnow,
)
from gpdesk.security.actor import Actor
from gpdesk.security.crypto import Vault
from gpdesk.security.permissions import Permission
from gpdesk.security.sealed import (
    REMOVED_STATE,
    SEALED_TABLES,
    refuse_unless_current,
    refusing_tampered,
    state_json,
    states_of,
)
from gpdesk.signals import snapshot
from gpdesk.signals.consent import (
    ConsentDraft,
    NoConsentRequest,
    local_date,
)
from gpdesk.signals.outgoing import (
    DEFAULT_ITEMS,
    OutgoingSignal,
    Route,
)
from gpdesk.transport.message import make_message_id

NO_DOMAIN: Final = "gpdesk.invalid"
"""The Message-ID domain while the practice has no from-address (RFC 6761: never resolves)."""
REASON_FIELD: Final = "reden"
STATUS_FIELD: Final = "status"
MAX_REASON_LENGTH: Final = 2000

CLOSED: Final = frozenset(
    {
        SignalStatus.COMPLETED,
        SignalStatus.REJECTED,
        SignalStatus.NOT_REACHED,
        SignalStatus.NO_SHOW,
        SignalStatus.CANCELLED,
    }
)
"""Statuses that end the loop; all but "geannuleerd" can be reopened with a reason."""

# -- what the form holds --------------------------------------------------------------------


@dataclass(frozen=True)
class SignalRequest:
    """What the form and ``gpdesk signal send`` hold: one signal, before it is checked."""

    patient_id: int
    themes: tuple[str, ...]
    """Theme codes from ``outgoing.THEMES``."""
    question: str
    route: Route = Route.APPOINTMENT
    team_id: str | None = None
    """None: chosen by postcode, theme and age (``gpdesk.signals.team``)."""
    urgent: bool = False
    items: frozenset[DataItem] = DEFAULT_ITEMS
    phone: str | None = None
    """A newer number typed on the form."""
    medical: str | None = None
    private_note: str | None = None
    on_behalf_of: str | None = None
    """Username of the GP, when a POH-GGZ or an assistant prepares it."""
    consent: ConsentDraft | None = None
    """A new consent, recorded together with the signal."""
    without_consent: NoConsentRequest | None = None


# -- what is read back ----------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One step on a signal's timeline, in words: status, when, who, why."""

    status: SignalStatus
    at: datetime
    who: str
    reason: str | None = None


@dataclass(frozen=True)
class ChannelState:
    """One outbox message of a signal: what it carries, where, and how far it got."""

    kind: MessageKind
    channel: Channel
    state: OutboxState
    last_error: str | None
    attempts: int
    sent_at: datetime | None


@dataclass(frozen=True, repr=False)
class SignalRecord:
    """One signal as the detail view shows it (decrypted; read through ``signal_detail``)."""

    id: int
    reference: str
    patient_id: int
    status: SignalStatus
    team_id: str
    team_name: str
    created_at: datetime
    sent_at: datetime | None
    expected_by: date | None
    closed_at: datetime | None
    overdue: bool
    signal: OutgoingSignal
    """Exactly what the team received (or will receive)."""
    private_note: str | None
    """Only for users who may open the patient; never sent."""
    timeline: tuple[TimelineEntry, ...]
    outbox: tuple[ChannelState, ...]

    def __repr__(self) -> str:
        return f"SignalRecord({self.reference}, {self.status.value})"


@dataclass(frozen=True)
class SignalSummary:
    """One line of a signal list: plain columns only, nothing decrypted."""

    id: int
    reference: str
    patient_id: int
    status: SignalStatus
    team_id: str
    team_name: str
    created_at: datetime
    sent_at: datetime | None
    expected_by: date | None
    overdue: bool
    urgent: bool
    themes: tuple[str, ...]


def is_overdue(status: SignalStatus, expected_by: date | None, at: datetime) -> bool:
    """Sent, not yet confirmed, and the day the team promised an answer by has passed."""
    return status is SignalStatus.SENT and expected_by is not None and local_date(at) > expected_by


def who(user: User | None) -> str:
    """A user in words for a timeline: "H. Bakker (huisarts)"."""
    return "?" if user is None else f"{user.display_name} ({user.role.label})"


def message_domain(session: Session) -> str:
    """The domain of the practice's from-address, for Message-IDs."""
    settings = session.get(TransportSettings, 1)
    if settings is None or "@" not in settings.from_address:
        return NO_DOMAIN
    return settings.from_address.rsplit("@", 1)[1].strip().lower() or NO_DOMAIN


def record_states(
    session: Session,
    vault: Vault,
    records: Iterable[tuple[str, int]],
    *,
    removed: Iterable[tuple[str, int]] = (),
) -> str | None:
    """The audit ``state`` of several records at once; tables not in SEALED_TABLES are skipped.

    E.g. ``record_states(session, vault, [("signal", s.id), ("signal_event", e.id)])``.
    ``removed`` names records deleted on purpose in the same write (``REMOVED_STATE``).
    """
    registered = {table.name for table in SEALED_TABLES}
    states = states_of(session, vault, [(t, i) for t, i in records if t in registered])
    for table, record_id in removed:
        if table in registered:
            states.setdefault(table, {})[record_id] = REMOVED_STATE
    return state_json(states) if states else None


def channels_for(delivery: TeamDelivery) -> list[Channel]:
    """The channels a team's delivery has: its mail address, its export folder, or both."""
    channels = []
    if delivery.email:
        channels.append(Channel.SMTP)
    if delivery.export_folder:
        channels.append(Channel.FOLDER)
    return channels


def outbox_row(
    signal: tuple[int, str], kind: MessageKind, channel: Channel, *, domain: str, at: datetime
) -> OutboxMessage:
    """A new outbox row, due now; its Message-ID is fixed here (kind suffix for a notice)."""
    signal_id, reference = signal
    suffix = "" if kind is MessageKind.SIGNAL else f".{kind.value}"
    return OutboxMessage(
        signal_id=signal_id,
        kind=kind,
        channel=channel,
        message_id=make_message_id(f"{reference}{suffix}", domain),
        state=OutboxState.PENDING,
        created_at=at,
        next_attempt_at=at,
    )


# -- loading one signal ------------------------------------------------------------------------


def signal_row(session: Session, reference: str) -> Signal:
    """The signal with ``reference`` (any case), or a plain refusal."""
    row = session.scalar(select(Signal).where(Signal.reference == reference.strip().upper()))
    if row is None:
        raise GpdeskError(
            f"Er is geen signaal met kenmerk {reference.strip()}.",
            hint="Controleer het kenmerk, bijvoorbeeld SIG-2026-000123.",
        )
    return row


def load_record(
    session: Session, vault: Vault, actor: Actor, row: Signal, *, at: datetime | None = None
) -> SignalRecord:
    """Decrypt one signal; its rows are checked against their last recorded state first."""
    patient = session.get(Patient, row.patient_id)
    assert patient is not None  # the foreign key holds it
    ref = patient.bsn_index.hex()
    events = list(session.scalars(select(SignalEvent).where(SignalEvent.signal_id == row.id)
                                  .order_by(SignalEvent.id)))  # fmt: skip
    with refusing_tampered(session, actor=actor, vault=vault, patient_ref=ref):
        refuse_unless_current(session, vault, "signal", row.id, ref)
        for event in events:
            refuse_unless_current(session, vault, "signal_event", event.id, ref)
        out = snapshot.loads(vault.open("signal", "content", row.id, row.content))
        note = (
            vault.open("signal", "private_note", row.id, row.private_note)
            if row.private_note is not None and actor.may(Permission.PATIENT_OPEN)
            else None
        )
        reasons = {
            e.id: vault.open("signal_event", "reason", e.id, e.reason)
            for e in events
            if e.reason is not None
        }
    users = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
    )}  # fmt: skip
    timeline = tuple(
        TimelineEntry(
            status=e.status,
            at=e.at,
            who=who(users.get(e.actor_id)) if e.actor_id else (e.actor_label or e.source.value),
            reason=reasons.get(e.id),
        )
        for e in events
    )
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.signal_id == row.id).order_by(OutboxMessage.id)
    )
    outbox = tuple(
        ChannelState(m.kind, m.channel, m.state, m.last_error, m.attempts, m.sent_at)
        for m in messages
    )
    return SignalRecord(
        id=row.id,
        reference=row.reference,
        patient_id=row.patient_id,
        status=row.status,
        team_id=row.team_id,
        team_name=row.team_name,
        created_at=row.created_at,
        sent_at=row.sent_at,
        expected_by=row.expected_by,
        closed_at=row.closed_at,
        overdue=is_overdue(row.status, row.expected_by, at or utcnow()),
        signal=out,
        private_note=note,
        timeline=timeline,
        outbox=outbox,
    )
