"""``gpdesk selftest``: does this installation have every part it needs? (exit 0, or 1 and what).

Made for the bundle, where a missing resource, migration, Qt plugin or hidden import shows only
when the part is used: it does once, offscreen, what a practice does first. In a fresh
temporary home it runs the migrations, creates the demo practice (signals sent to an export
folder as PDF, letters received), reads a signal letter with pypdf and QtPdf, parses a demo
letter in the separate parsing process, signs in and renders the main screens. Each step
prints one Dutch line; the first that fails names what is missing and stops the test.

It works the same from a checkout (``.venv/bin/gpdesk selftest``), which is how the tests run it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import import_module
from importlib.resources import files
from pathlib import Path
from typing import TextIO

__all__ = ["SelftestFailedError", "run_selftest"]

RESOURCE_FILES = (
    "style.qss",
    "passwords_nl.txt",
    "icons/gpdesk.svg",
    "icons/gpdesk-256.png",
    "fonts/DejaVuSans.ttf",
    "fonts/DejaVuSans-Bold.ttf",
    "demo/patients.json",
    "inbox/icpc_z.json",
    "kaart/synonyms.txt",
)
"""Files the program reads from gpdesk.resources; one missing means a broken bundle."""

QT_MODULES = (
    "QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtPrintSupport", "QtPdf", "QtPdfWidgets",
)  # fmt: skip
READERS = ("nh3", "pikepdf", "pypdf", "reportlab", "zxcvbn", "psycopg", "fhir.resources.R4B")
SCREENS = ("signals", "kaart", "inbox")


class SelftestFailedError(Exception):
    """A step found something missing; the message is the Dutch line the user reads."""


@dataclass
class _Context:
    home: Path
    db: object | None = None


def _resources(_ctx: _Context) -> str:
    root = files("gpdesk.resources")
    missing = [name for name in RESOURCE_FILES if not root.joinpath(name).is_file()]
    if missing:
        raise SelftestFailedError("bestanden ontbreken in gpdesk/resources: " + ", ".join(missing))
    migrations = Path(str(files("gpdesk") / "migrations"))
    versions = sorted(migrations.glob("versions/0*.py"))
    if not (migrations / "env.py").is_file() or not versions:
        raise SelftestFailedError(f"de databasemigraties ontbreken in {migrations}")
    return f"{len(RESOURCE_FILES)} bestanden, {len(versions)} migraties"


def _modules(_ctx: _Context) -> str:
    for name in QT_MODULES:
        try:
            import_module(f"PySide6.{name}")
        except ImportError as exc:
            raise SelftestFailedError(f"het Qt-onderdeel {name} ontbreekt ({exc})") from None
    for name in READERS:
        try:
            import_module(name)
        except ImportError as exc:
            raise SelftestFailedError(f"de bibliotheek {name} ontbreekt ({exc})") from None
    from PySide6.QtGui import QImageReader

    formats = {bytes(f.data()).decode() for f in QImageReader.supportedImageFormats()}
    lacking = {"png", "jpeg", "svg"} - formats
    if lacking:
        raise SelftestFailedError(
            "Qt kan deze afbeeldingssoorten niet lezen (plug-in ontbreekt): "
            + ", ".join(sorted(lacking))
        )
    return "Qt " + ", ".join(QT_MODULES) + "; " + ", ".join(READERS)


def _database(ctx: _Context) -> str:
    from gpdesk.config import Home
    from gpdesk.db import current_revision, head_revision, open_database

    home = Home(ctx.home).ensure()
    db = open_database(f"sqlite:///{home.database_file}")
    ctx.db = db
    current, head = current_revision(db.engine), head_revision()
    if current != head:
        raise SelftestFailedError(f"de database staat op schema {current}, verwacht {head}")
    return f"schema {head}"


def _demo(ctx: _Context) -> str:
    from gpdesk.db import Database
    from gpdesk.practice.demo import create_demo

    assert isinstance(ctx.db, Database)
    create_demo(ctx.db, home=ctx.home)
    return "demopraktijk met signalen en brieven"


def _signal_letter(ctx: _Context) -> str:
    from io import BytesIO

    from pypdf import PdfReader
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtPdf import QPdfDocument

    from gpdesk.signals.demo import EXPORT_FOLDER

    messages = sorted((ctx.home / EXPORT_FOLDER).glob("*.eml"))
    letters = [pdf for message in messages for pdf in _pdf_attachments(message.read_bytes())]
    if not letters:
        raise SelftestFailedError("er is geen signaalbrief (PDF) gemaakt")
    raw = letters[0]
    text = "".join(page.extract_text() or "" for page in PdfReader(BytesIO(raw)).pages)
    if "Signaal" not in text and "signaal" not in text:
        raise SelftestFailedError("de signaalbrief (PDF) is leeg of onleesbaar")
    buffer = QBuffer()
    buffer.setData(QByteArray(raw))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    deadline = time.monotonic() + 10
    while document.status() == QPdfDocument.Status.Loading and time.monotonic() < deadline:
        time.sleep(0.01)
    if document.status() != QPdfDocument.Status.Ready or document.pageCount() < 1:
        raise SelftestFailedError("QtPdf kan de signaalbrief niet tonen (PDF-voorbeeld werkt niet)")
    pages = document.pageCount()
    document.close()
    return f"{len(letters)} brieven verstuurd, {pages} pagina('s) getoond met QtPdf"


def _pdf_attachments(raw: bytes) -> list[bytes]:
    """The PDF letters in a message as the export folder holds it (plain MIME)."""
    from email import message_from_bytes, policy

    message = message_from_bytes(raw, policy=policy.default)
    found = []
    for part in message.walk():
        if part.get_content_type() == "application/pdf":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                found.append(payload)
    return found


def _parse_letter(_ctx: _Context) -> str:
    from gpdesk.inbox.demo import involvement
    from gpdesk.inbox.parsing import Parsed, parse_file

    letter = involvement(datetime.now(UTC))
    result = parse_file(letter.name, letter.raw)
    if not isinstance(result, Parsed):
        raise SelftestFailedError(
            f"een demobrief lezen in het aparte proces lukt niet: {result.reason}"
        )
    return f"{letter.name} gelezen in een apart proces"


def _wait(condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SelftestFailedError(f"{what} kwam niet binnen {timeout_s:.0f} seconden")
        QApplication.processEvents()
        time.sleep(0.01)


OFFSCREEN_NOTES = ("This plugin does not support",)
"""What Qt's offscreen platform says about window features it lacks: true, and no problem."""


