"""The parsing process: results equal in-process reading, and every way a child can fail
(too slow, too hungry, dead, talking nonsense) becomes a quarantine while the caller goes on.
"""

from __future__ import annotations

import base64
import io
import os
import signal
import sys
import textwrap
import zlib
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name

from gpdesk.inbox.parsing import (
    Limits,
    Parsed,
    ParserProcess,
    Quarantined,
    parse_file,
    parse_in_process,
)
from gpdesk.inbox.parsing import process as process_module

CORPUS = Path(__file__).resolve().parents[1] / "data" / "inbox"


@pytest.fixture(scope="module")
def parser() -> Iterator[ParserProcess]:
    with ParserProcess() as shared:
        yield shared


def test_corpus_through_the_child_equals_reading_in_process(parser: ParserProcess) -> None:
    for path in sorted(CORPUS.iterdir()):
        if path.suffix == ".md" or not path.is_file():  # medvri/ has its own tests
            continue
        raw = path.read_bytes()
        through_child = parser.parse(path.name, raw)
        direct = parse_in_process(path.name, raw)
        assert through_child == direct, path.name
        if isinstance(direct, Parsed):
            assert isinstance(through_child, Parsed)
            assert [a.data for a in through_child.attachments] == [
                a.data for a in direct.attachments
            ]
            assert through_child.smime_data == direct.smime_data


def test_parse_file_starts_and_ends_its_own_child() -> None:
    result = parse_file("antwoord-ontvangen.eml", (CORPUS / "antwoord-ontvangen.eml").read_bytes())
    assert isinstance(result, Parsed) and result.subject == "SIG-2026-000123 ontvangen"


def test_too_large_is_refused_without_sending_it(parser: ParserProcess) -> None:
    result = parser.parse("groot.eml", b"x" * (Limits().max_bytes + 1))
    assert result == Quarantined("Het bericht is groter dan 25 MB.", "too_large")


