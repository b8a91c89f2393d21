"""Reading for storing may leave PDFs unchecked (``Limits.defer_pdf_check``): such a PDF is kept,
never safe to open, says it is still being checked, has no text, and crosses the wire marked.
One parsing process reads one item deferred and the next checked.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from gpdesk.inbox.parsing import Limits, Parsed, ParserProcess, parse_in_process, reasons, wire

CORPUS = Path(__file__).resolve().parents[1] / "data" / "inbox"
DEFER = Limits(defer_pdf_check=True)


def _parsed(name: str, limits: Limits) -> Parsed:
    result = parse_in_process(name, (CORPUS / name).read_bytes(), limits)
    assert isinstance(result, Parsed)
    return result


@pytest.mark.parametrize("name", ["bevestiging-met-pdf.eml", "brief-wijkteam.pdf"])
def test_a_deferred_pdf_is_kept_closed_without_text(name: str) -> None:
    checked = _parsed(name, Limits())
    deferred = _parsed(name, DEFER)
    (was,) = [a for a in checked.attachments if a.kind == "pdf"]
    (now,) = [a for a in deferred.attachments if a.kind == "pdf"]
    assert was.safe_to_open and was.text and not was.check_pending
    assert (now.safe_to_open, now.text, now.check_pending) == (False, "", True)
    assert now.problem == reasons.PDF_PENDING
    assert (now.data, now.sha256, now.filename) == (was.data, was.sha256, was.filename)
    assert deferred.body_text == checked.body_text  # the rest is read as before


def test_the_marker_and_the_limit_cross_the_wire_strictly() -> None:
    deferred = _parsed("brief-wijkteam.pdf", DEFER)
    assert wire.load_result(*wire.dump_result(deferred)) == deferred
    assert wire.limits_from_json(wire.limits_to_json(DEFER)) == DEFER
    with pytest.raises(wire.WireError):
        wire.limits_from_json({"defer_pdf_check": 1})
    with pytest.raises(wire.WireError):
        wire.limits_from_json({"max_parts": True})
    # "unchecked" and "safe to open" together is no result
    (pending,) = deferred.attachments
    lying = replace(deferred, attachments=(replace(pending, safe_to_open=True, problem=None),))
    with pytest.raises(wire.WireError):
        wire.load_result(*wire.dump_result(lying))


def test_one_process_reads_deferred_then_checked() -> None:
    raw = (CORPUS / "bevestiging-met-pdf.eml").read_bytes()
    with ParserProcess() as parser:
        first = parser.parse_deferred("bericht.eml", raw)
        pid = parser.pid
        second = parser.parse_checked("bericht.eml", raw)
        assert parser.pid == pid  # the same child served both
    assert isinstance(first, Parsed) and isinstance(second, Parsed)
    assert [a.check_pending for a in first.attachments if a.kind == "pdf"] == [True]
    assert [a.safe_to_open for a in second.attachments if a.kind == "pdf"] == [True]
