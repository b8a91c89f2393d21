"""Letters kept: received once, listed, filed. Everything works in the caller's session.

Parts: ``shapes`` (what callers hand in and get back), ``receiving`` (store once, link, a
one-click answer), ``reading`` (the list), ``filing`` (overgenomen in HIS, once),
``forgetting`` (the content deleted after the retention period).
"""

from gpdesk.inbox.store.filing import file_letter
from gpdesk.inbox.store.forgetting import Forgotten, forget_expired
from gpdesk.inbox.store.reading import list_letters
from gpdesk.inbox.store.receiving import content_hash, receive
from gpdesk.inbox.store.shapes import Incoming, IncomingPart, LetterSummary, Quarantine, Received

__all__ = [
    "Forgotten",
    "Incoming",
    "IncomingPart",
    "LetterSummary",
    "Quarantine",
    "Received",
    "content_hash",
    "file_letter",
    "forget_expired",
    "list_letters",
    "receive",
]
