"""Letters kept: received once, listed, filed. Everything works in the caller's session.

Parts: ``shapes`` (what callers hand in and get back), ``receiving`` (store once, link, a
one-click answer), ``reading`` (the list), ``filing`` (overgenomen in HIS, once),
``forgetting`` (the content deleted after the retention period), ``triage`` (assign, forward,
kind, link, archive, the counts), ``phone`` (feedback by phone kept as a letter), ``his`` (the
text for the HIS), ``suggestions`` (patients a letter may be about).
"""

from gpdesk.inbox.store.filing import file_letter
from gpdesk.inbox.store.forgetting import Forgotten, forget_expired
from gpdesk.inbox.store.his import HisNote, his_note
from gpdesk.inbox.store.phone import PhoneFeedback, record_phone_feedback
from gpdesk.inbox.store.reading import list_letters
from gpdesk.inbox.store.receiving import content_hash, receive
from gpdesk.inbox.store.shapes import Incoming, IncomingPart, LetterSummary, Quarantine, Received
from gpdesk.inbox.store.suggestions import patient_suggestions
from gpdesk.inbox.store.triage import (
    InboxCounts,
    archive,
    assign,
    confirm_kind,
    counts,
    forward_to_referrer,
    link,
    unlink,
)

__all__ = [
    "Forgotten",
    "HisNote",
    "InboxCounts",
    "Incoming",
    "IncomingPart",
    "LetterSummary",
    "PhoneFeedback",
    "Quarantine",
    "Received",
    "archive",
    "assign",
    "confirm_kind",
    "content_hash",
    "counts",
    "file_letter",
    "forget_expired",
    "forward_to_referrer",
    "his_note",
    "link",
    "list_letters",
    "patient_suggestions",
    "receive",
    "record_phone_feedback",
    "unlink",
]
