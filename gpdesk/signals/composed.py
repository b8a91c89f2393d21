"""A message composed in full before it is queued: what the outbox sends for a non-signal.

A signal's mail is built by the outbox from the signal's sealed snapshot. The answer to a
team's information request is composed when the GP sends it (the preview shows exactly this),
so the outbox only adds the envelope (From, To, Date, Message-ID) and the S/MIME layers: it
knows nothing of information requests. Stored as compact JSON, sealed by its owner.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from gpdesk.transport.message import Attachment, check_subject

__all__ = ["ComposedMessage"]


@dataclass(frozen=True)
class ComposedMessage:
    """Subject, plain body and attachments; ``in_reply_to`` links it to the team's message."""

    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()
    in_reply_to: str | None = None
    """The Message-ID of the team's request, when it came by mail (``<…@…>``)."""

    def __post_init__(self) -> None:
        check_subject(self.subject)

    def dumps(self) -> str:
        """Compact JSON, the same text for the same message."""
        data: dict[str, Any] = {
            "subject": self.subject,
            "body": self.body,
            "in_reply_to": self.in_reply_to,
            "attachments": [
                {
                    "filename": a.filename,
                    "content_type": a.content_type,
                    "data": base64.b64encode(a.content).decode("ascii"),
                }
                for a in self.attachments
            ],
        }
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> ComposedMessage:
        """The message ``dumps`` wrote."""
        data = json.loads(text)
        return cls(
            subject=data["subject"],
            body=data["body"],
            in_reply_to=data.get("in_reply_to"),
            attachments=tuple(
                Attachment(a["filename"], base64.b64decode(a["data"]), a["content_type"])
                for a in data.get("attachments", ())
            ),
        )
