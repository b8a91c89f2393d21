"""Render every main screen to PNG, offscreen, from the current code (README screenshots).

Usage: ``python -m gpdesk.tools.screenshots OUTDIR [--font-pt 14] [--scheme dark]``. Uses a
throwaway demo practice, so only fictional patients ever appear in the pictures. ``--font-pt``
renders as a user with that system font size sees gpdesk (files end in ``-14pt``), ``--scheme
dark`` as with the system's dark colour scheme (files end in ``-donker``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from gpdesk.ui.main_window import MainWindow

SIZE = (1366, 768)
SMALL = (1280, 720)

SHOTS: tuple[str, ...] = (
    "aanmelden", "start-zonder-patient", "signaleren",
    "terugkoppeling", "terugkoppeling-pdf", "terugkoppeling-kopieer-voor-his",
    "terugkoppeling-quarantaine", "terugkoppeling-koppelen", "terugkoppeling-betrokkenheid",
    "terugkoppeling-doorsturen", "terugkoppeling-telefoon", "terugkoppeling-informatieverzoek",
    "sneltoetsen",
    "signaal-toestemming", "signaal-toestemming-print", "signaal-formulier", "signaal-voorbeeld",
    "signaal-verstuurd", "signaleren-verloop", "signaleren-niet-verzonden",
    "sociale-kaart-wijkteam", "sociale-kaart", "handout-venster", "handout",
    "klein-scherm-1280x720", "eerste-start", "eerste-start-herstelsleutel", "plak-uit-his",
    "vergrendeld", "beheer", "beheer-gebruikers", "beheer-rechten", "beheer-logboek",
    "beheer-verzenden", "beheer-ontvangen", "beheer-database-controleren",
    "beheer-sociale-kaart", "beheer-kaart-import", "sociale-kaart-tijdelijk-gesloten",
    "sociale-kaart-verouderd",
)  # fmt: skip
"""Every picture ``render`` writes (docs/screenshots/NAME.png); the manual links only these."""


def _wait(app: object, condition: object, timeout_s: float = 30.0) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("screen did not become ready")
        app.processEvents()
        time.sleep(0.01)


def render(outdir: Path, *, font_pt: float | None = None, scheme: str | None = None) -> list[Path]:
    """Render the screens into ``outdir``; returns the files written."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gpdesk.config import Home
    from gpdesk.db import open_database
    from gpdesk.patients.context import PatientContext
    from gpdesk.practice.demo import DEMO_PASSWORD, create_demo
    from gpdesk.ui.app import create_application
    from gpdesk.ui.desktop import Desktop
    from gpdesk.ui.paste_dialog import PasteDialog

    outdir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    app = create_application()
    app.setQuitOnLastWindowClosed(False)
    suffix = _follow(app, font_pt, scheme)
    paper_dir = outdir
    with tempfile.TemporaryDirectory(prefix="gpdesk-shots-") as tmp:
        if suffix:  # printed pages look the same whatever the screen: not again
            paper_dir = Path(tmp) / "papier"
            paper_dir.mkdir()
        home = Home(Path(tmp)).ensure()
        db = open_database(f"sqlite:///{home.database_file}")
        # gpdesk's real key cost: a cheaper account is refused at sign-in (crypto.KDF_FLOOR).
        create_demo(db, home=home.path)  # as ``gpdesk demo``: signals in every state
        db.dispose()

        desktop = Desktop(home)
        desktop.start()
        login = desktop.login
        _wait(app, login.sign_in_button.isEnabled)
        login.username.setText("bakker")
        app.processEvents()

        def shot(widget: object, name: str) -> None:
            from PySide6.QtWidgets import QWidget

            assert isinstance(widget, QWidget)
            assert name in SHOTS, f"add {name!r} to SHOTS"
            for _ in range(5):
                app.processEvents()
            path = outdir / f"{name}{suffix}.png"
            widget.grab().save(str(path))
            written.append(path)

        shot(login, "aanmelden")
        login.password.setText(DEMO_PASSWORD)
        login.sign_in_button.click()
        _wait(app, lambda: desktop.window is not None)
        window = desktop.window
        assert window is not None
        window.resize(*SIZE)
        window.show()
        window.show_area("signals")
        shot(window, "start-zonder-patient")
        desktop.open_patient(
            PatientContext(
                bsn="628194821",
                name="J. de Vries",
                birth_date=date(1970, 2, 1),
                postcode="3118AB",
                phone="0612345678",
            )
        )
        window.show_area("signals")
        shot(window, "signaleren")
        _inbox_shots(app, window, shot)
        paper = _signal_shots(app, desktop, paper_dir, Path(tmp), shot)
        _request_shot(app, desktop, shot)
        paper += _kaart_shots(app, desktop, paper_dir, Path(tmp), shot)
        written.extend(paper if not suffix else [])
        # The smallest screen a practice has: everything must still fit (no scroll, no cut-off).
        window.resize(*SMALL)
        window.show_area("kaart")
        shot(window, "klein-scherm-1280x720")
        window.resize(*SIZE)
        _first_run_shots(shot)
        dialog = PasteDialog(window, use_clipboard=False)
        dialog.source.setPlainText(
            "de Vries, J. (M) 01-02-1970 BSN: 628194821 Dorpsstraat 12 3118AB Schiedam 06-12345678"
        )
        dialog.show()
        shot(dialog, "plak-uit-his")
        dialog.close()

        # Lock, then let the praktijkmanager take over for the Beheer screens.
        window.lock_action.trigger()
        shot(window, "vergrendeld")
        window.lock_page.set_switching(True)
        window.lock_page.username.setText("smit")
        window.lock_page.password.setText(DEMO_PASSWORD)
        window.lock_page.unlock_button.click()
        _wait(app, lambda: desktop.window is not window)
        manager_window = desktop.window
        assert manager_window is not None
        manager_window.resize(*SIZE)
        manager_window.show_area("beheer")
        page = manager_window.practice_page()
        _wait(app, lambda: page.users.model.rowCount() > 0 and page.audit.model.rowCount() > 0)
        for tab, name in (
            (page.practice, "beheer"),
            (page.users, "beheer-gebruikers"),
            (page.permissions, "beheer-rechten"),
            (page.audit, "beheer-logboek"),
            (page.sending, "beheer-verzenden"),
            (page.receiving, "beheer-ontvangen"),
        ):
            page.tabs.setCurrentWidget(tab)
            if tab is page.audit:  # the Logboek reloads each time it is opened
                _wait(app, lambda: page.audit.model.rowCount() > 0)
            if tab is page.sending:
                _wait(app, lambda: page.sending.teams.model.rowCount() > 0)
            if tab is page.receiving:  # the demo's drop folder, and its quarantined file
                _wait(app, lambda: page.receiving.sources.model.rowCount() > 0)
                _wait(app, lambda: page.receiving.quarantine.summary.text() != "–")
            shot(manager_window, name)
        # "Database controleren" on the Praktijk tab: the report of an untouched practice.
        page.tabs.setCurrentWidget(page.practice)
        beheer = desktop.beheer
        assert beheer is not None
        page.practice.check_button.click()
        _wait(app, lambda: beheer.report_dialog is not None and beheer.report_dialog.isVisible())
        assert beheer.report_dialog is not None
        shot(beheer.report_dialog, "beheer-database-controleren")
        beheer.report_dialog.accept()
        page.tabs.setCurrentWidget(page.kaart)
        _wait(app, lambda: page.kaart.model.rowCount() > 0)
        page.kaart.view.selectRow(0)
        shot(manager_window, "beheer-sociale-kaart")
        _import_preview_shot(app, desktop, manager_window, shot)
        # The praktijkmanager may check the kaart: a verouderd entry with [Gecontroleerd].
        kaart = desktop.kaart
        assert kaart is not None
        manager_window.show_area("kaart")
        _wait(app, lambda: kaart.ready)
        # A temporarily closed service: found, listed after the open one, labelled, chosen.
        kaart_page = manager_window.kaart_page()
        kaart_page.search.setText("buurthuis")
        kaart.run_search()
        _wait(app, lambda: kaart.model.rowCount() == 2)
        kaart_page.results.setCurrentIndex(kaart.model.index(1, 0))
        _wait(app, lambda: kaart.detail is not None and kaart.detail.name == "Buurthuis De Poort")
        shot(manager_window, "sociale-kaart-tijdelijk-gesloten")
        manager_window.kaart_page().search.setText("valpreventie")
        kaart.run_search()
        _wait(app, lambda: kaart.detail is not None and kaart.detail.stale)
        shot(manager_window, "sociale-kaart-verouderd")
        desktop.shutdown()
        manager_window.close()
    return written


