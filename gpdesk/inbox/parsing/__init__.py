"""Untrusted bytes to a typed, safe result: a letter read, or a quarantine with its reason.

The app calls ``parse_file`` (one item) or a ``ParserProcess`` (many items): both read the
input in a separate process with a time and memory limit. ``parse_in_process`` is the same
reading without that protection, for tests and benchmarks only. Nothing here imports a heavy
library at import time: pikepdf, pypdf and nh3 load in the parsing process.
"""

from __future__ import annotations

from gpdesk.inbox.parsing.dispatch import parse_in_process, sniff
from gpdesk.inbox.parsing.model import (
    DEFAULT_LIMITS,
    Attachment,
    AttachmentKind,
    Limits,
    Parsed,
    ParsedKind,
    Quarantined,
    Sender,
    SmimeState,
)
from gpdesk.inbox.parsing.process import ParserProcess, parse_file
from gpdesk.inbox.parsing.text import html_to_text, sanitise_html
from gpdesk.inbox.parsing.wire import WireError, dump_result, load_result

__all__ = [
    "DEFAULT_LIMITS",
    "Attachment",
    "AttachmentKind",
    "Limits",
    "Parsed",
    "ParsedKind",
    "ParserProcess",
    "Quarantined",
    "Sender",
    "SmimeState",
    "WireError",
    "dump_result",
    "html_to_text",
    "load_result",
    "parse_file",
    "parse_in_process",
    "sanitise_html",
    "sniff",
]
