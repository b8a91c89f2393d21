"""Starting the desktop program."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from gpdesk import crash
from gpdesk.config import Home
from gpdesk.errors import GpdeskError
from gpdesk.handover import HandoverError, HandoverServer, send_activate, send_patient
from gpdesk.logs import setup_logging
from gpdesk.patients.context import PatientContext
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.garbage import GuiThreadCollector
from gpdesk.ui.resources import app_icon
from gpdesk.ui.theme import install_theme

log = logging.getLogger(__name__)


class _CrashRelay(QObject):
    """Brings a crash from any thread to the GUI thread and tells the user, once.

    A broken view raises on every paint, so crashes come in floods. At most one message is
    open at a time; a crash while it is open, shortly after it closed, or a failure already
    reported in this run is counted, not shown again. The message is opened with ``show()``,
    never ``exec()``: a nested event loop repaints the broken view, which raises again inside
    the dialog's call (and PySide6 6.11 crashes storing errors raised there).
    """

    crashed = Signal(object)
    QUIET_SECONDS = 30.0
    """After the message closes, this long further crashes are only counted."""
    COUNT_EVERY_MS = 500
    """How often the open message updates its count (laying it out again is slow)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.crashed.connect(self._report, Qt.ConnectionType.QueuedConnection)
        self.box: QMessageBox | None = None
        self.shown = 0
        self.suppressed = 0
        self._suppressed_before_box = 0
        self._closed_at: float | None = None
        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(self.COUNT_EVERY_MS)
        self._count_timer.timeout.connect(self._show_count)

    def _report(self, record: crash.CrashRecord) -> None:
        quiet = (
            self._closed_at is not None and time.monotonic() - self._closed_at < self.QUIET_SECONDS
        )
        if self.box is not None or quiet or not record.first:
            self.suppressed += 1
            if self.box is not None and not self._count_timer.isActive():
                self._count_timer.start()
            return
        self.shown += 1
        self._suppressed_before_box = self.suppressed
        self.box = _crash_box(record.path)
        self.box.finished.connect(self._closed)
        self.box.show()
        self.box.raise_()
        self.box.activateWindow()

    def _show_count(self) -> None:
        if self.box is not None:
            count = self.suppressed - self._suppressed_before_box
            self.box.setInformativeText(
                f"Daarna ging het nog {count} keer mis. Daarvoor krijgt u geen aparte meldingen."
            )

    def _closed(self, _result: int) -> None:
        self.box = None
        self._count_timer.stop()
        self._closed_at = time.monotonic()


def _crash_box(path: Path | None) -> QMessageBox:
    where = (
        f"Er is een foutrapport opgeslagen (zonder patiëntgegevens):\n{path}"
        if path is not None
        else "Er kon geen foutrapport worden opgeslagen (is de schijf vol?)."
    )
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "Onverwachte fout",  # the system adds " — gpdesk" (applicationDisplayName)
        "gpdesk is op een onverwachte fout gestuit. Wat al was opgeslagen, is bewaard.\n\n"
        f"{where}\n\nSla uw werk op, sluit gpdesk en start het opnieuw. Gebeurt dit vaker, "
        "stuur dan het foutrapport naar de beheerder van de praktijk.",
        QMessageBox.StandardButton.Ok,
    )
    box.setObjectName("crashMessage")
    box.setWindowModality(Qt.WindowModality.ApplicationModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def start_problem_box(text: str) -> QMessageBox:
    """The window cannot start (the gpdesk folder is unusable): the Dutch line, in a box."""
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        "gpdesk kan niet starten",
        text,
        QMessageBox.StandardButton.Close,
    )
    box.setObjectName("startProblem")
    box.setEscapeButton(QMessageBox.StandardButton.Close)
    return box


def show_start_problem(text: str) -> None:
    """Show ``start_problem_box`` and wait until it is closed.

    Started from the menu or by the HIS, nobody reads the terminal's line; this box is that
    line on screen. Not on offscreen or minimal platforms: nobody could close it there.
    """
    from gpdesk.tools.check_display import requested_platforms

    if requested_platforms(os.environ)[0] in ("offscreen", "minimal"):
        return
    create_application()
    start_problem_box(text).exec()


def create_application() -> QApplication:
    """The QApplication with gpdesk's name, icon, palette and style (reused when one exists)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    speak_dutch(app)
    app.setApplicationName("gpdesk")
    # Window managers show "<window title> — gpdesk", so no window title names gpdesk itself.
    app.setApplicationDisplayName("gpdesk")
    app.setOrganizationName("gpdesk")
    app.setDesktopFileName("gpdesk")
    app.setWindowIcon(app_icon())
    install_theme(app)  # palette and sheet, following the system's scheme and font size
    if not hasattr(app, "_gpdesk_collector"):
        app._gpdesk_collector = GuiThreadCollector(app)  # type: ignore[attr-defined]
    return app


DUTCH = QLocale("nl_NL")
QT_TRANSLATOR_NAME = "gpdeskQtDutch"


def speak_dutch(app: QApplication) -> QTranslator | None:
    """Dutch dates and numbers, and Qt's own dialogs in Dutch (Opslaan, Annuleren, Ja, Nee).

    Qt's translations ship with PySide6 (``qtbase_nl.qm``). The translator is a child of the
    application, so it lives as long as the application does; calling this again is harmless.
    Returns the installed translator, or None when the translation file is missing: then Qt's
    own buttons stay English, which is no reason to refuse to start.
    """
    QLocale.setDefault(DUTCH)
    installed = app.findChild(QTranslator, QT_TRANSLATOR_NAME)
    if installed is not None:
        return installed
    translator = QTranslator(app)
    translator.setObjectName(QT_TRANSLATOR_NAME)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(DUTCH, "qtbase", "_", folder):
        log.warning("Qt's Dutch translation (qtbase_nl.qm) was not found in %s", folder)
        translator.deleteLater()
        return None
    app.installTranslator(translator)
    return translator


def run_gui(
    home: Home, *, database_url: str | None = None, initial_patient: PatientContext | None = None
) -> int:
    """Run the window until the user quits; hand over instead when gpdesk already runs."""
    try:
        level = home.load_settings().log_level
    except GpdeskError:
        level = "INFO"
    setup_logging(home, level)
    app = create_application()
    relay = _CrashRelay()
    crash.install(home.crash_dir, on_crash=relay.crashed.emit)

    server = HandoverServer(home)
    if not server.listen():
        # Another instance won the race between our check and our start: hand over to it.
        try:
            delivered = (
                send_patient(home, initial_patient)
                if initial_patient is not None
                else send_activate(home)
            )
        except HandoverError as exc:
            sys.stderr.write(f"gpdesk: {exc}\n")
            return 1
        if delivered:
            return 0
        QMessageBox.critical(
            None,
            "gpdesk",
            "gpdesk kan niet starten: het venster van een andere start reageert niet.",
        )
        return 1

    desktop = Desktop(home, database_url=database_url)
    server.patient_received.connect(desktop.open_patient)
    server.activate_requested.connect(desktop.bring_forward)
    if initial_patient is not None:
        desktop.open_patient(initial_patient)
    desktop.start()
    log.info("gpdesk started")
    code = app.exec()
    server.close()
    desktop.shutdown()
    return int(code)