def _follow(app: object, font_pt: float | None, scheme: str | None) -> str:
    """Set the system font size and colour scheme to render with; the file names' suffix."""
    from PySide6.QtWidgets import QApplication

    from gpdesk.ui.palette import Scheme
    from gpdesk.ui.theme import install_theme

    assert isinstance(app, QApplication)
    suffix = ""
    if font_pt is not None:
        font = app.font()
        font.setPointSizeF(font_pt)
        app.setFont(font)  # as a changed system font: the theme scales the sheet
        suffix += f"-{font_pt:g}pt"
    if scheme is not None:
        install_theme(app).apply(Scheme(scheme))
        suffix += "-donker" if scheme == Scheme.DARK else ""
    return suffix


def _on_laptop(width: int, height: int) -> tuple[int, int]:
    """A dialog's designed size at the current font, as fit_to_screen gives it at 1366×768."""
    from gpdesk.ui.sizing import FRAME
    from gpdesk.ui.theme import scaled

    return min(scaled(width), SIZE[0] - FRAME[0]), min(scaled(height), SIZE[1] - FRAME[1])


def _inbox_shots(app: object, window: MainWindow, shot: Callable[[object, str], None]) -> None:
    """Terugkoppeling with the demo's letters: an escalation, a PDF, the HIS text, a quarantine."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.show_area("inbox")
    page = window.inbox_page()
    pane = page.pane
    _wait(app, lambda: page.model.rowCount() > 0)

    def wanted(row: int, kind: str) -> int | None:
        letter = page.model.row_at(row)
        if letter is None or not (letter.kind == kind or (kind == "-" and letter.quarantined)):
            return None
        return letter.id

    def read(kind: str) -> bool:
        """Enter on the first row of this kind ("-": quarantined); wait for the pane."""
        for row in range(page.model.rowCount()):
            letter_id = wanted(row, kind)
            if letter_id is not None:
                page.table.setCurrentIndex(page.model.index(row, 0))
                QTest.keyClick(page.table, Qt.Key.Key_Return)
                _wait(app, lambda n=letter_id: pane.letter is not None and pane.letter.id == n)
                return True
        return False

    if read("escalatie"):
        shot(window, "terugkoppeling")
    if read("advies"):
        _wait(app, lambda: pane.content.currentWidget() is pane.pdf_view)
        for _ in range(20):  # the PDF's pages render off the GUI thread
            QTest.qWait(25)
        shot(window, "terugkoppeling-pdf")
        QTest.keyClick(page.table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
        _wait(app, lambda: pane.content.currentWidget() is pane.his)
        shot(window, "terugkoppeling-kopieer-voor-his")
        pane.close_his()
    if read("-"):
        shot(window, "terugkoppeling-quarantaine")
    _triage_shots(app, window, read, shot)
    _shortcuts_shot(app, window, shot)


def _triage_shots(
    app: object,
    window: MainWindow,
    read: Callable[[str], bool],
    shot: Callable[[object, str], None],
) -> None:
    """Koppelen with gpdesk's suggestion, Betrokkenheid vastleggen, Doorsturen, Telefoon."""
    from PySide6.QtWidgets import QDialog

    from gpdesk.ui.inbox.controller import InboxController
    from gpdesk.ui.inbox.letter_actions import LINK

    inbox = window.findChild(InboxController)
    assert isinstance(inbox, InboxController)
    pane = window.inbox_page().pane
    if read("betrokkenheidsmelding"):
        assert pane.letter is not None
        inbox.triage.act(LINK, pane.letter)
        link = inbox.triage.dialog
        assert link is not None and hasattr(link, "patients")
        _wait(app, lambda: link.patients.count() > 0)
        link.patients.setCurrentRow(0)
        shot(link, "terugkoppeling-koppelen")
        link.ok_button.click()
        _wait(app, lambda: pane.letter is not None and pane.letter.patient_matched)
        involvement = inbox.open_involvement(pane.letter.id)
        assert involvement is not None
        shot(involvement, "terugkoppeling-betrokkenheid")
        involvement.reject()
    if read("escalatie"):
        assert pane.letter is not None
        inbox.triage.ask_forward(pane.letter)  # the dialog as the POH-GGZ sees it
        forward = inbox.triage.dialog
        assert isinstance(forward, QDialog)
        shot(forward, "terugkoppeling-doorsturen")
        forward.reject()
    window.phone_action.trigger()  # from every screen, as Ctrl+Shift+B
    phone = inbox.phone_dialog
    assert phone is not None
    _wait(app, lambda: phone.team.count() > 0)
    shot(phone, "terugkoppeling-telefoon")
    phone.reject()


