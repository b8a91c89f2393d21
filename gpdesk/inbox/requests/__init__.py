"""Information requests (Wmo, Jeugd) from a team to the GP: the LHV checklist, answer or refusal.

``checklist`` (the four points, and the consent state in words), ``letter`` (the mail and the
PDF letter of an answer and of a refusal), ``store`` (read, preview, answer, refuse: in the
caller's session, audited, queued in the outbox that sends signals). No Qt.
"""

from gpdesk.inbox.requests.checklist import CHECKLIST, Check, ConsentView
from gpdesk.inbox.requests.letter import Preview
from gpdesk.inbox.requests.store import (
    AnswerRecord,
    InformationRequest,
    answer_request,
    open_request,
    preview_answer,
    preview_refusal,
    refuse_request,
)

__all__ = [
    "CHECKLIST",
    "AnswerRecord",
    "Check",
    "ConsentView",
    "InformationRequest",
    "Preview",
    "answer_request",
    "open_request",
    "preview_answer",
    "preview_refusal",
    "refuse_request",
]