def slow_pdf() -> bytes:
    """Checking it inflates 200 MB (the default limit) before it is refused: well over 10 ms."""
    compressor = zlib.compressobj(1)
    piece = bytes(1 << 20)
    once = b"".join(compressor.compress(piece) for _ in range(256)) + compressor.flush()
    data = zlib.compress(once, 9)
    pdf = pikepdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, b"")
    stream.write(data, filter=[Name.FlateDecode, Name.FlateDecode])  # data is already encoded
    pdf.pages[0].obj.Contents = pdf.make_indirect(stream)
    buffer = io.BytesIO()
    pdf.save(buffer, compress_streams=False, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return buffer.getvalue()


def test_timeout_kills_the_child_and_the_next_item_gets_a_new_one() -> None:
    with ParserProcess(Limits(timeout_s=0.01)) as quick:
        result = quick.parse("brief.pdf", slow_pdf())
        assert result == Quarantined(
            "Het lezen van het bericht duurde langer dan 0.01 seconden en is gestopt.", "timeout"
        )
        quick.limits = Limits()
        again = quick.parse("brief.txt", b"SIG-2026-000123 ontvangen")
        assert isinstance(again, Parsed) and again.body_text == "SIG-2026-000123 ontvangen"


def test_items_read_together_answer_in_order_and_one_that_stops_the_child_stops_alone() -> None:
    items = [
        ("a.txt", b"een"),
        ("leeg.txt", b""),
        ("groot.eml", _hungry_message()),
        ("b.txt", b"twee"),
        ("c.txt", b"drie"),
    ]
    with ParserProcess(Limits(memory_mb=110)) as hungry:
        assert isinstance(hungry.parse("x.txt", b"x"), Parsed)
        first = hungry.pid
        results = hungry.parse_many(items)
        codes = [r.detail_code if isinstance(r, Quarantined) else None for r in results]
        assert codes == [None, "empty", "memory", None, None]
        texts = [r.body_text for r in results if isinstance(r, Parsed)]
        assert texts == ["een", "twee", "drie"]  # the two after it read by a new child
        assert hungry.pid not in (None, first)


def test_a_stream_closed_early_leaves_no_answers_behind(parser: ParserProcess) -> None:
    items = [(f"{n}.txt", f"brief {n}".encode()) for n in range(20)]
    stream = parser.parse_stream(items)
    first = next(stream)
    assert isinstance(first, Parsed) and first.body_text == "brief 0"
    stream.close()  # 19 answers were on their way: that child is stopped
    after = parser.parse("x.txt", b"daarna")
    assert isinstance(after, Parsed) and after.body_text == "daarna"


def _hungry_message() -> bytes:
    """A message whose 17 MB attachment needs more than 110 MB to read."""
    attachment = base64.encodebytes(os.urandom(17 << 20))
    return (
        b'From: a@wijkteam.example\r\nSubject: groot\r\nContent-Type: multipart/mixed; boundary="b"'
        b"\r\n\r\n--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: "
        b"base64\r\n\r\n" + attachment + b"\r\n--b--\r\n"
    )


def test_memory_limit_quarantines_and_the_next_item_gets_a_new_child() -> None:
    raw = _hungry_message()
    with ParserProcess(Limits(memory_mb=110)) as hungry:
        result = hungry.parse("groot.eml", raw)
        assert result == Quarantined(
            "Het lezen van het bericht had meer dan 110 MB geheugen nodig en is gestopt.", "memory"
        )
        again = hungry.parse("brief.txt", b"daarna weer gewoon")
        assert isinstance(again, Parsed) and again.body_text == "daarna weer gewoon"


def fake_child(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, behaviour: str) -> None:
    """A real process in the child's place that says ready and then misbehaves."""
    script = tmp_path / "child.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import os, signal, struct, sys
            out = sys.stdout.buffer
            def frame(data):
                out.write(struct.pack(">Q", len(data)) + data)
                out.flush()
            frame(b"gpdesk-inbox-parser-ready")
            head = sys.stdin.buffer.read(8)
            {behaviour}
            """
        ),
        encoding="utf-8",
    )
    monkeypatch.setattr(
        process_module, "child_command", lambda memory_mb: [sys.executable, str(script)]
    )


@pytest.mark.parametrize(
    "behaviour",
    [
        "os.kill(os.getpid(), signal.SIGSEGV)",
        "sys.exit(3)",
        'frame(b"{\\"parsed\\": 1}"); frame(b"")',
        'frame(b"niet eens json"); frame(b"")',
        'out.write(struct.pack(">Q", 1 << 62)); out.flush()',
        'frame(b\'{"quarantined": {"reason": "x"}}\'); frame(b"")',
    ],
)
def test_a_child_that_dies_or_talks_nonsense_gives_a_quarantine(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, behaviour: str
) -> None:
    fake_child(monkeypatch, tmp_path, behaviour)
    with ParserProcess() as broken:
        result = broken.parse("brief.eml", b"Subject: x\r\n\r\nx")
    assert result == Quarantined(
        "Het lezen van het bericht liep vast. gpdesk heeft het bewaard maar niet geopend.",
        "crashed",
    )


def test_a_child_that_never_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        process_module, "child_command", lambda memory_mb: [sys.executable, "-c", "pass"]
    )
    result = parse_file("brief.txt", b"tekst")
    assert isinstance(result, Quarantined) and result.detail_code == "parser_unavailable"


def test_a_child_killed_between_items_is_replaced(parser: ParserProcess) -> None:
    assert isinstance(parser.parse("a.txt", b"een"), Parsed)
    pid = parser.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)  # reaped here, so the parser finds it gone
    result = parser.parse("b.txt", b"twee")
    assert isinstance(result, Parsed) and result.body_text == "twee"
    assert parser.pid not in (None, pid)


def test_the_child_sees_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GPDESK_IMAP_PASSWORD", "geheim")
    env = process_module._child_env()
    assert "GPDESK_IMAP_PASSWORD" not in env
    assert set(env) <= {"PATH", "SYSTEMROOT", "TEMP", "TMP", "LANG", "LC_ALL", "PYTHONPATH",
                        "PYTHONDONTWRITEBYTECODE", "PYTHONIOENCODING"}  # fmt: skip


def test_a_child_stopped_by_its_cpu_limit_is_a_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_child(monkeypatch, tmp_path, "os.kill(os.getpid(), signal.SIGXCPU)")
    with ParserProcess() as stopped:
        result = stopped.parse("brief.eml", b"Subject: x\r\n\r\nx")
    assert isinstance(result, Quarantined) and result.detail_code == "timeout"


def test_importing_the_package_loads_no_reader() -> None:
    """pikepdf, pypdf and nh3 load in the parsing process only, never on the app's start-up."""
    import subprocess

    code = (
        "import sys, gpdesk.inbox.parsing; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pikepdf', 'pypdf', 'nh3')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