def _request_shot(app: object, desktop: object, shot: Callable[[object, str], None]) -> None:
    """Informatieverzoek beantwoorden: the demo's Wmo request, as the GP, consent on record."""
    from sqlalchemy import select

    from gpdesk.models import Letter
    from gpdesk.ui.desktop import Desktop
    from gpdesk.ui.inbox.controller import InboxController
    from gpdesk.ui.inbox.request_dialog import LOADING, RequestAnswering

    assert isinstance(desktop, Desktop) and desktop.window is not None
    assert desktop.db is not None and desktop.session is not None
    with desktop.db.session() as session:  # the demo's one information request
        letter_id = session.scalars(
            select(Letter.id).where(Letter.kind == "informatieverzoek").limit(1)
        ).one()
    window = desktop.window
    window.show_area("inbox")
    inbox = window.findChild(InboxController)
    assert isinstance(inbox, InboxController)
    inbox.answer(letter_id)
    answering = inbox.findChild(RequestAnswering)
    assert answering is not None and answering.dialog is not None
    dialog = answering.dialog
    _wait(app, lambda: dialog.about.text() != LOADING)
    dialog.resize(1100, 640)  # as on a 1366x768 screen (the offscreen screen is smaller)
    shot(dialog, "terugkoppeling-informatieverzoek")
    dialog.reject()


