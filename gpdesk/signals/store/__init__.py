"""Signals kept: composed for the preview, submitted to the outbox, read, moved along, withdrawn.

Everything here works in the caller's session and commits nothing itself: a submit is the
signal, its first timeline step, one outbox row per channel, the consent or no-consent decision
recorded with it, the reference number and the audit entries, committed together by the caller
or not at all (so a refused or failed submit gives no number away). Nothing touches the
network: the outbox worker (``gpdesk.signals.outbox``) sends what is committed, and moves the
status to "verzonden" when a channel delivered.

What says something about the patient is sealed for its place: the message exactly as it
leaves (``Signal.content``, ``snapshot.dumps`` of the ``OutgoingSignal``), the privénotitie
(which never enters an outgoing message) and a status change's reason. Lists read plain
columns only and decrypt nothing; ``patient_labels`` names a list's patients (name and birth
date, audited per patient).

Who sends: a signal always goes out under a GP's name (``Requester``). A GP sends their own
(``Permission.SIGNAL_SEND``); a POH-GGZ or an assistant prepares it on behalf of a named GP
(NEN 7513 "namens"; ``SIGNAL_SEND`` or ``SIGNAL_SEND_ON_BEHALF``), and the audit entry says so.
Only a GP can send without consent (``consent.check_no_consent``).

Parts: ``shapes`` (what callers hold and get back), ``sending`` (compose, submit), ``reading``
(detail, lists), ``status`` (the timeline, cancelling, a consent's withdrawal).
"""

from gpdesk.signals.store.reading import (
    PatientLabel,
    list_signals,
    patient_labels,
    signal_detail,
)
from gpdesk.signals.store.sending import compose, practice_details, submit
from gpdesk.signals.store.shapes import (
    CLOSED,
    ChannelState,
    SignalRecord,
    SignalRequest,
    SignalSummary,
    TimelineEntry,
    is_overdue,
)
from gpdesk.signals.store.status import (
    TRANSITIONS,
    WithdrawalEffect,
    add_event,
    change_status,
    withdrawal_effects,
    withdrawal_hook,
    withdrawal_hook_for,
)

__all__ = [
    "CLOSED",
    "TRANSITIONS",
    "ChannelState",
    "PatientLabel",
    "SignalRecord",
    "SignalRequest",
    "SignalSummary",
    "TimelineEntry",
    "WithdrawalEffect",
    "add_event",
    "change_status",
    "compose",
    "is_overdue",
    "list_signals",
    "patient_labels",
    "practice_details",
    "signal_detail",
    "submit",
    "withdrawal_effects",
    "withdrawal_hook",
    "withdrawal_hook_for",
]
