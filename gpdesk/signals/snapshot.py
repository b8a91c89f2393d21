"""An ``OutgoingSignal`` as JSON and back: what the signal row keeps of what the team received.

The stored signal must say, years later, exactly what left the practice, and the outbox worker
must write the letter, the mail and ``signaal.json`` from it after a restart. So the whole
frozen object is kept (sealed, in ``signal.content``), not rebuilt from today's kaart or
patient record, which may have changed since.

The codec follows the dataclasses' own type hints, so a field added to ``OutgoingSignal`` is
kept without touching this module; the one union (``ConsentStatement``) is tagged by class name.
Unknown keys are refused rather than ignored: the content is sealed, so a key we do not know
means a newer gpdesk wrote it, and guessing would misstate what was sent.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, Union

from gpdesk.signals.outgoing import ConsentGiven, OutgoingSignal, SharedWithoutConsent

VERSION = 1
_TAG = "soort"
_UNION_MEMBERS: dict[str, type[Any]] = {
    "ConsentGiven": ConsentGiven,
    "SharedWithoutConsent": SharedWithoutConsent,
}


@cache
def _hints(cls: type) -> dict[str, Any]:
    module = __import__(cls.__module__, fromlist=["_"])
    return typing.get_type_hints(cls, vars(module))


def _encode(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {
            f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)
        }
        if type(value).__name__ in _UNION_MEMBERS:
            out[_TAG] = type(value).__name__
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a stored moment must be aware")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, frozenset):
        return sorted(_encode(v) for v in value)
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot store a {type(value).__name__}")


def _decode_union(members: tuple[Any, ...], value: Any) -> Any:
    if value is None:
        if type(None) in members:
            return None
        raise ValueError("a required value is missing")
    classes = [m for m in members if m is not type(None)]
    if len(classes) == 1:
        return _decode(classes[0], value)
    name = value.get(_TAG) if isinstance(value, dict) else None
    chosen = _UNION_MEMBERS.get(name or "")
    if chosen is None or chosen not in classes:
        raise ValueError(f"unknown kind {name!r}")
    return _decode(chosen, value)


def _decode_dataclass(kind: type, value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError(f"{kind.__name__} expected")
    hints = _hints(kind)
    names = {f.name for f in dataclasses.fields(kind)}
    unknown = set(value) - names - {_TAG}
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    return kind(**{name: _decode(hints[name], value[name]) for name in names if name in value})


def _decode(kind: Any, value: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin in (Union, types.UnionType):
        return _decode_union(typing.get_args(kind), value)
    if origin is tuple:
        args = typing.get_args(kind)
        return tuple(_decode(args[0], v) for v in value)
    if origin is frozenset:
        (arg,) = typing.get_args(kind)
        return frozenset(_decode(arg, v) for v in value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        return _decode_dataclass(kind, value)
    if kind is datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("a stored moment must be aware")
        return moment
    if kind is date:
        return date.fromisoformat(value)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind(value)
    if kind in (str, int, float, bool):
        if not isinstance(value, kind):
            raise ValueError(f"{kind.__name__} expected")
        return value
    raise TypeError(f"cannot read a {kind!r}")


def dumps(signal: OutgoingSignal) -> str:
    """The signal as compact JSON with a version, for sealing into ``signal.content``."""
    return json.dumps(
        {"versie": VERSION, "signaal": _encode(signal)},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )


def loads(text: str) -> OutgoingSignal:
    """The signal back, exactly as it was stored; anything unexpected raises ValueError."""
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("versie") != VERSION:
        raise ValueError("unknown signal format")
    signal = _decode(OutgoingSignal, data["signaal"])
    assert isinstance(signal, OutgoingSignal)
    return signal