def _shortcuts_shot(app: object, window: MainWindow, shot: Callable[[object, str], None]) -> None:
    """F1: the overview of the keys as the program builds it, at full width.

    The message box keeps to a part of the offscreen screen (smaller than a practice's), so its
    text is taken while it is open and drawn whole on its own.
    """
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QLabel, QMessageBox

    texts: list[str] = []

    def take() -> None:
        box = window.findChild(QMessageBox, "shortcutOverview")
        if box is None or not box.isVisible():
            QTimer.singleShot(50, take)
            return
        texts.append(box.text())
        box.accept()

    QTimer.singleShot(50, take)
    help_keys = [a for a in window.findChildren(QAction) if a.shortcut().toString() == "F1"]
    help_keys[0].trigger()  # returns when the box is closed
    overview = QLabel(texts[0])
    overview.setTextFormat(Qt.TextFormat.RichText)
    overview.setContentsMargins(16, 12, 16, 12)
    overview.setWindowTitle("Sneltoetsen")
    overview.resize(overview.sizeHint())  # adjustSize would keep to the small screen
    overview.show()
    shot(overview, "sneltoetsen")
    overview.close()
    overview.deleteLater()


def _first_run_shots(shot: Callable[[object, str], None]) -> None:
    """The first start on a machine without a practice: the choice, and the recovery key."""
    from gpdesk.security.crypto import format_recovery_key, new_recovery_key
    from gpdesk.ui.first_run import FirstRunDialog

    dialog = FirstRunDialog(data_place="/home/praktijk/.local/share/gpdesk")
    dialog.show()
    shot(dialog, "eerste-start")
    # A made-up key (no practice has it), the same in every render.
    key = format_recovery_key(bytes(range(len(new_recovery_key()))))
    dialog.show_key("Huisartsenpraktijk De Singel", "smit", key)
    shot(dialog, "eerste-start-herstelsleutel")
    dialog.close()
    dialog.deleteLater()


