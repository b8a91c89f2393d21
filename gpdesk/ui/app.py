"""Starting the desktop program."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, Qt, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from gpdesk import crash
from gpdesk.config import Home
from gpdesk.errors import GpdeskError
from gpdesk.handover import HandoverError, HandoverServer, send_activate, send_patient
from gpdesk.logs import setup_logging
from gpdesk.patients.context import PatientContext
from gpdesk.ui.desktop import Desktop
from gpdesk.ui.garbage import GuiThreadCollector
from gpdesk.ui.resources import app_icon, style_sheet

log = logging.getLogger(__name__)


class _CrashRelay(QObject):
    """Brings a crash from any thread to the GUI thread, where the dialog may be shown."""

    crashed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.crashed.connect(self._show, Qt.ConnectionType.QueuedConnection)

    def _show(self, path: Path | None) -> None:
        where = (
            f"Er is een foutrapport opgeslagen (zonder patiëntgegevens):\n{path}"
            if path is not None
            else "Er kon geen foutrapport worden opgeslagen (is de schijf vol?)."
        )
        QMessageBox.critical(
            None,
            "gpdesk – onverwachte fout",
            "gpdesk is op een onverwachte fout gestuit. Wat al was opgeslagen, is bewaard.\n\n"
            f"{where}\n\nSla uw werk op, sluit gpdesk en start het opnieuw. Gebeurt dit vaker, "
            "stuur dan het foutrapport naar de beheerder van de praktijk.",
        )


def create_application() -> QApplication:
    """The QApplication with gpdesk's name, icon and style (reused when one exists, as in tests)."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    speak_dutch(app)
    app.setApplicationName("gpdesk")
    # Window managers show "<window title> — gpdesk", so no window title names gpdesk itself.
    app.setApplicationDisplayName("gpdesk")
    app.setOrganizationName("gpdesk")
    app.setDesktopFileName("gpdesk")
    app.setWindowIcon(app_icon())
    app.setStyleSheet(style_sheet())
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