def _quiet_offscreen_notes() -> None:
    """Keep the test's output to its own lines; every other Qt message still reaches stderr."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    def handler(_kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if not message.startswith(OFFSCREEN_NOTES):
            sys.stderr.write(message + "\n")

    qInstallMessageHandler(handler)


def _screens(ctx: _Context) -> str:
    from PySide6.QtCore import QTranslator

    from gpdesk.config import Home
    from gpdesk.practice.demo import DEMO_PASSWORD
    from gpdesk.ui.app import QT_TRANSLATOR_NAME, create_application
    from gpdesk.ui.areas import AREAS
    from gpdesk.ui.desktop import Desktop

    _quiet_offscreen_notes()
    app = create_application()
    if app.findChild(QTranslator, QT_TRANSLATOR_NAME) is None:
        raise SelftestFailedError(
            "de Nederlandse vertaling van Qt (qtbase_nl.qm) ontbreekt: knoppen als Annuleren "
            "zouden Engels zijn"
        )
    app.setQuitOnLastWindowClosed(False)
    desktop = Desktop(Home(ctx.home))
    desktop.start()
    try:
        login = desktop.login
        _wait(login.sign_in_button.isEnabled, "het aanmeldscherm")
        if login.grab().isNull():
            raise SelftestFailedError("het aanmeldscherm kan niet worden getekend")
        login.username.setText("bakker")
        login.password.setText(DEMO_PASSWORD)
        login.sign_in_button.click()
        _wait(lambda: desktop.window is not None, "het hoofdvenster na aanmelden")
        window = desktop.window
        assert window is not None
        window.resize(1366, 768)
        window.show()
        for area in AREAS:
            if area.key not in SCREENS:
                continue
            window.show_area(area.key)
            for _ in range(5):
                app.processEvents()
            if window.grab().isNull():
                raise SelftestFailedError(f"het scherm '{area.title}' kan niet worden getekend")
        window.close()
    finally:
        desktop.shutdown()
    return "Aanmelden, " + ", ".join(a.title for a in AREAS if a.key in SCREENS)


STEPS: tuple[tuple[str, Callable[[_Context], str]], ...] = (
    ("bestanden en migraties", _resources),
    ("Qt-onderdelen en bibliotheken", _modules),
    ("database aanmaken en bijwerken", _database),
    ("demopraktijk", _demo),
    ("signaalbrief als PDF", _signal_letter),
    ("brief lezen in apart proces", _parse_letter),
    ("schermen tekenen (in het Nederlands)", _screens),
)


def run_selftest(out: TextIO = sys.stdout) -> int:
    """Run every step in a throwaway home; 0 when all pass, 1 at the first that fails."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # no display needed, nothing shown
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="gpdesk-selftest-") as tmp:
        ctx = _Context(home=Path(tmp) / "home")
        try:
            for title, step in STEPS:
                try:
                    detail = step(ctx)
                except SelftestFailedError as exc:
                    out.write(f"MISLUKT  {title}: {exc}\n")
                    return 1
                except Exception as exc:
                    out.write(f"MISLUKT  {title}: {_what(exc)}\n")
                    traceback.print_exc(file=sys.stderr)
                    return 1
                out.write(f"in orde  {title}: {detail}\n")
                out.flush()
        finally:
            from gpdesk.db import Database

            if isinstance(ctx.db, Database):
                ctx.db.dispose()
    out.write(f"Zelftest geslaagd in {time.monotonic() - started:.0f} s.\n")
    return 0


def _what(exc: BaseException) -> str:
    """An unexpected failure, named plainly: a missing module is what a broken bundle lacks."""
    if isinstance(exc, ModuleNotFoundError):
        return f"onderdeel ontbreekt: {exc.name}"
    if isinstance(exc, FileNotFoundError):
        return f"bestand ontbreekt: {exc.filename}"
    return f"onverwachte fout ({type(exc).__name__}: {exc})"