def _import_preview_shot(
    app: object, desktop: object, parent: object, shot: Callable[[object, str], None]
) -> None:
    """Beheer → Sociale kaart → Importeren with the example template, on the Gewijzigd tab."""
    from PySide6.QtWidgets import QWidget

    from gpdesk.kaart.exchange.importing import plan_import
    from gpdesk.ui.beheer.kaart.import_dialog import ImportPreviewDialog
    from gpdesk.ui.desktop import Desktop
    from gpdesk.ui.resources import resource_path

    assert isinstance(desktop, Desktop) and desktop.session is not None
    assert isinstance(parent, QWidget) and desktop.db is not None
    with desktop.db.session() as session:
        plan = plan_import(session, resource_path("kaart", "voorbeeld-sociale-kaart.csv"))
    dialog = ImportPreviewDialog(
        plan, db=desktop.db, signed=desktop.session, tasks=desktop.tasks, parent=parent
    )
    dialog.resize(1300, 660)  # as on a 1366 px screen (the offscreen screen is smaller)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    shot(dialog, "beheer-kaart-import")
    dialog.close()
    dialog.deleteLater()


def _pdf_page(pdf: Path, target: Path) -> list[Path]:
    """The PDF's first page as a PNG at screen resolution (as a printer gets it), if pdftoppm."""
    pdftoppm = shutil.which("pdftoppm")
    if not pdf.is_file() or not pdftoppm:
        return []
    subprocess.run(
        [pdftoppm, "-png", "-r", "96", "-singlefile", str(pdf), str(target.with_suffix(""))],
        check=True,
    )
    return [target]


