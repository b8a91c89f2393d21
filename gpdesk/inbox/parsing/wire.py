"""The results as they cross the process boundary: JSON for the structure, bytes beside it.

Never pickle: the parsing process reads hostile input, and a pickle from a process that was
subverted would run code in the app. The app reads the JSON back through strict checks of
every field and type; anything unexpected makes the item a quarantine, not an exception.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any, Final, cast

from gpdesk.inbox.parsing.model import (
    ATTACHMENT_KINDS,
    PARSED_KINDS,
    Attachment,
    Limits,
    Parsed,
    Quarantined,
    Sender,
)

__all__ = ["WireError", "dump_result", "limits_from_json", "limits_to_json", "load_result"]

_SMIME: Final = (None, "encrypted", "signed")


class WireError(ValueError):
    """The other side sent something that is not a result."""


def limits_to_json(limits: Limits) -> dict[str, Any]:
    """The limits as a JSON object."""
    return asdict(limits)


def limits_from_json(value: object) -> Limits:
    """Limits back from JSON; only known fields of the right type."""
    if not isinstance(value, dict):
        raise WireError("limits")
    known = {f.name: f.type for f in fields(Limits)}
    kwargs: dict[str, Any] = {}
    for name, item in value.items():
        if name not in known:
            raise WireError("limits")
        if known[name] == "bool":
            if not isinstance(item, bool):
                raise WireError("limits")
            kwargs[name] = item
            continue
        if isinstance(item, bool) or not isinstance(item, int | float):
            raise WireError("limits")
        kwargs[name] = float(item) if known[name] == "float" else int(item)
    return Limits(**kwargs)


def dump_result(result: Parsed | Quarantined) -> tuple[bytes, bytes]:
    """JSON for the structure and one blob with every byte field, referenced by offset."""
    if isinstance(result, Quarantined):
        return _json(
            {"quarantined": {"reason": result.reason, "detail_code": result.detail_code}}
        ), b""
    blob = bytearray()

    def put(data: bytes | None) -> list[int] | None:
        if data is None:
            return None
        start = len(blob)
        blob.extend(data)
        return [start, len(data)]

    attachments = [
        {
            "filename": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "kind": item.kind,
            "safe_to_open": item.safe_to_open,
            "text": item.text,
            "problem": item.problem,
            "data": put(item.data),
            "check_pending": item.check_pending,
        }
        for item in result.attachments
    ]
    sender = result.sender
    structure: dict[str, object] = {
        "parsed": {
            "kind": result.kind,
            "message_id": result.message_id,
            "in_reply_to": result.in_reply_to,
            "references": list(result.references),
            "subject": result.subject,
            "sender": None
            if sender is None
            else {"address": sender.address, "display_name": sender.display_name},
            "sent_at": None if result.sent_at is None else result.sent_at.isoformat(),
            "body_text": result.body_text,
            "body_html_safe": result.body_html_safe,
            "attachments": attachments,
            "smime": result.smime,
            "smime_data": put(result.smime_data),
            "smime_signed_content": put(result.smime_signed_content),
            "problems": list(result.problems),
        }
    }
    return _json(structure), bytes(blob)


def _json(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_result(header: bytes, blob: bytes) -> Parsed | Quarantined:
    """A result back from the wire; ``WireError`` for anything that does not fit exactly."""
    try:
        value = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise WireError("json") from error
    if not isinstance(value, dict) or len(value) != 1:
        raise WireError("shape")
    if "quarantined" in value:
        item = _object(value["quarantined"], {"reason", "detail_code"})
        return Quarantined(_str(item["reason"]), _str(item["detail_code"]))
    parsed = _object(value.get("parsed"), {f.name for f in fields(Parsed)})
    kind = _str(parsed["kind"])
    smime = parsed["smime"]
    if kind not in PARSED_KINDS or smime not in _SMIME:
        raise WireError("kind")
    return Parsed(
        kind=cast(Any, kind),
        message_id=_opt_str(parsed["message_id"]),
        in_reply_to=_opt_str(parsed["in_reply_to"]),
        references=tuple(_str(item) for item in _list(parsed["references"])),
        subject=_opt_str(parsed["subject"]),
        sender=_sender(parsed["sender"]),
        sent_at=_moment(parsed["sent_at"]),
        body_text=_str(parsed["body_text"]),
        body_html_safe=_opt_str(parsed["body_html_safe"]),
        attachments=tuple(_attachment(item, blob) for item in _list(parsed["attachments"])),
        smime=smime,
        smime_data=_opt_blob(parsed["smime_data"], blob),
        smime_signed_content=_opt_blob(parsed["smime_signed_content"], blob),
        problems=tuple(_str(item) for item in _list(parsed["problems"])),
    )


def _object(value: object, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise WireError("object")
    return value


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise WireError("list")
    return value


def _str(value: object) -> str:
    if not isinstance(value, str):
        raise WireError("str")
    return value


def _opt_str(value: object) -> str | None:
    return None if value is None else _str(value)


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise WireError("int")
    return value


def _sender(value: object) -> Sender | None:
    if value is None:
        return None
    item = _object(value, {"address", "display_name"})
    return Sender(_opt_str(item["address"]), _str(item["display_name"]))


def _moment(value: object) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(_str(value))
    except ValueError as error:
        raise WireError("datetime") from error
    if moment.tzinfo is None:
        raise WireError("naive datetime")
    return moment


def _blob(value: object, blob: bytes) -> bytes:
    span = _list(value)
    if len(span) != 2:
        raise WireError("span")
    start, length = _int(span[0]), _int(span[1])
    if start + length > len(blob):
        raise WireError("span")
    return blob[start : start + length]


def _opt_blob(value: object, blob: bytes) -> bytes | None:
    return None if value is None else _blob(value, blob)


def _attachment(value: object, blob: bytes) -> Attachment:
    item = _object(value, {f.name for f in fields(Attachment)})
    kind = _str(item["kind"])
    pending = item["check_pending"]
    if (
        kind not in ATTACHMENT_KINDS
        or not isinstance(item["safe_to_open"], bool)
        or not isinstance(pending, bool)
    ):
        raise WireError("attachment")
    data = _blob(item["data"], blob)
    if _int(item["size"]) != len(data) or item["safe_to_open"] != (item["problem"] is None):
        raise WireError("attachment")
    if pending and (kind != "pdf" or item["safe_to_open"] or item["text"] != ""):
        raise WireError("attachment")  # unchecked is never safe to open and has no text
    return Attachment(
        filename=_str(item["filename"]),
        content_type=_str(item["content_type"]),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),  # not taken on trust
        kind=cast(Any, kind),
        safe_to_open=item["safe_to_open"],
        text=_str(item["text"]),
        problem=_opt_str(item["problem"]),
        data=data,
        check_pending=pending,
    )