def _signal_shots(
    app: object, desktop: object, outdir: Path, tmp: Path, shot: Callable[[object, str], None]
) -> list[Path]:
    """The signal form, its consent dialog and printed consent, the preview, and the timeline."""
    from gpdesk.kaart.handout import save_handout_pdf
    from gpdesk.signals.outgoing import THEMES
    from gpdesk.ui.desktop import Desktop
    from gpdesk.ui.signals.page import SignalsPage

    assert isinstance(desktop, Desktop) and desktop.window is not None
    window, signals = desktop.window, desktop.signals
    assert signals is not None
    form = signals.open_form(desktop.patient)
    assert form is not None
    _wait(app, lambda: signals.data is not None and form.current_team() is not None)
    form.resize(*_on_laptop(940, 688))  # what fit_to_screen gives it on a 1366x768 screen
    dialog = signals.open_consent()
    assert dialog is not None
    shot(dialog, "signaal-toestemming")
    pdf = save_handout_pdf(dialog.document(False), tmp / "toestemming.pdf")  # the one renderer
    written = _pdf_page(pdf, outdir / "signaal-toestemming-print.png")
    dialog.save_button.click()
    _wait(app, lambda: signals.consent_dialog is None)
    form.chips[THEMES[0].code].click()
    form.question.selectAll()
    form.question.insertPlainText(
        "Mevrouw heeft schulden en slaapt slecht van de zorgen. Graag meekijken naar een "
        "regeling en hulp bij de post."
    )
    form.private_note.setPlainText("Partner drinkt; niet met het team bespreken.")
    shot(form, "signaal-formulier")
    signals.show_preview()
    _wait(app, lambda: signals.preview_dialog is not None and signals.preview_dialog.isVisible())
    preview = signals.preview_dialog
    assert preview is not None
    preview.resize(*_on_laptop(940, 688))
    shot(preview, "signaal-voorbeeld")
    preview.send_button.click()
    _wait(app, lambda: form.pages.currentWidget() is form.sent_page)
    shot(form, "signaal-verstuurd")
    sent = signals.sent
    assert sent is not None
    form.reject()
    _wait(app, lambda: signals.form is None)

    window.show_area("kaart")
    window.show_area("signals")
    page = window.pages["signals"]
    assert isinstance(page, SignalsPage)
    _wait(app, lambda: page.model.row_of(sent.reference) >= 0)
    page.this_patient.setChecked(False)  # the practice's whole list: signals in every state
    _wait(app, lambda: page.model.rowCount() > 2)
    rows = [page.model.row_at(i) for i in range(page.model.rowCount())]
    for status, name in (
        ("in behandeling", "signaleren-verloop"),
        ("concept", "signaleren-niet-verzonden"),
    ):
        row = next(
            i for i, r in enumerate(rows)
            if r is not None and r.status.value == status and r.reference != sent.reference
        )  # fmt: skip
        page.table.selectRow(row)
        _wait(app, lambda r=rows[row]: page.detail.record is not None
              and r is not None and page.detail.record.reference == r.reference)  # fmt: skip
        shot(window, name)
    return written


def _kaart_shots(
    app: object, desktop: object, outdir: Path, tmp: Path, shot: Callable[[object, str], None]
) -> list[Path]:
    """Sociale kaart with a search and a chosen service, and the patient handout as a page."""
    from gpdesk.ui.desktop import Desktop
    from gpdesk.ui.kaart.handout_dialog import render_image

    assert isinstance(desktop, Desktop) and desktop.window is not None
    window, kaart = desktop.window, desktop.kaart
    assert kaart is not None
    window.show_area("kaart")
    page = window.kaart_page()
    _wait(app, lambda: kaart.ready)
    for query, name, service in (
        ("wijkteam", "sociale-kaart-wijkteam", "Wijkteam Nieuwland"),
        ("schuldhulp", "sociale-kaart", "Schuldhulpverlening Schiedam"),
    ):
        page.search.setText(query)
        kaart.run_search()
        _wait(app, lambda s=service: kaart.detail is not None and kaart.detail.name == s)
        shot(window, name)
    dialog = kaart.open_handout()
    assert dialog is not None
    dialog.resize(900, 700)
    shot(dialog, "handout-venster")
    target = outdir / "handout.png"
    pdf = kaart.save_handout_pdf(tmp / "handout.pdf")
    _wait(app, dialog.save_button.isEnabled)  # written in the background
    if pdf is not None and not pdf.is_file():
        pdf = None
    pdftoppm = shutil.which("pdftoppm")
    if pdf is not None and pdftoppm:
        # The real PDF as a printer would get it, at screen resolution.
        subprocess.run(
            [pdftoppm, "-png", "-r", "96", "-singlefile", str(pdf), str(target.with_suffix(""))],
            check=True,
        )
    else:
        render_image(kaart.handout_html).save(str(target))
    dialog.close()
    return [target]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m gpdesk.tools.screenshots")
    parser.add_argument("outdir", nargs="?", default="docs/screenshots", type=Path)
    parser.add_argument("--font-pt", type=float, help="system font size, e.g. 14")
    parser.add_argument("--scheme", choices=["light", "dark"], help="system colour scheme")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    for path in render(args.outdir, font_pt=args.font_pt, scheme=args.scheme):
        sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
